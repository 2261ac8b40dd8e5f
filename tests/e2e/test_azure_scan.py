"""The installed ``logwarden`` CLI against the ARM emulator, through the real azure-mgmt clients.

Every scenario serves its own tenant (``logwarden_sandbox.azure_sandbox``), runs the real CLI as
a subprocess with only the emulator's static token in the environment, and reads
``report.json``. The sandbox says which rows each defect must make FAIL (or ERROR); the scan
must report exactly those: every defect found, nothing else.
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
import yaml

from logwarden.scanner.models import Scope
from logwarden_sandbox import azure_defects, azure_monitoring_defects, azure_monitoring_zone
from logwarden_sandbox.azure_resource_zone import RESOURCE_DEFECT_NAMES
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM, standard_tenant
from tests.catalogue import control_ids, controls
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e

# A subscription that cannot be read is an ERROR of every tenant-scope control for it.
TENANT_CHECKS = {c.id for c in controls("azure") if c.scope is Scope.TENANT}
# Defects that do not hide one another, scanned together (three tenants).
DEFECT_SETS = {
    "settings-policy-storage": (
        "activity_log_no_security",
        "activity_log_storage_only",
        "workspace_short_retention",
        "policy_do_not_enforce",
        "policy_excluded",
        "policy_no_state",
        "storage_public",
        "storage_microsoft_key",
        "storage_short_retention",
    ),
    "missing-setting-and-assignment": ("activity_log_missing", "policy_not_assigned"),
    "non-compliant": (
        "policy_noncompliant",
        "storage_immutability_unlocked",
        "entra_sign_ins_not_exported",
        "storage_shared_key_allowed",
    ),
    "alerts": tuple(azure_monitoring_defects.CASES),
    "log-readers-dns": (
        *azure_monitoring_defects.ACCESS_CASES,
        *azure_monitoring_defects.DNS_CASES,
    ),
    "resource-logging": RESOURCE_DEFECT_NAMES,
}


def run_cli(box: AzureSandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI with nothing in the environment but PATH, HOME and the token."""
    return run_logwarden(args, cwd, cli_env(cwd, box.env), timeout=300)


