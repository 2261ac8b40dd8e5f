"""The installed ``logwarden`` CLI against the GCP fakes (Resource Manager and Cloud Storage over
REST, the Logging config service over gRPC) serving a seeded organization.

Every scenario loads its own organization into the running fakes, runs the real CLI as a
subprocess with a minimal environment (anonymous credentials, loopback endpoints, the metadata
server pointed at a closed local port), and reads ``report.json``. The sandbox says which rows
each seeded defect must make FAIL; the scan must report exactly those FAIL rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.checks.gcp.metric_alerts import CONTROLS as METRIC_ALERTS
from logwarden_sandbox.gcp_world import World
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, GcpServers, standard_org
from tests.catalogue import control_ids
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e

ORG = "organizations/1000000001"
CENTRAL = "//logging.googleapis.com/projects/lw-logging/locations/global/buckets/org-audit"
APP_AUDIT = "//logging.googleapis.com/projects/lw-app-2/locations/global/buckets/app-audit"
# the project-resource controls (networks, subnets, backend services, Cloud SQL)
RESOURCE_CONTROLS = ("gcp.dns.", "gcp.compute.", "gcp.sql.")

# Defects that do not hide one another, scanned together: one per control, and compliant
# resources of the same controls next to them.
FINDINGS = (
    "folder_exempts_member",
    "project_sink_short_retention",
    "log_bucket_unlocked",
    "storage_bucket_unlocked",
    "org_sink_no_children",
)
TRICKY_FAILURES = (
    "service_specific_only",
    "org_sink_to_default_bucket",
    "storage_bucket_no_retention",
)
TRICKY_PASSES = ("audit_config_at_folders", "folder_sinks_only")


def env() -> dict[str, str]:
    """Only what the CLI needs: no user credentials, no cloud endpoint, no metadata server."""
    return cli_env("/nonexistent", SANDBOX_ENV)


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def write_config(servers: GcpServers, world: World, cwd: Path, **overrides: Any) -> None:
    doc = {"version": 1, "clouds": {"gcp": servers.config(world, **overrides)}}
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(doc))


def scan(
    servers: GcpServers, world: World, cwd: Path, *extra: str
) -> tuple[int, dict[str, Any], str]:
    write_config(servers, world, cwd)
    proc = run_logwarden(
        ["scan", "--config", "logwarden.yaml", "--format", "json", "--output", "out", *extra],
        cwd,
        env(),
        timeout=120,
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


def status_of(report: dict[str, Any], check_id: str) -> dict[tuple[str, str], str]:
    return {
        (r["tenant_id"], r["resource_id"]): r["status"]
        for r in report["results"]
        if r["check_id"] == check_id
    }


def test_compliant_organization_passes_everything(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org()
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == set()
    assert keys(report, "ERROR") == set(), output
    assert code == 0, output
    assert {r["check_id"] for r in report["results"]} == control_ids("gcp")
    assert {t["id"] for t in report["tenants"]} == set(world.project_ids)
    assert status_of(report, "gcp.logging.org_sink") == {(ORG, ORG): "PASS"}
    assert status_of(report, "gcp.logging.bucket_retention") == {("lw-logging", CENTRAL): "PASS"}


def test_each_seeded_defect_fails_and_nothing_else(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org(FINDINGS)
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == world.expected(), output
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    # the passing side of the same controls, next to the defects
    audit = status_of(report, "gcp.audit.data_access_logs")
    assert audit[("lw-logging", "lw-logging")] == audit[("lw-shared", "lw-shared")] == "PASS"
    assert status_of(report, "gcp.logging.bucket_retention")[("lw-logging", CENTRAL)] == "PASS"
    assert status_of(report, "gcp.logging.bucket_locked")[("lw-app-2", APP_AUDIT)] == "PASS"


def test_tricky_failures(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org(TRICKY_FAILURES)
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == world.expected(), output
    assert code == 1
    default = "//logging.googleapis.com/projects/lw-logging/locations/global/buckets/_Default"
    assert status_of(report, "gcp.logging.bucket_retention") == {("lw-logging", default): "FAIL"}


def test_tricky_passes_and_a_project_sink_alone(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org(TRICKY_PASSES)
    servers.load(world)
    (tmp_path / "passes").mkdir()
    code, report, output = scan(servers, world, tmp_path / "passes")
    assert keys(report, "FAIL") == set(), output
    assert world.expected("PASS") <= keys(report, "PASS")
    assert code == 0
    world = standard_org(["project_sink_only"])
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == world.expected() == {("gcp.logging.org_sink", ORG, ORG)}
    assert code == 1


def test_a_sink_that_leaves_out_data_access_logs_fails_and_names_the_term(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org(["org_sink_drops_data_access"])
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == world.expected() == {("gcp.logging.org_sink", ORG, ORG)}
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    row = next(r for r in report["results"] if r["check_id"] == "gcp.logging.org_sink")
    assert (
        "data_access audit logs not exported: "
        'NOT logName:"cloudaudit.googleapis.com%2Fdata_access" (excludes them)'
    ) in row["message"]
    per_type = row["evidence"]["audit_log_types"][f"//logging.googleapis.com/{ORG}/sinks/org-audit"]
    assert {t for t, why in per_type.items() if why == "every entry is exported"} == {
        "activity",
        "system_event",
        "policy",
    }
    # the central bucket still receives the other audit logs: its controls still run
    assert status_of(report, "gcp.logging.bucket_retention") == {("lw-logging", CENTRAL): "PASS"}


def test_permission_denied_and_unavailable_api_are_errors_for_that_project_only(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org()
    servers.load(world)
    servers.faults.add("lw-app-2", "PERMISSION_DENIED")
    servers.faults.add("lw-app-1", "UNAVAILABLE", "logging")
    try:
        code, report, output = scan(servers, world, tmp_path)
    finally:
        servers.faults.clear()
    errors: dict[str, set[str]] = {}
    for r in report["results"]:
        if r["status"] == "ERROR":
            errors.setdefault(r["tenant_id"], set()).add(r["check_id"])
    bucket_checks = {
        "gcp.logging.bucket_retention",
        "gcp.logging.bucket_locked",
        "gcp.storage.sink_bucket_locked",
    }
    # the monitoring controls read the same project's sinks and Logging / Monitoring APIs
    monitoring = {*METRIC_ALERTS, "gcp.logging.all_entries_sink"}
    bucket_checks |= {
        "gcp.logging.bucket_cmek",
        "gcp.logging.log_readers_restricted",
        "gcp.logging.sink_writer_least_privilege",
    }
    resource_checks = {c for c in control_ids("gcp") if c.startswith(RESOURCE_CONTROLS)}
    assert errors == {
        "lw-app-2": {
            "gcp.audit.data_access_logs",
            *bucket_checks,
            *monitoring,
            "gcp.serviceusage.cloud_asset_api_enabled",
            *resource_checks,
        },
        "lw-app-1": {*bucket_checks, *monitoring},
    }, output
    messages = " ".join(r["message"] for r in report["results"] if r["status"] == "ERROR")
    assert "PERMISSION_DENIED" in messages and "UNAVAILABLE" in messages
    assert keys(report, "FAIL") == set()
    assert code == 3, output
    # the scan completed: the other projects and the organization were evaluated
    assert status_of(report, "gcp.audit.data_access_logs")[("lw-app-1", "lw-app-1")] == "PASS"
    assert status_of(report, "gcp.logging.org_sink") == {(ORG, ORG): "PASS"}


def test_gcp_scan_imports_no_aws_or_azure_module_and_stays_on_loopback(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org()
    servers.load(world)
    write_config(servers, world, tmp_path)
    code = (
        "import sys\n"
        "hosts = set()\n"
        "def audit(event, args):\n"
        "    if event == 'socket.connect' and isinstance(args[1], tuple):\n"
        "        hosts.add(args[1][0])\n"
        "    elif event == 'socket.getaddrinfo':\n"
        "        hosts.add(args[0])\n"
        "sys.addaudithook(audit)\n"
        "from logwarden.scanner.cli import main\n"
        "rc = main(['scan', '--cloud', 'gcp', '--config', 'logwarden.yaml', '-q'])\n"
        "mods = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto', 'azure'))\n"
        "print(rc, mods, sorted(str(h) for h in hosts))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.strip().splitlines()[-1] == "0 [] ['127.0.0.1']", proc.stderr


def test_bad_gcp_config_exits_2_with_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "version: 1\nclouds:\n  gcp:\n    credentials: anonymous\n    mode: org\n"
    )
    proc = run_logwarden(["scan", "--config", "bad.yaml"], tmp_path, env(), timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "bad.yaml:5: clouds.gcp.mode 'org' is not valid" in proc.stderr
    assert (
        "bad.yaml:4: clouds.gcp.credentials 'anonymous' is only for the local sandbox"
        in proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_saved_inventory_gives_the_same_results_offline(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org(FINDINGS)
    servers.load(world)
    _, live, _ = scan(servers, world, tmp_path, "--save-inventory", "inventory.json")
    calls = sum(servers.state.calls.values())
    proc = run_logwarden(
        ["scan", "--inventory", "inventory.json", "--format", "json", "--output", "offline"],
        tmp_path,
        env(),
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    offline = json.loads((tmp_path / "offline" / "report.json").read_text())

    def comparable(report: dict[str, Any]) -> list[tuple[str, ...]]:
        return sorted((r["fingerprint"], r["status"], r["message"]) for r in report["results"])

    assert comparable(offline) == comparable(live)
    assert sum(servers.state.calls.values()) == calls
