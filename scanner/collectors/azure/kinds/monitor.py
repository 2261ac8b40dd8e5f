"""``azure.monitor.*``: the subscription's Activity Log diagnostic settings, and whether each
destination they name exists.

``azure.monitor.activity_log_setting``: the diagnostic settings.

Read with azure-mgmt-monitor 6.0.2's ``subscription_diagnostic_settings.list()``, which calls
``GET /subscriptions/{id}/providers/Microsoft.Insights/diagnosticSettings`` with api-version
2021-05-01-preview (the first version with ``categoryGroup``). Stage 1: the workspace and
storage kinds (stage 2) find their resources from every subscription's settings.

``azure.monitor.activity_log_destination``: whether each destination of the subscription's
Activity Log diagnostic settings exists.

One document per destination that one of this subscription's settings names, attributed to
this subscription: a setting whose destination is gone or cannot be read is a finding (or an
error) of the subscription whose setting points there, wherever the destination lives.

- workspaces and storage accounts: the documents the stage-2 kinds read, once per scan in
  the destination's own subscription (memoised, so no second request);
- event hubs: the namespace's authorization rule the setting names
  (``namespaces.get_authorization_rule``), read once per scan in the namespace's
  subscription. Azure Monitor accepts no other rule there (ARM refuses an event hub's own
  rule: "Expected types are 'microsoft.servicebus/namespaces/authorizationrules',
  'microsoft.eventhub/namespaces/authorizationrules'"), so any other id names no event hub;
- marketplace partner solutions: not read (``NotVerified``).

``State``: ``Exists``; ``NotFound`` (404, or an id that cannot name such a resource);
``Unreadable`` (403, 5xx, throttling after the retries, ...: ``ErrorCode`` says which);
``NotVerified``. Collected on demand (stage 0), after the stage-2 reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    AZURE_ERRORS,
    NAME,
    ResourceId,
    error_code,
    inherited,
    listed,
    not_found,
    resource,
    session_of,
    subscription_of,
)
from logwarden.scanner.collectors.azure.kinds.loganalytics import read_workspace
from logwarden.scanner.collectors.azure.kinds.storage import read_account
from logwarden.scanner.collectors.azure.session import SessionPool
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


DESTINATION = "azure.monitor.activity_log_destination"
EXISTS, NOT_FOUND, UNREADABLE, NOT_VERIFIED = "Exists", "NotFound", "Unreadable", "NotVerified"
NOUNS = {
    "workspace": "Log Analytics workspace",
    "storage": "storage account",
    "eventhub": "event hub namespace authorization rule",
    "partner": "marketplace partner solution",
}


class InvalidDestination(ValueError):
    """The id cannot name a destination of its type."""


def _top_level(rid: str) -> ResourceId:
    parsed = ResourceId.parse(rid)
    if parsed is None:
        raise InvalidDestination(rid)
    return parsed


NAMESPACE_RULE = (
    "subscriptions",
    "resourcegroups",
    "providers",
    "microsoft.eventhub",
    "namespaces",
    "authorizationrules",
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
    found = listed(
        inv,
        ACTIVITY_LOG_SETTING,
        "listing Activity Log diagnostic settings",
        lambda session: session.client("monitor").subscription_diagnostic_settings.list(),
    )
    if isinstance(found, CollectionError):
        yield found
        return
    for doc in found:
        rid = str(doc.get("id") or "")
        if not rid:
            name = doc.get("name", "")
            rid = f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/{name}"
        yield resource(ACTIVITY_LOG_SETTING, rid, sub, "", {**doc, **derive(doc)})


def _event_hub_rule(pool: SessionPool, rid: str) -> None:
    """Read the namespace's authorization rule; raises Azure errors."""
    parts = [p for p in rid.split("/") if p]
    low = [p.lower() for p in parts]
    if len(parts) != 10 or tuple(low[i] for i in (0, 2, 4, 5, 6, 8)) != NAMESPACE_RULE:
        raise InvalidDestination(rid)
    rg, namespace, rule = parts[3], parts[7], parts[9]

    def read() -> None:
        client = pool.for_subscription(low[1]).client("eventhub")
        client.namespaces.get_authorization_rule(rg, namespace, rule)

    pool.memo(("eventhub-rule", rid.rstrip("/").lower()), read)


READERS: dict[str, Callable[[SessionPool, str], object]] = {
    "workspace": lambda pool, rid: read_workspace(pool, _top_level(rid)),
    "storage": lambda pool, rid: read_account(pool, _top_level(rid)),
    "eventhub": _event_hub_rule,
}


def destination_state(pool: SessionPool, kind: str, rid: str) -> dict[str, Any]:
    """``State`` (and ``Reason``, ``ErrorCode``) of one destination; never raises Azure errors."""
    noun = NOUNS[kind]
    reader = READERS.get(kind)
    if reader is None:
        return {
            "State": NOT_VERIFIED,
            "Reason": f"logwarden does not read {noun}s, so it cannot tell whether {rid} exists",
        }
    try:
        reader(pool, rid)
    except InvalidDestination:
        article = "an" if noun[0] in "aeiou" else "a"
        return {"State": NOT_FOUND, "Reason": f"{rid!r} is not the id of {article} {noun}"}
    except AZURE_ERRORS as exc:
        code, message = error_code(exc)
        if not_found(exc):
            return {
                "State": NOT_FOUND,
                "Reason": f"{noun} {rid} does not exist ({code}: {message})",
                "ErrorCode": code,
            }
        return {
            "State": UNREADABLE,
            "Reason": f"{noun} {rid} could not be read ({code}: {message})",
            "ErrorCode": code,
        }
    return {"State": EXISTS}


def collect_destinations(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One document per destination of this subscription's Activity Log settings."""
    sub = subscription_of(inv)
    got = inv.get(ACTIVITY_LOG_SETTING)
    errors = inherited(inv, ACTIVITY_LOG_SETTING, DESTINATION, "diagnostic settings")
    yield from errors
    if errors or not got.resources:
        return
    named: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for setting in got.resources:
        props = setting.data.get("properties") or {}
        for kind, key in DESTINATIONS:
            rid = props.get(key)
            if isinstance(rid, str) and rid:
                entry = named.setdefault((kind, rid.rstrip("/").lower()), (rid, []))
                entry[1].append(str(setting.data.get("Name") or setting.id))
    pool = session_of(inv).pool
    for (kind, _), (rid, settings) in sorted(named.items()):
        state = destination_state(pool, kind, rid)
        data = {"id": rid, "Type": kind, "Settings": sorted(settings), **state}
        yield resource(DESTINATION, rid, sub, "", data)


KINDS = [
    ResourceKind(
        name=ACTIVITY_LOG_SETTING,
        reads=(),
        cloud=NAME,
        description="Activity Log diagnostic settings of the subscription (where the log goes).",
        collect=collect_settings,
        stage=1,
        # computed from properties (logs, workspaceId, ...), which drift shows instead
        derived=("EnabledCategories", "EnabledCategoryGroups", "Destinations"),
    ),
    ResourceKind(
        name=DESTINATION,
        reads=(ACTIVITY_LOG_SETTING,),
        cloud=NAME,
        description="Whether each destination of the Activity Log settings exists.",
        collect=collect_destinations,
        volatile=("Reason",),  # carries ARM's error message, which names a request id
    ),
]
