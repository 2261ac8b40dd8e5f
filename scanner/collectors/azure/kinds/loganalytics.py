"""``azure.loganalytics.workspace``: the Log Analytics workspaces that receive Activity Logs.

Stage 2 (see ``destinations``). Per workspace: ``workspaces.get`` and the ``AzureActivity``
table (``tables.get``), whose total retention (interactive + archive / long-term) may differ
from the workspace default. Read in the workspace's own subscription, once per scan.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    AZURE_ERRORS,
    NAME,
    WORKSPACE,
    ResourceId,
    not_found,
    to_json,
)
from logwarden.scanner.collectors.azure.destination_kind import collect_destinations
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

ACTIVITY_TABLE = "AzureActivity"


def retention(workspace: dict[str, Any], table: dict[str, Any] | None) -> dict[str, Any]:
    """Interactive, archive and total retention of the Activity Log table, in days.

    The table's own values win when it sets them (``retentionInDays`` > 0 and not
    ``retentionInDaysAsDefault``); otherwise the workspace's ``retentionInDays`` applies.
    Total retention absent or not larger than the interactive one means no archive.
    """
    props = (table or {}).get("properties") or {}
    interactive = _days((workspace.get("properties") or {}).get("retentionInDays"))
    own = _days(props.get("retentionInDays"))
    if own is not None and not props.get("retentionInDaysAsDefault"):
        interactive = own
    out: dict[str, Any] = {"Source": "table" if table else "workspace"}
    if interactive is None:
        return out
    total = max(_days(props.get("totalRetentionInDays")) or 0, interactive)
    out["InteractiveDays"] = interactive
    out["TotalDays"] = total
    out["ArchiveDays"] = total - interactive
    return out


def _days(value: Any) -> int | None:
    """A positive whole number of days, else None (``-1`` means "the default" in the API)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return int(value) if ok else None


def read_workspace(pool: SessionPool, workspace: ResourceId) -> dict[str, Any]:
    """The workspace document, read once per scan in the workspace's own subscription
    (raises Azure errors, memoised too; a 404 on the workspace means it does not exist)."""
    found: dict[str, Any] = pool.memo(
        ("workspace", workspace.key), functools.partial(_read, pool, workspace)
    )
    return found


def _read(pool: SessionPool, target: ResourceId) -> dict[str, Any]:
    """The workspace document (raises Azure errors; 404 on the table is no table)."""
    client = pool.for_subscription(target.subscription).client("loganalytics")
    rg, name = target.resource_group, target.name
    workspace = to_json(client.workspaces.get(rg, name))
    table: dict[str, Any] | None = None
    try:
        table = to_json(client.tables.get(rg, name, ACTIVITY_TABLE))
    except AZURE_ERRORS as exc:
        if not not_found(exc):
            raise
    data = dict(workspace)
    if table is not None:
        data["ActivityTable"] = table
    kept = retention(workspace, table)
    data["Name"] = workspace.get("name")
    data["RetentionInDays"] = (workspace.get("properties") or {}).get("retentionInDays")
    data["ActivityLogRetention"] = kept
    if "TotalDays" in kept:
        data["ActivityLogTotalRetentionDays"] = kept["TotalDays"]
    return data


def collect_workspaces(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The workspaces this subscription reads (its own, or unscanned owners' it sends to)."""
    return collect_destinations(
        inv, "WorkspaceId", WORKSPACE, "workspace", "WorkspaceNotFound", read_workspace
    )


KINDS = [
    ResourceKind(
        name=WORKSPACE,
        reads=(ACTIVITY_LOG_SETTING,),
        cloud=NAME,
        description="Log Analytics workspaces receiving Activity Logs, with their retention.",
        collect=collect_workspaces,
        stage=2,
    ),
]
