"""``azure.dns.virtual_network``: each virtual network of the subscription, with the DNS
security policies linked to it and where their DNS query logs go.

Networks: ``virtual_networks.list_all()`` of azure-mgmt-network (2026-03-01, paged). For each
network, ``dns_resolver_policies.list_by_virtual_network`` of azure-mgmt-dnsresolver
(``POST .../virtualNetworks/{name}/listDnsResolverPolicies``, 2025-05-01: the policies linked
to it, wherever they live); for each policy, once per scan, its diagnostic settings
(``diagnostic_settings.list(<policy id>)`` of azure-mgmt-monitor, 2021-05-01-preview). A
policy's query logs are the category ``DnsResponse`` (or the group ``allLogs``; what ``audit`` holds here is not documented, so it does not count).
A policy whose settings could not be read is ``State: Unreadable`` with the reason: what
depends on it is undecided, never passed. A subscription that has not registered the
Microsoft.Network provider (409 ``MissingSubscriptionRegistration``) has no network: not
applicable (SKIPPED with the reason). Collected only when a selected control needs it (stage 0).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    ResourceId,
    failure,
    listed,
    resource,
    session_of,
    subscription_of,
    to_json,
    unread,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind

NETWORK = "azure.dns.virtual_network"
UNREGISTERED = "MissingSubscriptionRegistration"
QUERY_LOGS = frozenset({"dnsresponse"})
QUERY_LOG_GROUPS = frozenset({"alllogs"})  # what `audit` holds for a policy is not documented


def query_log_workspaces(settings: list[dict[str, Any]]) -> list[str]:
    """The workspaces the settings send the policy's DNS query logs to."""
    out: list[str] = []
    for setting in settings:
        props = setting.get("properties") or {}
        workspace = props.get("workspaceId")
        logs = [log for log in props.get("logs") or [] if isinstance(log, dict)]
        sends = any(
            log.get("enabled") is True
            and (
                str(log.get("category") or "").lower() in QUERY_LOGS
                or str(log.get("categoryGroup") or "").lower() in QUERY_LOG_GROUPS
            )
            for log in logs
        )
        if sends and isinstance(workspace, str) and workspace:
            out.append(workspace)
    return out


def read_policy(pool: SessionPool, policy: str) -> dict[str, Any]:
    """``State`` and the query-log workspaces of one policy, read once per scan; never raises
    Azure errors."""
    try:
        settings: list[dict[str, Any]] = pool.memo(
            ("dns-policy-settings", policy.rstrip("/").lower()),
            functools.partial(_settings, pool, policy),
        )
    except AZURE_ERRORS as exc:
        return {"id": policy, **unread(exc, f"the diagnostic settings of {policy}")}
    return {
        "id": policy,
        "State": "Exists",
        "Settings": [s.get("name") for s in settings],
        "QueryLogWorkspaces": query_log_workspaces(settings),
    }


def _settings(pool: SessionPool, policy: str) -> list[dict[str, Any]]:
    parsed = ResourceId.parse(policy)
    owner = parsed.subscription if parsed is not None else ""
    client = pool.for_subscription(owner).client("monitor")
    return [to_json(s) for s in client.diagnostic_settings.list(policy.lstrip("/"))]


def _network(inv: Inventory, doc: dict[str, Any]) -> Resource | CollectionError:
    sub = subscription_of(inv)
    rid = str(doc.get("id") or "")
    parsed = ResourceId.parse(rid)
    session = session_of(inv)
    try:
        if parsed is None:
            raise ValueError(rid)
        client = session.client("dnsresolver")
        found = client.dns_resolver_policies.list_by_virtual_network(
            parsed.resource_group, parsed.name
        )
        linked = sorted({str(to_json(p).get("id") or "") for p in found} - {""}, key=str.lower)
    except AZURE_ERRORS as exc:
        return failure(sub, NETWORK, exc, f"listing the DNS security policies of {rid}")
    except ValueError:
        return CollectionError(
            NAME, sub, NETWORK, "", "InvalidResourceId", f"not a network id: {rid!r}"
        )
    policies = [read_policy(session.pool, p) for p in linked]
    data = {
        **doc,
        "Name": doc.get("name"),
        "DnsSecurityPolicies": policies,
        "QueryLogWorkspaces": sorted(
            {w for p in policies for w in p.get("QueryLogWorkspaces") or []}, key=str.lower
        ),
    }
    return resource(NETWORK, rid, sub, str(doc.get("location") or ""), data)


def collect(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every virtual network of the subscription, with its DNS security policies."""
    found = listed(
        inv,
        NETWORK,
        "listing virtual networks",
        lambda session: session.client("network").virtual_networks.list_all(),
    )
    if isinstance(found, CollectionError):
        if found.code == UNREGISTERED:
            raise NotApplicable(
                "the Microsoft.Network resource provider is not registered in this "
                f"subscription, so it has no virtual network ({found.message})"
            )
        yield found
        return
    for doc in found:
        yield _network(inv, doc)


KINDS = [
    ResourceKind(
        name=NETWORK,
        reads=(),
        cloud=NAME,
        description="Virtual networks, their DNS security policies and where their query logs go.",
        collect=collect,
    ),
]
