"""The standard tenant's workloads, compliant with every resource-logging control, and one
labelled defect per control.

- ``platform-management``: Key Vault ``kv-platform`` (audit group to law-central); web app
  ``app-portal`` (allLogs) and function app ``func-jobs`` (audit group only: function apps
  have no HTTP log); SQL server ``sql-central`` (auditing on, retention 0 = forever) with
  database ``sqldb-app``; PostgreSQL ``psql-central`` and MySQL ``mysql-central`` flexible
  servers with their logging parameters on; the Activity Log account's services log read,
  write and delete; Application Insights ``appi-platform``.
- ``lz-corp``: Key Vault ``kv-corp``; storage accounts ``stcorpdata01`` (StorageV2) and
  ``stcorppremium01`` (BlockBlobStorage: a blob service only); SQL server ``sql-corp``
  (retention 180 days); ``appi-corp``.
- ``lz-online`` and every other subscription: an Application Insights component; lz-online also
  a container registry ``cronline`` (allLogs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logwarden_sandbox.azure_network import network_id, watcher_id
from logwarden_sandbox.azure_resource_specs import (
    DiagSpec,
    FlowLogSpec,
    NetworkSpec,
    ResourceSpec,
    ServicesSpec,
)
from logwarden_sandbox.azure_tenant import Expectation, TenantSpec

PLATFORM, CORP, ONLINE = "platform-management", "lz-corp", "lz-online"
AUDIT = DiagSpec()
ALL_LOGS = DiagSpec("all-to-central", groups=("allLogs",))
EVENT_HUB_RULE = (
    "/subscriptions/00000000-0000-4000-8000-00000000e0e0/resourceGroups/rg-siem/providers/"
    "Microsoft.EventHub/namespaces/evhns-siem/authorizationRules/RootManageSharedAccessKey"
)
PARTNER = (
    "/subscriptions/00000000-0000-4000-8000-00000000e0e0/resourceGroups/rg-siem/providers/"
    "Microsoft.Datadog/monitors/dd-contoso"
)
VAULTS, WEB, STORAGE = "Microsoft.KeyVault/vaults", "Microsoft.Web/sites", "Microsoft.Storage"
SQL, POSTGRESQL, MYSQL = (
    "Microsoft.Sql/servers",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DBforMySQL/flexibleServers",
)
RANGE = "http://www.w3.org/2001/XMLSchema#string"


def auditing(state: str = "Enabled", days: int = 0) -> dict[str, Any]:
    """A SQL server's auditing policy (``auditingSettings/default``)."""
    return {
        "state": state,
        "retentionDays": days,
        "isAzureMonitorTargetEnabled": True,
        "auditActionsAndGroups": [
            "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
            "FAILED_DATABASE_AUTHENTICATION_GROUP",
            "BATCH_COMPLETED_GROUP",
        ],
        "isStorageSecondaryKeyInUse": False,
        "isDevopsAuditEnabled": False,
        "storageAccountSubscriptionId": "00000000-0000-0000-0000-000000000000",
        "queueDelayMs": 0,
        "isManagedIdentityInUse": False,
    }


def parameter(value: str, default: str, data_type: str = "Enumeration") -> dict[str, Any]:
    """A flexible server parameter (``configurations/<name>``)."""
    return {
        "value": value,
        "defaultValue": default,
        "dataType": data_type,
        "allowedValues": "on,off" if data_type == "Boolean" else "",
        "source": "user-override" if value != default else "system-default",
        "isReadOnly": False,
        "isConfigPendingRestart": False,
        "isDynamicConfig": True,
        "description": "",
    }


def _postgresql() -> dict[str, dict[str, Any]]:
    return {
        "configurations/log_checkpoints": parameter("on", "on", "Boolean"),
        "configurations/log_connections": parameter("on", "on", "Boolean"),
        "configurations/log_disconnections": parameter("on", "off", "Boolean"),
        "configurations/logfiles.retention_days": parameter("7", "3", "Integer"),
    }


def _mysql() -> dict[str, dict[str, Any]]:
    return {
        "configurations/audit_log_enabled": parameter("ON", "OFF"),
        "configurations/audit_log_events": parameter("CONNECTION,ADMIN,DDL", "CONNECTION", "Set"),
    }


