"""The workloads of the offline Azure world (``tests.azure_docs``), as the resource-level kinds
document them: built with the collectors' own derivations (``resource_logs.summarise``, the
database readers' field names), so a test changes a raw setting and re-derives.

Every subscription has an Application Insights component and its providers registered; the
platform subscription has a Key Vault, a web app and a function app, a storage account's
services, a SQL server, and PostgreSQL and MySQL flexible servers, all compliant.
"""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.azure.kinds.network import (
    FLOW_LOG,
    SECURITY_GROUP,
    WATCHER_REGION,
    covering,
    derive_flow_log,
)
from logwarden.scanner.collectors.azure.kinds.resources import PROVIDER
from logwarden.scanner.collectors.azure.kinds.services import (
    COMPONENT,
    RESOURCE_LOG,
    SITE,
    STORAGE_SERVICE,
    VAULT,
)
from logwarden.scanner.collectors.azure.resource_logs import (
    STORAGE_CATEGORIES,
    categories_sent,
    summarise,
)
from logwarden.scanner.models import Resource
from tests import azure_docs as d

NET = f"/subscriptions/{d.PLATFORM}/resourceGroups/rg-network/providers/Microsoft.Network"
NSG_ID = f"{NET}/networkSecurityGroups/nsg-hub"
VNET_ID = f"{NET}/virtualNetworks/vnet-hub"
WATCHER_ID = (
    f"/subscriptions/{d.PLATFORM}/resourceGroups/NetworkWatcherRG/providers/"
    "Microsoft.Network/networkWatchers/NetworkWatcher_westeurope"
)
SQL, POSTGRESQL, MYSQL = (
    "azure.sql.server",
    "azure.postgresql.flexible_server",
    "azure.mysql.flexible_server",
)
RG = f"/subscriptions/{d.PLATFORM}/resourceGroups/rg-workload/providers"
VAULT_ID = f"{RG}/Microsoft.KeyVault/vaults/kv-platform"
APP_ID = f"{RG}/Microsoft.Web/sites/app-portal"
FUNCTION_ID = f"{RG}/Microsoft.Web/sites/func-jobs"
ACCOUNT_ID = f"{RG}/Microsoft.Storage/storageAccounts/stdata01"
SQL_ID = f"{RG}/Microsoft.Sql/servers/sql-central"
POSTGRESQL_ID = f"{RG}/Microsoft.DBforPostgreSQL/flexibleServers/psql-central"
MYSQL_ID = f"{RG}/Microsoft.DBforMySQL/flexibleServers/mysql-central"
NAMESPACES = (
    "Microsoft.KeyVault",
    "Microsoft.Web",
    "Microsoft.Storage",
    "Microsoft.Sql",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.DBforMySQL",
    "microsoft.insights",
    "Microsoft.Network",
    "Microsoft.ContainerService",
    "Microsoft.ContainerRegistry",
    "Microsoft.Automation",
    "Microsoft.Batch",
    "Microsoft.CognitiveServices",
    "Microsoft.EventHub",
)


def setting(
    categories: tuple[str, ...] = (),
    groups: tuple[str, ...] = ("audit",),
    to: tuple[str, ...] = ("workspace",),
    name: str = "audit",
) -> dict[str, Any]:
    """A resource's diagnostic setting as ARM returns it."""
    props: dict[str, Any] = {
        "logs": [{"category": c, "enabled": True} for c in categories]
        + [{"categoryGroup": g, "enabled": True} for g in groups]
    }
    ids = {
        "workspace": ("workspaceId", d.WORKSPACE),
        "storage": ("storageAccountId", d.STORAGE),
        "eventhub": ("eventHubAuthorizationRuleId", d.EVENT_HUB),
        "partner": ("marketplacePartnerId", d.PARTNER),
    }
    for target in to:
        key, value = ids[target]
        props[key] = value
    return {"name": name, "properties": props}


