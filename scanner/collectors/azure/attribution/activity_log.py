"""Who changed an Azure resource between two scans, from the Activity Log.

One query per log and window, never one per resource: ``activity_logs.list`` (``GET
/subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values``, api-version
2015-04-01, ``$filter=eventTimestamp ge '<start>' and eventTimestamp le '<end>'``) for the
subscription named in the resource's id, ``tenant_activity_logs.list`` (the tenant-level log)
for resources outside subscriptions (policy assignments at management groups). The events
are then matched to the drifted resources:

- the operation is one that changes the resource's kind (:data:`OPERATIONS`; a kind not listed
  there counts every ``/write`` and ``/delete``), so reads and ``listKeys`` never count;
- the event's ``resourceId`` is the resource or one of its children (ARM ids compare
  without case);
- it is an Administrative event with status ``Succeeded``: an operation logs a ``Started``
  BeginRequest and an EndRequest (``Succeeded``, ``Failed``, ``Accepted`` for a long-running
  one that succeeds later); only the ``Succeeded`` one is kept, once per (correlationId,
  operation, resource);
- the time is inside the window (the end, given to the second, covers that whole second).

API failures are the ``error`` of every subject of that log, never an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.audit_events import Attribution, AuditEvent, Subject
from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    ASSIGNMENT,
    AZURE_ERRORS,
    COMPLIANCE,
    STORAGE_ACCOUNT,
    WORKSPACE,
    error_code,
    session_of,
    to_json,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory

TENANT_LOG = ""  # the "subscription" of the tenant-level log
MAX_PARALLEL = 8
# Documented $select names plus caller and category, which the API also accepts.
SELECT = ",".join(
    (
        "caller",
        "category",
        "correlationId",
        "eventDataId",
        "eventName",
        "eventTimestamp",
        "httpRequest",
        "operationName",
        "resourceId",
        "status",
        "subscriptionId",
    )
)
TENANT_GAP = (
    "no event in the tenant-level Activity Log; changes at a management group are logged at "
    "the management group, which azure-mgmt-monitor 6.0.2 cannot read "
    "(see docs/attribution-azure.md)"
)


def _ops(*names: str) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


_ASSIGNMENT_OPS = _ops(
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.Authorization/policyAssignments/delete",
)
_CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"
# The operations that change a resource of each kind (on it or on a child resource).
OPERATIONS: dict[str, frozenset[str]] = {
    ACTIVITY_LOG_SETTING: _ops(
        "microsoft.insights/diagnosticSettings/write",
        "microsoft.insights/diagnosticSettings/delete",
    ),
    WORKSPACE: _ops(
        "Microsoft.OperationalInsights/workspaces/write",
        "Microsoft.OperationalInsights/workspaces/delete",
        "Microsoft.OperationalInsights/workspaces/tables/write",
        "Microsoft.OperationalInsights/workspaces/tables/delete",
    ),
    STORAGE_ACCOUNT: _ops(
        "Microsoft.Storage/storageAccounts/write",
        "Microsoft.Storage/storageAccounts/delete",
        "Microsoft.Storage/storageAccounts/managementPolicies/write",
        "Microsoft.Storage/storageAccounts/managementPolicies/delete",
        "Microsoft.Storage/storageAccounts/blobServices/write",
        f"{_CONTAINERS}/write",
        f"{_CONTAINERS}/delete",
        f"{_CONTAINERS}/immutabilityPolicies/write",
        f"{_CONTAINERS}/immutabilityPolicies/delete",
        f"{_CONTAINERS}/immutabilityPolicies/lock/action",
        f"{_CONTAINERS}/immutabilityPolicies/extend/action",
    ),
    ASSIGNMENT: _ASSIGNMENT_OPS,
    COMPLIANCE: _ASSIGNMENT_OPS,  # its id is the assignment's: the assignment's own writes
}
CHANGE_VERBS = ("/write", "/delete")


@dataclass
class LogRead:
    """The events read from one log for the window, or why they could not all be read."""

    log: str  # a subscription id, or TENANT_LOG
    source: str
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def log_of(resource_id: str) -> str:
    """The log that records a resource's changes: the (lower-case) subscription of its id,
    or :data:`TENANT_LOG` for ids outside subscriptions."""
    parts = [p for p in resource_id.split("/") if p]
    if len(parts) >= 2 and parts[0].lower() == "subscriptions":
        return parts[1].lower()
    return TENANT_LOG


def source_of(log: str) -> str:
    """How an event's origin is named in reports."""
    return f"activity-log /subscriptions/{log}" if log else "activity-log tenant"


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 time as UTC (a naive one is UTC); None when it is not one."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def window(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """The window as UTC datetimes; an end without fractional seconds covers its second.

    Raises ValueError for a time that is not ISO 8601.
    """
    first, last = parse_time(start), parse_time(end)
    if first is None or last is None:
        raise ValueError(f"not an ISO 8601 window: {start!r} .. {end!r}")
    if last.microsecond == 0:
        last += dt.timedelta(seconds=1) - dt.timedelta(microseconds=1)
    return first, last


def odata_time(when: dt.datetime) -> str:
    """A time as the ``$filter`` takes it: ``2026-11-20T06:00:00.000000Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_filter(start: str, end: str, resource_uri: str | None = None) -> str:
    """The ``$filter`` of one window (optionally of one resource)."""
    first, last = window(start, end)
    text = f"eventTimestamp ge '{odata_time(first)}' and eventTimestamp le '{odata_time(last)}'"
    if resource_uri:
        text += " and resourceUri eq '{}'".format(resource_uri.replace("'", "''"))
    return text


