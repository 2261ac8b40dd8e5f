"""What the fake ``ListLogEntries`` answers: the sandbox's audit log, selected and paged.

The part of the Logging query language logwarden uses, and nothing else (anything else is
``INVALID_ARGUMENT``, so a query the fake would silently misread cannot pass a test): terms
joined by ``AND``, each one of

- ``logName="NAME"``;
- ``timestamp OP "RFC3339"`` with OP one of ``> >= < <= =``;
- ``protoPayload.serviceName="S"`` or ``protoPayload.serviceName=("S1" OR "S2" ...)``.

``resource_names`` bound the search: an entry is found only in the log of one of them
(projects by id or number). Entries come ``timestamp asc`` (default) or ``timestamp desc``,
at most :data:`PAGE_SIZE` a page whatever the page size asked (Google, too, may answer fewer
entries than asked), with the offset as the page token.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from google.cloud.audit import audit_log_pb2
from google.cloud.logging_v2.types import LogEntry

from logwarden_sandbox.gcp_faults import FakeError

PAGE_SIZE = 2
ORDERS = {"": False, "timestamp asc": False, "timestamp desc": True}
_TERM = re.compile(
    r"^(?P<field>logName|timestamp|protoPayload\.serviceName)\s*(?P<op>>=|<=|=|>|<)\s*"
    r"(?P<value>\"[^\"]*\"|\((?:\s*\"[^\"]*\"\s*(?:OR)?)+\))$"
)
_QUOTED = re.compile(r"\"([^\"]*)\"")
_COMPARE: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
}

Test = Callable[[LogEntry], bool]


def parse_time(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (``Z`` or an offset); raises ``FakeError`` INVALID_ARGUMENT."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FakeError("INVALID_ARGUMENT", f"invalid timestamp {text!r} in filter") from None
    if value.tzinfo is None:
        raise FakeError("INVALID_ARGUMENT", f"timestamp {text!r} has no time zone")
    return value.astimezone(dt.UTC)


def service_of(entry: LogEntry) -> str:
    """``protoPayload.serviceName`` of an audit entry ("" for another payload)."""
    payload = entry.proto_payload
    audit = audit_log_pb2.AuditLog()
    if payload.Is(audit.DESCRIPTOR):
        payload.Unpack(audit)
        return audit.service_name
    return ""


def _term(text: str) -> Test:
    found = _TERM.match(text.strip())
    if not found:
        raise FakeError("INVALID_ARGUMENT", f"the sandbox does not understand filter term {text!r}")
    field, op, raw = found["field"], found["op"], found["value"]
    values = _QUOTED.findall(raw)
    if raw.startswith("(") and (field != "protoPayload.serviceName" or op != "="):
        raise FakeError("INVALID_ARGUMENT", f"an OR group is only served for serviceName: {text!r}")
    if field == "timestamp":
        bound, compare = parse_time(values[0]), _COMPARE[op]
        return lambda e: compare(e.timestamp.astimezone(dt.UTC), bound)
    if op != "=":
        raise FakeError("INVALID_ARGUMENT", f"{field} takes '=' only: {text!r}")
    if field == "logName":
        return lambda e: e.log_name == values[0]
    return lambda e: service_of(e) in values


def parse_filter(text: str) -> list[Test]:
    """The tests of a filter (empty filter: every entry); raises ``FakeError``."""
    text = text.strip()
    if not text:
        return []
    return [_term(part) for part in re.split(r"\s+AND\s+", text)]


@dataclass(frozen=True)
class Page:
    """One answer: the entries and the token of the next page ("" at the end)."""

    entries: list[LogEntry]
    next_page_token: str


def select(
    entries: Sequence[LogEntry],
    parents: Sequence[str],
    filter_text: str,
    order_by: str,
    page_token: str,
) -> Page:
    """The page of ``entries`` in the logs of ``parents`` (canonical names) that match."""
    if order_by not in ORDERS:
        raise FakeError("INVALID_ARGUMENT", f"order_by must be one of {sorted(ORDERS)[1:]}")
    tests = parse_filter(filter_text)
    prefixes = tuple(f"{p}/logs/" for p in parents)
    found = [e for e in entries if e.log_name.startswith(prefixes) and all(t(e) for t in tests)]
    found.sort(key=lambda e: (e.timestamp, e.insert_id), reverse=ORDERS[order_by])
    try:
        start = int(page_token or 0)
    except ValueError:
        raise FakeError("INVALID_ARGUMENT", f"invalid page token {page_token!r}") from None
    end = start + PAGE_SIZE
    return Page(found[start:end], str(end) if end < len(found) else "")
