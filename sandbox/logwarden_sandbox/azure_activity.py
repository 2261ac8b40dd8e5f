"""The emulated Activity Log: the events the sandbox records when it changes the tenant.

Events have the shape of ``GET .../providers/Microsoft.Insights/eventtypes/management/values``
(api-version 2015-04-01): ``operationName``, ``status``, ``category`` and friends are
localizable strings (``{"value", "localizedValue"}``), ``eventTimestamp`` has seven fractional
digits. A subscription's log holds the events whose ``subscriptionId`` is that subscription;
the tenant-level log holds the events outside any subscription (management groups).

The ``$filter`` grammar is the documented one: ``eventTimestamp ge '<start>'`` (required),
optionally ``eventTimestamp le '<end>'`` and one of ``resourceUri``, ``resourceGroupName``,
``resourceProvider``, ``correlationId`` ``eq '<value>'`` (and ``eventChannels eq``, ignored),
joined with ``and``. Anything else is a 400, as ARM answers it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

TERM = re.compile(r"^\s*(\w+)\s+(eq|ge|le)\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
EQ_FIELDS = {
    "resourceuri": "resourceId",
    "resourcegroupname": "resourceGroupName",
    "resourceprovider": "resourceProviderName",
    "correlationid": "correlationId",
}
UPN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
OID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier"


class FilterError(ValueError):
    """A ``$filter`` the Activity Log API would refuse (a 400)."""


@dataclass(frozen=True)
class ActivityFilter:
    """A parsed Activity Log ``$filter``: the window and at most one ``eq`` term."""

    start: dt.datetime
    end: dt.datetime | None = None
    field: str = ""  # the event field the eq term compares ("" = none)
    value: str = ""

    def matches(self, event: dict[str, Any]) -> bool:
        """Whether ``event`` is selected (ARM ids and names compare without case)."""
        when = parse_time(str(event.get("eventTimestamp") or ""))
        if when < self.start or (self.end is not None and when > self.end):
            return False
        if not self.field:
            return True
        found = event.get(self.field)
        if isinstance(found, dict):
            found = found.get("value")
        return str(found or "").rstrip("/").lower() == self.value.rstrip("/").lower()


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time (``Z`` or an offset, any number of fractional digits), as UTC."""
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$", text.strip())
    if match is None:
        raise FilterError(f"not an ISO 8601 date-time: {text!r}")
    head, fraction, zone = match.groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z") else zone
    try:
        when = dt.datetime.fromisoformat(f"{head}.{micro}{offset}")
    except ValueError as exc:
        raise FilterError(f"not an ISO 8601 date-time: {text!r}") from exc
    return when.astimezone(dt.UTC)


def parse_filter(text: str) -> ActivityFilter:
    """Parse a ``$filter``; raises :class:`FilterError` for what the API does not accept."""
    if not text.strip():
        raise FilterError("$filter is required and needs at least eventTimestamp ge '<start>'")
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    field, value = "", ""
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = TERM.match(part)
        if match is None:
            raise FilterError(f"unsupported term {part.strip()!r} in $filter {text!r}")
        name, op, raw = match.group(1).lower(), match.group(2).lower(), match.group(3)
        literal = raw.replace("''", "'")
        if name == "eventtimestamp" and op == "ge" and start is None:
            start = parse_time(literal)
        elif name == "eventtimestamp" and op == "le" and end is None:
            end = parse_time(literal)
        elif name == "eventchannels" and op == "eq":
            continue
        elif name in EQ_FIELDS and op == "eq" and not field:
            field, value = EQ_FIELDS[name], literal
        else:
            raise FilterError(f"unsupported term {part.strip()!r} in $filter {text!r}")
    if start is None:
        raise FilterError(f"$filter needs eventTimestamp ge '<start>': {text!r}")
    return ActivityFilter(start, end, field, value)


