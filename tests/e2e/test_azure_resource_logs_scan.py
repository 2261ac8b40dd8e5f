"""The resource-logging controls through the installed CLI against the ARM emulator: an
unregistered provider is SKIPPED (never FAIL), a failing read is an ERROR of what depended on
it, and a scan of the earlier controls makes none of the new calls.

Each seeded defect giving exactly its FAIL rows is the ``resource-logging`` set of
``tests/e2e/test_azure_scan.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.scanner.collectors.azure.kinds import databases, network, resources, services
from logwarden.scanner.collectors.azure.resource_responses import RESOURCE_CALLS
from logwarden.scanner.collectors.azure.responses import operation_for
from logwarden_sandbox.azure_resource_zone import CORP, ONLINE, rid
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_zone import standard_tenant
from tests.catalogue import controls
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e

NEW_CALLS = {name for name, *_ in RESOURCE_CALLS}
NEW_KINDS = {k.name for k in (*resources.KINDS, *services.KINDS, *databases.KINDS, *network.KINDS)}
NEW_CONTROLS = {c.id for c in controls("azure") if NEW_KINDS & set(c.kinds)}


def scan(box: AzureSandbox, cwd: Path, disabled: frozenset[str] = frozenset()) -> dict[str, Any]:
    config: dict[str, Any] = {"version": 1, "clouds": {"azure": box.config}}
    if disabled:
        config["overrides"] = [{"id": c, "enabled": False} for c in sorted(disabled)]
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(config))
    args = ["scan", "--config", "logwarden.yaml", "--format", "json", "--output", "out", "-q"]
    proc = run_logwarden(args, cwd, cli_env(cwd, box.env), timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    report: dict[str, Any] = json.loads((cwd / "out" / "report.json").read_text())
    report["exit_code"] = proc.returncode
    return report


def names(calls: list[tuple[str, str]]) -> set[str]:
    """The declared operations among ``calls``."""
    return {op.name for m, p in calls if (op := operation_for(m, p)) is not None}


def rows(report: dict[str, Any], status: str) -> set[tuple[str, str, str]]:
    return {
        (r["check_id"], r["tenant_id"], r["resource_id"])
        for r in report["results"]
        if r["status"] == status
    }


def test_the_new_controls_are_found_by_their_kinds() -> None:
    assert len(NEW_CONTROLS) >= 10 and "azure.monitor.activity_log_exported" not in NEW_CONTROLS


def test_a_scan_of_the_earlier_controls_makes_none_of_the_new_calls(tmp_path: Path) -> None:
    with start_azure_sandbox() as box:
        (tmp_path / "old").mkdir()
        (tmp_path / "all").mkdir()
        old = scan(box, tmp_path / "old", frozenset(NEW_CONTROLS))
        old_calls = list(box.server.calls)
        del box.server.calls[:]
        full = scan(box, tmp_path / "all")
        all_calls = list(box.server.calls)
    made = names(old_calls)
    assert made and made.isdisjoint(NEW_CALLS), made & NEW_CALLS
    assert {r["check_id"] for r in old["results"]}.isdisjoint(NEW_CONTROLS)
    assert old["exit_code"] == full["exit_code"] == 0
    assert names(all_calls) >= NEW_CALLS


def test_an_unregistered_provider_is_skipped_with_its_reason(tmp_path: Path) -> None:
    tenant = standard_tenant()
    online = tenant.subscription(ONLINE)
    online.services.unregistered = ("Microsoft.ContainerRegistry", "microsoft.insights")
    online.services.resources = []  # none can exist without their provider
    with start_azure_sandbox(tenant=tenant) as box:
        report = scan(box, tmp_path)
        sub = box.world.subscriptions[ONLINE]
    assert rows(report, "FAIL") == set() and rows(report, "ERROR") == set()
    skipped = {
        (r["check_id"], r["resource_id"]): r["message"]
        for r in report["results"]
        if r["status"] == "SKIPPED"
    }
    registry = f"/subscriptions/{sub}/providers/microsoft.containerregistry/registries"
    assert set(skipped) == {
        ("azure.insights.application_insights", sub),
        ("azure.monitor.resource_logging", registry),
    }
    assert (
        "microsoft.insights (NotRegistered)"
        in skipped[("azure.insights.application_insights", sub)]
    )
    assert (
        "Microsoft.ContainerRegistry is NotRegistered"
        in skipped[("azure.monitor.resource_logging", registry)]
    )
    assert report["exit_code"] == 0


@pytest.mark.parametrize("status", [403, 429, 500])
def test_a_failing_read_is_an_error_of_what_depended_on_it(tmp_path: Path, status: int) -> None:
    tenant = standard_tenant()
    with start_azure_sandbox(tenant=tenant) as box:
        vault = rid(tenant, CORP, "kv-corp")
        box.server.faults.add(FaultRule(status, path=f"{vault.lower()}/providers/*"))
        report = scan(box, tmp_path)
        corp = box.world.subscriptions[CORP]
    errors = rows(report, "ERROR")
    assert {(c, t) for c, t, _ in errors} == {
        ("azure.keyvault.audit_logging", corp),
        ("azure.monitor.resource_logging", corp),
    }
    assert rows(report, "FAIL") == set()
    assert vault not in {r for _, _, r in rows(report, "PASS")}
    message = next(r["message"] for r in report["results"] if r["status"] == "ERROR")
    assert vault in message and str(status) in message
    assert report["exit_code"] == 3


def test_a_throttled_provider_list_is_an_error_never_skipped(tmp_path: Path) -> None:
    with start_azure_sandbox() as box:
        corp = box.world.subscriptions[CORP]
        box.server.faults.add(FaultRule(429, subscription=corp, path="/subscriptions/*/providers"))
        report = scan(box, tmp_path)
    corp_rows = [r for r in report["results"] if r["tenant_id"] == corp]
    new = [r for r in corp_rows if r["check_id"] in NEW_CONTROLS]
    assert new and {r["status"] for r in new} == {"ERROR"}
    assert all("SubscriptionRequestsThrottled" in r["message"] for r in new)
    others = [r for r in report["results"] if r["tenant_id"] != corp or r not in new]
    assert {r["status"] for r in others} == {"PASS"}
