"""Drift with who made it, GCP: the installed ``logwarden`` CLI against the GCP fakes.

Each scenario loads its organization into the running fakes, scans it with ``--history``,
changes it through the sandbox (which writes the Admin Activity entries Google would write),
scans again with ``--drift`` and reads the ``drift`` section of the JSON report: the new
failures and configuration changes name the principal, the method and the caller IP, read
from the audit logs of the changed folder (inherited settings) or of the owner project.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden_sandbox import gcp_changes
from logwarden_sandbox.gcp_world import log_bucket_id
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, GcpSandbox, GcpServers, standard_org
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e


DATA_ACCESS = "gcp.audit.data_access_logs"
RETENTION = "gcp.logging.bucket_retention"
WORKLOADS = "folders/2000000002"
CENTRAL = log_bucket_id("lw-logging", "org-audit")
RM = "//cloudresourcemanager.googleapis.com/"


def env() -> dict[str, str]:
    """Only what the CLI needs: no user credentials, no cloud endpoint, no metadata server."""
    return cli_env("/nonexistent", SANDBOX_ENV)


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def scan(box: GcpSandbox, cwd: Path, name: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    """``logwarden scan --history h.db --json NAME.json`` (plus ``extra``) in ``cwd``."""
    doc = {"version": 1, "clouds": {"gcp": box.config_section}}
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(doc))
    history = ("--history", "history.db") if "--no-history" not in extra else ()
    extra = tuple(e for e in extra if e != "--no-history")
    proc = run_logwarden(
        ["scan", "--config", "logwarden.yaml", *history, "--json", f"{name}.json", *extra],
        cwd,
        env(),
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads((cwd / f"{name}.json").read_text())
    return proc.returncode, report, proc.stdout + proc.stderr


def status(report: dict[str, Any], check_id: str, tenant: str) -> str:
    (found,) = [
        r["status"]
        for r in report["results"]
        if r["check_id"] == check_id and r["tenant_id"] == tenant
    ]
    return str(found)


def event_of(entry: dict[str, Any]) -> dict[str, str]:
    """What the drift section must say about a sandbox entry (``AuditEvent.to_doc``)."""
    payload = entry["protoPayload"]
    return {
        "principal": payload["authenticationInfo"]["principalEmail"],
        "action": payload["methodName"],
        "source_ip": payload["requestMetadata"]["callerIp"],
        "source": entry["logName"],
        "event_id": entry["insertId"],
        "resource": payload["resourceName"],
    }


def who(item: dict[str, Any]) -> list[dict[str, str]]:
    return [{k: v for k, v in e.items() if k != "time"} for e in item["who"]]


def log_reads(servers: GcpServers) -> dict[str, int]:
    return {r: n for (_, m, r), n in servers.state.calls.items() if m == "ListLogEntries"}


def test_drift_names_who_removed_data_access_logs_from_a_folder(
    servers: GcpServers, tmp_path: Path
) -> None:
    box = servers.sandbox(standard_org(["log_bucket_unlocked"]))
    code, first, output = scan(box, tmp_path, "r1")
    assert code == 1, output  # the seeded defect
    below = gcp_changes.projects_below(box.world.org, WORKLOADS)
    assert below == ["lw-app-1", "lw-app-2"]
    assert {status(first, DATA_ACCESS, p) for p in box.world.project_ids} == {"PASS"}
    assert status(first, RETENTION, "lw-logging") == "PASS"

    removed = gcp_changes.remove_data_access_logs(box)
    shortened = gcp_changes.shorten_log_bucket_retention(box, days=30)
    granted = gcp_changes.grant_role(box)  # bindings only, at the organization: a bystander
    servers.state.calls.clear()
    code, second, output = scan(box, tmp_path, "r2", "--drift")
    assert code == 1, output
    drift = second["drift"]
    assert drift["against"] == "history" and drift["window"] is not None

    regressions = {(r["check_id"], r["tenant_id"]): r for r in drift["regressions"]}
    assert set(regressions) == {
        *((DATA_ACCESS, p) for p in below),
        (RETENTION, "lw-logging"),
    }
    for project in below:
        row = regressions[(DATA_ACCESS, project)]
        assert who(row) == [event_of(removed)], row
        assert row["who_error"] == ""
        assert row["caused_by"] == [
            {
                "kind": "gcp.audit.effective_config",
                "resource_id": f"{RM}projects/{project}/effectiveAuditConfig",
            }
        ]
    bucket = regressions[(RETENTION, "lw-logging")]
    assert who(bucket) == [event_of(shortened)]
    assert bucket["who"][0]["action"] == "google.logging.v2.ConfigServiceV2.UpdateBucket"

    changes: dict[str, list[dict[str, Any]]] = {}
    for change in drift["changes"]:
        changes.setdefault(change["resource_id"], []).append(change)
    expected = {
        f"{RM}{WORKLOADS}": [event_of(removed)],
        **{f"{RM}projects/{p}/effectiveAuditConfig": [event_of(removed)] for p in below},
        CENTRAL: [event_of(shortened)],
        # roles/viewer at the organization lets erin read the audit log destinations
        f"{CENTRAL}/access": [event_of(granted)],
        "//storage.googleapis.com/projects/_/buckets/lw-audit-archive/access": [event_of(granted)],
    }
    # otherwise the role granted at the organization changed only its IAM policy's etag
    assert granted["protoPayload"]["methodName"].endswith("SetIamPolicy")
    assert set(changes) == set(expected)
    for resource_id, found in changes.items():
        for change in found:
            assert who(change) == expected[resource_id], change
            assert change["who_error"] == ""
    assert {c["path"] for c in changes[f"{RM}{WORKLOADS}"]} == {"AuditConfigs"}
    assert {c["path"] for c in changes[CENTRAL]} == {"retentionDays"}

    assert "by carol@example.com (SetIamPolicy at " in output
    assert "from 198.51.100.77)" in output
    # each log on a drifted resource's chain was read once (the Platform folder's for who can
    # read lw-logging's buckets)
    assert log_reads(servers) == {
        box.world.scope_id: 1,
        "folders/2000000001": 1,
        WORKLOADS: 1,
        "projects/lw-app-1": 1,
        "projects/lw-app-2": 1,
        "projects/lw-logging": 1,
    }


def test_an_unreadable_audit_log_is_who_error_and_the_results_do_not_change(
    servers: GcpServers, tmp_path: Path
) -> None:
    box = servers.sandbox(standard_org())
    code, _, output = scan(box, tmp_path, "r1")
    assert code == 0, output
    gcp_changes.remove_data_access_logs(box)
    servers.faults.add(WORKLOADS, "PERMISSION_DENIED", "logging", "ListLogEntries")
    try:
        code, second, output = scan(box, tmp_path, "r2", "--drift")
    finally:
        servers.faults.clear()
    assert code == 1, output
    _, clean, _ = scan(box, tmp_path, "r3", "--no-history")

    def rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((r["fingerprint"], r["status"], r["message"]) for r in report["results"])

    assert rows(second) == rows(clean)  # attribution never changes a result
    assert all(r["status"] != "ERROR" for r in second["results"])
    drift = second["drift"]
    below = gcp_changes.projects_below(box.world.org, WORKLOADS)
    assert {(r["check_id"], r["tenant_id"]) for r in drift["regressions"]} == {
        (DATA_ACCESS, p) for p in below
    }
    log = f"{WORKLOADS}/logs/cloudaudit.googleapis.com%2Factivity"
    for row in drift["regressions"]:
        assert row["who"] == []
        assert row["who_error"].startswith(f"PERMISSION_DENIED: cannot read {log}: "), row
    folder = [c for c in drift["changes"] if c["resource_id"] == f"{RM}{WORKLOADS}"]
    assert folder and all("PERMISSION_DENIED" in c["who_error"] for c in folder)
    assert "unknown: PERMISSION_DENIED" in output


def test_nothing_changed_means_no_drift_and_no_audit_log_read(
    servers: GcpServers, tmp_path: Path
) -> None:
    box = servers.sandbox(standard_org())
    gcp_changes.grant_role(box, "folders/2000000001")  # before the first scan: not drift
    code, _, output = scan(box, tmp_path, "r1")
    assert code == 0, output
    servers.state.calls.clear()
    code, second, output = scan(box, tmp_path, "r2", "--drift")
    assert code == 0, output
    drift = second["drift"]
    assert drift["counts"] == {
        "changes": 0,
        "new_resources": 0,
        "regressions": 0,
        "removed_resources": 0,
        "resolved": 0,
        "still_failing": 0,
    }
    assert drift["window"] is None
    assert log_reads(servers) == {}