def _component(name: str) -> ResourceSpec:
    return ResourceSpec("microsoft.insights/components", name, "rg-monitoring", kind="web")


def seed(tenant: TenantSpec) -> None:
    """Give the standard tenant's subscriptions their compliant workloads."""
    for sub in tenant.subscriptions:
        sub.services = ServicesSpec(resources=[_component(f"appi-{sub.name}")])
    platform, corp, online = (tenant.subscription(n).services for n in (PLATFORM, CORP, ONLINE))
    platform.resources += [
        ResourceSpec(VAULTS, "kv-platform", "rg-security", settings=[AUDIT]),
        ResourceSpec(WEB, "app-portal", kind="app,linux", settings=[ALL_LOGS]),
        ResourceSpec(WEB, "func-jobs", kind="functionapp,linux", settings=[AUDIT]),
        ResourceSpec(
            SQL, "sql-central", kind="v12.0", children={"auditingSettings/default": auditing()}
        ),
        ResourceSpec(f"{SQL}/databases", "sqldb-app", parent="sql-central", settings=[AUDIT]),
        ResourceSpec(POSTGRESQL, "psql-central", children=_postgresql()),
        ResourceSpec(MYSQL, "mysql-central", children=_mysql(), settings=[AUDIT]),
    ]
    corp.resources += [
        ResourceSpec(VAULTS, "kv-corp", settings=[ALL_LOGS]),
        ResourceSpec(f"{STORAGE}/storageAccounts", "stcorpdata01", kind="StorageV2"),
        ResourceSpec(f"{STORAGE}/storageAccounts", "stcorppremium01", kind="BlockBlobStorage"),
        ResourceSpec(
            SQL, "sql-corp", kind="v12.0", children={"auditingSettings/default": auditing(days=180)}
        ),
    ]
    platform.network = NetworkSpec(
        virtual_networks={"vnet-hub": "westeurope"},
        security_groups={"nsg-hub": "vnet-hub/snet-shared"},
        watchers=("westeurope",),
        flow_logs=[FlowLogSpec("fl-nsg-hub", "nsg:nsg-hub")],
    )
    # nsg-corp-app is covered by the virtual network flow log of its subnet's network
    corp.network = NetworkSpec(
        virtual_networks={"vnet-corp": "westeurope"},
        security_groups={"nsg-corp-app": "vnet-corp/snet-app", "nsg-corp-mgmt": None},
        watchers=("westeurope",),
        flow_logs=[
            FlowLogSpec("fl-vnet-corp", "vnet:vnet-corp"),
            FlowLogSpec("fl-nsg-corp-mgmt", "nsg:nsg-corp-mgmt"),
        ],
    )
    # every destination type once, on a resource and on a storage service
    everywhere = DiagSpec(
        "all-destinations",
        categories=("StorageRead", "StorageWrite", "StorageDelete"),
        groups=("allLogs",),
        storage="stactivitylogs01",
        event_hub_rule=EVENT_HUB_RULE,
        partner=PARTNER,
    )
    corp.storage_logging["stcorppremium01"] = {"blobServices": [everywhere]}
    # lz-online's network (its DNS query logging is seeded by azure_monitoring_zone) has the
    # Network Watcher of its region
    online.network = NetworkSpec(
        virtual_networks={"vnet-online": "westeurope"}, watchers=("westeurope",)
    )
    online.resources.append(
        ResourceSpec(
            "Microsoft.ContainerRegistry/registries", "cronline", settings=[ALL_LOGS, everywhere]
        )
    )


def _change(sub: str, name: str, **changes: Any) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        spec = t.subscription(sub).services.find(name)
        for key, value in changes.items():
            setattr(spec, key, value)

    return apply


def _child(sub: str, name: str, suffix: str, **props: Any) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        t.subscription(sub).services.find(name).children[suffix].update(props)

    return apply


def _storage(
    sub: str, account: str, service: str, *settings: DiagSpec
) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        t.subscription(sub).services.storage_logging.setdefault(account, {})[service] = list(
            settings
        )

    return apply


