"""Activity log alert rules and action groups of the offline Azure tenant (``tests.azure_docs``),
as the collector (``scanner/collectors/azure/kinds/alerts.py``) normalizes them.

Every subscription has one rule per CIS operation (6.2.1-6.2.10), scoped to itself, notifying
the central action group ``ag-secops`` of the platform subscription (one Enabled email
receiver). The Entra ID tenant exports its logs to the central workspace (``entra_doc``).
Tests change one rule, the group or the setting and evaluate the real catalogue.
"""

from __future__ import annotations

import uuid
from typing import Any

from logwarden.checks.azure.alert_requirements import REQUIREMENTS
from logwarden.scanner.models import KindCollection, Resource
from tests import azure_docs as d

ALERT = "azure.monitor.activity_log_alert"
ACTION_GROUP = "azure.monitor.action_group"
ENTRA = "azure.entra.diagnostic_setting"
LOG_ACCESS = "azure.authorization.log_access"
NETWORK = "azure.dns.virtual_network"
HUB_POLICY = (
    f"/subscriptions/{d.PLATFORM}/resourceGroups/rg-network/providers/"
    "Microsoft.Network/dnsResolverPolicies/dnspol-hub"
)
NETWORK_CONTRIBUTOR = {
    "actions": ["Microsoft.Authorization/*/read", "Microsoft.Network/*"],
    "notActions": [],
    "dataActions": [],
    "notDataActions": [],
}
GROUP = (
    f"/subscriptions/{d.PLATFORM}/resourceGroups/rg-monitor/providers/"
    "microsoft.insights/actionGroups/ag-secops"
)


def rule_name(key: str) -> str:
    """The name of the seeded rule of requirement ``key``."""
    return f"alert-{key.replace('_', '-')}"


def alert_doc(
    sub: str,
    name: str,
    operation: str,
    *,
    scopes: list[str] | None = None,
    extra: list[dict[str, Any]] | None = None,
    enabled: bool = True,
    groups: list[str] | None = None,
) -> dict[str, Any]:
    """A rule as ``activityLogAlerts`` returns it, plus the collector's derived fields."""
    chosen = [GROUP] if groups is None else groups
    terms = [
        {"field": "category", "equals": "Administrative"},
        {"field": "operationName", "equals": operation},
        *(extra or []),
    ]
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/rg-monitor/providers/"
        f"Microsoft.Insights/activityLogAlerts/{name}",
        "name": name,
        "type": "Microsoft.Insights/ActivityLogAlerts",
        "location": "Global",
        "properties": {
            "scopes": [f"/subscriptions/{sub}"] if scopes is None else scopes,
            "condition": {"allOf": terms},
            "actions": {"actionGroups": [{"actionGroupId": g} for g in chosen]},
            "enabled": enabled,
        },
        "Name": name,
        "Enabled": enabled,
        "ActionGroupIds": chosen,
    }


def group_doc(
    gid: str = GROUP, *, enabled: bool = True, status: str = "Enabled", named_by: list[str]
) -> dict[str, Any]:
    """An action group that was read (``State: Exists``) with one email receiver."""
    return {
        "id": gid,
        "name": gid.rsplit("/", 1)[-1],
        "type": "Microsoft.Insights/ActionGroups",
        "location": "Global",
        "properties": {
            "groupShortName": "secops",
            "enabled": enabled,
            "emailReceivers": [
                {"name": "secops", "emailAddress": "secops@contoso.example", "status": status}
            ],
            "smsReceivers": [],
        },
        "State": "Exists",
        "NamedBy": named_by,
    }


