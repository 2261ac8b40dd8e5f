"""The derived fields of the Azure kinds, as pure functions of ARM JSON (no SDK, no network)."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.azure.common import ResourceId, error_code, same_id, to_json
from logwarden.scanner.collectors.azure.kinds.loganalytics import retention
from logwarden.scanner.collectors.azure.kinds.monitor import derive
from logwarden.scanner.collectors.azure.kinds.policy import (
    compliance_state,
    excluded_by,
    scope_type,
)
from logwarden.scanner.collectors.azure.kinds.storage import immutability, log_lifecycle

SUB = "aaaaaaaa-0000-4000-8000-000000000001"


def setting(*logs: dict[str, Any], **props: str) -> dict[str, Any]:
    return {"name": "s", "properties": {"logs": list(logs), **props}}


def test_categories_expand_groups_and_ignore_disabled_entries() -> None:
    got = derive(
        setting(
            {"category": "administrative", "enabled": True},
            {"category": "Security", "enabled": False},
            {"categoryGroup": "audit", "enabled": False},
            workspaceId="/w",
        )
    )
    assert got["EnabledCategories"] == ["Administrative"]
    assert got["Destinations"] == ["workspace"] and got["WorkspaceId"] == "/w"
    everything = derive(
        setting({"categoryGroup": "allLogs", "enabled": True}, storageAccountId="/s")
    )
    assert len(everything["EnabledCategories"]) == 8
    assert everything["Destinations"] == ["storage"] and "WorkspaceId" not in everything
    # what the audit group holds is not documented for the Activity Log: it adds no category
    audit = derive(setting({"categoryGroup": "audit", "enabled": True}))
    assert audit["EnabledCategories"] == [] and audit["EnabledCategoryGroups"] == ["audit"]
    assert audit["Destinations"] == []


@pytest.mark.parametrize(
    ("workspace_days", "table", "expected"),
    [
        (90, None, {"InteractiveDays": 90, "TotalDays": 90, "ArchiveDays": 0}),
        (
            90,
            {"retentionInDays": 90, "retentionInDaysAsDefault": True, "totalRetentionInDays": 730},
            {"InteractiveDays": 90, "TotalDays": 730, "ArchiveDays": 640},
        ),
        (
            30,
            {"retentionInDays": 180, "retentionInDaysAsDefault": False, "totalRetentionInDays": -1},
            {"InteractiveDays": 180, "TotalDays": 180, "ArchiveDays": 0},
        ),
        (
            30,
            {"retentionInDays": -1, "totalRetentionInDays": 10},
            {"InteractiveDays": 30, "TotalDays": 30, "ArchiveDays": 0},
        ),
        (None, None, {}),
    ],
)
def test_workspace_retention(
    workspace_days: int | None, table: dict[str, Any] | None, expected: dict[str, int]
) -> None:
    ws = {"properties": {"retentionInDays": workspace_days}}
    got = retention(ws, {"properties": table} if table is not None else None)
    assert {k: v for k, v in got.items() if k != "Source"} == expected
    assert got["Source"] == ("table" if table is not None else "workspace")


def rule(
    prefixes: list[str] | None = None, delete: int | None = None, **extra: Any
) -> dict[str, Any]:
    actions: dict[str, Any] = {"tierToArchive": {"daysAfterModificationGreaterThan": 30}}
    if delete is not None:
        actions["delete"] = {"daysAfterModificationGreaterThan": delete}
    filters: dict[str, Any] = {"blobTypes": ["appendBlob"]}
    if prefixes is not None:
        filters["prefixMatch"] = prefixes
    return {
        "name": f"r{delete}",
        "type": "Lifecycle",
        "definition": {"filters": filters, "actions": {"baseBlob": actions}},
        **extra,
    }


def policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"policy": {"rules": list(rules)}}}


def test_lifecycle_rules_that_touch_the_logs() -> None:
    assert log_lifecycle(None) is None
    assert log_lifecycle(policy(rule(["other-container/"], 1))) is None
    assert log_lifecycle(policy(rule(None, 400), rule(["insights-activity-logs/"], 3000))) == {
        "Rules": ["r3000", "r400"],
        "DeleteAfterDays": 400,
    }
    assert log_lifecycle(policy(rule(["insights-activity-logs/resourceId="], 10))) == {
        "Rules": ["r10"],
        "DeleteAfterDays": 10,
    }
    assert log_lifecycle(policy(rule(["insights"], None))) == {
        "Rules": ["rNone"],
        "DeleteAfterDays": None,
    }
    assert log_lifecycle(policy(rule(None, 5, enabled=False))) is None


def test_immutability_counts_locked_and_unlocked_policies_only() -> None:
    container = {
        "properties": {
            "immutabilityPolicy": {
                "properties": {"immutabilityPeriodSinceCreationInDays": 400, "state": "Unlocked"}
            }
        }
    }
    assert immutability({}, container) == {"ContainerPolicy": {"Days": 400, "State": "Unlocked"}}
    account: dict[str, Any] = {
        "properties": {
            "immutableStorageWithVersioning": {
                "enabled": True,
                "immutabilityPolicy": {
                    "immutabilityPeriodSinceCreationInDays": 10,
                    "state": "Disabled",
                },
            }
        }
    }
    assert immutability(account, None) == {}
    account["properties"]["immutableStorageWithVersioning"]["immutabilityPolicy"]["state"] = (
        "Locked"
    )
    assert immutability(account, None) == {"AccountPolicy": {"Days": 10, "State": "Locked"}}


def test_assignment_scope_and_exclusions() -> None:
    assert scope_type(f"/subscriptions/{SUB}", SUB) == "subscription"
    assert (
        scope_type("/providers/Microsoft.Management/managementGroups/mg", SUB) == "managementGroup"
    )
    assert scope_type(f"/subscriptions/{SUB}/resourceGroups/rg", SUB) == "resourceGroup"
    mg = "/providers/Microsoft.Management/managementGroups/MG-Corp"
    assert excluded_by([mg, "/subscriptions/other"], SUB, ("mg-root", "mg-corp")) == [mg]
    assert excluded_by([f"/subscriptions/{SUB.upper()}"], SUB, ()) == [
        f"/subscriptions/{SUB.upper()}"
    ]


def test_compliance_state_of_an_assignment() -> None:
    assert compliance_state([]) is None
    assert compliance_state([{"complianceState": "Compliant"}]) == "Compliant"
    both = [{"complianceState": "Compliant"}, {"complianceState": "NonCompliant"}]
    assert compliance_state(both) == "NonCompliant"
    assert compliance_state([{"complianceState": "Exempt"}]) == "Exempt"


def test_ids_and_errors() -> None:
    rid = ResourceId.parse(f"/subscriptions/{SUB.upper()}/resourcegroups/RG/providers/P.X/ws/Name")
    assert rid is not None and rid.subscription == SUB and rid.resource_group == "RG"
    assert ResourceId.parse("/subscriptions/x/providers/y") is None
    assert same_id("/A/b/", "/a/B") and not same_id(None, None)
    assert error_code(ValueError("boom\nmore")) == ("ValueError", "boom")


def test_models_become_arm_json() -> None:
    from azure.mgmt.monitor.v2021_05_01_preview.models import (
        SubscriptionDiagnosticSettingsResource,
    )
    from azure.mgmt.resource.policy.models import PolicyAssignment

    raw = {"id": "/a", "name": "n", "properties": {"enforcementMode": "DoNotEnforce", "x-new": 1}}
    assert to_json(PolicyAssignment(raw)) == raw
    msrest = SubscriptionDiagnosticSettingsResource.deserialize(
        {"id": "/s", "name": "n", "properties": {"workspaceId": "/w", "logs": []}}
    )
    assert to_json(msrest) == {
        "id": "/s",
        "name": "n",
        "properties": {"workspaceId": "/w", "logs": []},
    }
