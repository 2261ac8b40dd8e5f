"""``azure.monitor.activity_log_alert`` and ``azure.monitor.action_group``: the subscription's
activity log alert rules, and the action groups they notify.

Alerts: ``activity_log_alerts.list_by_subscription_id()`` of azure-mgmt-monitor
(``GET /subscriptions/{id}/providers/Microsoft.Insights/activityLogAlerts``, api-version
2020-10-01, paged through ``nextLink``), one document per rule, the ARM resource as returned.
A rule lives in a resource group of some subscription and is listed there, whatever its
``scopes`` name: the rules that can cover a subscription are its own (checks/azure/
activity_alerts.py explains why a rule elsewhere, even at a management group, does not).

Action groups: every group an alert rule of the subscription names, read with
``action_groups.get`` (api-version 2023-01-01) in the group's own subscription, once per scan
whichever subscription names it first. One document per group with ``State``: ``Exists`` (the
group's ARM resource is in the document), ``NotFound`` (404, or an id that cannot name a group)
or ``Unreadable`` (403, throttled, 5xx, an answer that cannot be read: ``ErrorCode`` says which).
A group that could not be read leaves the controls that depend on it undecided (ERROR), never
passed. Both kinds are collected on demand (stage 0): only a scan that selects an alert
control lists alert rules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    ResourceId,
    error_code,
    inherited,
    listed,
    not_found,
    problem,
    resource,
    session_of,
    subscription_of,
    to_json,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

ALERT = "azure.monitor.activity_log_alert"
ACTION_GROUP = "azure.monitor.action_group"
GROUP_PATH = ("microsoft.insights", "actiongroups")
EXISTS, NOT_FOUND, UNREADABLE = "Exists", "NotFound", "Unreadable"


def action_group_ids(alert: dict[str, Any]) -> list[str]:
    """The action group ids a rule names (as spelled there; malformed entries left out)."""
    actions = (alert.get("properties") or {}).get("actions") or {}
    entries = actions.get("actionGroups") if isinstance(actions, dict) else None
    out: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        gid = entry.get("actionGroupId") if isinstance(entry, dict) else None
        if isinstance(gid, str) and gid:
            out.append(gid)
    return out


def collect_alerts(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every activity log alert rule of the subscription."""
    sub = subscription_of(inv)
    found = listed(
        inv,
        ALERT,
        "listing activity log alert rules",
        lambda session: session.client("alerts").activity_log_alerts.list_by_subscription_id(),
    )
    if isinstance(found, CollectionError):
        yield found
        return
    for doc in found:
        rid = str(doc.get("id") or "")
        if not rid:
            yield problem(sub, ALERT, "MissingId", f"an activity log alert rule has no id: {doc}")
            continue
        props = doc.get("properties") or {}
        data = {
            **doc,
            "Name": doc.get("name"),
            "Enabled": props.get("enabled") is not False,
            "ActionGroupIds": action_group_ids(doc),
        }
        yield resource(ALERT, rid, sub, str(doc.get("location") or ""), data)


def read_action_group(pool: SessionPool, group: ResourceId) -> dict[str, Any]:
    """The action group's ARM resource, read once per scan in its own subscription (raises
    Azure errors, memoised too)."""
    found: dict[str, Any] = pool.memo(
        ("action-group", group.key), functools.partial(_read, pool, group)
    )
    return found


def _read(pool: SessionPool, group: ResourceId) -> dict[str, Any]:
    client = pool.for_subscription(group.subscription).client("actiongroups")
    return to_json(client.action_groups.get(group.resource_group, group.name))


def group_state(pool: SessionPool, gid: str) -> dict[str, Any]:
    """``State`` (with the group's resource, or ``Reason`` and ``ErrorCode``) of one action
    group; never raises Azure errors."""
    parsed = ResourceId.parse(gid)
    if parsed is None or (parsed.provider.lower(), parsed.type.lower()) != GROUP_PATH:
        return {"State": NOT_FOUND, "Reason": f"{gid!r} is not the id of an action group"}
    try:
        doc = read_action_group(pool, parsed)
    except AZURE_ERRORS as exc:
        code, message = error_code(exc)
        if not_found(exc):
            return {
                "State": NOT_FOUND,
                "Reason": f"action group {gid} does not exist ({code}: {message})",
                "ErrorCode": code,
            }
        return {
            "State": UNREADABLE,
            "Reason": f"action group {gid} could not be read ({code}: {message})",
            "ErrorCode": code,
        }
    return {**doc, "State": EXISTS}


def collect_action_groups(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One document per action group the subscription's alert rules name."""
    sub = subscription_of(inv)
    got = inv.get(ALERT)
    errors = inherited(inv, ALERT, ACTION_GROUP, "activity log alert rules")
    yield from errors
    if errors:
        return
    named: dict[str, tuple[str, list[str]]] = {}
    for alert in got.resources:
        for gid in alert.data.get("ActionGroupIds") or []:
            entry = named.setdefault(gid.rstrip("/").lower(), (gid, []))
            entry[1].append(str(alert.data.get("Name") or alert.id))
    pool = session_of(inv).pool
    for _, (gid, alerts) in sorted(named.items()):
        state = group_state(pool, gid)
        data = {**state, "id": gid, "NamedBy": sorted(set(alerts))}
        yield resource(ACTION_GROUP, gid, sub, str(state.get("location") or ""), data)


KINDS = [
    ResourceKind(
        name=ALERT,
        reads=(),
        cloud=NAME,
        description="Activity log alert rules of the subscription.",
        collect=collect_alerts,
    ),
    ResourceKind(
        name=ACTION_GROUP,
        reads=(ALERT,),
        cloud=NAME,
        description="Action groups the subscription's activity log alert rules notify.",
        collect=collect_action_groups,
        volatile=("Reason",),  # carries ARM's error message, which names a request id
    ),
]
