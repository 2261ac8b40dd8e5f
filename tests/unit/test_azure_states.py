"""Disabled and deleted subscriptions are SKIPPED with the reason in every discovery mode, and
nothing is requested for them; Warned and PastDue subscriptions are scanned like Enabled ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox.azure_server import ArmServer
from logwarden_sandbox.azure_tenant import TenantSpec
from logwarden_sandbox.azure_zone import standard_tenant
from tests.azure_live import scan

STATES = {
    "lz-app-1": "Disabled",
    "lz-app-2": "Deleted",
    "lz-app-3": "Warned",
    "lz-app-4": "PastDue",
}
SKIPPED = {"Disabled", "Deleted"}


def tenant_with_states() -> TenantSpec:
    tenant = standard_tenant(landing_zones=len(STATES))
    for name, state in STATES.items():
        tenant.subscription(name).state = state
    return tenant


@pytest.mark.parametrize("mode", ["subscriptions-visible", "subscriptions", "management-group"])
def test_disabled_and_deleted_subscriptions_are_skipped_in_every_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    tenant = tenant_with_states()
    section: dict[str, Any] = {}
    if mode == "subscriptions":
        section["subscriptions"] = [s.id for s in tenant.subscriptions]
    with ArmServer(tenant) as server:
        code, report = scan(server, tmp_path, monkeypatch, mode=mode, **section)
        calls = list(server.calls)
    # every control with rows per subscription (an organization control, such as the Entra
    # ID tenant's, has one row for the organization)
    azure_checks = {
        c["id"]
        for c in report["checks"]
        if c["id"].startswith("azure.") and c["scope"] != "organization"
    }
    assert {t["name"] for t in report["tenants"]} == {s.name for s in tenant.subscriptions}
    for name, state in STATES.items():
        sub = tenant.subscription(name).id
        mine = [r for r in report["results"] if r["tenant_id"] == sub]
        if state in SKIPPED:
            assert {r["check_id"] for r in mine} == azure_checks
            assert {r["status"] for r in mine} == {"SKIPPED"}
            assert all(f"subscription {name} is {state}" in r["message"] for r in mine)
            # nothing is requested for it; in subscriptions mode discovery reads its state
            touching = [(m, p) for m, p in calls if sub in p.lower()]
            expected = [("GET", f"/subscriptions/{sub}")] if mode == "subscriptions" else []
            assert touching == expected
        else:
            passed = {r["check_id"] for r in mine if r["status"] == "PASS"}
            assert {
                "azure.monitor.activity_log_exported",
                "azure.monitor.activity_log_categories",
            } <= passed
            assert not [r for r in mine if r["status"] in ("FAIL", "ERROR")]
    assert code == 0
