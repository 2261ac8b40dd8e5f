"""The emulator's network APIs: ``NetworkSecurityGroups_ListAll``, ``NetworkWatchers_ListAll``
(one page, as the API has no next link) and ``FlowLogs_List`` (paged through ``nextLink``), in
Microsoft.Network's shapes (api-version 2026-03-01, the one azure-mgmt-network 33 sends; other
recent versions are accepted). Watchers are named as Azure names the ones it creates:
``NetworkWatcher_<region>`` in ``NetworkWatcherRG``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from logwarden_sandbox.azure_monitoring_dns import networks_of
from logwarden_sandbox.azure_resource_specs import DiagSpec, FlowLogSpec
from logwarden_sandbox.azure_tenant import SubscriptionSpec, TenantSpec, stable_id, workspace_id

if TYPE_CHECKING:
    from logwarden_sandbox.azure_routes import Answer, Router

VERSIONS = frozenset({"2023-09-01", "2024-05-01", "2025-03-01", "2026-03-01"})
NET = r"^/subscriptions/([^/]+)/(?:resourcegroups/[^/]+/)?providers/microsoft\.network/"
LISTS = re.compile(rf"{NET}(networksecuritygroups|networkwatchers)$")
FLOW_LOGS = re.compile(rf"{NET}networkwatchers/([^/]+)/flowlogs$")
RG = "rg-network"


def network_id(sub: SubscriptionSpec, kind: str, name: str, group: str = RG) -> str:
    """The ARM id of a network resource of the subscription."""
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{group}/providers/Microsoft.Network/{kind}/{name}"
    )


def watcher_id(sub: SubscriptionSpec, region: str) -> str:
    return network_id(sub, "networkWatchers", f"NetworkWatcher_{region}", "NetworkWatcherRG")


def listed(tenant: TenantSpec, sub: SubscriptionSpec) -> list[dict[str, Any]]:
    """The virtual networks (every seed's: ``azure_monitoring_dns.virtual_networks``) and
    security groups as ``Resources_List`` returns them."""
    out = [
        {k: doc[k] for k in ("id", "name", "type", "location")} | {"tags": {}}
        for doc in networks_of(tenant, sub.id)
    ]
    out += [
        {k: doc[k] for k in ("id", "name", "type", "location")} | {"tags": {}}
        for doc in security_groups(sub)
    ]
    return out


NSG_LOGS = DiagSpec(
    "nsg-events",
    categories=("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter"),
    groups=(),
)


def resource_uris(sub: SubscriptionSpec) -> list[str]:
    """The network resources that have diagnostic settings (the security groups)."""
    return [doc["id"] for doc in security_groups(sub)]


def security_groups(sub: SubscriptionSpec) -> list[dict[str, Any]]:
    network = sub.services.network
    out = []
    for name, subnet in network.security_groups.items():
        subnets = []
        if subnet:
            vnet, snet = subnet.split("/")
            subnets.append({"id": f"{network_id(sub, 'virtualNetworks', vnet)}/subnets/{snet}"})
        region = network.virtual_networks.get((subnet or "").split("/")[0], "westeurope")
        out.append(
            {
                "id": network_id(sub, "networkSecurityGroups", name),
                "name": name,
                "type": "Microsoft.Network/networkSecurityGroups",
                "location": region,
                "etag": 'W/"00000000-0000-0000-0000-000000000001"',
                "properties": {
                    "provisioningState": "Succeeded",
                    "resourceGuid": stable_id("nsg", f"{sub.name}/{name}"),
                    "securityRules": [],
                    "subnets": subnets,
                },
            }
        )
    return out


def watchers(sub: SubscriptionSpec) -> list[dict[str, Any]]:
    return [
        {
            "id": watcher_id(sub, region),
            "name": f"NetworkWatcher_{region}",
            "type": "Microsoft.Network/networkWatchers",
            "location": region,
            "etag": 'W/"00000000-0000-0000-0000-000000000002"',
            "properties": {"provisioningState": "Succeeded"},
        }
        for region in sub.services.network.watchers
    ]


def _flow_log(tenant: TenantSpec, sub: SubscriptionSpec, spec: FlowLogSpec) -> dict[str, Any]:
    kind, name = spec.target.split(":", 1)
    target = network_id(sub, "networkSecurityGroups" if kind == "nsg" else "virtualNetworks", name)
    analytics: dict[str, Any] = {"enabled": spec.traffic_analytics, "trafficAnalyticsInterval": 10}
    if spec.traffic_analytics:
        analytics |= {
            "workspaceId": stable_id("workspace", "law-central"),
            "workspaceRegion": "westeurope",
            "workspaceResourceId": workspace_id(tenant, "law-central"),
        }
    return {
        "id": f"{watcher_id(sub, spec.region)}/flowLogs/{spec.name}",
        "name": spec.name,
        "type": "Microsoft.Network/networkWatchers/flowLogs",
        "location": spec.region,
        "etag": 'W/"00000000-0000-0000-0000-000000000003"',
        "properties": {
            "targetResourceId": target,
            "targetResourceGuid": stable_id("target", target),
            "storageId": f"/subscriptions/{sub.id}/resourceGroups/{RG}/providers/"
            "Microsoft.Storage/storageAccounts/stflowlogs01",
            "enabled": spec.enabled,
            "retentionPolicy": {"days": spec.retention_days, "enabled": spec.retention_enabled},
            "format": {"type": "JSON", "version": 2},
            "flowAnalyticsConfiguration": {"networkWatcherFlowAnalyticsConfiguration": analytics},
            "provisioningState": "Succeeded",
        },
    }


def version_error(query: dict[str, list[str]], accepted: frozenset[str]) -> Answer | None:
    """ARM's 400 for an api-version the API does not have, or None."""
    from logwarden_sandbox.azure_routes import arm_error

    version = (query.get("api-version") or [""])[0]
    if version in accepted:
        return None
    return arm_error(
        400,
        "InvalidApiVersionParameter",
        f"The api-version '{version}' is invalid. The supported versions are "
        f"'{','.join(sorted(accepted))}'.",
    )


def route(router: Router, method: str, low: str, query: dict[str, list[str]]) -> Answer | None:
    """The answer of a network request, or None when it is none of them."""
    from logwarden_sandbox.azure_routes import Answer

    lists, logs = LISTS.match(low), FLOW_LOGS.match(low)
    if method != "GET" or not (lists or logs):
        return None
    refused = version_error(query, VERSIONS)
    if refused is not None:
        return refused
    sub = router._subscription((lists or logs).group(1))  # type: ignore[union-attr]
    if sub is None:
        return router._not_found(low)
    if lists:
        if lists.group(2) == "networksecuritygroups":
            return router._page(low, query, security_groups(sub))
        return Answer(200, {"value": watchers(sub)})  # the API has no next link
    region = (logs.group(2) if logs else "").removeprefix("networkwatcher_")
    if region not in sub.services.network.watchers:
        return router._not_found(low)
    found = [
        _flow_log(router.state.tenant, sub, f)
        for f in sub.services.network.flow_logs
        if f.region == region
    ]
    return router._page(low, query, found)
