"""CloudTrail event history for the sandbox: the records ``LookupEvents`` answers with.

moto 5.2 has no ``LookupEvents``. The changes of :mod:`logwarden_sandbox.aws_changes` record
here the CloudTrail records their API calls cause, and the sandbox server's middleware
(:mod:`logwarden_sandbox.aws_server`) answers ``LookupEvents`` from them, per account and region
(the caller's), as AWS's event history does:

- at most one lookup attribute (``EventId``, ``EventName``, ``ReadOnly``, ``Username``,
  ``ResourceType``, ``ResourceName``, ``EventSource``, ``AccessKeyId``), else
  ``InvalidLookupAttributesException``;
- ``StartTime <= EventTime <= EndTime`` (both optional), newest event first;
- ``MaxResults`` 1..50 (default 50) with an opaque ``NextToken``;
- ``EventCategory: insight`` answers no event (the sandbox has no Insights).

State is module-level, like moto's own backends: every server of a process shares it, and
:meth:`MotoServer.reset` (or ``POST /moto-api/reset``) clears it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from logwarden_sandbox.aws_faults import RequestInfo

_LOCK = threading.Lock()
_EVENTS: dict[tuple[str, str], list[Entry]] = {}

ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


@dataclass(frozen=True)
class Entry:
    """One recorded event: the CloudTrail record and the resources event history lists."""

    record: dict[str, Any]
    resources: tuple[tuple[str, str], ...] = ()  # (ResourceType, ResourceName)

    @property
    def time(self) -> dt.datetime:
        """The record's eventTime (aware, UTC)."""
        return dt.datetime.fromisoformat(str(self.record["eventTime"]))


def record(event: dict[str, Any], resources: Sequence[tuple[str, str]] = ()) -> None:
    """Keep ``event`` in the history of its ``recipientAccountId`` and ``awsRegion``."""
    key = (str(event["recipientAccountId"]), str(event["awsRegion"]))
    with _LOCK:
        _EVENTS.setdefault(key, []).append(Entry(dict(event), tuple(resources)))


def clear() -> None:
    """Forget every recorded event (moto's state was reset)."""
    with _LOCK:
        _EVENTS.clear()


def events(account: str, region: str) -> list[Entry]:
    """The events of ``account`` in ``region``, oldest first."""
    with _LOCK:
        found = list(_EVENTS.get((account, region), []))
    return sorted(found, key=lambda e: (e.time, e.record.get("eventID", "")))


def username(event: dict[str, Any]) -> str:
    """The user name event history shows: an assumed role's session name, a user's name."""
    identity = event.get("userIdentity") or {}
    if identity.get("userName"):
        return str(identity["userName"])
    if identity.get("type") == "Root":
        return "root"
    return str(identity.get("arn", "")).rsplit("/", 1)[-1]


def _value(entry: Entry, key: str) -> list[str]:
    event = entry.record
    simple = {
        "EventId": event.get("eventID"),
        "EventName": event.get("eventName"),
        "EventSource": event.get("eventSource"),
        "ReadOnly": str(event.get("readOnly", False)).lower(),
        "Username": username(event),
        "AccessKeyId": (event.get("userIdentity") or {}).get("accessKeyId"),
    }
    if key in simple:
        return [str(simple[key] or "")]
    index = 0 if key == "ResourceType" else 1
    return [r[index] for r in entry.resources]


def _to_wire(entry: Entry) -> dict[str, Any]:
    event = entry.record
    out: dict[str, Any] = {
        "EventId": event.get("eventID", ""),
        "EventName": event.get("eventName", ""),
        "ReadOnly": str(event.get("readOnly", False)).lower(),
        "EventTime": entry.time.timestamp(),
        "EventSource": event.get("eventSource", ""),
        "Username": username(event),
        "Resources": [{"ResourceType": t, "ResourceName": n} for t, n in entry.resources],
        "CloudTrailEvent": json.dumps(event),
    }
    key = (event.get("userIdentity") or {}).get("accessKeyId")
    if key:
        out["AccessKeyId"] = key
    return out


def _respond(
    start_response: Callable[..., Any], document: dict[str, Any], status: str = "200 OK"
) -> list[bytes]:
    body = json.dumps(document).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]


def _invalid(start_response: Callable[..., Any], code: str, message: str) -> list[bytes]:
    return _respond(start_response, {"__type": code, "message": message}, "400 Bad Request")


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromtimestamp(float(value), dt.UTC)


def lookup_events(info: RequestInfo, start_response: Callable[..., Any]) -> list[bytes]:
    """Answer one ``LookupEvents`` request of ``info.account`` in ``info.region``."""
    params = info.json_body()
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        return _invalid(
            start_response,
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute per request.",
        )
    if attributes and attributes[0].get("AttributeKey") not in ATTRIBUTE_KEYS:
        return _invalid(
            start_response, "InvalidLookupAttributesException", "Invalid attribute key."
        )
    limit = int(params.get("MaxResults") or 50)
    if not 1 <= limit <= 50:
        return _invalid(start_response, "InvalidMaxResultsException", "MaxResults must be 1 to 50.")
    start, end = _time(params.get("StartTime")), _time(params.get("EndTime"))
    if start is not None and end is not None and start > end:
        return _invalid(
            start_response, "InvalidTimeRangeException", "StartTime must be before EndTime."
        )
    try:
        offset = int(params.get("NextToken") or 0)
    except ValueError:
        return _invalid(start_response, "InvalidNextTokenException", "Invalid NextToken.")
    found = [
        e
        for e in reversed(events(info.account, info.region))
        if (start is None or e.time >= start)
        and (end is None or e.time <= end)
        and params.get("EventCategory") != "insight"
        and (
            not attributes
            or str(attributes[0].get("AttributeValue", ""))
            in _value(e, attributes[0]["AttributeKey"])
        )
    ]
    page = found[offset : offset + limit]
    answer: dict[str, Any] = {"Events": [_to_wire(e) for e in page]}
    if offset + limit < len(found):
        answer["NextToken"] = str(offset + limit)
    return _respond(start_response, answer)