def scan(box: AzureSandbox, cwd: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    config = {"version": 1, "clouds": {"azure": box.config}}
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(config))
    proc = run_cli(
        box,
        cwd,
        "scan",
        "--config",
        "logwarden.yaml",
        "--format",
        "json",
        "--output",
        "out",
        *extra,
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


@pytest.fixture(scope="module")
def compliant() -> Iterator[AzureSandbox]:
    box = start_azure_sandbox()
    yield box
    box.stop()


def test_compliant_tenant_passes_every_control(compliant: AzureSandbox, tmp_path: Path) -> None:
    code, report, output = scan(compliant, tmp_path, "--save-inventory", "inventory.json")
    assert keys(report, "FAIL") == set() and keys(report, "ERROR") == set(), output
    assert {r["status"] for r in report["results"]} == {"PASS"}
    assert code == 0, output
    assert {r["check_id"] for r in report["results"]} == control_ids("azure")
    world = compliant.world
    assert {t["id"] for t in report["tenants"]} == set(world.subscriptions.values())
    # the central workspace (another subscription than the landing zones') is evaluated once,
    # in the subscription that owns it
    retention = [r for r in report["results"] if r["check_id"] == "azure.loganalytics.retention"]
    assert [(r["tenant_id"], r["resource_id"]) for r in retention] == [
        (world.subscriptions[PLATFORM], world.workspaces["law-central"])
    ]
    # the saved evidence evaluates to the same results offline (the emulator is not called)
    calls = compliant.server.count()
    proc = run_cli(
        compliant, tmp_path, "scan", "--inventory", "inventory.json", "--format", "json",
        "--output", "offline",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    offline = json.loads((tmp_path / "offline" / "report.json").read_text())
    assert keys(offline, "PASS") == keys(report, "PASS")
    assert compliant.server.count() == calls


@pytest.mark.parametrize("defects", list(DEFECT_SETS.values()), ids=list(DEFECT_SETS))
def test_each_defect_is_found_and_nothing_else(defects: tuple[str, ...], tmp_path: Path) -> None:
    with start_azure_sandbox(defects) as box:
        code, report, output = scan(box, tmp_path)
    expected = box.world.expected("FAIL")
    assert len(box.world.defects) == len(defects)
    assert keys(report, "FAIL") - expected == set(), "false positives"
    assert expected - keys(report, "FAIL") == set(), "missed defects"
    assert keys(report, "ERROR") == box.world.expected("ERROR"), output
    assert code == 1, output


def test_every_control_has_a_defect_that_fails_it() -> None:
    failing: set[str] = set()
    for defects in DEFECT_SETS.values():
        for info in azure_defects.describe(standard_tenant(defects=defects)).values():
            failing.update(row.check_id for row in info.rows if row.status == "FAIL")
    assert failing == control_ids("azure")


def _faulted(landing_zones: int, defects: tuple[str, ...]) -> tuple[AzureSandbox, list[str]]:
    box = start_azure_sandbox(defects, landing_zones=landing_zones, mode="subscriptions-visible")
    subs = [box.world.subscriptions[f"lz-app-{n}"] for n in (1, 2, 3)]
    for status, sub in zip((403, 429, 500), subs, strict=True):
        box.server.faults.add(FaultRule(status, subscription=sub))
    return box, subs


@pytest.mark.parametrize(("defects", "exit_code"), [((), 3), (("activity_log_no_security",), 1)])
def test_denied_throttled_and_failing_subscriptions_are_errors_for_them_only(
    tmp_path: Path, defects: tuple[str, ...], exit_code: int
) -> None:
    box, subs = _faulted(3, defects)
    with box:
        code, report, output = scan(box, tmp_path)
    assert code == exit_code, output
    errors = keys(report, "ERROR")
    tenant_rows = {(check, sub, sub) for check in TENANT_CHECKS for sub in subs}
    # and a resource-scope control whose kinds list the subscription's own resources (its
    # virtual networks, providers, resources) has an ERROR row there per kind it could not list,
    # named after that kind
    listed = {(c.id, sub, kind) for c in controls("azure") for kind in c.kinds for sub in subs}
    assert tenant_rows <= errors and errors - tenant_rows <= listed, errors - tenant_rows
    messages = {
        r["tenant_id"]: r["message"]
        for r in report["results"]
        if r["check_id"] == "azure.monitor.activity_log_exported" and r["status"] == "ERROR"
    }
    assert "AuthorizationFailed" in messages[subs[0]]
    assert "SubscriptionRequestsThrottled" in messages[subs[1]]
    assert "InternalServerError" in messages[subs[2]]
    assert keys(report, "FAIL") == box.world.expected("FAIL")
    healthy = {box.world.subscriptions[n] for n in (PLATFORM, CORP, ONLINE)}
    passed = {tenant for _, tenant, _ in keys(report, "PASS")}
    assert healthy <= passed


def test_azure_scan_imports_no_aws_or_google_module(
    compliant: AzureSandbox, tmp_path: Path
) -> None:
    (tmp_path / "logwarden.yaml").write_text(
        yaml.safe_dump({"version": 1, "clouds": {"azure": compliant.config}})
    )
    code = (
        "import sys; from logwarden.scanner.cli import main; "
        "main(['scan', '--cloud', 'azure', '--config', 'logwarden.yaml', '-q', '--output', 'o']); "
        "print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('boto3', 'botocore', 'google', 'moto')))"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **compliant.env}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


def test_a_refused_entra_id_read_is_an_error_naming_the_permission(
    compliant: AzureSandbox, tmp_path: Path
) -> None:
    rule = compliant.server.faults.add(FaultRule(403, path="/providers/microsoft.aadiam/*"))
    try:
        code, report, output = scan(compliant, tmp_path)
    finally:
        compliant.server.faults.clear()
    assert rule.hits > 0
    [row] = [r for r in report["results"] if r["check_id"] == "azure.entra.tenant_logs_exported"]
    assert row["status"] == "ERROR", output
    assert "microsoft.aadiam/diagnosticSettings/read" in row["message"]
    assert {r["status"] for r in report["results"] if r is not row} == {"PASS"}
    assert code == 3


def test_an_allowed_reader_passes_and_is_listed(tmp_path: Path) -> None:
    with start_azure_sandbox(("log_reader_outside_workspace",)) as box:
        config = {
            "version": 1,
            "clouds": {"azure": box.config},
            "parameters": {"log_reader_principals": [azure_monitoring_zone.OUTSIDER.upper()]},
        }
        (tmp_path / "logwarden.yaml").write_text(yaml.safe_dump(config))
        proc = run_cli(box, tmp_path, "scan", "-c", "logwarden.yaml", "--json", "r.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    [row] = [
        r
        for r in report["results"]
        if r["check_id"] == "azure.authorization.log_readers_allowed"
        and r["resource_id"] == box.world.workspaces["law-central"]
    ]
    assert row["status"] == "PASS"
    [reader] = row["evidence"]["Readers"]
    assert (reader["PrincipalId"], reader["Role"], reader["Where"]) == (
        azure_monitoring_zone.OUTSIDER,
        "Log Analytics Reader",
        "above",
    )
