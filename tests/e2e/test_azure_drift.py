"""Who changed it, on Azure: the installed CLI scans the ARM emulator twice with history, the
sandbox changes the tenant in between as an administrator would (and logs it in the Activity
Log), and the second scan's drift names the caller, the operation and the client IP, read
through the real azure-mgmt-monitor client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden_sandbox.azure_changes import (
    delete_activity_log_setting,
    remove_activity_log_category,
)
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_zone import PLATFORM
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e

SETTING = "azure.monitor.activity_log_setting"
CATEGORIES = "azure.monitor.activity_log_categories"
EXPORTED = "azure.monitor.activity_log_exported"
ACTIVITY_LOG = "*/eventtypes/management/values"


def scan(box: AzureSandbox, cwd: Path, name: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    """``logwarden scan --history scans.db --json NAME ...`` with only the emulator's token."""
    (cwd / "logwarden.yaml").write_text(
        yaml.safe_dump({"version": 1, "clouds": {"azure": box.config}})
    )
    args = ["scan", "--config", "logwarden.yaml", "--history", "scans.db", "--json", name]
    proc = run_logwarden([*args, *extra], cwd, cli_env(cwd, box.env), timeout=300)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    return proc.returncode, json.loads((cwd / name).read_text()), output


def rows(report: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (r["check_id"], r["tenant_id"], r["resource_id"], r["status"]) for r in report["results"]
    }


def setting_id(box: AzureSandbox) -> str:
    sub = box.world.subscriptions[PLATFORM]
    return (
        f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/activity-to-central"
    )


def who(entry: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(e["principal"], e["action"], e["source_ip"], e["event_id"]) for e in entry["who"]]


@pytest.mark.parametrize("log", ["readable", "denied"])
def test_the_drift_names_who_disabled_a_category(tmp_path: Path, log: str) -> None:
    with start_azure_sandbox() as box:
        code, first, output = scan(box, tmp_path, "r1.json")
        assert code == 0, output
        event = remove_activity_log_category(box)
        if log == "denied":
            box.server.faults.add(FaultRule(403, path=ACTIVITY_LOG))
        code, second, output = scan(box, tmp_path, "r2.json", "--drift")
        reads = box.server.count("GET", ACTIVITY_LOG)
    platform = box.world.subscriptions[PLATFORM]
    assert event["subscriptionId"] == platform

    # the scan itself is the same either way: one new failure, nothing else moved
    flipped = (CATEGORIES, platform, platform)
    assert rows(second) == {(*r[:3], "FAIL" if r[:3] == flipped else r[3]) for r in rows(first)}, (
        output
    )
    assert code == 1, output
    drift = second["drift"]
    assert [(r["check_id"], r["tenant_id"]) for r in drift["regressions"]] == [
        (CATEGORIES, platform)
    ]
    (regression,) = drift["regressions"]
    changes = [c for c in drift["changes"] if c["kind"] == SETTING]
    assert changes and {c["resource_id"].lower() for c in changes} == {setting_id(box).lower()}
    # the setting's change, once: the derived EnabledCategories is not a change of its own
    assert not any(c["path"].startswith("EnabledCategories") for c in changes)
    assert any(
        c["path"].endswith(".enabled") and (c["old"], c["new"]) == (True, False) for c in changes
    )  # Security is switched off in place
    assert regression["caused_by"] == [{"kind": SETTING, "resource_id": changes[0]["resource_id"]}]

    expected = [
        (
            "bob@contoso.example",
            "microsoft.insights/diagnosticSettings/write",
            "192.0.2.44",
            event["eventDataId"],
        )
    ]
    if log == "readable":
        assert reads == 1  # one query for the one subscription that drifted
        assert who(regression) == expected and regression["who_error"] == ""
        for change in changes:
            assert who(change) == expected and change["who_error"] == ""
        assert regression["who"][0]["source"] == f"activity-log /subscriptions/{platform}"
        assert "bob@contoso.example" in output  # the console summary says it too
    else:
        assert reads == 1  # a 403 is not retried
        assert regression["who"] == []
        assert regression["who_error"].startswith("AuthorizationFailed: ")
        assert f"Activity Log of subscription {platform}" in regression["who_error"]
        for change in changes:
            assert change["who"] == [] and change["who_error"] == regression["who_error"]


def test_a_deleted_setting_is_attributed_to_the_delete(tmp_path: Path) -> None:
    with start_azure_sandbox() as box:
        code, _, output = scan(box, tmp_path, "r1.json")
        assert code == 0, output
        event = delete_activity_log_setting(box, principal="carol@contoso.example")
        code, second, output = scan(box, tmp_path, "r2.json", "--drift")
    platform = box.world.subscriptions[PLATFORM]
    drift = second["drift"]
    assert code == 1, output
    assert {(r["check_id"], r["tenant_id"]) for r in drift["regressions"]} == {
        (EXPORTED, platform),
        (CATEGORIES, platform),
    }
    (removed,) = [r for r in drift["removed_resources"] if r["kind"] == SETTING]
    assert removed["id"].lower() == setting_id(box).lower()
    deleted = [
        (
            "carol@contoso.example",
            "microsoft.insights/diagnosticSettings/delete",
            "192.0.2.44",
            event["eventDataId"],
        )
    ]
    assert who(removed) == deleted
    for regression in drift["regressions"]:
        assert who(regression) == deleted and regression["who_error"] == ""
    # the workspace and storage account no longer hear from platform: changed, but nobody
    # wrote to them, and the log says so rather than blaming the setting's author
    others = [c for c in drift["changes"] if c["kind"] != SETTING]
    assert others and all(c["who"] == [] and c["who_error"] == "" for c in others)


def test_nothing_changed_means_no_attribution_and_no_log_read(tmp_path: Path) -> None:
    with start_azure_sandbox() as box:
        code, _, output = scan(box, tmp_path, "r1.json")
        assert code == 0, output
        code, second, output = scan(box, tmp_path, "r2.json", "--drift")
        reads = box.server.count("GET", ACTIVITY_LOG)
    assert code == 0, output
    drift = second["drift"]
    assert drift["regressions"] == [] and drift["changes"] == []
    assert drift["window"] is None
    assert reads == 0
