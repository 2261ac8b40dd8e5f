"""``azure.network.*``: flow logs, the network security groups they cover, and Network Watcher
in every region in use. azure-mgmt-network's ``NetworkManagementClient`` (2026-03-01), lazily.

- ``azure.network.flow_log``: every flow log of every Network Watcher of the subscription
  (``network_watchers.list_all``, then ``flow_logs.list`` per watcher, paged);
- ``azure.network.security_group``: ``network_security_groups.list_all``, each with the enabled
  flow logs that cover it: an NSG flow log on it, or a virtual network flow log on one of its
  subnets or their virtual network (an NSG attached to network interfaces only is covered by
  its own flow log: logwarden does not read interfaces);
- ``azure.network.watcher_region``: one document per region in use, the regions of the
  subscription's virtual networks (``azure.resources.resource``), with the watchers there.

``NotApplicable`` when Microsoft.Network is not registered in the subscription.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    failure,
    inherited,
    listed,
    problem,
    resource,
    session_of,
    subscription_of,
    to_json,
)
from logwarden.scanner.collectors.azure.kinds.resources import (
    PROVIDER,
    RESOURCE,
    unregistered_reason,
    upstream_errors,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind

FLOW_LOG = "azure.network.flow_log"
SECURITY_GROUP = "azure.network.security_group"
WATCHER_REGION = "azure.network.watcher_region"
NETWORK = ("microsoft.network/networkwatchers",)
VIRTUAL_NETWORKS = "microsoft.network/virtualnetworks"


def _watchers(pool: SessionPool, subscription: str) -> list[dict[str, Any]]:
    """The subscription's Network Watchers (raises Azure errors; memoised per scan)."""

    def read() -> list[dict[str, Any]]:
        client = pool.for_subscription(subscription).client("network")
        return [to_json(w) for w in client.network_watchers.list_all()]

    found: list[dict[str, Any]] = pool.memo(("network-watchers", subscription), read)
    return found


def _applicable(inv: Inventory) -> None:
    if not inv.get(PROVIDER).errors:
        reason = unregistered_reason(inv, NETWORK)
        if reason is not None:
            raise NotApplicable(reason)


def derive_flow_log(doc: dict[str, Any]) -> dict[str, Any]:
    """The derived fields of one flow log (see docs/resource-kinds.md)."""
    props = doc.get("properties") or {}
    retention = props.get("retentionPolicy") or {}
    analytics = (props.get("flowAnalyticsConfiguration") or {}).get(
        "networkWatcherFlowAnalyticsConfiguration"
    ) or {}
    target = str(props.get("targetResourceId") or "")
    days = retention.get("days")
    # No retention policy, or 0 days: the records are never deleted.
    forever = retention.get("enabled") is not True or days == 0
    return {
        "Name": doc.get("name"),
        "TargetResourceId": target,
        "TargetType": target.rstrip("/").split("/")[-2].lower() if target.count("/") > 2 else "",
        "Enabled": props.get("enabled") is True,
        "RetentionDays": 0 if forever else days,
        "TrafficAnalyticsEnabled": analytics.get("enabled") is True,
        "TrafficAnalyticsWorkspaceId": analytics.get("workspaceResourceId"),
        "SentToLogAnalytics": analytics.get("enabled") is True
        and bool(analytics.get("workspaceResourceId")),
    }


