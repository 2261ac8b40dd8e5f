"""The installed ``logwarden`` CLI against a moto server with a multi-account organization.

Every scenario seeds its own landing zone (``logwarden_sandbox``), runs the real CLI as a
subprocess with credentials and the endpoint injected, and reads ``report.json``. The sandbox
says which rows each seeded defect must make FAIL; the scan must report exactly those FAIL
rows: every defect found, nothing else (no false positive).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.catalogue import control_ids
from tests.cli_process import aws_org_config, cli_env, moto_env, run_logwarden

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")

# Defects that do not hide one another, scanned together in one organization.
ACCOUNT_LEVEL_DEFECTS = (
    "bucket_public_policy",
    "bucket_no_kms",
    "lifecycle_no_archive",
    "bucket_no_pab",
    "bucket_acl_ownership",
    "bucket_no_tls_deny",
    "bucket_no_access_logging",
    "bucket_no_versioning_no_lock",
    "scp_cloudtrail_detached_from_ou",
    "scp_config_missing",
    "scp_log_bucket_missing",
    "log_validation_off",
    "key_rotation_off",
    "config_recorder_stopped",
    "config_no_global",
    "log_group_no_retention",
    "member_single_region_trail",
    "eks_no_audit_logs",
    "rds_no_audit_export",
    "alb_no_access_logs",
    "vpc_no_query_logging",
    "org_trail_s3_reads_only",
)
COVERAGE_DEFECTS = (
    "org_trail_stopped",
    "member_single_region_trail",
    "member_multi_region_trail",
    "trail_no_kms",
    "trail_no_cloudwatch",
    "lifecycle_short_expiry",
)


def run_cli(
    args: list[str], endpoint: str, cwd: Path, config_extra: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI with only the emulator's endpoint and static credentials."""
    env = cli_env(cwd, moto_env(endpoint, REGIONS[0]))
    config = cwd / "logwarden.yaml"
    if not config.exists():
        config.write_text(aws_org_config(REGIONS) + config_extra)
    return run_logwarden(args, cwd, env)


