"""Virtual networks and DNS security policies of the sandbox tenant (``azure_monitoring_spec``),
as ``Microsoft.Network`` answers them: ``virtualNetworks`` (2026-03-01), a network's
``listDnsResolverPolicies`` (2025-05-01: the ids of the policies linked to it) and a policy's
diagnostic settings (``Microsoft.Insights``, 2021-05-01-preview).

The networks are those of the DNS seeds and those of the resource-logging seeds
(``services.network``, which Network Watcher and flow logs are judged against), one per id:
:func:`virtual_networks` is the one list every API of the emulator shows (``virtualNetworks``
here, ``Resources_List`` in ``azure_resource_logging``), as ARM shows one set of networks."""

from __future__ import annotations

from typing import Any

from logwarden_sandbox.azure_monitoring_spec import DnsPolicySpec, VirtualNetworkSpec
from logwarden_sandbox.azure_resources import diagnostic_setting
from logwarden_sandbox.azure_tenant import TenantSpec, workspace_id


def network_id(tenant: TenantSpec, spec: VirtualNetworkSpec) -> str:
    """The ARM id of a virtual network."""
    sub = tenant.subscription(spec.subscription).id
    return (
        f"/subscriptions/{sub}/resourceGroups/{spec.resource_group}/providers/"
        f"Microsoft.Network/virtualNetworks/{spec.name}"
    )


def virtual_networks(tenant: TenantSpec) -> list[VirtualNetworkSpec]:
    """Every virtual network of the tenant, from both seeds, one per id."""
    found = {network_id(tenant, n).lower(): n for n in tenant.monitoring.virtual_networks}
    for sub in tenant.subscriptions:
        for name, region in sub.services.network.virtual_networks.items():
            spec = VirtualNetworkSpec(name, sub.name, location=region)
            found.setdefault(network_id(tenant, spec).lower(), spec)
    return list(found.values())


def policy_id(tenant: TenantSpec, spec: DnsPolicySpec) -> str:
    """The ARM id of a DNS security policy."""
    sub = tenant.subscription(spec.subscription).id
    return (
        f"/subscriptions/{sub}/resourceGroups/{spec.resource_group}/providers/"
        f"Microsoft.Network/dnsResolverPolicies/{spec.name}"
    )


def networks_of(tenant: TenantSpec, sub_id: str) -> list[dict[str, Any]]:
    """The virtual networks of one subscription, as ``virtualNetworks`` lists them."""
    out = []
    for spec in virtual_networks(tenant):
        if tenant.subscription(spec.subscription).id != sub_id:
            continue
        out.append(
            {
                "id": network_id(tenant, spec),
                "name": spec.name,
                "type": "Microsoft.Network/virtualNetworks",
                "location": spec.location,
                "etag": 'W/"00000000-0000-0000-0000-000000000001"',
                "properties": {
                    "provisioningState": "Succeeded",
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [],
                    "virtualNetworkPeerings": [],
                    "enableDdosProtection": False,
                },
            }
        )
    return sorted(out, key=lambda d: d["id"].lower())


def policies_linked_to(tenant: TenantSpec, network: str) -> list[dict[str, Any]] | None:
    """``{"id": ...}`` of every policy linked to the network (a lower-cased id), or None when
    no such network exists."""
    found = [n for n in virtual_networks(tenant) if network_id(tenant, n).lower() == network]
    if not found:
        return None
    key = (found[0].subscription, found[0].name)
    return [{"id": policy_id(tenant, p)} for p in tenant.monitoring.dns_policies if key in p.links]


def policy_settings(tenant: TenantSpec, policy: str) -> list[dict[str, Any]] | None:
    """The diagnostic settings of a policy (a lower-cased id), or None when there is none."""
    found = [p for p in tenant.monitoring.dns_policies if policy_id(tenant, p).lower() == policy]
    if not found:
        return None
    spec = found[0]
    if spec.workspace is None:
        return []
    log = {"category": "DnsResponse", "categoryGroup": None}
    props = {
        "logs": [{**log, "enabled": "DnsResponse" in spec.categories}],
        "metrics": [],
        "logAnalyticsDestinationType": None,
    }
    return [
        diagnostic_setting(
            policy_id(tenant, spec),
            "dns-to-central",
            props,
            workspace=workspace_id(tenant, spec.workspace),
        )
    ]
