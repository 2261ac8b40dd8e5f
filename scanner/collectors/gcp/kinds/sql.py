"""``gcp.sql.instance``: the Cloud SQL instances of each project (Cloud SQL Admin
``instances.list``, every page), with their database flags as a mapping.

``DatabaseFlags`` maps each flag set on the instance to its value in lower case (Cloud SQL
accepts ``on`` / ``ON``, ``ddl`` / ``DDL``), ``""`` for a flag without a value. A flag that is
absent is not set: the database engine's default applies, which the rules say per flag. An
instance that should carry flags but whose answer has no ``settings`` is an ERROR for that
instance, never an instance without flags.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.gcp.common import (
    GCP_ERRORS,
    NAME,
    failure,
    normalise,
    problem,
    resource,
    session_of,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError

SQL_INSTANCE = "gcp.sql.instance"
CLOUDSQL = "//cloudsql.googleapis.com/"
EXTERNAL = "ON_PREMISES_INSTANCE"  # an external primary: Cloud SQL holds no settings for it


def flag_map(settings: Any) -> dict[str, str]:
    """``settings.databaseFlags`` as name -> value (lower case; ``""`` without a value)."""
    flags = settings.get("databaseFlags") if isinstance(settings, dict) else None
    return {
        str(f["name"]): str(f.get("value", "")).lower()
        for f in flags or []
        if isinstance(f, dict) and "name" in f
    }


def collect_instances(inv: Inventory) -> Iterator[Item]:
    """The project's Cloud SQL instances, each with ``DatabaseFlags``."""
    me = inv.owner_id
    session = session_of(inv)
    try:
        found = session.client("sqladmin").list_instances(me, **session.call_options())
    except GCP_ERRORS as exc:
        yield failure(me, SQL_INSTANCE, exc, f"listing the Cloud SQL instances of project {me}")
        return
    for raw in found:
        instance: dict[str, Any] = dict(normalise(raw))
        name = str(instance.get("name", ""))
        region = str(instance.get("region", ""))
        settings = instance.get("settings")
        if not isinstance(settings, dict) and instance.get("instanceType") != EXTERNAL:
            yield problem(
                me,
                SQL_INSTANCE,
                "MalformedResponse",
                f"sqladmin instances.list answered instance {name} without its settings: its "
                "database flags cannot be read",
                region,
            )
            continue
        data = {**instance, "DatabaseFlags": flag_map(settings)}
        yield resource(SQL_INSTANCE, f"{CLOUDSQL}projects/{me}/instances/{name}", me, region, data)


KINDS = [
    ResourceKind(
        name=SQL_INSTANCE,
        reads=(),
        cloud=NAME,
        description="Cloud SQL instances of the project, with their database flags.",
        collect=collect_instances,
        stage=1,
    ),
]
