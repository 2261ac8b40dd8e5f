"""Resource logs: which categories of a resource's diagnostic settings reach which destination.

A resource's diagnostic settings are read with azure-mgmt-monitor 6.0.2's
``diagnostic_settings.list(resource_uri)`` (``GET {resourceUri}/providers/Microsoft.Insights/
diagnosticSettings``, api-version 2021-05-01-preview), once per resource and scan (memoised:
the Key Vault control and the resource-logging control read the same answer).

For resource logs Microsoft documents two category groups
(https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#resource-logs):
``allLogs`` (every category of the resource type) and ``audit`` ("the resource logs that record
customer interactions with data or the settings of the service", whose members Microsoft
chooses per type). :data:`AUDIT_CATEGORIES` names, per resource type, the categories that are
its audit log (the "Audit" column of
https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/logs-index).
"""

from __future__ import annotations

import functools
from typing import Any

from logwarden.scanner.collectors.azure.common import to_json
from logwarden.scanner.collectors.azure.session import SessionPool

# Destination type -> the setting's property naming it (see kinds/monitor.py).
DESTINATIONS = (
    ("workspace", "workspaceId"),
    ("storage", "storageAccountId"),
    ("eventhub", "eventHubAuthorizationRuleId"),
    ("partner", "marketplacePartnerId"),
)
# Destinations that keep what they receive (an event hub streams: its data expires in days).
RETAINING = ("workspace", "storage")
STORAGE_SERVICES = ("blobServices", "queueServices", "tableServices", "fileServices")
# The categories CIS 4.12-4.14 ask for on the blob, queue and table services.
STORAGE_CATEGORIES = ("StorageRead", "StorageWrite", "StorageDelete")

# Resource type (lower case) -> the categories that are its audit log.
AUDIT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "microsoft.keyvault/vaults": ("AuditEvent",),
    "microsoft.web/sites": ("AppServiceAuditLogs",),
    "microsoft.storage/storageaccounts/blobservices": STORAGE_CATEGORIES,
    "microsoft.storage/storageaccounts/queueservices": STORAGE_CATEGORIES,
    "microsoft.storage/storageaccounts/tableservices": STORAGE_CATEGORIES,
    "microsoft.storage/storageaccounts/fileservices": STORAGE_CATEGORIES,
    "microsoft.sql/servers/databases": ("SQLSecurityAuditEvents", "DevOpsOperationsAudit"),
    "microsoft.network/networksecuritygroups": ("NetworkSecurityGroupEvent",),
    "microsoft.containerservice/managedclusters": ("kube-audit", "kube-audit-admin"),
    "microsoft.containerregistry/registries": ("ContainerRegistryLoginEvents",),
    "microsoft.automation/automationaccounts": ("AuditEvent",),
    "microsoft.batch/batchaccounts": ("AuditLog",),
    "microsoft.cognitiveservices/accounts": ("Audit",),
    "microsoft.dbformysql/flexibleservers": ("MySqlAuditLogs",),
    "microsoft.eventhub/namespaces": ("RuntimeAuditLogs",),
}
AUDIT_GROUPS = ("audit", "alllogs")


def read_settings(pool: SessionPool, resource_uri: str) -> list[dict[str, Any]]:
    """The diagnostic settings of one resource (raises Azure errors; memoised per scan)."""
    key = ("diagnostic-settings", resource_uri.rstrip("/").lower())
    found: list[dict[str, Any]] = pool.memo(key, functools.partial(_list, pool, resource_uri))
    return found


def _list(pool: SessionPool, resource_uri: str) -> list[dict[str, Any]]:
    parts = [p for p in resource_uri.split("/") if p]
    subscription = parts[1] if len(parts) > 1 else ""
    client = pool.for_subscription(subscription).client("monitor")
    return [to_json(s) for s in client.diagnostic_settings.list(resource_uri)]


def summarise(settings: list[dict[str, Any]], resource_type: str) -> dict[str, Any]:
    """The derived fields of a resource's diagnostic settings (see docs/resource-kinds.md).

    ``LoggedCategories``: every category an enabled log entry names, with the destinations of
    its setting; ``AuditLogDestinations`` / ``AuditLogRetained``: where the type's audit log
    goes (an audit category of :data:`AUDIT_CATEGORIES`, or the group ``audit`` or
    ``allLogs``) and whether one of them keeps it; ``CategoryDestinations``: category (or
    ``group:<name>``) -> destination types.
    """
    audit = {c.lower() for c in AUDIT_CATEGORIES.get(resource_type.lower(), ())}
    by_category: dict[str, set[str]] = {}
    audit_destinations: set[str] = set()
    names = []
    for setting in settings:
        props = setting.get("properties") or {}
        names.append(str(setting.get("name") or ""))
        targets = {kind for kind, key in DESTINATIONS if props.get(key)}
        for log in props.get("logs") or []:
            if not isinstance(log, dict) or log.get("enabled") is not True:
                continue
            if log.get("category"):
                name = str(log["category"])
                by_category.setdefault(name, set()).update(targets)
                if name.lower() in audit:
                    audit_destinations |= targets
            if log.get("categoryGroup"):
                group = str(log["categoryGroup"])
                by_category.setdefault(f"group:{group}", set()).update(targets)
                if group.lower() in AUDIT_GROUPS:
                    audit_destinations |= targets
    return {
        "DiagnosticSettings": sorted(names),
        "CategoryDestinations": {k: sorted(v) for k, v in sorted(by_category.items())},
        "AuditLogDestinations": sorted(audit_destinations),
        "AuditLogRetained": bool(audit_destinations & set(RETAINING)),
    }


def categories_sent(summary: dict[str, Any], wanted: tuple[str, ...]) -> dict[str, list[str]]:
    """Per wanted category, the destinations that receive it (by name or through ``allLogs``:
    Microsoft chooses what ``audit`` holds, so it vouches for no named category)."""
    sent = summary["CategoryDestinations"]
    low = {k.lower(): v for k, v in sent.items()}
    every = low.get("group:alllogs", [])
    return {c: sorted(set(low.get(c.lower(), [])) | set(every)) for c in wanted}
