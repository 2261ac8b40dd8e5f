"""The audit settings of the databases CIS names, read as single documents by id.

Each is a listed resource (``azure.resources.resource``) plus sub-documents read with
azure-mgmt-resource's ``resources.get_by_id`` at the api-version their REST specification
publishes (no SDK package per database service for three GETs):

- ``azure.sql.server``: ``{server}/auditingSettings/default`` (Server Blob Auditing Policies,
  2021-11-01): ``state``, ``retentionDays`` (0 = keep forever);
- ``azure.postgresql.flexible_server``: ``{server}/configurations/{name}`` (2024-08-01) for
  ``log_checkpoints``, ``log_connections``, ``log_disconnections``, ``logfiles.retention_days``;
- ``azure.mysql.flexible_server``: ``{server}/configurations/{name}`` (2023-12-30) for
  ``audit_log_enabled``, ``audit_log_events``.

A parameter the server does not have (404) is absent, which fails its control.
"""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.azure.common import AZURE_ERRORS, not_found, to_json
from logwarden.scanner.collectors.azure.kinds.resources import typed_kind
from logwarden.scanner.collectors.azure.session import SessionPool

SQL_SERVER = "azure.sql.server"
POSTGRESQL = "azure.postgresql.flexible_server"
MYSQL = "azure.mysql.flexible_server"
SQL_AUDITING_VERSION = "2021-11-01"
POSTGRESQL_VERSION = "2024-08-01"
MYSQL_VERSION = "2023-12-30"
POSTGRESQL_PARAMETERS = (
    "log_checkpoints",
    "log_connections",
    "log_disconnections",
    "logfiles.retention_days",
)
MYSQL_PARAMETERS = ("audit_log_enabled", "audit_log_events")


def _get(pool: SessionPool, rid: str, version: str) -> dict[str, Any] | None:
    """The document at ``rid`` (None on 404; raises other Azure errors)."""
    subscription = [p for p in rid.split("/") if p][1]
    client = pool.for_subscription(subscription).client("resources")
    try:
        return to_json(client.resources.get_by_id(rid, api_version=version))
    except AZURE_ERRORS as exc:
        if not_found(exc):
            return None
        raise


def _parameters(
    pool: SessionPool, server: str, names: tuple[str, ...], version: str
) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        doc = _get(pool, f"{server}/configurations/{name}", version)
        value = ((doc or {}).get("properties") or {}).get("value")
        if doc is not None and value is not None:
            out[name] = str(value)
    return out


def _on(value: str | None) -> bool:
    return str(value or "").strip().lower() == "on"


def _sql(pool: SessionPool, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    policy = _get(pool, f"{doc['id']}/auditingSettings/default", SQL_AUDITING_VERSION) or {}
    props = policy.get("properties") or {}
    days = props.get("retentionDays")
    data: dict[str, Any] = {
        "AuditingPolicy": props,
        "AuditingEnabled": str(props.get("state") or "").lower() == "enabled",
        "AuditToLogAnalytics": props.get("isAzureMonitorTargetEnabled") is True,
        "AuditToStorage": bool(props.get("storageEndpoint")),
    }
    if isinstance(days, int) and not isinstance(days, bool):
        data["AuditRetentionDays"] = days
    return [(doc["id"], data)]


def _postgresql(pool: SessionPool, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    params = _parameters(pool, doc["id"], POSTGRESQL_PARAMETERS, POSTGRESQL_VERSION)
    data: dict[str, Any] = {
        "Parameters": params,
        "LogCheckpoints": _on(params.get("log_checkpoints")),
        "LogConnections": _on(params.get("log_connections")),
        "LogDisconnections": _on(params.get("log_disconnections")),
    }
    retention = params.get("logfiles.retention_days", "")
    if retention.strip().isdigit():
        data["LogRetentionDays"] = int(retention)
    return [(doc["id"], data)]


def _mysql(pool: SessionPool, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    params = _parameters(pool, doc["id"], MYSQL_PARAMETERS, MYSQL_VERSION)
    events = [e.strip().upper() for e in params.get("audit_log_events", "").split(",")]
    events = sorted(e for e in events if e)
    data = {
        "Parameters": params,
        "AuditLogEnabled": _on(params.get("audit_log_enabled")),
        "AuditLogEvents": events,
        "AuditLogsConnections": "CONNECTION" in events,
    }
    return [(doc["id"], data)]


KINDS = [
    typed_kind(
        SQL_SERVER, "SQL servers and their auditing policy.", ("microsoft.sql/servers",), _sql
    ),
    typed_kind(
        POSTGRESQL,
        "PostgreSQL flexible servers and their logging parameters.",
        ("microsoft.dbforpostgresql/flexibleservers",),
        _postgresql,
    ),
    typed_kind(
        MYSQL,
        "MySQL flexible servers and their audit-log parameters.",
        ("microsoft.dbformysql/flexibleservers",),
        _mysql,
    ),
]
