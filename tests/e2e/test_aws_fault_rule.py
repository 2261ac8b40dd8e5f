"""A fault in any AWS answer may only turn rows into ERROR: never PASS, FAIL or SKIPPED.

A small organization (management, log archive, one workload account; one region) is seeded
in the sandbox moto server, with the fault-injecting proxy (``tests/fault_proxy.py``) in
front of it. Every AWS operation of the declared answer table
(``logwarden.scanner.collectors.aws.answers``) is faulted in turn, in every way the proxy knows, and
the scan (``logwarden.scanner.cli.main`` in this process, pointed at the proxy by AWS_ENDPOINT_URL) is
compared with the clean scan of the same world: every row that is not ERROR must be in the
clean scan with the same status, an ERROR row (or, when discovery failed, a discovery error)
must say what failed, the report must be written, and the exit code is 3 (1 with findings).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner.collectors.aws.answers import operations
from logwarden.scanner.collectors.aws.s3_derive import PAB_KEYS
from logwarden.scanner.collectors.aws.session import strip_account_host_label
from logwarden_sandbox.aws_clients import ClientCache, Credentials
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.aws_proxy import ATTRIBUTION, aws_error, aws_name, run_cli
from tests.cli_process import aws_org_config
from tests.fault_proxy import FAULTS, FaultProxy

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
# Only called when the regions to scan are every enabled region.
ENABLED_REGIONS = {("ec2", "DescribeRegions")}
# Attribution's reads are faulted in tests/e2e/test_aws_fault_attribution.py.
SCANNED = [op for op in operations() if op not in ATTRIBUTION]


Row = tuple[str, str, str, str]


@dataclass
class Scan:
    code: int
    report: dict[str, Any]

    def rows(self) -> dict[Row, str]:
        return {
            (r["check_id"], r["tenant_id"], r["region"], r["resource_id"]): r["status"]
            for r in self.report["results"]
        }

    def errors(self) -> list[str]:
        """The messages of ERROR rows and of collection errors."""
        rows = [r["message"] for r in self.report["results"] if r["status"] == "ERROR"]
        return rows + [f"{e['kind']}: {e['code']}: {e['message']}" for e in self.report["errors"]]


@dataclass
class Lab:
    """The seeded world behind the proxy, and the clean scan of each configuration."""

    proxy: FaultProxy
    world: World
    home: Path
    clean: dict[str, Scan] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    runs: int = 0

    def config(self, regions: str) -> Path:
        path = self.home / f"{regions}.yaml"
        if not path.exists():
            text = aws_org_config((REGION,))
            if regions == "enabled":
                text = text.replace(f"regions: [{REGION}]", "regions: enabled")
            path.write_text(text)
        return path

    def scan(self, regions: str, *, quiet: bool = True) -> Scan:
        """One in-process ``logwarden scan`` through the proxy; the report must be written."""
        self.runs += 1
        out = self.home / f"out-{self.runs}"
        argv = ["scan", "--config", str(self.config(regions))]
        argv += ["--format", "json", "--output", str(out), *(["-q"] if quiet else [])]
        code = run_cli(argv, self.proxy.endpoint_url, REGION, self.home)
        report = out / "report.json"
        assert report.is_file(), f"exit {code}: no report written"
        return Scan(code, json.loads(report.read_text()))

    def clean_scan(self, regions: str = REGION) -> Scan:
        if regions not in self.clean:
            self.proxy.clear()
            self.clean[regions] = self.scan(regions)
            self.seen[regions] = set(self.proxy.seen)
        return self.clean[regions]

    def faulted_scan(
        self, name: str, fault: str, regions: str = REGION, *, quiet: bool = True
    ) -> Scan:
        """A scan with ``fault`` on every request named ``name``, which must be called."""
        self.proxy.clear()
        self.proxy.fault(name, fault)
        try:
            scan = self.scan(regions, quiet=quiet)
            hits = self.proxy.faulted[name]
        finally:
            self.proxy.clear()
        assert hits > 0, f"the scan never called {name}"
        return scan


def seed(endpoint_url: str) -> World:
    """The compliant zone, with the two log-bucket settings that make a scan read the bucket
    ACL (ACLs enabled: BucketOwnerPreferred, a finding) and the account-level Block Public
    Access (the bucket has none, the account blocks everything), and a CloudTrail-changes
    filter without alarm (findings; the EventBridge rules are read): a scan then makes every
    call the AWS collectors can make."""
    zone = standard_landing_zone(members=1, regions=(REGION,))
    zone.log_bucket.object_ownership = "BucketOwnerPreferred"
    # no alarm on CloudTrail changes: the monitoring control reads the EventBridge rules
    zone.monitoring.alerts["cloudtrail_changes"].alarm = False
    zone.log_bucket.public_access_block = False
    world = seed_landing_zone(zone, endpoint_url=endpoint_url)
    clients = ClientCache(endpoint_url)
    role = clients.get("sts", REGION).assume_role(
        RoleArn=world.role_arn(world.log_archive_account_id), RoleSessionName="fault-rule"
    )
    s3control = clients.get("s3control", REGION, Credentials.from_sts(role["Credentials"]))
    s3control.meta.events.register("before-send.s3-control", strip_account_host_label)
    s3control.put_public_access_block(
        AccountId=world.log_archive_account_id,
        PublicAccessBlockConfiguration=dict.fromkeys(PAB_KEYS, True),
    )
    return world


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with MotoServer() as server:
        server.reset()  # moto's state is process-wide: start from nothing
        world = seed(server.endpoint_url)
        with FaultProxy(server.endpoint_url, aws_name, aws_error) as proxy:
            yield Lab(proxy, world, tmp_path_factory.mktemp("fault-rule"))
        server.reset()


def test_the_clean_scan_has_no_error_and_calls_only_declared_operations(lab: Lab) -> None:
    clean = lab.clean_scan(REGION)
    assert clean.code == 1, (
        clean.errors()
    )  # findings: ACLs are enabled, CloudTrail changes not alarmed
    assert "ERROR" not in clean.rows().values()
    declared = {f"{service}:{op}" for service, op in operations()}
    assert lab.seen[REGION] - declared == set(), "declare these in the answer table"


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("service", "operation"), SCANNED, ids=[f"{s}:{o}" for s, o in SCANNED])
def test_a_fault_only_turns_rows_into_errors(
    lab: Lab, service: str, operation: str, fault: str
) -> None:
    regions = "enabled" if (service, operation) in ENABLED_REGIONS else REGION
    clean = lab.clean_scan(regions)
    faulted = lab.faulted_scan(f"{service}:{operation}", fault, regions)
    before = clean.rows()
    changed = {
        row: (before.get(row, "absent"), status)
        for row, status in faulted.rows().items()
        if status != "ERROR" and before.get(row) != status
    }
    assert changed == {}, "a fault changed rows into something other than ERROR"
    errors = faulted.errors()
    error_rows = [row for row, status in faulted.rows().items() if status == "ERROR"]
    discovery = [e for e in faulted.report["errors"] if e["kind"] == "discovery"]
    assert error_rows or discovery, "a fault must leave ERROR rows, or a discovery error"
    findings = any(s == "FAIL" for s in faulted.rows().values())
    assert faulted.code == (1 if findings else 3), errors


def test_an_unreadable_trail_makes_the_log_bucket_scp_an_error_not_skipped(lab: Lab) -> None:
    """The log bucket is found from the trails: when they cannot be read, the log-archive
    account's bucket (and its SCP protection) is unknown, not absent."""
    archive = lab.world.log_archive_account_id
    row = ("aws.org.scp_protects_log_bucket", archive, "", archive)
    assert lab.clean_scan().rows()[row] == "PASS"
    for operation in ("GetEventSelectors", "DescribeTrails", "GetTrailStatus"):
        faulted = lab.faulted_scan(f"cloudtrail:{operation}", "500")
        assert faulted.rows()[row] == "ERROR", operation
        message = next(
            r["message"]
            for r in faulted.report["results"]
            if (r["check_id"], r["tenant_id"]) == row[:2]
        )
        assert "SourceUnavailable" in message and "aws.cloudtrail.trail" in message, message


def test_a_failed_discovery_writes_reports_that_say_what_failed(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    faulted = lab.faulted_scan("organizations:DescribeOrganization", "truncate", quiet=False)
    assert faulted.code == 3
    assert faulted.report["results"] == []
    (error,) = faulted.report["errors"]
    assert (error["kind"], error["code"]) == ("discovery", "MalformedResponse")
    assert "organizations DescribeOrganization answered HTTP 200" in error["message"]
    console = capsys.readouterr().out
    assert "Discovery failed for aws" in console and "DescribeOrganization" in console
