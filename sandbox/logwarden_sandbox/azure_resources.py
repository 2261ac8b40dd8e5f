"""ARM documents of the destinations the emulator serves: workspaces, storage accounts and
Event Hubs namespaces with their authorization rule.

Shapes as the api-versions of azure-mgmt-loganalytics 14, azure-mgmt-storage 25 and
azure-mgmt-eventhub 12 (2026-01-01) return them (keys as on the wire: ``keyvaultproperties``
is lower case there too).
"""

from __future__ import annotations

from typing import Any

from logwarden_sandbox.azure_tenant import (
    EventHubSpec,
    StorageSpec,
    TenantSpec,
    WorkspaceSpec,
    event_hub_rule_id,
    stable_id,
    storage_id,
    workspace_id,
)

TIMESTAMP = "2026-11-20T06:00:00Z"
LOG_CONTAINER = "insights-activity-logs"


def diagnostic_setting(
    scope: str,
    name: str,
    props: dict[str, Any],
    *,
    workspace: str | None = None,
    storage: str | None = None,
    event_hub_rule: str | None = None,
    partner: str | None = None,
) -> dict[str, Any]:
    """A diagnostic setting of the resource ``scope`` (a subscription's Activity Log or any
    resource), as ``diagnosticSettings`` lists it: ``props`` (its logs and metrics) with each
    destination given (ARM ids) in its own property."""
    props = dict(props)
    if workspace:
        props["workspaceId"] = workspace
    if storage:
        props["storageAccountId"] = storage
    if event_hub_rule:
        props["eventHubAuthorizationRuleId"] = event_hub_rule
        props["eventHubName"] = None  # Azure Monitor creates one per category
    if partner:
        props["marketplacePartnerId"] = partner
    return {
        "id": f"{scope}/providers/microsoft.insights/diagnosticSettings/{name}",
        "type": "Microsoft.Insights/diagnosticSettings",
        "name": name,
        "properties": props,
    }


def workspace_documents(tenant: TenantSpec, ws: WorkspaceSpec) -> dict[str, dict[str, Any]]:
    """The workspace and its AzureActivity table, by lower-cased path."""
    rid = workspace_id(tenant, ws.name)
    out: dict[str, dict[str, Any]] = {}
    out[rid.lower()] = {
        "id": rid,
        "name": ws.name,
        "type": "Microsoft.OperationalInsights/workspaces",
        "location": ws.location,
        "properties": {
            "customerId": stable_id("workspace", ws.name),
            "provisioningState": "Succeeded",
            "sku": {"name": "PerGB2018"},
            "retentionInDays": ws.retention_days,
            "features": {"enableLogAccessUsingOnlyResourcePermissions": True},
            "publicNetworkAccessForIngestion": "Enabled",
            "publicNetworkAccessForQuery": "Enabled",
        },
    }
    total = ws.activity_total_days or ws.retention_days
    out[f"{rid}/tables/AzureActivity".lower()] = {
        "id": f"{rid}/tables/AzureActivity",
        "name": "AzureActivity",
        "properties": {
            "retentionInDays": ws.retention_days,
            "retentionInDaysAsDefault": True,
            "totalRetentionInDays": total,
            "totalRetentionInDaysAsDefault": ws.activity_total_days is None,
            "archiveRetentionInDays": total - ws.retention_days,
            "plan": "Analytics",
            "provisioningState": "Succeeded",
            "schema": {"name": "AzureActivity", "tableType": "Microsoft"},
        },
    }
    return out


