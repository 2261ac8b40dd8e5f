"""The resource-logging controls (issue 14: Key Vault, App Service, storage services, SQL,
PostgreSQL, MySQL, Application Insights, CIS 6.4) over in-memory documents: pass, fail and the
tricky cases, through the real catalogue (``tests.azure_docs``)."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.azure.kinds.resources import PROVIDER
from logwarden.scanner.collectors.azure.kinds.services import (
    COMPONENT,
    RESOURCE_LOG,
    SITE,
    STORAGE_SERVICE,
    VAULT,
)
from logwarden.scanner.collectors.azure.resource_logs import categories_sent, summarise
from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import azure_docs as d
from tests import azure_resource_docs as r
from tests.offline import rows

KEYVAULT = "azure.keyvault.audit_logging"
HTTP = "azure.appservice.http_logs"
INSIGHTS = "azure.insights.application_insights"
RESOURCE_LOGGING = "azure.monitor.resource_logging"
BLOB, QUEUE, TABLE = (f"azure.storage.{s}_logging" for s in ("blob", "queue", "table"))
SQL_ON, SQL_KEPT = "azure.sql.auditing_enabled", "azure.sql.auditing_retention"
PG = "azure.postgresql."
MYSQL_ON, MYSQL_CONNECTION = "azure.mysql.audit_log_enabled", "azure.mysql.audit_log_connection"


def statuses(world: d.World, check: str, **params: Any) -> dict[str, Status]:
    report = d.scan(world, **params)
    return {row.resource_id: row.status for row in rows(report, check)}


def with_vault(*settings: dict[str, Any]) -> d.World:
    world = d.compliant_world()
    vault = r.logged(r.VAULT_ID, "Microsoft.KeyVault/vaults", list(settings))
    world.set(d.PLATFORM, VAULT, vault)
    world.set(d.PLATFORM, RESOURCE_LOG, vault)
    return world


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ([r.setting()], Status.PASS),
        ([r.setting(("AuditEvent",), ())], Status.PASS),
        ([r.setting(("auditevent",), (), to=("storage",))], Status.PASS),  # case-insensitive
        ([r.setting(groups=("allLogs",), to=("eventhub", "storage"))], Status.PASS),
        ([r.setting(to=("eventhub",))], Status.FAIL),  # streamed, not kept
        ([r.setting(to=("partner",))], Status.FAIL),
        ([r.setting(("AzurePolicyEvaluationDetails",), ())], Status.FAIL),  # not the audit log
        ([], Status.FAIL),
        # two settings together: the audit log to an event hub, other logs to the workspace
        ([r.setting(to=("eventhub",)), r.setting(("Other",), (), name="b")], Status.FAIL),
    ],
)
def test_key_vault_audit_events_must_reach_a_destination_that_keeps_them(
    settings: list[dict[str, Any]], expected: Status
) -> None:
    assert statuses(with_vault(*settings), KEYVAULT) == {r.VAULT_ID: expected}


def test_a_disabled_audit_category_does_not_count() -> None:
    off = {"name": "x", "properties": {"workspaceId": d.WORKSPACE, "logs": [
        {"category": "AuditEvent", "enabled": False}, {"categoryGroup": "audit", "enabled": False}
    ]}}  # fmt: skip
    assert statuses(with_vault(off), KEYVAULT) == {r.VAULT_ID: Status.FAIL}


def test_http_logs_are_judged_on_web_apps_only() -> None:
    world = d.compliant_world()
    audit_only = r.site(r.APP_ID, "app,linux", [r.setting()])
    named = r.site(r.FUNCTION_ID, "app", [r.setting(("AppServiceHTTPLogs",), ())])
    function = r.site(r.FUNCTION_ID + "2", "functionapp,linux", [])
    world.set(d.PLATFORM, SITE, audit_only, named, function)
    assert statuses(world, HTTP) == {r.APP_ID: Status.FAIL, r.FUNCTION_ID: Status.PASS}
    assert "HttpLogDestinations" in rows(d.scan(world), HTTP)[0].message


def test_application_insights_is_needed_in_every_subscription_and_skipped_if_unregistered() -> None:
    world = d.compliant_world()
    world.set(d.CORP, COMPONENT)
    reason = "resource provider microsoft.insights (NotRegistered) is not registered"
    world.errors[(d.ONLINE, COMPONENT)] = KindCollection(not_applicable=reason)
    report = d.scan(world)
    by_sub = {row.tenant_id: row for row in rows(report, INSIGHTS)}
    assert by_sub[d.PLATFORM].status is Status.PASS
    assert by_sub[d.CORP].status is Status.FAIL
    assert by_sub[d.ONLINE].status is Status.SKIPPED and reason in by_sub[d.ONLINE].message


def test_resource_logging_accepts_the_configured_destinations_only() -> None:
    world = with_vault(r.setting(to=("eventhub",)))
    assert statuses(world, RESOURCE_LOGGING)[r.VAULT_ID] is Status.PASS
    strict = statuses(world, RESOURCE_LOGGING, resource_log_destinations=["workspace"])
    assert strict[r.VAULT_ID] is Status.FAIL
    report = d.scan(world, resource_log_destinations=["workspace"])
    [row] = [x for x in rows(report, RESOURCE_LOGGING) if x.resource_id == r.VAULT_ID]
    assert "eventhub" in row.message and "resource_log_destinations" in row.message


def test_resource_logging_judges_only_the_configured_types() -> None:
    world = d.compliant_world()
    judged = statuses(world, RESOURCE_LOGGING, resource_log_types=["microsoft.web/sites"])
    assert set(judged) == {r.APP_ID, r.FUNCTION_ID}


def test_an_unregistered_provider_skips_its_types_and_fails_nothing() -> None:
    world = d.compliant_world()
    providers = [r.provider(d.CORP, n) for n in r.NAMESPACES if n != "Microsoft.KeyVault"]
    world.set(
        d.CORP, PROVIDER, *providers, r.provider(d.CORP, "Microsoft.KeyVault", "NotRegistered")
    )
    report = d.scan(world)
    corp = [row for row in rows(report, RESOURCE_LOGGING, d.CORP)]
    vaults = f"/subscriptions/{d.CORP}/providers/microsoft.keyvault/vaults"
    assert [(x.resource_id, x.status) for x in corp] == [(vaults, Status.SKIPPED)]
    assert "Microsoft.KeyVault is NotRegistered" in corp[0].message


def test_resource_logging_fails_a_resource_without_audit_logs() -> None:
    world = with_vault(r.setting(("SomeMetricLog",), ()))
    report = d.scan(world)
    [row] = [x for x in rows(report, RESOURCE_LOGGING) if x.resource_id == r.VAULT_ID]
    assert row.status is Status.FAIL and "nowhere" in row.message


def _services(**settings: list[dict[str, Any]]) -> d.World:
    world = d.compliant_world()
    docs = [r.service(s, settings.get(s, [r.STORAGE_LOGS])) for s in ("blob", "queue", "table")]
    world.set(d.PLATFORM, STORAGE_SERVICE, *docs)
    return world


@pytest.mark.parametrize(
    ("check", "service", "settings", "expected"),
    [
        (BLOB, "blob", [r.setting(groups=("allLogs",))], Status.PASS),
        (BLOB, "blob", [r.setting()], Status.FAIL),  # the audit group vouches for no category
        (QUEUE, "queue", [r.setting(("StorageWrite", "StorageDelete"), ())], Status.FAIL),
        (
            QUEUE,
            "queue",
            [
                r.setting(("StorageRead",), (), to=("storage",)),
                r.setting(("StorageWrite", "StorageDelete"), (), name="b"),
            ],
            Status.PASS,
        ),
        (TABLE, "table", [], Status.FAIL),
        (
            TABLE,
            "table",
            [r.setting(("storageread", "STORAGEWRITE", "StorageDelete"), ())],
            Status.PASS,
        ),
    ],
)
def test_storage_services_log_read_write_and_delete(
    check: str, service: str, settings: list[dict[str, Any]], expected: Status
) -> None:
    world = _services(**{service: settings})
    found = statuses(world, check)
    assert found == {f"{r.ACCOUNT_ID}/{service}Services/default": expected}


@pytest.mark.parametrize(
    ("doc", "enabled", "kept"),
    [
        (r.sql(), Status.PASS, Status.PASS),
        (r.sql(days=91), Status.PASS, Status.PASS),
        (r.sql(days=90), Status.PASS, Status.FAIL),  # CIS: more than 90 days
        (r.sql(days=30), Status.PASS, Status.FAIL),
        (r.sql(days=None), Status.PASS, Status.FAIL),  # no retention stated
        (r.sql(state="Disabled"), Status.FAIL, None),  # retention not judged without auditing
    ],
)
def test_sql_server_auditing_and_its_retention(
    doc: dict[str, Any], enabled: Status, kept: Status | None
) -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, r.SQL, doc)
    assert statuses(world, SQL_ON) == {r.SQL_ID: enabled}
    assert statuses(world, SQL_KEPT) == ({r.SQL_ID: kept} if kept else {})


def test_sql_retention_follows_its_parameter() -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, r.SQL, r.sql(days=45))
    assert statuses(world, SQL_KEPT, sql_audit_retention_days=30) == {r.SQL_ID: Status.PASS}


@pytest.mark.parametrize(
    ("check", "change"),
    [
        ("log_checkpoints", {"LogCheckpoints": False}),
        ("log_connections", {"LogConnections": False}),
        ("log_disconnections", {"LogDisconnections": False}),
        ("log_retention", {"LogRetentionDays": 3}),
        ("log_retention", {"LogRetentionDays": None}),  # the parameter could not be read
    ],
)
def test_postgresql_flexible_server_logging_parameters(check: str, change: dict[str, Any]) -> None:
    world = d.compliant_world()
    assert statuses(world, PG + check) == {r.POSTGRESQL_ID: Status.PASS}
    world.set(d.PLATFORM, r.POSTGRESQL, r.postgresql(**change))
    assert statuses(world, PG + check) == {r.POSTGRESQL_ID: Status.FAIL}


@pytest.mark.parametrize(
    ("doc", "enabled", "connection"),
    [
        (r.mysql(), Status.PASS, Status.PASS),
        (r.mysql(enabled=False), Status.FAIL, Status.PASS),
        (r.mysql(events=("ADMIN", "DDL")), Status.PASS, Status.FAIL),
        (r.mysql(events=()), Status.PASS, Status.FAIL),
    ],
)
def test_mysql_flexible_server_audit_log(
    doc: dict[str, Any], enabled: Status, connection: Status
) -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, r.MYSQL, doc)
    assert statuses(world, MYSQL_ON) == {r.MYSQL_ID: enabled}
    assert statuses(world, MYSQL_CONNECTION) == {r.MYSQL_ID: connection}


def test_summarise_reads_categories_groups_and_destinations() -> None:
    settings = [
        r.setting(("AuditEvent",), (), to=("eventhub",), name="a"),
        r.setting((), ("allLogs",), to=("storage", "workspace"), name="b"),
        {"name": "c", "properties": {"logs": [{"category": "AuditEvent", "enabled": "true"}]}},
    ]
    out = summarise(settings, "Microsoft.KeyVault/vaults")
    assert out["DiagnosticSettings"] == ["a", "b", "c"]
    assert out["AuditLogDestinations"] == ["eventhub", "storage", "workspace"]
    assert out["CategoryDestinations"] == {
        "AuditEvent": ["eventhub"],
        "group:allLogs": ["storage", "workspace"],
    }
    assert categories_sent(out, ("AuditEvent", "Other")) == {
        "AuditEvent": ["eventhub", "storage", "workspace"],
        "Other": ["storage", "workspace"],
    }
    # a type logwarden has no audit categories for: only the groups count
    assert (
        summarise([r.setting(("AuditEvent",), ())], "Contoso.Thing/widgets")["AuditLogDestinations"]
        == []
    )


def test_no_vault_means_no_row_not_a_failure() -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, VAULT)
    assert statuses(world, KEYVAULT) == {}


def test_unreadable_providers_are_an_error_never_a_skip() -> None:
    world = d.compliant_world()
    denied = CollectionError("azure", d.CORP, PROVIDER, "", "AuthorizationFailed", "HTTP 403")
    world.errors[(d.CORP, PROVIDER)] = KindCollection(errors=(denied,))
    report = d.scan(world)
    assert {row.status for row in rows(report, RESOURCE_LOGGING, d.CORP)} == {Status.ERROR}


SUBNET = f"{r.VNET_ID}/subnets/snet-app"


@pytest.mark.parametrize(
    ("subnet", "logs", "expected"),
    [
        (None, [r.flow_log(r.NSG_ID)], Status.PASS),
        (SUBNET, [r.flow_log(r.VNET_ID)], Status.PASS),  # a VNet flow log covers its subnets
        (SUBNET, [r.flow_log(SUBNET)], Status.PASS),  # a subnet flow log too
        (None, [r.flow_log(r.VNET_ID)], Status.FAIL),  # not attached to a subnet of that VNet
        (None, [r.flow_log(r.NSG_ID, analytics=False)], Status.FAIL),  # storage only
        (None, [r.flow_log(r.NSG_ID, enabled=False)], Status.FAIL),
        (SUBNET, [r.flow_log(r.VNET_ID, analytics=False), r.flow_log(r.NSG_ID, "b")], Status.PASS),
        (None, [], Status.FAIL),
    ],
)
def test_nsg_flow_logs_reach_log_analytics(
    subnet: str | None, logs: list[dict[str, Any]], expected: Status
) -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, r.SECURITY_GROUP, r.security_group(r.NSG_ID, subnet, logs))
    assert statuses(world, "azure.network.nsg_flow_logs") == {r.NSG_ID: expected}


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (r.flow_log(r.NSG_ID, days=91), Status.PASS),
        (r.flow_log(r.NSG_ID, days=90), Status.FAIL),  # CIS: more than 90 days
        (r.flow_log(r.NSG_ID, days=0), Status.PASS),  # 0 keeps forever
        (r.flow_log(r.NSG_ID, days=7, policy=False), Status.PASS),  # no policy deletes nothing
        (r.flow_log(r.NSG_ID, days=30, enabled=False), None),  # a disabled log is not judged
    ],
)
def test_flow_log_retention(log: dict[str, Any], expected: Status | None) -> None:
    world = d.compliant_world()
    world.set(d.PLATFORM, r.FLOW_LOG, log)
    found = statuses(world, "azure.network.flow_log_retention")
    assert found == ({log["id"]: expected} if expected else {})


def test_network_watcher_in_every_region_with_a_network() -> None:
    world = d.compliant_world()
    north = r.watcher_region("northeurope", False)
    world.set(d.PLATFORM, r.WATCHER_REGION, r.watcher_region("westeurope", True), north)
    found = statuses(world, "azure.network.watcher_enabled")
    assert found[north["id"]] is Status.FAIL and len(found) == 2


def test_a_type_the_collector_did_not_read_is_an_error_not_a_skip() -> None:
    # The collector reads the scan-wide resource_log_types (here, offline, its default); a
    # type only the control's value names was never read, so it cannot pass or be skipped.
    world = d.compliant_world()
    report = d.scan(world, resource_log_types=["microsoft.web/sites", "contoso.widgets/things"])
    found = {
        (x.resource_id.rsplit("/providers/", 1)[-1], x.status)
        for x in rows(report, RESOURCE_LOGGING)
    }
    assert ("contoso.widgets/things", Status.ERROR) in found
    assert {s for t, s in found if t != "contoso.widgets/things"} == {Status.PASS}
