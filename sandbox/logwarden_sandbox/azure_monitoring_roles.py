"""Role assignments and role definitions of the sandbox tenant (``azure_monitoring_spec``'s
``RoleAssignmentSpec``), as ``Microsoft.Authorization`` 2022-04-01 returns them: the
assignments a scope sees (at it, above it, below it) and the built-in roles they name, with
their real ids and permissions."""

from __future__ import annotations

import uuid
from typing import Any

from logwarden_sandbox.azure_monitoring_spec import RoleAssignmentSpec
from logwarden_sandbox.azure_tenant import TenantSpec, group_id, storage_id, workspace_id

TIMESTAMP = "2026-01-05T09:00:00.0000000Z"
AUTH = "providers/Microsoft.Authorization"
# built-in role name -> (GUID, permissions), as Azure defines them (shortened lists where the
# rest is not about reading logs)
ROLES: dict[str, tuple[str, dict[str, list[str]]]] = {
    "Owner": ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", {"actions": ["*"]}),
    "Contributor": (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        {
            "actions": ["*"],
            "notActions": [
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ],
        },
    ),
    "Reader": ("acdd72a7-3385-48ef-bd42-f606fba81ae7", {"actions": ["*/read"]}),
    "Log Analytics Reader": (
        "73c42c96-874c-492b-b04d-ab87d138a893",
        {
            "actions": [
                "*/read",
                "Microsoft.OperationalInsights/workspaces/analytics/query/action",
                "Microsoft.OperationalInsights/workspaces/search/action",
                "Microsoft.Support/*",
            ],
            "notActions": ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
        },
    ),
    "Network Contributor": (
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        {
            "actions": [
                "Microsoft.Authorization/*/read",
                "Microsoft.Network/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ]
        },
    ),
    "Storage Blob Data Reader": (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        {
            "actions": [
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ],
            "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        },
    ),
}


def _scope(tenant: TenantSpec, scope: str) -> str:
    kind, _, name = scope.partition(":")
    if kind == "mg":
        return group_id(tenant, name)
    if kind == "sub":
        return f"/subscriptions/{tenant.subscription(name).id}"
    if kind == "workspace":
        return workspace_id(tenant, name)
    if kind == "storage":
        return storage_id(tenant, name)
    if kind == "container":
        return f"{storage_id(tenant, name)}/blobServices/default/containers/insights-activity-logs"
    sub, _, rg = name.partition("/")  # rg:SUBSCRIPTION/GROUP
    return f"/subscriptions/{tenant.subscription(sub).id}/resourceGroups/{rg}"


def assignment_document(tenant: TenantSpec, spec: RoleAssignmentSpec) -> dict[str, Any]:
    """One role assignment as ``roleAssignments`` 2022-04-01 lists it."""
    scope = _scope(tenant, spec.scope)
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}|{spec.principal_id}|{spec.role}"))
    role = ROLES[spec.role][0]
    prefix = (
        "" if scope.lower().startswith("/providers/") else "/" + "/".join(scope.split("/")[1:3])
    )
    return {
        "id": f"{scope}/{AUTH}/roleAssignments/{guid}",
        "name": guid,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": f"{prefix}/{AUTH}/roleDefinitions/{role}",
            "principalId": spec.principal_id,
            "principalType": spec.principal_type,
            "scope": scope,
            "condition": None,
            "conditionVersion": None,
            "createdOn": TIMESTAMP,
            "updatedOn": TIMESTAMP,
            "createdBy": None,
            "updatedBy": None,
            "delegatedManagedIdentityResourceId": None,
            "description": None,
        },
    }


def _above(tenant: TenantSpec, scope: str) -> list[str]:
    """Every scope id at or above ``scope`` (lower case), management groups included."""
    parts = [p for p in scope.lower().split("/") if p]
    out = ["/" + "/".join(parts[:n]) for n in range(2, len(parts) + 1, 2)]
    if parts[:1] == ["subscriptions"]:
        groups = [s.management_group for s in tenant.subscriptions if s.id == parts[1]]
        group = groups[0] if groups else ""
        while group:  # up to the tenant root group ("")
            out.append(group_id(tenant, group).lower())
            group = tenant.management_groups.get(group, "")
        out.append(group_id(tenant, "").lower())
    return out


def assignments_for(tenant: TenantSpec, scope: str) -> list[dict[str, Any]]:
    """The assignments ``GET {scope}/providers/Microsoft.Authorization/roleAssignments``
    lists without a filter: at, above and below the scope."""
    target = scope.rstrip("/").lower()
    above = set(_above(tenant, target))
    out = []
    for spec in tenant.monitoring.role_assignments:
        doc = assignment_document(tenant, spec)
        low = doc["properties"]["scope"].lower()
        if low in above or low.startswith(target + "/"):
            out.append(doc)
    return sorted(out, key=lambda d: d["id"].lower())


def role_definition(low: str, guid: str) -> dict[str, Any] | None:
    """The built-in role ``guid`` as ``GET {low}`` (a lower-cased path) returns it, or None."""
    parts = low.split("/")
    prefix = f"/subscriptions/{parts[2]}" if parts[1] == "subscriptions" else ""
    for name, (role, permissions) in ROLES.items():
        if role == guid.lower():
            return {
                "id": f"{prefix}/{AUTH}/roleDefinitions/{role}",
                "name": role,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {
                    "roleName": name,
                    "type": "BuiltInRole",
                    "description": f"{name} (built-in)",
                    "assignableScopes": ["/"],
                    "permissions": [
                        {
                            "actions": permissions.get("actions", []),
                            "notActions": permissions.get("notActions", []),
                            "dataActions": permissions.get("dataActions", []),
                            "notDataActions": permissions.get("notDataActions", []),
                        }
                    ],
                    "createdOn": TIMESTAMP,
                    "updatedOn": TIMESTAMP,
                },
            }
    return None
