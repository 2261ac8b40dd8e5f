"""The project-resource controls (CIS GCP 2.12, 2.16, 3.8, 6.2.1-6.2.8) offline: each passes on
the compliant model and fails on its own defect; the tricky cases of each; ERROR when a kind
could not be read; no row for a project that has nothing to judge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from logwarden.scanner.collectors.gcp.kinds.compute import (
    BACKEND_SERVICE,
    NETWORK,
    SUBNETWORK,
    dns_fields,
)
from logwarden.scanner.collectors.gcp.kinds.sql import SQL_INSTANCE, flag_map
from logwarden.scanner.models import CollectionError, KindCollection, ScanReport, Status
from tests import gcp_docs as d
from tests import gcp_resource_docs as r
from tests.offline import rows, scan_gcp_world

DNS = "gcp.dns.network_logging"
LB = "gcp.compute.lb_backend_logging"
FLOW = "gcp.compute.subnet_flow_logs"
PG = "gcp.sql.postgres_"
SQL_CHECKS = {
    f"{PG}{name}"
    for name in (
        "log_error_verbosity",
        "log_connections",
        "log_disconnections",
        "log_statement",
        "log_min_messages",
        "log_min_error_statement",
        "log_min_duration_statement",
        "pgaudit",
    )
}
Facts = dict[str, list[dict[str, Any]]]


def scan(change: Callable[[Facts], object] | None = None, **parameters: Any) -> ScanReport:
    model = d.compliant_model()
    if change is not None:
        change(model.resources[d.APP])
    return scan_gcp_world(d.build(model), **parameters)


def status(report: ScanReport, check: str) -> dict[str, Status]:
    """resource name (last part of the id) -> status, in the application project."""
    return {row.resource_id.rsplit("/", 1)[-1]: row.status for row in rows(report, check, d.APP)}


def _set(kind: str, index: int = 0, **changes: Any) -> Callable[[Facts], None]:
    def apply(facts: Facts) -> None:
        facts[kind][index].update(changes)

    return apply


def _unset(change: Callable[[Facts], None], kind: str) -> Callable[[Facts], None]:
    """``change``, then the fields it set to None are removed (as the API leaves them out)."""

    def apply(facts: Facts) -> None:
        change(facts)
        doc = facts[kind][0]
        for key in [k for k, v in doc.items() if v is None]:
            del doc[key]

    return apply


def _flags(**flags: str | None) -> Callable[[Facts], None]:
    def apply(facts: Facts) -> None:
        current = {**r.PG_FLAGS, **flags}
        facts["instances"][0] = r.instance(
            d.APP, "orders-db", **{k: v for k, v in current.items() if v is not None}
        )

    return apply


def test_the_compliant_project_passes_every_resource_control() -> None:
    report = scan()
    assert status(report, DNS) == {"vpc": Status.PASS}
    assert status(report, LB) == {"web": Status.PASS, "api": Status.PASS}
    assert status(report, FLOW) == {"app": Status.PASS}
    for check in SQL_CHECKS:
        assert status(report, check) == {"orders-db": Status.PASS}, check
    # the logging project has none of these resources: no row, nothing to judge
    every = {DNS, LB, FLOW, *SQL_CHECKS}
    assert [row for row in report.results if row.check_id in every and row.tenant_id != d.APP] == []


# ---- 2.12 DNS logging
@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("no policy bound", _set("policies", networks=[])),
        ("policy does not log", _set("policies", enableLogging=False)),
        ("policy bound to a network of the same name in another project", _set(
            "policies", networks=[{"networkUrl": r.network_url("other-project", "vpc")}]
        )),
    ],
)  # fmt: skip
def test_a_network_without_dns_logging_fails(case: str, change: Callable[[Facts], None]) -> None:
    assert status(scan(change), DNS) == {"vpc": Status.FAIL}, case


def test_dns_policy_urls_match_by_project_and_network_and_name_the_policy() -> None:
    policies = [
        r.policy("p", "quiet", "other"),
        {"name": "short", "enableLogging": True, "networks": [{"networkUrl": "projects/p/global/networks/vpc"}]},
    ]  # fmt: skip
    assert dns_fields("vpc", policies, {"p", "123"}) == {
        "DnsPolicies": [{"name": "short", "enableLogging": True}],
        "DnsLogging": True,
    }
    assert dns_fields("vpc", policies, {"q"})["DnsLogging"] is False


# ---- 2.16 load balancer logging
@pytest.mark.parametrize(
    ("case", "change", "expected"),
    [
        ("logging off", _set("backend_services", logConfig={"enable": False}), Status.FAIL),
        ("no logConfig", _set("backend_services", logConfig={}), Status.FAIL),
        ("sample rate 0", _set("backend_services", logConfig={"enable": True, "sampleRate": 0.0}),
         Status.FAIL),
        ("sample rate not set: Google's 1.0",
         _set("backend_services", logConfig={"enable": True}), Status.PASS),
        ("classic external, protocol not set (HTTP)",
         _set("backend_services", loadBalancingScheme="EXTERNAL", protocol=None,
              logConfig={"enable": False}), Status.FAIL),
    ],
)  # fmt: skip
def test_backend_service_logging(case: str, change: Any, expected: Status) -> None:
    assert status(scan(_unset(change, "backend_services")), LB)["web"] == expected, case


@pytest.mark.parametrize(
    "changes",
    [
        {"loadBalancingScheme": "INTERNAL_MANAGED"},  # not in lb_logging_schemes
        {"loadBalancingScheme": "EXTERNAL", "protocol": "TCP"},  # a proxy network LB
    ],
)
def test_backend_services_that_are_not_external_http_are_not_judged(changes: dict) -> None:
    change = _set("backend_services", logConfig={"enable": False}, **changes)
    assert "web" not in status(scan(change), LB)


def test_the_schemes_are_a_parameter() -> None:
    change = _set("backend_services", loadBalancingScheme="INTERNAL_MANAGED", logConfig={})
    report = scan(change, lb_logging_schemes=["EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL_MANAGED"])
    assert status(report, LB)["web"] == Status.FAIL


# ---- 3.8 flow logs
def _log_config(**changes: Any) -> Callable[[Facts], None]:
    def apply(facts: Facts) -> None:
        config = dict(facts["subnetworks"][0]["logConfig"])
        config.update(changes)
        facts["subnetworks"][0]["logConfig"] = {k: v for k, v in config.items() if v is not None}

    return apply


@pytest.mark.parametrize(
    ("case", "change", "expected"),
    [
        ("off", _set("subnetworks", enableFlowLogs=False, logConfig={"enable": False}),
         Status.FAIL),
        ("never configured", _set("subnetworks", enableFlowLogs=None, logConfig=None),
         Status.FAIL),
        ("half the flows", _log_config(flowSampling=0.5), Status.FAIL),
        ("sampling not set: Google's 0.5", _log_config(flowSampling=None), Status.FAIL),
        ("10 minute aggregation", _log_config(aggregationInterval="INTERVAL_10_MIN"),
         Status.FAIL),
        ("interval not set: Google's 5 s", _log_config(aggregationInterval=None), Status.PASS),
        ("no metadata", _log_config(metadata="EXCLUDE_ALL_METADATA"), Status.FAIL),
        ("a filter expression", _log_config(filterExpr="inIpRange(connection.src_ip, '10.0.0.0/8')"),
         Status.FAIL),
        ("the filter 'true' keeps every flow", _log_config(filterExpr="true"), Status.PASS),
        ("only the legacy field", _set("subnetworks", enableFlowLogs=True,
         logConfig={"aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 1.0,
                    "metadata": "INCLUDE_ALL_METADATA"}), Status.PASS),
    ],
)  # fmt: skip
def test_subnet_flow_logs(case: str, change: Any, expected: Status) -> None:
    assert status(scan(_unset(change, "subnetworks")), FLOW) == {"app": expected}, case


@pytest.mark.parametrize(
    "purpose",
    ["REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "INTERNAL_HTTPS_LOAD_BALANCER",
     "PRIVATE_SERVICE_CONNECT"],
)  # fmt: skip
def test_proxy_only_and_psc_subnets_are_not_judged(purpose: str) -> None:
    def add(facts: Facts) -> None:
        facts["subnetworks"].append(
            r.subnet(d.APP, "proxy", purpose=purpose, enableFlowLogs=False, logConfig={})
        )

    assert status(scan(add), FLOW) == {"app": Status.PASS}


def test_flow_log_thresholds_are_parameters() -> None:
    report = scan(
        _log_config(flowSampling=0.5, aggregationInterval="INTERVAL_1_MIN"),
        flow_logs_min_sampling=0.5,
        flow_logs_aggregation_interval="INTERVAL_1_MIN",
    )
    assert status(report, FLOW) == {"app": Status.PASS}


# ---- 6.2 Cloud SQL PostgreSQL flags
@pytest.mark.parametrize(
    ("check", "flags"),
    [
        ("log_error_verbosity", {"log_error_verbosity": "verbose"}),
        ("log_connections", {"log_connections": None}),
        ("log_connections", {"log_connections": "off"}),
        ("log_disconnections", {"log_disconnections": None}),
        ("log_statement", {"log_statement": None}),  # PostgreSQL's default: none
        ("log_statement", {"log_statement": "none"}),
        ("log_min_messages", {"log_min_messages": "notice"}),
        ("log_min_error_statement", {"log_min_error_statement": "warning"}),
        ("log_min_duration_statement", {"log_min_duration_statement": "0"}),
        ("pgaudit", {"cloudsql.enable_pgaudit": None}),
        ("pgaudit", {"cloudsql.enable_pgaudit": "off"}),
    ],
)
def test_each_postgres_flag_fails_on_its_own_defect(check: str, flags: dict) -> None:
    report = scan(_flags(**flags))
    failing = {c for c in SQL_CHECKS if status(report, c) == {"orders-db": Status.FAIL}}
    assert failing == {f"{PG}{check}"}


@pytest.mark.parametrize(
    "flags",
    [
        {"log_connections": "ON", "log_statement": "DDL"},  # Cloud SQL accepts either case
        {"log_error_verbosity": "terse", "log_min_messages": "error"},  # stricter passes
        {"log_min_error_statement": "panic", "log_min_duration_statement": "-1"},
    ],
)
def test_stricter_and_upper_case_flag_values_pass(flags: dict) -> None:
    report = scan(_flags(**flags))
    assert {c for c in SQL_CHECKS if status(report, c) != {"orders-db": Status.PASS}} == set()


def test_only_postgres_instances_are_judged() -> None:
    def add(facts: Facts) -> None:
        facts["instances"].append(r.instance(d.APP, "mysql-db", "MYSQL_8_0"))
        external = r.instance(d.APP, "external", "POSTGRES_14")
        facts["instances"].append({**external, "instanceType": "ON_PREMISES_INSTANCE"})

    report = scan(add)
    for check in SQL_CHECKS:
        assert status(report, check) == {"orders-db": Status.PASS}


def test_flag_map_reads_names_and_values() -> None:
    settings = {"databaseFlags": [{"name": "log_statement", "value": "DDL"}, {"name": "x"}]}
    assert flag_map(settings) == {"log_statement": "ddl", "x": ""}
    assert flag_map(None) == {}


# ---- errors
@pytest.mark.parametrize(
    ("kind", "checks"),
    [
        (NETWORK, {DNS}),
        (SUBNETWORK, {FLOW}),
        (BACKEND_SERVICE, {LB}),
        (SQL_INSTANCE, SQL_CHECKS),
    ],
)
def test_a_kind_that_could_not_be_read_is_an_error_never_a_pass(kind: str, checks: set) -> None:
    error = CollectionError("gcp", d.APP, kind, "", "PERMISSION_DENIED", "SERVICE_DISABLED: off")
    world = d.build(d.compliant_model())
    report = scan_gcp_world(world, errors={(d.APP, kind): KindCollection(errors=(error,))})
    for check in checks:
        assert {row.status for row in rows(report, check, d.APP)} == {Status.ERROR}, check
        assert "SERVICE_DISABLED" in rows(report, check, d.APP)[0].message


def test_a_number_parameter_takes_a_whole_number_and_a_list_parameter_a_plain_list() -> None:
    # flow_logs_min_sampling defaults to 1.0; lb_logging_schemes to a list read from YAML
    report = scan(_log_config(flowSampling=1.0), flow_logs_min_sampling=1, lb_logging_schemes=[])
    assert status(report, FLOW) == {"app": Status.PASS}
    assert status(report, LB) == {}


def test_the_dns_message_tells_a_missing_policy_from_one_that_does_not_log() -> None:
    [missing] = rows(scan(_set("policies", networks=[])), DNS, d.APP)
    assert "DnsPolicies is [] (expected not empty)" in missing.message
    [quiet] = rows(scan(_set("policies", enableLogging=False)), DNS, d.APP)
    assert "DnsLogging is false (expected true)" in quiet.message
    assert "DnsPolicies is" not in quiet.message


def test_a_backend_service_without_a_scheme_is_judged() -> None:
    change = _unset(
        _set("backend_services", loadBalancingScheme=None, logConfig={}), "backend_services"
    )
    assert status(scan(change), LB)["web"] == Status.FAIL
