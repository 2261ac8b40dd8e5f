"""ARM documents of ``azure_monitoring_spec``: activity log alert rules and action groups
(their routes: ``azure_monitoring_routes``).

Shapes and api-versions as the REST specs give them (azure-rest-api-specs,
``specification/monitor/resource-manager/Microsoft.Insights``: ``activityLogAlerts_API.json``
2020-10-01 and ``actionGroups_API.json`` 2023-01-01).
"""

from __future__ import annotations

from typing import Any

from logwarden_sandbox.azure_monitoring_spec import ActionGroupSpec, AlertSpec, EntraSettingSpec
from logwarden_sandbox.azure_tenant import TenantSpec, group_id, storage_id, workspace_id

# Every log category of the Entra ID tenant's diagnostic settings the API lists (the others of
# a setting are returned disabled, as ARM does).
ENTRA_CATEGORIES = (
    "AuditLogs",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ProvisioningLogs",
    "ADFSSignInLogs",
    "RiskyUsers",
    "UserRiskEvents",
)


def action_group_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of an action group of the tenant."""
    spec = tenant.monitoring.action_group(name)
    sub = tenant.subscription(spec.subscription).id
    return (
        f"/subscriptions/{sub}/resourceGroups/{spec.resource_group}/providers/"
        f"microsoft.insights/actionGroups/{spec.name}"
    )


def alert_id(tenant: TenantSpec, spec: AlertSpec) -> str:
    """The ARM id of an activity log alert rule of the tenant."""
    sub = tenant.subscription(spec.subscription).id
    return (
        f"/subscriptions/{sub}/resourceGroups/{spec.resource_group}/providers/"
        f"Microsoft.Insights/activityLogAlerts/{spec.name}"
    )


def documents(tenant: TenantSpec) -> dict[str, dict[str, Any]]:
    """The single resources (action groups), by lower-cased path."""
    return {
        action_group_id(tenant, g.name).lower(): _action_group(tenant, g)
        for g in tenant.monitoring.action_groups
    }


def _action_group(tenant: TenantSpec, spec: ActionGroupSpec) -> dict[str, Any]:
    empty: dict[str, list[Any]] = {
        f"{kind}Receivers": []
        for kind in (
            "sms",
            "itsm",
            "azureAppPush",
            "automationRunbook",
            "voice",
            "logicApp",
            "azureFunction",
            "armRole",
            "eventHub",
        )
    }
    return {
        "id": action_group_id(tenant, spec.name),
        "type": "Microsoft.Insights/ActionGroups",
        "name": spec.name,
        "location": "Global",
        "tags": {},
        "properties": {
            "groupShortName": spec.name[:12],
            "enabled": spec.enabled,
            "emailReceivers": [
                {
                    "name": who,
                    "emailAddress": f"{who}@contoso.example",
                    "useCommonAlertSchema": True,
                    "status": status,
                }
                for who, status in spec.emails.items()
            ],
            "webhookReceivers": [
                {
                    "name": who,
                    "serviceUri": f"https://hooks.contoso.example/{who}",
                    "useCommonAlertSchema": True,
                    "useAadAuth": False,
                }
                for who in spec.webhooks
            ],
            **empty,
        },
    }


def _scope(tenant: TenantSpec, spec: AlertSpec, scope: str) -> str:
    owner = f"/subscriptions/{tenant.subscription(spec.subscription).id}"
    if scope == "sub":
        return owner
    if scope.startswith("sub:"):
        return f"/subscriptions/{tenant.subscription(scope[4:]).id}"
    if scope.startswith("rg:"):
        return f"{owner}/resourceGroups/{scope[3:]}"
    return group_id(tenant, scope)


def _group_reference(tenant: TenantSpec, spec: AlertSpec, name: str) -> str:
    if name.startswith("missing:"):
        owner = tenant.subscription(spec.subscription).id
        return (
            f"/subscriptions/{owner}/resourcegroups/{spec.resource_group}/providers/"
            f"microsoft.insights/actiongroups/{name[8:]}"
        )
    return action_group_id(tenant, name).lower()  # as the portal writes it


def alert_document(tenant: TenantSpec, spec: AlertSpec) -> dict[str, Any]:
    """One alert rule as ``activityLogAlerts`` 2020-10-01 returns it."""
    terms: list[dict[str, Any]] = [{"field": "category", "equals": spec.category}]
    ops = [{"field": "operationName", "equals": op} for op in spec.operations]
    terms += ops if len(ops) == 1 else [{"anyOf": ops}]
    terms += [{"field": f, "equals": v} for f, v in spec.extra]
    return {
        "id": alert_id(tenant, spec),
        "type": "Microsoft.Insights/ActivityLogAlerts",
        "name": spec.name,
        "location": "Global",
        "tags": {},
        "properties": {
            "scopes": [_scope(tenant, spec, s) for s in spec.scopes],
            "condition": {"allOf": terms},
            "actions": {
                "actionGroups": [
                    {"actionGroupId": _group_reference(tenant, spec, g), "webhookProperties": {}}
                    for g in spec.action_groups
                ]
            },
            "enabled": spec.enabled,
            "description": f"CIS activity log alert {spec.name}",
        },
    }


def entra_setting_document(tenant: TenantSpec, spec: EntraSettingSpec) -> dict[str, Any]:
    """One Entra ID diagnostic setting as ``microsoft.aadiam/diagnosticSettings`` (2017-04-01)
    returns it."""
    props: dict[str, Any] = {
        "logs": [
            {
                "category": category,
                "enabled": category in spec.categories,
                "retentionPolicy": {"enabled": False, "days": 0},
            }
            for category in ENTRA_CATEGORIES
        ]
    }
    if spec.workspace:
        props["workspaceId"] = workspace_id(tenant, spec.workspace)
    if spec.storage:
        props["storageAccountId"] = storage_id(tenant, spec.storage)
    return {
        "id": f"/providers/microsoft.aadiam/diagnosticSettings/{spec.name}",
        "type": None,
        "name": spec.name,
        "properties": props,
    }
