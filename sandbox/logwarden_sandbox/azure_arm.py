"""The ARM documents the emulator serves, built once from a :class:`TenantSpec`.

Single resources live in :attr:`ArmState.objects` keyed by their lower-cased ARM path (ARM
paths are case-insensitive); collections that depend on the caller's scope (subscriptions,
descendants, diagnostic settings, assignments at scope, policy states) are computed from the
tenant; the Activity Log holds the events recorded by ``azure_changes``. Documents have the
shape the real API returns for the api-versions the SDK uses.
"""

from __future__ import annotations

from typing import Any

from logwarden_sandbox.azure_activity import ActivityLog
from logwarden_sandbox.azure_monitoring import documents as monitoring_documents
from logwarden_sandbox.azure_resource_logging import child_documents, diagnostic_settings
from logwarden_sandbox.azure_resources import (
    TIMESTAMP,
    diagnostic_setting,
    event_hub_documents,
    storage_documents,
    workspace_documents,
)
from logwarden_sandbox.azure_tenant import (
    ACTIVITY_LOG_POLICY,
    ALL_CATEGORIES,
    AssignmentSpec,
    SettingSpec,
    SubscriptionSpec,
    TenantSpec,
    assignment_id,
    event_hub_rule_id,
    group_id,
    policy_set_id,
    scope_id,
    stable_id,
    storage_id,
    workspace_id,
)

DEFINITIONS = "/providers/Microsoft.Authorization/policyDefinitions/"