def logged(rid: str, rtype: str, settings: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A listed resource with the summary of ``settings``."""
    name = rid.rsplit("/", 1)[1]
    return {
        "id": rid,
        "name": name,
        "type": rtype,
        "location": "westeurope",
        "Name": name,
        "ResourceType": rtype.lower(),
        **summarise(settings, rtype),
        **extra,
    }


def site(rid: str, kind: str, settings: list[dict[str, Any]]) -> dict[str, Any]:
    """An App Service app document."""
    doc = logged(rid, "Microsoft.Web/sites", settings, kind=kind)
    app = "functionapp" if "functionapp" in kind else "app"
    sent = categories_sent(doc, ("AppServiceHTTPLogs",))["AppServiceHTTPLogs"]
    return {**doc, "AppKind": app, "HttpLogDestinations": sent}


def service(name: str, settings: list[dict[str, Any]]) -> dict[str, Any]:
    """A storage account service (``blob``, ``queue``, ``table``) document."""
    rtype = f"Microsoft.Storage/storageAccounts/{name}Services"
    doc = logged(f"{ACCOUNT_ID}/{name}Services/default", rtype, settings)
    sent = categories_sent(doc, STORAGE_CATEGORIES)
    return {
        **doc,
        "Name": f"stdata01/{name}",
        "Service": name,
        "AccountId": ACCOUNT_ID,
        "CategoryDestinationsRequired": sent,
        "ReadWriteDeleteLogged": all(sent.values()),
    }


def provider(sub: str, namespace: str, state: str = "Registered") -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/providers/{namespace}",
        "Namespace": namespace,
        "RegistrationState": state,
        "Registered": state == "Registered",
    }


STORAGE_LOGS = setting(STORAGE_CATEGORIES, (), name="storage-logs")


def seed(world: d.World) -> None:
    """Add the compliant workloads to ``world`` (every subscription: providers and a
    component; the platform subscription: the rest)."""
    for sub in d.NAMES:
        component = {
            "id": f"/subscriptions/{sub}/resourceGroups/rg-monitoring/providers/"
            "microsoft.insights/components/appi",
            "name": "appi",
            "Name": "appi",
            "ResourceType": "microsoft.insights/components",
        }
        world.set(sub, PROVIDER, *(provider(sub, n) for n in NAMESPACES))
        world.set(sub, COMPONENT, component)
    vault = logged(VAULT_ID, "Microsoft.KeyVault/vaults", [setting()])
    app = site(APP_ID, "app,linux", [setting(groups=("allLogs",))])
    function = site(FUNCTION_ID, "functionapp", [setting()])
    services = [service(s, [STORAGE_LOGS]) for s in ("blob", "queue", "table")]
    world.set(d.PLATFORM, VAULT, vault)
    world.set(d.PLATFORM, SITE, app, function)
    world.set(d.PLATFORM, STORAGE_SERVICE, *services)
    world.set(d.PLATFORM, RESOURCE_LOG, vault, app, function, *services)
    world.set(d.PLATFORM, SQL, sql())
    world.set(d.PLATFORM, POSTGRESQL, postgresql())
    world.set(d.PLATFORM, MYSQL, mysql())
    log = flow_log(NSG_ID)
    world.set(d.PLATFORM, FLOW_LOG, log)
    world.set(d.PLATFORM, SECURITY_GROUP, security_group(NSG_ID, None, [log]))
    world.set(d.PLATFORM, WATCHER_REGION, watcher_region("westeurope", True))


def sql(state: str = "Enabled", days: int | None = 0) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": SQL_ID,
        "Name": "sql-central",
        "ResourceType": "microsoft.sql/servers",
        "AuditingEnabled": state == "Enabled",
    }
    if days is not None:
        doc["AuditRetentionDays"] = days
    return doc


def postgresql(**changes: Any) -> dict[str, Any]:
    doc = {
        "id": POSTGRESQL_ID,
        "Name": "psql-central",
        "LogCheckpoints": True,
        "LogConnections": True,
        "LogDisconnections": True,
        "LogRetentionDays": 7,
    }
    return {**doc, **changes}


def mysql(
    events: tuple[str, ...] = ("ADMIN", "CONNECTION"), enabled: bool = True
) -> dict[str, Any]:
    return {
        "id": MYSQL_ID,
        "Name": "mysql-central",
        "AuditLogEnabled": enabled,
        "AuditLogEvents": list(events),
        "AuditLogsConnections": "CONNECTION" in events,
    }


def flow_log(
    target: str,
    name: str = "fl",
    *,
    enabled: bool = True,
    days: int = 365,
    policy: bool = True,
    analytics: bool = True,
) -> dict[str, Any]:
    """A flow log document (the raw properties and the collector's derived fields)."""
    config: dict[str, Any] = {"enabled": analytics}
    if analytics:
        config["workspaceResourceId"] = d.WORKSPACE
    doc: dict[str, Any] = {
        "id": f"{WATCHER_ID}/flowLogs/{name}",
        "name": name,
        "location": "westeurope",
        "properties": {
            "targetResourceId": target,
            "enabled": enabled,
            "retentionPolicy": {"days": days, "enabled": policy},
            "flowAnalyticsConfiguration": {"networkWatcherFlowAnalyticsConfiguration": config},
        },
    }
    return {**doc, **derive_flow_log(doc)}


def security_group(rid: str, subnet: str | None, logs: list[dict[str, Any]]) -> dict[str, Any]:
    """An NSG document with the flow logs that cover it, as the collector derives them."""
    doc: dict[str, Any] = {
        "id": rid,
        "name": rid.rsplit("/", 1)[1],
        "properties": {"subnets": [{"id": subnet}] if subnet else []},
    }
    found = covering(doc, [Resource(FLOW_LOG, x["id"], d.PLATFORM, "", x) for x in logs])
    return {
        **doc,
        "Name": doc["name"],
        "FlowLogs": sorted(f.id for f in found),
        "FlowLogged": bool(found),
        "SentToLogAnalytics": any(f.data["SentToLogAnalytics"] for f in found),
    }


def watcher_region(region: str, enabled: bool) -> dict[str, Any]:
    rid = f"/subscriptions/{d.PLATFORM}/providers/Microsoft.Network/locations/{region}"
    return {"id": rid, "Name": region, "Region": region, "WatcherEnabled": enabled}