def _drop_components(sub: str) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        services = t.subscription(sub).services
        services.resources = [
            r for r in services.resources if r.type != "microsoft.insights/components"
        ]

    return apply


def rid(t: TenantSpec, sub_name: str, name: str, suffix: str = "") -> str:
    """The ARM id of a seeded resource (``suffix``: a storage service path)."""
    sub = t.subscription(sub_name)
    spec = sub.services.find(name)
    provider, kind = spec.type.split("/", 1)
    middle = f"{provider}/{kind}/{name}"
    if spec.parent:
        parent_kind, child_kind = kind.split("/", 1)
        middle = f"{provider}/{parent_kind}/{spec.parent}/{child_kind}/{name}"
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{spec.resource_group}/providers/{middle}{suffix}"
    )


def _row(
    check: str, sub: str, name: str, suffix: str = ""
) -> Callable[[TenantSpec], list[Expectation]]:
    return lambda t: [Expectation(check, t.subscription(sub).id, rid(t, sub, name, suffix))]


def _tenant_row(check: str, sub: str) -> Callable[[TenantSpec], list[Expectation]]:
    return lambda t: [Expectation(check, t.subscription(sub).id, t.subscription(sub).id)]


def _flow_log(sub: str, name: str, **changes: Any) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        [spec] = [f for f in t.subscription(sub).services.network.flow_logs if f.name == name]
        for key, value in changes.items():
            setattr(spec, key, value)

    return apply


def _add_network(sub: str, name: str, region: str) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        t.subscription(sub).services.network.virtual_networks[name] = region

    return apply


def _network_row(
    check: str, sub: str, rid_of: Callable[[Any], str]
) -> Callable[[TenantSpec], list[Expectation]]:
    return lambda t: [Expectation(check, t.subscription(sub).id, rid_of(t.subscription(sub)))]