class ArmState:
    """Everything the emulated tenant holds, as ARM JSON."""

    def __init__(self, tenant: TenantSpec) -> None:
        self.tenant = tenant
        self.objects: dict[str, dict[str, Any]] = {}
        self.activity = ActivityLog()  # what the sandbox's changes recorded (azure_changes)
        self.subscriptions = [self._subscription(s) for s in tenant.subscriptions]
        for doc in self.subscriptions:
            self.objects[doc["id"].lower()] = doc
        for name in ["", *tenant.management_groups]:
            doc = self._group(name)
            self.objects[doc["id"].lower()] = doc
        for set_name, (where, members) in tenant.policy_sets.items():
            doc = self._policy_set(set_name, where, members)
            self.objects[doc["id"].lower()] = doc
        for sub in tenant.subscriptions:
            for ws in sub.workspaces:
                if ws.exists:
                    self.objects.update(workspace_documents(tenant, ws))
            for acct in sub.storage_accounts:
                if acct.exists:
                    self.objects.update(storage_documents(tenant, acct))
            for hub in sub.event_hubs:
                if hub.exists:
                    self.objects.update(event_hub_documents(tenant, hub))
        self.objects.update(monitoring_documents(tenant))
        self.objects.update(child_documents(tenant))
        self.resource_settings = diagnostic_settings(tenant)  # resource uri -> settings

    # ---------------------------------------------------------------- collections
    def descendants(self, group: str) -> list[dict[str, Any]] | None:
        """Every management group and subscription below ``group`` (None: no such group)."""
        t = self.tenant
        names = {n.lower(): n for n in [t.tenant_id, *t.management_groups]}
        if group.lower() not in names:
            return None
        top = names[group.lower()]
        out: list[dict[str, Any]] = []
        for name, parent in t.management_groups.items():
            if name != top and top in t.ancestors(name)[:-1]:
                out.append(
                    _descendant(group_id(t, name), "managementGroups", name, name, parent, t)
                )
        for sub in t.subscriptions:
            if top in t.ancestors(sub.management_group):
                out.append(
                    _descendant(
                        f"{group_id(t, sub.management_group)}/subscriptions/{sub.id}",
                        "managementGroups/subscriptions",
                        sub.id,
                        sub.name,
                        sub.management_group,
                        t,
                    )
                )
        return out

    def settings(self, sub: SubscriptionSpec) -> list[dict[str, Any]]:
        """The subscription's Activity Log diagnostic settings."""
        return [self._setting(sub, s) for s in sub.settings]

    def assignments_at(self, sub: SubscriptionSpec) -> list[dict[str, Any]]:
        """``atScope()``: assignments at the subscription and at every group above it."""
        scopes = {f"/subscriptions/{sub.id}".lower()} | {
            group_id(self.tenant, g).lower() for g in self.tenant.ancestors(sub.management_group)
        }
        return [
            self._assignment(a)
            for a in self.tenant.assignments
            if scope_id(self.tenant, a.scope).lower() in scopes
        ]

    def policy_states(self, sub: SubscriptionSpec) -> list[dict[str, Any]]:
        """Latest states of the subscription for every applying assignment (both policies)."""
        if sub.compliance is None:
            return []
        out = []
        excluded = {f"/subscriptions/{sub.id}"} | {
            group_id(self.tenant, g).lower() for g in self.tenant.ancestors(sub.management_group)
        }
        for doc in self.assignments_at(sub):
            props = doc["properties"]
            if any(s.lower() in excluded for s in props["notScopes"]):
                continue
            for definition, set_id in self._definitions(props["policyDefinitionId"]):
                state = sub.compliance if definition == ACTIVITY_LOG_POLICY else "Compliant"
                out.append(_state(sub, doc, definition, set_id, state))
        return out

    # ---------------------------------------------------------------- documents
    def _subscription(self, sub: SubscriptionSpec) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{sub.id}",
            "subscriptionId": sub.id,
            "tenantId": self.tenant.tenant_id,
            "displayName": sub.name,
            "state": sub.state,
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "EnterpriseAgreement_2014-09-01",
                "spendingLimit": "Off",
            },
            "authorizationSource": "RoleBased",
        }

    def _group(self, name: str) -> dict[str, Any]:
        t = self.tenant
        parent = t.management_groups.get(name)
        details: dict[str, Any] = {"version": 1, "updatedTime": TIMESTAMP}
        if name:
            details["parent"] = {
                "id": group_id(t, parent or ""),
                "name": parent or t.tenant_id,
                "displayName": parent or "Tenant Root Group",
            }
        return {
            "id": group_id(t, name),
            "type": "Microsoft.Management/managementGroups",
            "name": name or t.tenant_id,
            "properties": {
                "tenantId": t.tenant_id,
                "displayName": name or "Tenant Root Group",
                "details": details,
            },
        }

    def _policy_set(self, name: str, where: str, members: tuple[str, ...]) -> dict[str, Any]:
        return {
            "id": policy_set_id(self.tenant, name),
            "type": "Microsoft.Authorization/policySetDefinitions",
            "name": name,
            "properties": {
                "displayName": name,
                "policyType": "BuiltIn" if where == "builtin" else "Custom",
                "policyDefinitions": [
                    {"policyDefinitionId": f"{DEFINITIONS}{m}", "policyDefinitionReferenceId": m}
                    for m in members
                ],
            },
        }

    def _definitions(self, definition_id: str) -> list[tuple[str, str]]:
        """(definition name, set id or "") of what an assignment evaluates."""
        found = self.objects.get(definition_id.lower())
        if found is None:
            return [(definition_id.rsplit("/", 1)[-1], "")]
        members = found["properties"]["policyDefinitions"]
        return [(m["policyDefinitionId"].rsplit("/", 1)[-1], found["id"]) for m in members]

    def _assignment(self, spec: AssignmentSpec) -> dict[str, Any]:
        t = self.tenant
        if spec.policy.startswith("set:"):
            definition = policy_set_id(t, spec.policy[4:])
        else:
            definition = f"{DEFINITIONS}{spec.policy}"
        return {
            "id": assignment_id(t, spec.name),
            "type": "Microsoft.Authorization/policyAssignments",
            "name": spec.name,
            "location": "westeurope",
            "identity": {
                "type": "SystemAssigned",
                "principalId": stable_id("principal", spec.name),
                "tenantId": t.tenant_id,
            },
            "properties": {
                "displayName": spec.name,
                "policyDefinitionId": definition,
                "scope": scope_id(t, spec.scope),
                "notScopes": [scope_id(t, s) for s in spec.not_scopes],
                "parameters": {"logAnalytics": {"value": workspace_id(t, spec.workspace)}},
                "enforcementMode": spec.enforcement,
            },
        }

    def _setting(self, sub: SubscriptionSpec, spec: SettingSpec) -> dict[str, Any]:
        # Categories in the order Azure lists them, so disabling one flips it in place.
        listed = {c: True for c in spec.categories} | {c: False for c in spec.disabled}
        order = [c for c in ALL_CATEGORIES if c in listed] + sorted(
            set(listed) - set(ALL_CATEGORIES)
        )
        logs: list[dict[str, Any]] = [{"category": c, "enabled": listed[c]} for c in order]
        logs += [{"categoryGroup": g, "enabled": True} for g in spec.groups]
        t = self.tenant
        return diagnostic_setting(
            f"/subscriptions/{sub.id}",
            spec.name,
            {"logs": logs},
            workspace=workspace_id(t, spec.workspace) if spec.workspace else None,
            storage=storage_id(t, spec.storage) if spec.storage else None,
            event_hub_rule=event_hub_rule_id(t, spec.event_hub) if spec.event_hub else None,
            partner=spec.partner,
        )


def _descendant(
    rid: str, kind: str, name: str, display: str, parent: str, t: TenantSpec
) -> dict[str, Any]:
    return {
        "id": rid,
        "type": f"Microsoft.Management/{kind}",
        "name": name,
        "properties": {"displayName": display, "parent": {"id": group_id(t, parent)}},
    }


def _state(
    sub: SubscriptionSpec, assignment: dict[str, Any], definition: str, set_id: str, state: str
) -> dict[str, Any]:
    return {
        "@odata.id": None,
        "@odata.context": "https://management.azure.com/$metadata#policyStates/$entity",
        "timestamp": TIMESTAMP,
        "resourceId": f"/subscriptions/{sub.id}",
        "resourceType": "Microsoft.Resources/subscriptions",
        "subscriptionId": sub.id,
        "policyAssignmentId": assignment["id"],
        "policyAssignmentName": assignment["name"],
        "policyAssignmentScope": assignment["properties"]["scope"],
        "policyDefinitionId": f"{DEFINITIONS}{definition}",
        "policyDefinitionName": definition,
        "policyDefinitionAction": "deployifnotexists",
        "policySetDefinitionId": set_id,
        "policyDefinitionReferenceId": definition if set_id else "",
        "complianceState": state,
        "isCompliant": state == "Compliant",
    }