def _value(doc: dict[str, Any], key: str) -> str:
    found = doc.get(key)
    if isinstance(found, dict):  # a LocalizableString {"value", "localizedValue"}
        found = found.get("value")
    return str(found or "")


def changes(subject: Subject, doc: dict[str, Any]) -> bool:
    """Whether the event is an operation that changes ``subject`` (or a child of it)."""
    operation = _value(doc, "operationName").lower()
    known = OPERATIONS.get(subject.kind)
    if not (operation in known if known is not None else operation.endswith(CHANGE_VERBS)):
        return False
    resource = _value(doc, "resourceId").rstrip("/").lower()
    target = subject.resource_id.rstrip("/").lower()
    return bool(target) and (resource == target or resource.startswith(f"{target}/"))


def succeeded(doc: dict[str, Any]) -> bool:
    """Whether the event is the successful end of an Administrative operation."""
    administrative = _value(doc, "category").lower() in ("", "administrative")
    return administrative and _value(doc, "status").lower() == "succeeded"


def audit_event(doc: dict[str, Any], source: str) -> AuditEvent:
    """An Activity Log event as an :class:`AuditEvent` (time in UTC, microseconds)."""
    when = parse_time(_value(doc, "eventTimestamp"))
    http = doc.get("httpRequest") if isinstance(doc.get("httpRequest"), dict) else {}
    return AuditEvent(
        principal=_value(doc, "caller"),
        action=_value(doc, "operationName"),
        time=odata_time(when) if when is not None else _value(doc, "eventTimestamp"),
        source_ip=str((http or {}).get("clientIpAddress") or ""),
        source=source,
        event_id=_value(doc, "eventDataId"),
        resource=_value(doc, "resourceId"),
    )


def match(
    subject: Subject, docs: Iterable[dict[str, Any]], start: str, end: str, source: str
) -> list[AuditEvent]:
    """The successful changes of ``subject`` inside the window, oldest first, one per
    (correlationId, operation, resource)."""
    first, last = window(start, end)
    found: dict[tuple[str, str, str], tuple[dt.datetime, AuditEvent]] = {}
    for doc in docs:
        when = parse_time(_value(doc, "eventTimestamp"))
        if when is None or not first <= when <= last:
            continue
        if not (succeeded(doc) and changes(subject, doc)):
            continue
        event = audit_event(doc, source)
        key = (
            _value(doc, "correlationId") or event.event_id,
            event.action.lower(),
            event.resource.rstrip("/").lower(),
        )
        if key not in found or when < found[key][0]:
            found[key] = (when, event)
    return [e for _, e in sorted(found.values(), key=lambda p: (p[0], p[1].event_id))]


def read_log(pool: SessionPool, log: str, start: str, end: str) -> LogRead:
    """Every event of one log in the window (the SDK follows the ``nextLink`` pages).

    A failure keeps the events read before it and says why in ``error``.
    """
    read = LogRead(log, source_of(log))
    try:
        wanted = event_filter(start, end)
        if log:
            client = pool.for_subscription(log).client("monitor")
            pages = client.activity_logs.list(filter=wanted, select=SELECT)
        else:
            client = pool.tenant_session().client("monitor")
            pages = client.tenant_activity_logs.list(filter=wanted, select=SELECT)
        for event in pages:
            read.events.append(to_json(event))
    except AZURE_ERRORS as exc:
        code, message = error_code(exc)
        where = f"subscription {log}" if log else "the tenant"
        read.error = f"{code}: reading the Activity Log of {where}: {message}"
    except ValueError as exc:  # a window that is not ISO 8601
        read.error = f"InvalidWindow: {exc}"
    return read


def _pool(inventories: Sequence[Inventory]) -> tuple[SessionPool | None, str]:
    problem = "no Azure inventory of this scan has a session"
    for inv in inventories:
        try:
            session = session_of(inv)
        except AZURE_ERRORS as exc:
            code, message = error_code(exc)
            problem = f"{code}: {message}"
            continue
        pool = getattr(session, "pool", None)
        if isinstance(pool, SessionPool):
            return pool, ""
    return None, problem


def attribute(
    subjects: Sequence[Subject], start: str, end: str, inventories: Sequence[Inventory]
) -> list[Attribution]:
    """One :class:`Attribution` per subject, from one query per log (in parallel)."""
    pool, problem = _pool(inventories)
    if pool is None:
        return [Attribution(s, error=problem) for s in subjects]
    logs = sorted({log_of(s.resource_id) for s in subjects})
    if not logs:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(logs))) as workers:
        reads = dict(
            zip(logs, workers.map(lambda log: read_log(pool, log, start, end), logs), strict=True)
        )
    out = []
    for subject in subjects:
        read = reads[log_of(subject.resource_id)]
        events = match(subject, read.events, start, end, read.source) if read.events else []
        error = read.error
        if read.log == TENANT_LOG and not events:
            error = "; ".join(e for e in (error, TENANT_GAP) if e)
        out.append(Attribution(subject, events, error))
    return out
