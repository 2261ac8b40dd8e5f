"""``aws.rds.database``: RDS databases (standalone instances and clusters) and the audit logs
their engines export to CloudWatch Logs.

What counts as an audit log export, per engine (``EnabledCloudwatchLogsExports``):

- MySQL, MariaDB, Aurora MySQL: ``audit`` (the MariaDB Audit Plugin / Aurora advanced
  auditing) or ``general`` (every statement and connection);
- PostgreSQL, Aurora PostgreSQL: ``postgresql`` (the server log, where ``log_connections``,
  ``log_statement`` and pgAudit write);
- Oracle, DocumentDB, Neptune: ``audit``.

SQL Server (audits go to S3 through the ``SQLSERVER_AUDIT`` option), Db2 and RDS Custom export
no audit log type to CloudWatch Logs: their ``AuditLogTypes`` is empty and the control does
not select them. An instance that belongs to a cluster (Aurora, Multi-AZ DB cluster, Neptune,
DocumentDB) exports what its cluster sets: it is judged through its cluster, which lists it
under ``Members``. ``DescribeDBClusters`` is called only in regions where an instance names a
cluster, and only the clusters with instances are kept (a cluster without instances runs no
database, so it has nothing to log).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.scanner.collectors.aws.common import NAME, RDS_DATABASE, resource
from logwarden.scanner.collectors.aws.regional import Item, collect_by_region
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Resource, ResourceKind

_MYSQL = ("audit", "general")
#: Engine -> the exports that are audit logs (see the module docstring).
AUDIT_EXPORTS: Mapping[str, tuple[str, ...]] = {
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "aurora": _MYSQL,  # Aurora MySQL 5.6-compatible, the engine's old name
    "aurora-mysql": _MYSQL,
    "postgres": ("postgresql",),
    "aurora-postgresql": ("postgresql",),
    "docdb": ("audit",),
    "neptune": ("audit",),
}
_ORACLE = ("oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb", "oracle-se1", "oracle-se")

_INSTANCE_FIELDS = (
    "DBInstanceIdentifier",
    "DBInstanceArn",
    "Engine",
    "EngineVersion",
    "DBInstanceClass",
    "DBInstanceStatus",
)
_CLUSTER_FIELDS = ("DBClusterIdentifier", "DBClusterArn", "Engine", "EngineVersion", "EngineMode")


def audit_log_types(engine: str) -> list[str]:
    """The ``EnabledCloudwatchLogsExports`` values that are audit logs for ``engine``."""
    if engine in _ORACLE:
        return ["audit"]
    return list(AUDIT_EXPORTS.get(engine, ()))


def _database(kind: str, source: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    exports = sorted(source.get("EnabledCloudwatchLogsExports") or [])
    types = audit_log_types(source["Engine"])
    data = {key: source[key] for key in fields if key in source}
    return {
        **data,
        "Name": source.get("DBInstanceIdentifier") or source.get("DBClusterIdentifier"),
        "Kind": kind,
        "EnabledCloudwatchLogsExports": exports,
        "AuditLogTypes": types,
        "AuditLogsExported": [t for t in types if t in exports],
    }


def _read_region(session: AwsSession, me: str, region: str) -> Iterator[Item]:
    client = session.client("rds", region)
    instances = [
        db
        for page in client.get_paginator("describe_db_instances").paginate()
        for db in page["DBInstances"]
    ]
    members: dict[str, list[str]] = {}
    for db in instances:
        if db.get("DBClusterIdentifier"):
            members.setdefault(db["DBClusterIdentifier"], []).append(db["DBInstanceIdentifier"])
    clusters = (
        [
            c
            for page in client.get_paginator("describe_db_clusters").paginate()
            for c in page["DBClusters"]
        ]
        if members
        else []
    )
    found: list[Resource] = []
    for db in instances:
        if not db.get("DBClusterIdentifier"):
            data = _database("instance", db, _INSTANCE_FIELDS)
            found.append(resource(RDS_DATABASE, db["DBInstanceArn"], me, region, data))
    for cluster in clusters:
        if cluster["DBClusterIdentifier"] not in members:
            continue  # no instance: no database runs, nothing to log
        data = _database("cluster", cluster, _CLUSTER_FIELDS)
        data["Members"] = sorted(members.get(cluster["DBClusterIdentifier"], []))
        found.append(resource(RDS_DATABASE, cluster["DBClusterArn"], me, region, data))
    return iter(sorted(found, key=lambda r: r.id))


def collect_databases(inv: Inventory) -> Iterator[Item]:
    """DescribeDBInstances (and DescribeDBClusters where needed) per region."""
    return collect_by_region(inv, RDS_DATABASE, "RDS databases", _read_region)


KINDS = [
    ResourceKind(
        name=RDS_DATABASE,
        reads=(),
        cloud=NAME,
        description="RDS DB instances outside a cluster, and DB clusters, with their log exports.",
        collect=collect_databases,
        stage=1,
        volatile=("DBInstanceStatus",),  # available, backing-up, modifying...
    ),
]