def project(event: dict[str, Any], select: str) -> dict[str, Any]:
    """``$select``: only the named top-level properties (names compare without case)."""
    wanted = {s.strip().lower() for s in select.split(",") if s.strip()}
    return {k: v for k, v in event.items() if k.lower() in wanted} if wanted else event


def wire_time(when: dt.datetime) -> str:
    """A time as the Activity Log writes it: UTC, seven fractional digits, ``Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _text(value: str) -> dict[str, str]:
    return {"value": value, "localizedValue": value}


def event_document(
    *,
    tenant_id: str,
    operation: str,
    resource_id: str,
    principal: str,
    source_ip: str,
    status: str = "Succeeded",
    when: dt.datetime | None = None,
    correlation_id: str | None = None,
    method: str = "PUT",
) -> dict[str, Any]:
    """One Administrative event of ``operation`` on ``resource_id`` by ``principal``.

    ``status`` ``Started`` is the BeginRequest event, anything else the EndRequest one.
    """
    moment = when or dt.datetime.now(dt.UTC)
    event_id = str(uuid.uuid4())
    parts = [p for p in resource_id.split("/") if p]
    low = [p.lower() for p in parts]
    subscription = parts[1].lower() if low[:1] == ["subscriptions"] and len(parts) > 1 else ""
    group = parts[low.index("resourcegroups") + 1] if "resourcegroups" in low[:-1] else ""
    provider = operation.split("/", 1)[0]
    started = status.lower() == "started"
    code = "Created" if method == "PUT" else "OK"
    doc: dict[str, Any] = {
        "authorization": {"action": operation, "scope": resource_id},
        "caller": principal,
        "channels": "Operation",
        "claims": {
            UPN_CLAIM: principal,
            "name": principal.split("@", 1)[0],
            "ipaddr": source_ip,
            OID_CLAIM: str(uuid.uuid5(uuid.NAMESPACE_URL, principal)),
        },
        "correlationId": correlation_id or str(uuid.uuid4()),
        "description": "",
        "eventDataId": event_id,
        "eventName": _text("BeginRequest" if started else "EndRequest"),
        "category": _text("Administrative"),
        "httpRequest": {
            "clientRequestId": str(uuid.uuid4()),
            "clientIpAddress": source_ip,
            "method": method,
        },
        "id": f"{resource_id}/events/{event_id}/ticks/{int(moment.timestamp() * 10**7)}",
        "level": "Informational",
        "resourceGroupName": group,
        "resourceProviderName": _text(provider),
        "resourceId": resource_id,
        "resourceType": _text(operation.rsplit("/", 1)[0]),
        "operationId": str(uuid.uuid4()),
        "operationName": _text(operation),
        "properties": {} if started else {"statusCode": code},
        "status": _text(status),
        "subStatus": _text("" if started else code),
        "eventTimestamp": wire_time(moment),
        "submissionTimestamp": wire_time(moment + dt.timedelta(seconds=12)),
        "tenantId": tenant_id,
    }
    if subscription:
        doc["subscriptionId"] = subscription
    return doc


class ActivityLog:
    """The recorded events of one emulated tenant; thread-safe (the server reads them)."""

    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, event: dict[str, Any]) -> dict[str, Any]:
        """Record one event (as returned by :func:`event_document`) and return it."""
        with self._lock:
            self._events.append(event)
        return event

    def query(self, subscription: str | None, wanted: ActivityFilter) -> list[dict[str, Any]]:
        """The events of a subscription's log (``None``: the tenant-level log), newest first,
        as the API lists them."""
        with self._lock:
            events = list(self._events)
        mine = [
            e
            for e in events
            if (
                str(e.get("subscriptionId") or "").lower() == subscription.lower()
                if subscription is not None
                else not e.get("subscriptionId")
            )
            and wanted.matches(e)
        ]
        return sorted(mine, key=lambda e: str(e["eventTimestamp"]), reverse=True)
