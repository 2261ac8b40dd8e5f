"""The installed CLI against the GCP fakes for the monitoring controls (CIS GCP 2.2, 2.4-2.11,
2.13, 2.15): each seeded defect fails exactly its rows, the tricky passes pass, and a scan that
selects only the controls that existed before them makes none of their calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.checks.gcp.metric_alerts import CONTROLS
from logwarden_sandbox.gcp_defects_monitoring import DEFECTS as MONITORING_DEFECTS
from logwarden_sandbox.gcp_monitoring_faults import MONITORING_APIS
from logwarden_sandbox.gcp_zone import GcpServers, standard_org
from tests.catalogue import control_ids
from tests.cli_process import run_logwarden
from tests.e2e.test_gcp_scan import env, keys, scan, status_of

pytestmark = pytest.mark.e2e

ORG = "organizations/1000000001"
TRICKY_PASSES = ("metric_filter_reordered",)
NEW_CALLS = {
    ("logging", "ListLogMetrics"),
    ("storage", "buckets.getIamPolicy"),
    *((api, "*") for api in MONITORING_APIS),
}
OLD_CONTROLS = (
    "gcp.audit.data_access_logs",
    "gcp.logging.org_sink",
    "gcp.logging.bucket_retention",
    "gcp.logging.bucket_locked",
    "gcp.storage.sink_bucket_locked",
)


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def scan_only(
    servers: GcpServers, cwd: Path, controls: set[str]
) -> tuple[int, dict[str, Any], str]:
    """Scan the loaded world with every other GCP control disabled in the config."""
    world = standard_org()
    disabled = [{"id": c, "enabled": False} for c in sorted(control_ids("gcp") - controls)]
    doc = {"version": 1, "clouds": {"gcp": servers.config(world)}, "overrides": disabled}
    (cwd / "only.yaml").write_text(yaml.safe_dump(doc))
    args = ["scan", "--config", "only.yaml", "--format", "json", "--output", "only"]
    proc = run_logwarden(args, cwd, env(), timeout=120)
    report = json.loads((cwd / "only" / "report.json").read_text())
    return proc.returncode, report, proc.stdout + proc.stderr


def _new_calls(servers: GcpServers) -> set[tuple[str, str]]:
    return {
        (api, method)
        for api, method, _ in servers.state.calls
        if (api, method) in NEW_CALLS or (api, "*") in NEW_CALLS
    }


def test_every_monitoring_defect_fails_exactly_its_rows(
    servers: GcpServers, tmp_path: Path
) -> None:
    defects = [d for d in MONITORING_DEFECTS if d not in TRICKY_PASSES]
    world = standard_org(defects)
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert keys(report, "FAIL") == world.expected(), output
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    # one project keeps its own CIS 2.10 metric and policy: PASS there only
    storage = status_of(report, "gcp.monitoring.storage_iam_changes_alert")
    assert storage[("lw-shared", "lw-shared")] == "PASS"
    row = next(
        r for r in report["results"]
        if r["check_id"] == "gcp.monitoring.custom_role_changes_alert" and r["tenant_id"] == "lw-app-1"
    )  # fmt: skip
    assert "DeleteRole" in row["message"]
    # untouched requirements still pass, and say where they were found
    ok = next(
        r for r in report["results"]
        if r["check_id"] == "gcp.monitoring.audit_config_changes_alert" and r["tenant_id"] == "lw-app-1"
    )  # fmt: skip
    assert ok["status"] == "PASS"
    assert "projects/lw-logging/metrics/audit-config-changes" in ok["message"]
    assert ok["evidence"]["satisfied_by"]["found_via"]


def test_a_reordered_filter_passes_and_an_org_sink_defect_leaves_the_alerts_alone(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org([*TRICKY_PASSES, "org_sink_no_children"])
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert code == 1, output
    assert keys(report, "FAIL") == world.expected(), output
    assert world.expected("PASS") <= keys(report, "PASS")
    assert set(status_of(report, "gcp.logging.all_entries_sink").values()) == {"PASS"}
    assert status_of(report, "gcp.accessapproval.enabled") == {(ORG, ORG): "PASS"}


def test_the_previous_controls_alone_make_no_monitoring_call(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org()
    servers.load(world)
    code, report, output = scan_only(servers, tmp_path, set(OLD_CONTROLS))
    assert code == 0, output
    assert {r["check_id"] for r in report["results"]} == set(OLD_CONTROLS)
    assert _new_calls(servers) == set()
    servers.load(world)
    code, report, output = scan_only(servers, tmp_path, {next(iter(CONTROLS))})
    assert code == 0, output
    made = _new_calls(servers)
    assert ("logging", "ListLogMetrics") in made
    assert not {c for c in made if c[0] in ("serviceusage", "accessapproval")}


def test_service_usage_denied_is_an_error_and_a_disabled_api_a_failure(
    servers: GcpServers, tmp_path: Path
) -> None:
    world = standard_org(["cloud_asset_api_disabled"])
    servers.load(world)
    servers.faults.add("lw-app-2", "SERVICE_DISABLED", "serviceusage")
    try:
        code, report, output = scan(servers, world, tmp_path)
    finally:
        servers.faults.clear()
    asset = status_of(report, "gcp.serviceusage.cloud_asset_api_enabled")
    assert asset[("lw-app-1", next(k[1] for k in asset if k[0] == "lw-app-1"))] == "FAIL"
    errors = {(r["check_id"], r["tenant_id"]) for r in report["results"] if r["status"] == "ERROR"}
    assert errors == {("gcp.serviceusage.cloud_asset_api_enabled", "lw-app-2")}, output
    message = next(r["message"] for r in report["results"] if r["status"] == "ERROR")
    assert "SERVICE_DISABLED" in message
    assert code == 1


def test_log_readers_writers_and_cmek(servers: GcpServers, tmp_path: Path) -> None:
    defects = [
        "outside_log_reader",
        "public_archive_reader",
        "sink_writer_overprivileged",
        "log_bucket_without_cmek",
    ]
    world = standard_org(defects)
    servers.load(world)
    code, report, output = scan(servers, world, tmp_path)
    assert code == 1, output
    assert keys(report, "FAIL") == world.expected(), output
    assert world.expected("SKIPPED") <= keys(report, "SKIPPED")
    assert keys(report, "ERROR") == set(), output
    readers = next(
        r for r in report["results"]
        if r["check_id"] == "gcp.logging.log_readers_restricted" and "org-audit" in r["resource_id"]
    )  # fmt: skip
    assert "user:contractor@gmail.com" in readers["message"]
    members = {x["member"] for x in readers["evidence"]["readers"]}
    assert {"group:admins@example.com", "group:auditors@example.com"} <= members
    # with the parameter, the bucket without a key fails
    doc = {
        "version": 1,
        "clouds": {"gcp": servers.config(world)},
        "parameters": {"require_log_bucket_cmek": True},
    }
    (tmp_path / "cmek.yaml").write_text(yaml.safe_dump(doc))
    args = ["scan", "--config", "cmek.yaml", "--format", "json", "--output", "cmek"]
    run_logwarden(args, tmp_path, env(), timeout=120)
    cmek = json.loads((tmp_path / "cmek" / "report.json").read_text())
    assert set(status_of(cmek, "gcp.logging.bucket_cmek").values()) == {"FAIL"}