def storage_documents(tenant: TenantSpec, acct: StorageSpec) -> dict[str, dict[str, Any]]:
    """The account, its lifecycle policy and log container, by lower-cased path."""
    rid = storage_id(tenant, acct.name)
    out: dict[str, dict[str, Any]] = {}
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "creationTime": TIMESTAMP,
        "minimumTlsVersion": "TLS1_2",
        "supportsHttpsTrafficOnly": True,
        "encryption": {
            "keySource": acct.key_source,
            "services": {"blob": {"enabled": True, "keyType": "Account"}},
        },
    }
    if acct.key_source == "Microsoft.Keyvault":
        props["encryption"]["keyvaultproperties"] = {
            "keyname": "activity-logs",
            "keyvaulturi": "https://kv-logging.vault.azure.net/",
        }
    if acct.allow_blob_public_access is not None:
        props["allowBlobPublicAccess"] = acct.allow_blob_public_access
    if acct.allow_shared_key_access is not None:
        props["allowSharedKeyAccess"] = acct.allow_shared_key_access
    out[rid.lower()] = {
        "id": rid,
        "name": acct.name,
        "type": "Microsoft.Storage/storageAccounts",
        "location": acct.location,
        "kind": "StorageV2",
        "sku": {"name": "Standard_GRS", "tier": "Standard"},
        "properties": props,
    }
    if acct.lifecycle_delete_days is not None:
        out[f"{rid}/managementPolicies/default".lower()] = _lifecycle(rid, acct)
    if acct.container:
        path = f"{rid}/blobServices/default/containers/{LOG_CONTAINER}"
        out[path.lower()] = _container(path, acct)
    return out


def _lifecycle(rid: str, acct: StorageSpec) -> dict[str, Any]:
    return {
        "id": f"{rid}/managementPolicies/default",
        "name": "DefaultManagementPolicy",
        "type": "Microsoft.Storage/storageAccounts/managementPolicies",
        "properties": {
            "lastModifiedTime": TIMESTAMP,
            "policy": {
                "rules": [
                    {
                        "enabled": True,
                        "name": "activity-logs",
                        "type": "Lifecycle",
                        "definition": {
                            "filters": {
                                "blobTypes": ["appendBlob", "blockBlob"],
                                "prefixMatch": [f"{LOG_CONTAINER}/"],
                            },
                            "actions": {
                                "baseBlob": {
                                    "delete": {
                                        "daysAfterModificationGreaterThan": acct.lifecycle_delete_days
                                    }
                                }
                            },
                        },
                    }
                ]
            },
        },
    }


def _container(path: str, acct: StorageSpec) -> dict[str, Any]:
    props: dict[str, Any] = {
        "publicAccess": acct.container_public_access,
        "hasLegalHold": False,
        "hasImmutabilityPolicy": acct.immutability_days is not None,
        "leaseStatus": "Unlocked",
        "lastModifiedTime": TIMESTAMP,
    }
    if acct.immutability_days is not None:
        props["immutabilityPolicy"] = {
            "etag": '"8d9a1b2c3d4e5f6"',
            "properties": {
                "immutabilityPeriodSinceCreationInDays": acct.immutability_days,
                "state": acct.immutability_state,
                "allowProtectedAppendWrites": True,
            },
            "updateHistory": [],
        }
    return {
        "id": path,
        "name": LOG_CONTAINER,
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
        "properties": props,
    }


def event_hub_documents(tenant: TenantSpec, hub: EventHubSpec) -> dict[str, dict[str, Any]]:
    """The namespace and its authorization rule, by lower-cased path."""
    rule = event_hub_rule_id(tenant, hub.namespace)
    namespace = rule.split("/authorizationRules/")[0]
    return {
        namespace.lower(): {
            "id": namespace,
            "name": hub.namespace,
            "type": "Microsoft.EventHub/Namespaces",
            "location": hub.location,
            "sku": {"name": "Standard", "tier": "Standard", "capacity": 1},
            "properties": {
                "provisioningState": "Succeeded",
                "status": "Active",
                "createdAt": TIMESTAMP,
                "serviceBusEndpoint": f"https://{hub.namespace}.servicebus.windows.net:443/",
                "metricId": f"{stable_id('eventhub', hub.namespace)}:{hub.namespace}",
            },
        },
        rule.lower(): {
            "id": rule,
            "name": hub.rule,
            "type": "Microsoft.EventHub/Namespaces/AuthorizationRules",
            "location": hub.location,
            "properties": {"rights": ["Listen", "Manage", "Send"]},
        },
    }
