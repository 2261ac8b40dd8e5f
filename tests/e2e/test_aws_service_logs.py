"""The service-audit-log controls end to end: their kinds are collected only when one of them is
selected, and an AccessDenied on a service is an ERROR for that service's control only.

The compliant zone (with its EKS cluster, databases, load balancers and query logging) is seeded
in the sandbox moto server behind the fault-injecting proxy, which names every request
(``service:Operation``); scans run in this process (``tests/aws_proxy.run_cli``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner.collectors.aws.kinds import eks, elbv2, rds, route53resolver
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.aws_proxy import aws_error, aws_name, run_cli
from tests.catalogue import controls
from tests.cli_process import aws_org_config
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")
SERVICE_KINDS = {k.name for m in (eks, rds, elbv2, route53resolver) for k in m.KINDS}
SERVICE_CONTROLS = sorted(c.id for c in controls("aws") if set(c.kinds) & SERVICE_KINDS)
# What only the service kinds call (ec2:DescribeRegions is discovery's, not theirs).
# The error codes each injected fault answers with, in the protocols of these services.
CODES = {"AccessDenied": ("AccessDenied",), "Throttling": ("Throttling", "TooManyRequests")}
# ec2:DescribeVpcs is not among them: query logging reads the VPCs of aws.ec2.vpc, which the
# flow-log control (CIS 4.7) reads anyway; one DescribeVpcs per account-region serves both.
SERVICE_CALLS = ("eks:", "rds:", "elbv2:", "route53resolver:")


class Lab:
    def __init__(self, server: MotoServer, proxy: FaultProxy, world: World, home: Path) -> None:
        self.server, self.proxy, self.world, self.home, self.runs = server, proxy, world, home, 0
        (home / "logwarden.yaml").write_text(aws_org_config(REGIONS))

    def scan(self, *extra: str) -> tuple[int, dict[str, Any], Counter[str]]:
        """One scan; its exit code, report and the requests it made, by name."""
        self.runs += 1
        out = self.home / f"out-{self.runs}"
        self.proxy.clear()
        argv = ["scan", "--config", str(self.home / "logwarden.yaml"), "-q"]
        code = run_cli(
            [*argv, "--format", "json", "--output", str(out), *extra],
            self.proxy.endpoint_url,
            REGIONS[0],
            self.home,
        )
        return code, json.loads((out / "report.json").read_text()), Counter(self.proxy.seen)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with MotoServer() as server:
        server.reset()
        world = seed_landing_zone(
            standard_landing_zone(members=1, regions=REGIONS), endpoint_url=server.endpoint_url
        )
        with FaultProxy(server.endpoint_url, aws_name, aws_error) as proxy:
            yield Lab(server, proxy, world, tmp_path_factory.mktemp("service-logs"))
        server.reset()


def _without_services(home: Path) -> Path:
    path = home / "without-services.yaml"
    overrides = "".join(f"  - id: {c}\n    enabled: false\n" for c in SERVICE_CONTROLS)
    path.write_text(f"version: 1\noverrides:\n{overrides}")
    return path


def test_the_service_controls_exist() -> None:
    assert len(SERVICE_CONTROLS) == len(SERVICE_KINDS)  # one control per kind


def test_a_scan_without_the_service_controls_makes_none_of_their_calls(lab: Lab) -> None:
    code_all, everything, calls_all = lab.scan()
    code_old, previous, calls_old = lab.scan("--rules", str(_without_services(lab.home)))
    assert code_all == code_old == 0
    assert not [name for name in calls_old if name.startswith(SERVICE_CALLS)]
    # the previous controls' calls are exactly those of a scan of everything, minus the services'
    assert calls_all - calls_old == Counter(
        {n: c for n, c in calls_all.items() if n.startswith(SERVICE_CALLS)}
    )
    assert calls_old - calls_all == Counter()
    ran = {r["check_id"] for r in everything["results"]}
    assert set(SERVICE_CONTROLS) <= ran
    assert not set(SERVICE_CONTROLS) & {r["check_id"] for r in previous["results"]}

    # the rows of the previous controls do not change
    def rows(report: dict[str, Any]) -> set[tuple[str, ...]]:
        return {
            (r["check_id"], r["resource_id"], r["status"])
            for r in report["results"]
            if r["check_id"] not in SERVICE_CONTROLS
        }

    assert rows(everything) == rows(previous)


def test_the_service_calls_per_account_region(lab: Lab) -> None:
    """One listing per service and account-region; per resource only what the controls read."""
    _, _, calls = lab.scan()
    account_regions = len(lab.world.accounts) * len(REGIONS)
    for listing in (
        "eks:ListClusters",
        "rds:DescribeDBInstances",
        "elbv2:DescribeLoadBalancers",
        "ec2:DescribeVpcs",
        "route53resolver:ListResolverQueryLogConfigAssociations",
        "route53resolver:ListResolverQueryLogConfigs",  # every VPC here has query logging
    ):
        assert calls[listing] == account_regions, listing
    assert calls["eks:DescribeCluster"] == 1  # one cluster
    assert calls["rds:DescribeDBClusters"] == 1  # only where an instance is in a cluster
    assert calls["elbv2:DescribeLoadBalancerAttributes"] == 2  # ALB + NLB, not the gateway


@pytest.mark.parametrize("error", ["AccessDenied", "Throttling"])
@pytest.mark.parametrize(
    ("service", "control"),
    [
        ("eks", "aws.eks.control_plane_audit_logs"),
        ("rds", "aws.rds.audit_logs_exported"),
        ("elbv2", "aws.elbv2.access_logs"),
        ("route53resolver", "aws.route53resolver.query_logging"),
    ],
)
def test_a_denied_or_throttled_service_is_an_error_of_its_control_only(
    lab: Lab, service: str, control: str, error: str
) -> None:
    _, clean, _ = lab.scan()
    lab.server.faults.add(error=error, service=service)
    try:
        code, faulted, _ = lab.scan()
    finally:
        lab.server.faults.clear()
    errors = [r for r in faulted["results"] if r["status"] == "ERROR"]
    # every account: the management and log-archive accounts were not SKIPPED, but unknown
    assert {(r["check_id"], r["tenant_id"]) for r in errors} == {
        (control, account) for account in lab.world.accounts.values()
    }
    assert all(any(code in r["message"] for code in CODES[error]) for r in errors), errors
    assert not [
        r for r in faulted["results"] if r["check_id"] == control and r["status"] != "ERROR"
    ]

    def others(report: dict[str, Any]) -> set[tuple[str, ...]]:
        return {
            (r["check_id"], r["resource_id"], r["status"])
            for r in report["results"]
            if r["check_id"] != control
        }

    assert others(faulted) == others(clean)
    assert code == 3