PG, MY = "psql-central", "mysql-central"
READ_WRITE = ("StorageRead", "StorageWrite")
# name -> (description, apply, rows): azure_defects wraps each in its Defect.
RESOURCE_DEFECTS: dict[str, tuple[str, Callable[[TenantSpec], None], Any]] = {
    "keyvault_audit_to_event_hub_only": (
        "kv-corp sends its audit logs to an event hub only (streamed, not kept)",
        _change(
            CORP, "kv-corp", settings=[DiagSpec(workspace=False, event_hub_rule=EVENT_HUB_RULE)]
        ),
        _row("azure.keyvault.audit_logging", CORP, "kv-corp"),
    ),
    "appservice_no_http_logs": (
        "app-portal's setting sends the audit group only, not AppServiceHTTPLogs",
        _change(PLATFORM, "app-portal", settings=[AUDIT]),
        _row("azure.appservice.http_logs", PLATFORM, "app-portal"),
    ),
    "app_insights_missing": (
        "lz-online has no Application Insights component",
        _drop_components(ONLINE),
        _tenant_row("azure.insights.application_insights", ONLINE),
    ),
    "registry_no_resource_logs": (
        "the container registry cronline has a setting that enables no log category",
        _change(ONLINE, "cronline", settings=[DiagSpec("metrics-only", groups=())]),
        _row("azure.monitor.resource_logging", ONLINE, "cronline"),
    ),
    "storage_queue_no_read_log": (
        "stcorpdata01's queue service logs StorageWrite and StorageDelete, not StorageRead",
        _storage(
            CORP,
            "stcorpdata01",
            "queueServices",
            DiagSpec("q", categories=("StorageWrite", "StorageDelete"), groups=()),
        ),
        _row("azure.storage.queue_logging", CORP, "stcorpdata01", "/queueServices/default"),
    ),
    "storage_blob_audit_group_only": (
        "stcorpdata01's blob service sends the audit group only (no vouched StorageRead)",
        _storage(CORP, "stcorpdata01", "blobServices", DiagSpec("b")),
        _row("azure.storage.blob_logging", CORP, "stcorpdata01", "/blobServices/default"),
    ),
    "storage_table_delete_disabled": (
        "stcorpdata01's table service lists StorageDelete disabled",
        _storage(
            CORP,
            "stcorpdata01",
            "tableServices",
            DiagSpec("t", categories=READ_WRITE, groups=(), disabled=("StorageDelete",)),
        ),
        _row("azure.storage.table_logging", CORP, "stcorpdata01", "/tableServices/default"),
    ),
    "sql_auditing_disabled": (
        "sql-corp has auditing off",
        _child(CORP, "sql-corp", "auditingSettings/default", state="Disabled"),
        _row("azure.sql.auditing_enabled", CORP, "sql-corp"),
    ),
    "sql_audit_short_retention": (
        "sql-central keeps audit records 30 days",
        _child(PLATFORM, "sql-central", "auditingSettings/default", retentionDays=30),
        _row("azure.sql.auditing_retention", PLATFORM, "sql-central"),
    ),
    "postgresql_no_log_checkpoints": (
        "psql-central has log_checkpoints off",
        _child(PLATFORM, PG, "configurations/log_checkpoints", value="off"),
        _row("azure.postgresql.log_checkpoints", PLATFORM, PG),
    ),
    "postgresql_no_log_connections": (
        "psql-central has log_connections off",
        _child(PLATFORM, PG, "configurations/log_connections", value="off"),
        _row("azure.postgresql.log_connections", PLATFORM, PG),
    ),
    "postgresql_no_log_disconnections": (
        "psql-central has log_disconnections off (its default)",
        _child(PLATFORM, PG, "configurations/log_disconnections", value="off"),
        _row("azure.postgresql.log_disconnections", PLATFORM, PG),
    ),
    "postgresql_short_log_retention": (
        "psql-central keeps log files 3 days (CIS asks for more than 3)",
        _child(PLATFORM, PG, "configurations/logfiles.retention_days", value="3"),
        _row("azure.postgresql.log_retention", PLATFORM, PG),
    ),
    "mysql_audit_log_off": (
        "mysql-central has audit_log_enabled OFF (its default)",
        _child(PLATFORM, MY, "configurations/audit_log_enabled", value="OFF"),
        _row("azure.mysql.audit_log_enabled", PLATFORM, MY),
    ),
    "mysql_no_connection_audit": (
        "mysql-central's audit_log_events leaves out CONNECTION",
        _child(PLATFORM, MY, "configurations/audit_log_events", value="ADMIN,DDL"),
        _row("azure.mysql.audit_log_connection", PLATFORM, MY),
    ),
}
RESOURCE_DEFECTS |= {
    "nsg_flow_log_no_traffic_analytics": (
        "nsg-corp-mgmt's flow log has traffic analytics off (nothing reaches Log Analytics)",
        _flow_log(CORP, "fl-nsg-corp-mgmt", traffic_analytics=False),
        _network_row(
            "azure.network.nsg_flow_logs",
            CORP,
            lambda s: network_id(s, "networkSecurityGroups", "nsg-corp-mgmt"),
        ),
    ),
    "flow_log_short_retention": (
        "fl-nsg-hub keeps flow records 30 days",
        _flow_log(PLATFORM, "fl-nsg-hub", retention_days=30),
        _network_row(
            "azure.network.flow_log_retention",
            PLATFORM,
            lambda s: f"{watcher_id(s, 'westeurope')}/flowLogs/fl-nsg-hub",
        ),
    ),
    "network_watcher_missing": (
        "lz-corp has a virtual network in northeurope, where it has no Network Watcher (nor a "
        "DNS security policy: those are regional, so its DNS queries are not logged either)",
        _add_network(CORP, "vnet-corp-dr", "northeurope"),
        lambda t: [
            *_network_row(
                "azure.network.watcher_enabled",
                CORP,
                lambda s: (
                    f"/subscriptions/{s.id}/providers/Microsoft.Network/locations/northeurope"
                ),
            )(t),
            *_network_row(
                "azure.dns.query_logging",
                CORP,
                lambda s: network_id(s, "virtualNetworks", "vnet-corp-dr"),
            )(t),
        ],
    ),
}
RESOURCE_DEFECT_NAMES = tuple(RESOURCE_DEFECTS)