def entra_doc(
    name: str = "entra-to-central",
    categories: tuple[str, ...] = ("AuditLogs", "SignInLogs", "NonInteractiveUserSignInLogs"),
    destinations: tuple[str, ...] = ("workspace",),
) -> Resource:
    """An Entra ID diagnostic setting as the collector normalizes it."""
    props: dict[str, Any] = {
        "logs": [{"category": c, "enabled": True} for c in categories],
    }
    if "workspace" in destinations:
        props["workspaceId"] = d.WORKSPACE
    if "storage" in destinations:
        props["storageAccountId"] = d.STORAGE
    data = {
        "id": f"/providers/microsoft.aadiam/diagnosticSettings/{name}",
        "name": name,
        "properties": props,
        "Name": name,
        "EnabledCategories": sorted(categories),
        "Destinations": list(destinations),
    }
    return Resource(ENTRA, str(data["id"]), "", "", data)


def role_assignment(
    principal: str,
    role: str,
    permissions: dict[str, list[str]] | None,
    scope: str,
    where: str = "above",
    *,
    principal_type: str = "Group",
    state: str = "Exists",
) -> dict[str, Any]:
    """One entry of a log destination's ``Assignments`` (``permissions`` None: the role was
    not read, ``state`` says how)."""
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"{principal}|{role}|{scope}")
    role_doc: dict[str, Any] = {"State": state}
    if state == "Exists":
        role_doc |= {"RoleName": role, "RoleType": "BuiltInRole", "Permissions": [permissions]}
    else:
        role_doc |= {"ErrorCode": "AuthorizationFailed", "Reason": f"role {role}: HTTP 403"}
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}",
        "PrincipalId": principal,
        "PrincipalType": principal_type,
        "Scope": scope,
        "Where": where,
        "Condition": None,
        "RoleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
        "Role": role_doc,
    }


def access_doc(rid: str, kind: str, *assignments: dict[str, Any]) -> dict[str, Any]:
    """A log destination's ``azure.authorization.log_access`` document."""
    return {
        "id": rid,
        "Name": rid.rsplit("/", 1)[-1],
        "Type": kind,
        "Assignments": list(assignments),
    }


def network_doc(sub: str, name: str, *policies: dict[str, Any]) -> dict[str, Any]:
    """A virtual network with the DNS security policies linked to it (``dns_policy``)."""
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/rg-network/providers/"
        f"Microsoft.Network/virtualNetworks/{name}",
        "name": name,
        "location": "westeurope",
        "Name": name,
        "DnsSecurityPolicies": list(policies),
        "QueryLogWorkspaces": sorted(
            {w for p in policies for w in p.get("QueryLogWorkspaces") or []}
        ),
    }


def dns_policy(
    pid: str = HUB_POLICY, workspaces: tuple[str, ...] = (d.WORKSPACE,), state: str = "Exists"
) -> dict[str, Any]:
    """One entry of a network's ``DnsSecurityPolicies``."""
    if state != "Exists":
        reason = f"the diagnostic settings of {pid} could not be read (AuthorizationFailed: no)"
        return {"id": pid, "State": state, "ErrorCode": "AuthorizationFailed", "Reason": reason}
    return {
        "id": pid,
        "State": state,
        "Settings": ["dns-to-central"],
        "QueryLogWorkspaces": list(workspaces),
    }


def seed(world: d.World) -> None:
    """Give every subscription of ``world`` its ten rules and the group they notify, and the
    tenant its Entra ID diagnostic setting."""
    world.org[ENTRA] = KindCollection(resources=(entra_doc(),))
    netops = role_assignment(
        "netops", "Network Contributor", NETWORK_CONTRIBUTOR, f"{d.MG}mg-contoso"
    )
    for sub in d.NAMES:
        world.set(sub, NETWORK, network_doc(sub, f"vnet-{d.NAMES[sub]}", dns_policy()))
    world.set(
        d.PLATFORM,
        LOG_ACCESS,
        access_doc(d.WORKSPACE, "workspace", netops),
        access_doc(d.STORAGE, "storage", netops),
    )
    for sub in d.NAMES:
        alerts = [alert_doc(sub, rule_name(r.key), r.operation) for r in REQUIREMENTS]
        world.set(sub, ALERT, *alerts)
        world.set(sub, ACTION_GROUP, group_doc(named_by=[a["name"] for a in alerts]))
