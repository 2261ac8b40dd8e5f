"""Named defects of the GCP sandbox's project resources (``gcp_resources``): one per control of
CIS GCP 2.12, 2.16, 3.8 and 6.2.1-6.2.8, plus a tricky case each for DNS, flow logs and load
balancer logging. ``gcp_defects`` merges :data:`DEFECTS` into its catalogue; each entry is
``(description, apply, rows)`` as ``gcp_defects.Defect`` takes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logwarden_sandbox.gcp_resources import (
    BackendSpec,
    NetworkSpec,
    ProjectResources,
    SqlSpec,
    SubnetSpec,
    backend_id,
    network_id,
    sql_id,
    subnet_id,
)
from logwarden_sandbox.gcp_world import Expectation, GcpOrg

DNS = "gcp.dns.network_logging"
LB = "gcp.compute.lb_backend_logging"
FLOW = "gcp.compute.subnet_flow_logs"
SHARED, APP_1 = "lw-shared", "lw-app-1"
ORDERS_DB = "orders-db"

Apply = Callable[[GcpOrg], None]
Rows = Callable[[GcpOrg], list[Expectation]]


def _held(org: GcpOrg, project: str) -> ProjectResources:
    return org.resources[project]


def _network(project: str, name: str) -> Callable[[GcpOrg], NetworkSpec]:
    return lambda org: next(n for n in _held(org, project).networks if n.name == name)


def _subnet(project: str, name: str) -> Callable[[GcpOrg], SubnetSpec]:
    def find(org: GcpOrg) -> SubnetSpec:
        return next(s for n in _held(org, project).networks for s in n.subnets if s.name == name)

    return find


def _backend(name: str) -> Callable[[GcpOrg], BackendSpec]:
    return lambda org: next(b for b in _held(org, SHARED).backends if b.name == name)


def _orders(org: GcpOrg) -> SqlSpec:
    return next(s for s in _held(org, APP_1).sql if s.name == ORDERS_DB)


def _set(target: Callable[[GcpOrg], Any], **changes: Any) -> Apply:
    def apply(org: GcpOrg) -> None:
        obj = target(org)
        for name, value in changes.items():
            setattr(obj, name, value)

    return apply


def _flag(name: str, value: str | None) -> Apply:
    def apply(org: GcpOrg) -> None:
        flags = _orders(org).flags
        if value is None:
            flags.pop(name, None)
        else:
            flags[name] = value

    return apply


def _row(check: str, project: str, resource_id: str) -> Rows:
    return lambda org: [Expectation(check, project, resource_id)]


def _pg(check: str, flag: str, value: str | None, description: str) -> tuple[str, Apply, Rows]:
    return (
        f"{APP_1}'s PostgreSQL instance {ORDERS_DB}: {description}",
        _flag(flag, value),
        _row(f"gcp.sql.postgres_{check}", APP_1, sql_id(APP_1, ORDERS_DB)),
    )


DEFECTS: dict[str, tuple[str, Apply, Rows]] = {
    "network_without_dns_policy": (
        f"{APP_1}'s network app-vpc has no DNS server policy",
        _set(_network(APP_1, "app-vpc"), dns_policy=None),
        _row(DNS, APP_1, network_id(APP_1, "app-vpc")),
    ),
    "dns_policy_not_logging": (
        f"{SHARED}'s network shared-vpc has a DNS policy with logging off",
        _set(_network(SHARED, "shared-vpc"), dns_logging=False),
        _row(DNS, SHARED, network_id(SHARED, "shared-vpc")),
    ),
    "backend_logging_off": (
        f"{SHARED}'s global external backend service web does not log requests",
        _set(_backend("web"), logging=False),
        _row(LB, SHARED, backend_id(SHARED, "web")),
    ),
    "backend_sample_rate_zero": (
        f"{SHARED}'s regional backend service api-eu logs with a sample rate of 0",
        _set(_backend("api-eu"), sample_rate=0.0),
        _row(LB, SHARED, backend_id(SHARED, "api-eu", "europe-west1")),
    ),
    "subnet_flow_logs_off": (
        f"{SHARED}'s subnet shared-us has flow logs off",
        _set(_subnet(SHARED, "shared-us"), flow_logs=False),
        _row(FLOW, SHARED, subnet_id(SHARED, "us-central1", "shared-us")),
    ),
    "subnet_flow_sampling_half": (
        f"{APP_1}'s subnet app-eu logs flows with a sampling of 0.5",
        _set(_subnet(APP_1, "app-eu"), sampling=0.5),
        _row(FLOW, APP_1, subnet_id(APP_1, "europe-west1", "app-eu")),
    ),
    "pg_log_error_verbosity_verbose": _pg(
        "log_error_verbosity", "log_error_verbosity", "verbose", "log_error_verbosity verbose"
    ),
    "pg_log_connections_off": _pg(
        "log_connections", "log_connections", "off", "log_connections off"
    ),
    "pg_log_disconnections_unset": _pg(
        "log_disconnections", "log_disconnections", None, "log_disconnections not set"
    ),
    "pg_log_statement_none": _pg("log_statement", "log_statement", "none", "log_statement none"),
    "pg_log_min_messages_notice": _pg(
        "log_min_messages", "log_min_messages", "notice", "log_min_messages notice"
    ),
    "pg_log_min_error_statement_warning": _pg(
        "log_min_error_statement",
        "log_min_error_statement",
        "warning",
        "log_min_error_statement warning",
    ),
    "pg_log_min_duration_statement_zero": _pg(
        "log_min_duration_statement",
        "log_min_duration_statement",
        "0",
        "log_min_duration_statement 0 (every statement logged)",
    ),
    "pg_pgaudit_off": _pg("pgaudit", "cloudsql.enable_pgaudit", "off", "pgAudit off"),
}
