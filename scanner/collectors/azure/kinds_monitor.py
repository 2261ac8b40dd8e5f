"""``azure.monitor.activity_log_setting``: the subscription's Activity Log diagnostic settings.

Read with azure-mgmt-monitor 6.0.2's ``subscription_diagnostic_settings.list()``, which calls
``GET /subscriptions/{id}/providers/Microsoft.Insights/diagnosticSettings`` with api-version
2021-05-01-preview (the first version with ``categoryGroup``). Stage 1: the workspace and
storage kinds (stage 2) find their resources from every subscription's settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    AZURE_ERRORS,
    CLOUD,
    failure,
    resource,
    session_of,
    subscription_of,
    to_json,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

# Every Activity Log category, and what each category group stands for. Azure Monitor's
# "allLogs" group is "every resource log offered by the resource", so every category. What the
# "audit" group holds is not documented for the subscription Activity Log (Microsoft defines it
# per resource provider and may change it), so it adds no category (see docs/azure.md).
CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)
CATEGORY_GROUPS = {"alllogs": CATEGORIES}
DESTINATIONS = (
    ("workspace", "workspaceId"),
    ("storage", "storageAccountId"),
    ("eventhub", "eventHubAuthorizationRuleId"),
    ("partner", "marketplacePartnerId"),
)


def derive(doc: dict[str, Any]) -> dict[str, Any]:
    """The derived fields of one diagnostic setting (see docs/azure.md)."""
    props = doc.get("properties") or {}
    enabled: set[str] = set()
    groups: set[str] = set()
    canonical = {c.lower(): c for c in CATEGORIES}
    for log in props.get("logs") or []:
        if not isinstance(log, dict) or log.get("enabled") is not True:
            continue
        if log.get("category"):
            name = str(log["category"])
            enabled.add(canonical.get(name.lower(), name))
        if log.get("categoryGroup"):
            group = str(log["categoryGroup"])
            groups.add(group)
            enabled.update(CATEGORY_GROUPS.get(group.lower(), ()))
    out: dict[str, Any] = {
        "Name": doc.get("name"),
        "EnabledCategories": sorted(enabled),
        "EnabledCategoryGroups": sorted(groups),
        "Destinations": [d for d, key in DESTINATIONS if props.get(key)],
    }
    for field, key in (("WorkspaceId", "workspaceId"), ("StorageAccountId", "storageAccountId")):
        if props.get(key):
            out[field] = props[key]
    return out


def collect_settings(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every Activity Log diagnostic setting of the subscription (at most five exist)."""
    sub = subscription_of(inv)
    try:
        client = session_of(inv).client("monitor")
        found = [to_json(s) for s in client.subscription_diagnostic_settings.list()]
    except AZURE_ERRORS as exc:
        yield failure(sub, ACTIVITY_LOG_SETTING, exc, "listing Activity Log diagnostic settings")
        return
    for doc in sorted(found, key=lambda d: str(d.get("id", "")).lower()):
        rid = str(doc.get("id") or "")
        if not rid:
            name = doc.get("name", "")
            rid = f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/{name}"
        yield resource(ACTIVITY_LOG_SETTING, rid, sub, "", {**doc, **derive(doc)})


KINDS = [
    ResourceKind(
        name=ACTIVITY_LOG_SETTING,
        cloud=CLOUD,
        description="Activity Log diagnostic settings of the subscription (where the log goes).",
        collect=collect_settings,
        stage=1,
    ),
]