def collect_flow_logs(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every flow log of the subscription's watchers."""
    _applicable(inv)
    sub = subscription_of(inv)
    errors = inherited(inv, PROVIDER, FLOW_LOG, "resource providers")
    yield from errors
    if errors:
        return
    pool = session_of(inv).pool
    try:
        watchers = _watchers(pool, sub)
    except AZURE_ERRORS as exc:
        yield failure(sub, FLOW_LOG, exc, "listing Network Watchers")
        return
    client = session_of(inv).client("network")
    for watcher in watchers:
        parts = [p for p in str(watcher.get("id") or "").split("/") if p]
        if len(parts) < 4:
            yield problem(sub, FLOW_LOG, "InvalidResourceId", f"watcher id {watcher.get('id')!r}")
            continue
        group = parts[3]
        try:
            logs = [to_json(f) for f in client.flow_logs.list(group, watcher.get("name"))]
        except AZURE_ERRORS as exc:
            yield failure(sub, FLOW_LOG, exc, f"flow logs of {watcher.get('id')}")
            continue
        for doc in logs:
            data = {**doc, **derive_flow_log(doc), "WatcherId": watcher.get("id")}
            yield resource(FLOW_LOG, str(doc.get("id")), sub, str(doc.get("location") or ""), data)


def _same(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def covering(group: dict[str, Any], flow_logs: list[Resource]) -> list[Resource]:
    """The enabled flow logs whose target is the NSG, one of its subnets, or their VNet."""
    subnets = [str(s.get("id") or "") for s in (group.get("properties") or {}).get("subnets") or []]
    networks = [s.split("/subnets/")[0] for s in subnets if "/subnets/" in s]
    targets = [str(group.get("id") or ""), *subnets, *networks]
    return [
        f
        for f in flow_logs
        if f.data.get("Enabled") and any(_same(f.data["TargetResourceId"], t) for t in targets)
    ]


def collect_security_groups(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every NSG with the flow logs that cover it."""
    _applicable(inv)
    sub = subscription_of(inv)
    logs = inv.get(FLOW_LOG)
    errors = inherited(inv, FLOW_LOG, SECURITY_GROUP, "flow logs")
    yield from errors
    if errors:
        return
    groups = listed(
        inv,
        SECURITY_GROUP,
        "listing network security groups",
        lambda session: session.client("network").network_security_groups.list_all(),
    )
    if isinstance(groups, CollectionError):
        yield groups
        return
    for doc in groups:
        found = covering(doc, list(logs.resources))
        data = {
            **doc,
            "Name": doc.get("name"),
            "FlowLogs": sorted(f.id for f in found),
            "FlowLogged": bool(found),
            "SentToLogAnalytics": any(f.data.get("SentToLogAnalytics") for f in found),
        }
        yield resource(
            SECURITY_GROUP, str(doc.get("id")), sub, str(doc.get("location") or ""), data
        )


def collect_watcher_regions(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One document per region with a virtual network, and its Network Watchers."""
    _applicable(inv)
    sub = subscription_of(inv)
    errors = upstream_errors(inv, WATCHER_REGION)
    if errors:
        yield from errors
        return
    regions = {
        str(r.region).lower().replace(" ", "")
        for r in inv.get(RESOURCE).resources
        if r.data.get("ResourceType") == VIRTUAL_NETWORKS and r.region
    }
    try:
        watchers = _watchers(session_of(inv).pool, sub)
    except AZURE_ERRORS as exc:
        yield failure(sub, WATCHER_REGION, exc, "listing Network Watchers")
        return
    for region in sorted(regions):
        here = [
            w for w in watchers if str(w.get("location") or "").lower().replace(" ", "") == region
        ]
        ready = [
            w
            for w in here
            if str((w.get("properties") or {}).get("provisioningState")).lower() == "succeeded"
        ]
        rid = f"/subscriptions/{sub}/providers/Microsoft.Network/locations/{region}"
        data = {
            "id": rid,
            "Name": f"Network Watcher {region}",
            "Region": region,
            "Watchers": sorted(str(w.get("id")) for w in here),
            "WatcherEnabled": bool(ready),
        }
        yield resource(WATCHER_REGION, rid, sub, region, data)


KINDS = [
    ResourceKind(
        name=FLOW_LOG,
        reads=(PROVIDER,),
        cloud=NAME,
        description="Flow logs of the subscription's Network Watchers.",
        collect=collect_flow_logs,
    ),
    ResourceKind(
        name=SECURITY_GROUP,
        reads=(PROVIDER, FLOW_LOG),
        cloud=NAME,
        description="Network security groups and the flow logs that cover them.",
        collect=collect_security_groups,
    ),
    ResourceKind(
        name=WATCHER_REGION,
        reads=(PROVIDER, RESOURCE),
        cloud=NAME,
        description="Regions with virtual networks, and whether Network Watcher is on there.",
        collect=collect_watcher_regions,
    ),
]
