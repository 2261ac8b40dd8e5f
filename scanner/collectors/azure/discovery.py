"""Find the subscriptions to scan: all visible ones, those under a management group, or a list.

- ``subscriptions-visible``: ``GET /subscriptions``; one organization per Entra ID tenant
  (the subscriptions' ``tenantId``); disabled subscriptions are left out.
- ``management-group``: the group (``GET .../managementGroups/{id}``) and its descendants
  (``GET .../descendants``, paged); the organization is the management group and each
  subscription's ``parents`` is the chain of management groups from it down.
- ``subscriptions``: the configured list; each is read (``GET /subscriptions/{id}``) for its
  name and tenant, and kept even when that read fails, so its checks become ERROR rows.
"""

from __future__ import annotations

import contextlib
from typing import Any

from logwarden.scanner.collectors.azure.common import AZURE_ERRORS, NAME, failure, to_json
from logwarden.scanner.collectors.azure.settings import AzureSettings
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import DISCOVERY, CollectionError, Discovery, Organization, Tenant

STATIC_ORG = "azure-subscriptions"
MG_TYPE = "microsoft.management/managementgroups"
SUB_TYPE = "microsoft.management/managementgroups/subscriptions"


def discover(settings: AzureSettings) -> Discovery:
    """Organizations and tenants for the configured mode; failures are values in ``errors``."""
    try:
        session = settings.pool.tenant_session()
    except SessionUnavailable as exc:
        return Discovery(errors=[failure("", DISCOVERY, exc, "building the Azure credential")])
    try:
        if settings.mode == "management-group":
            return _management_group(
                settings, session.client("managementgroups"), session.client("subscriptions")
            )
        if settings.mode == "subscriptions":
            return _static(settings, session.client("subscriptions"))
        return _visible(settings, session.client("subscriptions"))
    except AZURE_ERRORS as exc:
        return Discovery(errors=[failure("", DISCOVERY, exc, _hint(settings))])


def _hint(settings: AzureSettings) -> str:
    if settings.mode == "management-group":
        return (
            f"reading management group {settings.management_group_id} and its descendants "
            "(the credential needs Management Group Reader, or Reader, on it)"
        )
    return "listing the subscriptions the credential can see"


def _tenant(
    settings: AzureSettings,
    sub_id: str,
    name: str,
    org_id: str,
    parents: tuple[str, ...] = (),
    **attributes: Any,
) -> Tenant | None:
    sub_id = sub_id.lower()
    if sub_id in settings.exclude_subscriptions:
        return None
    return Tenant(
        cloud=NAME,
        id=sub_id,
        name=name or sub_id,
        organization_id=org_id,
        parents=parents,
        attributes={k: v for k, v in attributes.items() if v},
    )


def _visible(settings: AzureSettings, client: Any) -> Discovery:
    orgs: dict[str, Organization] = {}
    tenants: list[Tenant] = []
    for sub in client.subscriptions.list():
        doc = to_json(sub)
        state = str(doc.get("state") or "")
        tenant_id = str(doc.get("tenantId") or settings.tenant_id or STATIC_ORG)
        orgs.setdefault(
            tenant_id,
            Organization(
                cloud=NAME,
                id=tenant_id,
                name=f"Entra ID tenant {tenant_id}",
                facts_available=False,
            ),
        )
        found = _tenant(
            settings,
            doc["subscriptionId"],
            str(doc.get("displayName") or ""),
            tenant_id,
            state=state,
            entra_tenant_id=tenant_id,
        )
        if found is not None:
            tenants.append(found)
    tenants.sort(key=lambda t: t.id)
    return Discovery(organizations=sorted(orgs.values(), key=lambda o: o.id), tenants=tenants)


def _static(settings: AzureSettings, client: Any) -> Discovery:
    org_id = settings.tenant_id or STATIC_ORG
    tenants: list[Tenant] = []
    for target in settings.subscriptions:
        doc: dict[str, Any] = {}
        # A failure here is reported by the subscription's own kinds, as ERROR rows.
        with contextlib.suppress(*AZURE_ERRORS):
            doc = to_json(client.subscriptions.get(target.id))
        found = _tenant(
            settings,
            target.id,
            target.name or str(doc.get("displayName") or ""),
            org_id,
            state=str(doc.get("state") or ""),
            entra_tenant_id=str(doc.get("tenantId") or ""),
        )
        if found is not None:
            tenants.append(found)
    name = f"Entra ID tenant {org_id}" if settings.tenant_id else "Azure subscriptions"
    org = Organization(cloud=NAME, id=org_id, name=name, facts_available=False)
    return Discovery(organizations=[org], tenants=tenants)


def _management_group(settings: AzureSettings, client: Any, subscriptions: Any) -> Discovery:
    group_id = str(settings.management_group_id)
    group = to_json(client.management_groups.get(group_id, expand="ancestors"))
    props = group.get("properties") or {}
    above = _ancestors(group)
    name = str(group.get("name") or group_id)
    org = Organization(
        cloud=NAME,
        id=name,
        name=f"Azure management group {props.get('displayName') or name}",
        facts_available=True,
    )
    parent_of: dict[str, str] = {}
    found_subscriptions: list[dict[str, Any]] = []
    for item in client.management_groups.get_descendants(group_id):
        doc = to_json(item)
        parent = str(((doc.get("properties") or {}).get("parent") or {}).get("id") or "")
        parent_name = parent.rstrip("/").rsplit("/", 1)[-1]
        kind = str(doc.get("type") or "").lower()
        if kind == MG_TYPE:
            parent_of[str(doc["name"]).lower()] = parent_name
        elif kind == SUB_TYPE:
            found_subscriptions.append({**doc, "parent": parent_name})
    states, errors = _states(subscriptions)
    tenants: list[Tenant] = []
    for doc in found_subscriptions:
        chain = _chain(doc["parent"], parent_of, name)
        complete = above is not None and bool(chain) and chain[0].lower() == name.lower()
        found = _tenant(
            settings,
            str(doc["name"]),
            str((doc.get("properties") or {}).get("displayName") or ""),
            name,
            chain,
            entra_tenant_id=str(props.get("tenantId") or ""),
            state=states.get(str(doc["name"]).lower(), ""),
            management_group_chain=(*(above or ()), *chain) if complete else (),
        )
        if found is not None:
            tenants.append(found)
    tenants.sort(key=lambda t: t.id)
    return Discovery(organizations=[org], tenants=tenants, errors=errors)


def _ancestors(group: dict[str, Any]) -> tuple[str, ...] | None:
    """The groups above a group, root first, from ``$expand=ancestors`` (None: not given).

    The tenant root group is the one named after the tenant id (a group answer without its
    ``parent`` is not therefore the root: the chain would lose the groups above it)."""
    props = group.get("properties") or {}
    name = str(group.get("name") or "").lower()
    if name and name == str(props.get("tenantId") or "").lower():
        return ()
    chain = (props.get("details") or {}).get("managementGroupAncestorsChain")
    if not isinstance(chain, list) or not chain:
        return None
    names = tuple(str(item.get("name") or "") for item in reversed(chain))
    return names if all(names) else None


def _states(client: Any) -> tuple[dict[str, str], list[CollectionError]]:
    """Subscription id -> state, from the subscriptions the credential can see."""
    try:
        docs = [to_json(s) for s in client.subscriptions.list()]
    except AZURE_ERRORS as exc:
        hint = (
            "listing the subscriptions for their state (disabled and deleted ones are not "
            "scanned); every subscription below the management group is scanned"
        )
        return {}, [failure("", DISCOVERY, exc, hint)]
    return {str(d.get("subscriptionId") or "").lower(): str(d.get("state") or "") for d in docs}, []


def _chain(parent: str, parent_of: dict[str, str], top: str) -> tuple[str, ...]:
    """Management group names from ``top`` down to ``parent`` (cycles and gaps end it)."""
    chain: list[str] = []
    current = parent
    while current and current.lower() not in {c.lower() for c in chain}:
        chain.append(current)
        if current.lower() == top.lower():
            break
        current = parent_of.get(current.lower(), "")
    return tuple(reversed(chain))