def scan(server: MotoServer, cwd: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    proc = run_cli(
        ["scan", "--config", "logwarden.yaml", "--format", "json", "--output", "out", *extra],
        server.endpoint_url,
        cwd,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads((cwd / "out" / "report.json").read_text())
    return proc.returncode, report, proc.stdout + proc.stderr


def keys(report: dict[str, Any], status: str) -> set[tuple[str, str, str]]:
    return {
        (r["check_id"], r["tenant_id"], r["resource_id"])
        for r in report["results"]
        if r["status"] == status
    }


def expected_failures(world: World) -> set[tuple[str, str, str]]:
    return {
        (e.check_id, e.account_id, e.resource_id)
        for info in world.defects.values()
        for e in info.rows
        if e.status == "FAIL"
    }


class Sandbox:
    """One moto server per test process (moto's state is process-wide), re-seeded on demand."""

    def __init__(self) -> None:
        self.server = MotoServer().start()
        self._seeded: tuple[str, ...] | None = None
        self._world: World | None = None

    def world(self, defects: tuple[str, ...] = ()) -> World:
        key = tuple(sorted(defects))
        if key != self._seeded or self._world is None:
            self.server.reset()
            self._world = seed_landing_zone(
                standard_landing_zone(members=2, regions=REGIONS, defects=defects),
                endpoint_url=self.server.endpoint_url,
            )
            self._seeded = key
        return self._world


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.server.stop()


@pytest.fixture
def compliant(sandbox: Sandbox) -> tuple[MotoServer, World]:
    return sandbox.server, sandbox.world()


def test_compliant_organization_passes_everything(
    compliant: tuple[MotoServer, World], tmp_path: Path
) -> None:
    server, world = compliant
    code, report, output = scan(server, tmp_path)
    assert keys(report, "FAIL") == set()
    assert keys(report, "ERROR") == set(), output
    assert code == 0, output
    assert {r["check_id"] for r in report["results"]} == control_ids("aws")
    assert {t["id"] for t in report["tenants"]} == set(world.accounts.values())
    # the org trail is evaluated once, in the management account, not per member or region
    validation = [
        r for r in report["results"] if r["check_id"] == "aws.cloudtrail.log_file_validation"
    ]
    assert [(r["tenant_id"], r["resource_id"]) for r in validation] == [
        (world.management_account_id, world.org_trail_arn)
    ]
    # the log bucket is evaluated in the log archive, where it lives
    kms = [r for r in report["results"] if r["check_id"] == "aws.s3.log_bucket_kms"]
    assert [(r["tenant_id"], r["status"]) for r in kms] == [(world.log_archive_account_id, "PASS")]
    # every member is covered by the org trail although moto does not show it to them
    covered = {
        r["tenant_id"]: r["status"]
        for r in report["results"]
        if r["check_id"] == "aws.cloudtrail.account_covered"
    }
    assert covered == dict.fromkeys(world.accounts.values(), "PASS")


def test_each_seeded_defect_fails_and_nothing_else(sandbox: Sandbox, tmp_path: Path) -> None:
    world = sandbox.world(ACCOUNT_LEVEL_DEFECTS)
    code, report, output = scan(sandbox.server, tmp_path)
    expected = expected_failures(world)
    assert len(expected) >= len(ACCOUNT_LEVEL_DEFECTS)
    got = keys(report, "FAIL")
    assert got - expected == set(), "false positives"
    assert expected - got == set(), "missed defects"
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    # the passing side of the same controls: a compliant account next to the defective one
    recorder = {
        r["tenant_id"]: r["status"]
        for r in report["results"]
        if r["check_id"] == "aws.config.recorder_on"
    }
    assert recorder[world.accounts["log-archive"]] == "PASS"
    cloudtrail_scp = {
        r["tenant_id"]: r["status"]
        for r in report["results"]
        if r["check_id"] == "aws.org.scp_protects_cloudtrail"
    }
    assert cloudtrail_scp[world.accounts["workload-1"]] == "PASS"  # Workloads OU keeps the SCP
    assert cloudtrail_scp[world.accounts["workload-2"]] == "FAIL"  # Sandbox OU lost it


def test_stopped_org_trail_uncovers_accounts_without_their_own_trail(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    world = sandbox.world(COVERAGE_DEFECTS)
    code, report, _ = scan(sandbox.server, tmp_path)
    assert keys(report, "FAIL") == expected_failures(world)
    covered = {
        r["tenant_id"]: r["status"]
        for r in report["results"]
        if r["check_id"] == "aws.cloudtrail.account_covered"
    }
    assert covered[world.accounts["workload-1"]] == "FAIL"  # only a single-region trail of its own
    assert covered[world.accounts["workload-2"]] == "PASS"  # its own multi-region trail
    assert covered[world.management_account_id] == "FAIL"
    assert code == 1


def _fault_rows(report: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in report["results"]:
        if r["status"] == "ERROR":
            out.setdefault(r["tenant_id"], set()).add(r["check_id"])
    return out


def test_access_denied_throttling_and_unavailable_region_are_errors_not_passes(
    compliant: tuple[MotoServer, World], tmp_path: Path
) -> None:
    server, world = compliant
    denied, throttled = world.accounts["workload-1"], world.accounts["workload-2"]
    server.faults.add(error="AccessDenied", account=denied, service="config")
    server.faults.add(error="Throttling", account=throttled, service="config")
    server.faults.add(
        error="Unavailable",
        account=world.log_archive_account_id,
        service="config",
        region=REGIONS[1],
    )
    try:
        code, report, output = scan(server, tmp_path)
    finally:
        server.faults.clear()
    errors = _fault_rows(report)
    config = {"aws.config.recorder_on", "aws.config.central_delivery"}  # both read the recorders
    assert errors == {denied: config, throttled: config, world.log_archive_account_id: config}, (
        output
    )
    messages = {r["tenant_id"]: r["message"] for r in report["results"] if r["status"] == "ERROR"}
    assert "AccessDenied" in messages[denied]
    assert "Throttl" in messages[throttled]
    assert REGIONS[1] in messages[world.log_archive_account_id]
    assert keys(report, "FAIL") == set()
    assert code == 3, output
    # the rest of the scan completed: every other control still evaluated for those accounts
    passed = {(r["tenant_id"], r["check_id"]) for r in report["results"] if r["status"] == "PASS"}
    assert (denied, "aws.org.scp_protects_config") in passed


def test_unreachable_account_is_an_error_for_that_account_only(
    compliant: tuple[MotoServer, World], tmp_path: Path
) -> None:
    server, world = compliant
    denied = world.accounts["workload-1"]
    server.faults.add(error="AccessDenied", account=denied)
    try:
        code, report, output = scan(server, tmp_path)
    finally:
        server.faults.clear()
    errors = _fault_rows(report)
    assert set(errors) == {denied}, output
    assert {"aws.cloudtrail.account_covered", "aws.config.recorder_on"} <= errors[denied]
    assert not any(
        r["status"] == "PASS"
        for r in report["results"]
        if r["tenant_id"] == denied and r["check_id"] in errors[denied]
    )
    assert code == 3


def test_saved_inventory_gives_the_same_results_offline(
    compliant: tuple[MotoServer, World], tmp_path: Path
) -> None:
    server, _ = compliant
    _, live, _ = scan(server, tmp_path, "--save-inventory", "inventory.json")
    # offline: point the endpoint at a closed port; nothing may be called
    proc = run_cli(
        ["scan", "--inventory", "inventory.json", "--format", "json", "--output", "offline"],
        "http://127.0.0.1:9",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    offline = json.loads((tmp_path / "offline" / "report.json").read_text())

    def comparable(report: dict[str, Any]) -> list[tuple[str, ...]]:
        return sorted((r["fingerprint"], r["status"], r["message"]) for r in report["results"])

    assert comparable(offline) == comparable(live)


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["scan", "--config", "missing.yaml"], None, "missing.yaml: file not found"),
        (
            ["scan", "--config", "bad.yaml"],
            "version: 1\nclouds: {aws: {mode: everything}}\n",
            "bad.yaml:2",
        ),
        (
            ["scan", "--config", "bad.yaml"],
            "version: 1\nwaivers:\n  - checks: aws.*\n    reason: r\n    owner: o\n",
            "bad.yaml:3: waiver is missing the required field 'expires'",
        ),
        (
            ["scan", "--inventory", "a.json", "--save-inventory", "b.json"],
            None,
            "--inventory and --save-inventory conflict",
        ),
        (["scan", "--rules", "bad.yaml"], "version: 1\ncontrols:\n  - id: aws.x.y\n", "bad.yaml:3"),
        (["scan", "--format", "pdf"], None, "unknown report format 'pdf'"),
        (["scan", "--jobs", "0"], None, "--jobs must be at least 1"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(
    tmp_path: Path, args: list[str], config: str | None, message: str
) -> None:
    if config is not None:
        (tmp_path / "bad.yaml").write_text(config)
    proc = run_cli(args, "http://127.0.0.1:9", tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_aws_scan_imports_no_azure_or_google_module(
    compliant: tuple[MotoServer, World], tmp_path: Path
) -> None:
    server, _ = compliant
    scan(server, tmp_path, "--save-inventory", "inventory.json")
    code = (
        "import sys; from logwarden.scanner.cli import main; "
        "main(['scan', '--cloud', 'aws', '--config', 'logwarden.yaml', '-q']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('azure', 'google')))"
    )
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": server.endpoint_url,
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_DEFAULT_REGION": REGIONS[0],
    }
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr
