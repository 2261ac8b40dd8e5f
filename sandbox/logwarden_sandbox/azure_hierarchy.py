"""The management-group hierarchy as the Management Groups API (2023-04-01) shows it.

- ``getEntities`` (``POST /providers/Microsoft.Management/getEntities``): every management
  group and subscription, each with ``parent`` and ``parentNameChain`` (the group names from
  the tenant root down to the parent). Subscriptions have ``type: /subscriptions``.
- ``GET .../managementGroups/{id}?$expand=ancestors``: ``details.managementGroupAncestorsChain``,
  the groups above, parent first and the tenant root last.

The tenant root group's name is the tenant id; in a :class:`TenantSpec` it is ``""``.
"""

from __future__ import annotations

from typing import Any

from logwarden_sandbox.azure_tenant import TenantSpec, group_id

ROOT_NAME = "Tenant Root Group"
SUBSCRIPTION_TYPE = "/subscriptions"
GROUP_TYPE = "Microsoft.Management/managementGroups"


def _display(t: TenantSpec, name: str) -> str:
    return ROOT_NAME if name in ("", t.tenant_id) else name


def _group_entity(t: TenantSpec, name: str) -> dict[str, Any]:
    chain = t.ancestors(name)[:-1] if name else []
    key = name or t.tenant_id
    child_groups = [g for g, parent in t.management_groups.items() if parent == name]
    below = [g for g in t.management_groups if g != name and key in t.ancestors(g)[:-1]]
    subs = [s for s in t.subscriptions if key in t.ancestors(s.management_group)]
    children = child_groups + [s.id for s in t.subscriptions if s.management_group == name]
    return {
        "id": group_id(t, name),
        "type": GROUP_TYPE,
        "name": key,
        "properties": {
            "tenantId": t.tenant_id,
            "displayName": _display(t, name),
            "parent": {"id": group_id(t, chain[-1])} if chain else None,
            "permissions": "view",
            "inheritedPermissions": "view",
            "numberOfDescendants": len(below) + len(subs),
            "numberOfChildren": len(children),
            "numberOfChildGroups": len(child_groups),
            "parentDisplayNameChain": [_display(t, g) for g in chain],
            "parentNameChain": chain,
        },
    }


def entities(t: TenantSpec) -> list[dict[str, Any]]:
    """What ``getEntities`` lists: the groups (root first), then the subscriptions."""
    out = [_group_entity(t, g) for g in ["", *t.management_groups]]
    for sub in t.subscriptions:
        chain = t.ancestors(sub.management_group)
        out.append(
            {
                "id": f"/subscriptions/{sub.id}",
                "type": SUBSCRIPTION_TYPE,
                "name": sub.id,
                "properties": {
                    "tenantId": t.tenant_id,
                    "displayName": sub.name,
                    "parent": {"id": group_id(t, chain[-1])},
                    "permissions": "view",
                    "inheritedPermissions": "view",
                    "parentDisplayNameChain": [_display(t, g) for g in chain],
                    "parentNameChain": chain,
                },
            }
        )
    return out


def ancestors_chain(t: TenantSpec, group: str) -> list[dict[str, str]]:
    """``managementGroupAncestorsChain`` of ``group``: its parent first, the root last."""
    if group.lower() in ("", t.tenant_id):
        return []
    names = {g.lower(): g for g in t.management_groups}
    above = t.ancestors(names.get(group.lower(), group))[:-1]
    return [{"name": g, "displayName": _display(t, g)} for g in reversed(above)]
