"""The fallback source: CloudTrail event history (``cloudtrail:LookupEvents``) of one account
and region.

Event history keeps 90 days of management events whether or not a trail is logging, so it
also answers for changes made after the organization trail was stopped. It takes one lookup
attribute per request: each target is looked up by ``ResourceName`` (its ARN and names); a
target that none of those answers is looked up by ``EventName``, once per change event of its
kind (answers are shared between targets). Every answer goes through the same matcher as the
archive's records (``CloudTrailEvent`` is the full record). AWS allows 2 requests per second
per account and region (throttled requests are retried by botocore), so the number of requests
per account and region is capped; :class:`LookupRead` says when the cap cut the search short.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.collectors.aws.attribution.match import Target, Window, match

MAX_LOOKUP_CALLS = 40
PAGE_SIZE = 50

Record = dict[str, Any]


def source_name(account: str, region: str) -> str:
    """How events read here are labelled: ``cloudtrail:LookupEvents <account>/<region>``."""
    return f"cloudtrail:LookupEvents {account}/{region}"


def record_of(event: dict[str, Any]) -> Record:
    """The CloudTrail record of one LookupEvents event (its ``CloudTrailEvent`` JSON; the
    summary fields when that is missing or malformed)."""
    try:
        record = json.loads(event.get("CloudTrailEvent") or "")
    except ValueError:
        record = None
    if isinstance(record, dict):
        return record
    when: Any = event.get("EventTime")
    return {
        "eventID": event.get("EventId", ""),
        "eventName": event.get("EventName", ""),
        "eventSource": event.get("EventSource", ""),
        "eventTime": when.isoformat() if isinstance(when, dt.datetime) else str(when or ""),
        "readOnly": event.get("ReadOnly", ""),
        "userIdentity": {"principalId": event.get("Username", "")},
        "resources": [{"ARN": r.get("ResourceName", "")} for r in event.get("Resources", [])],
    }


@dataclass
class LookupRead:
    """What one account-and-region lookup did."""

    calls: int = 0
    truncated: bool = False
    answers: dict[tuple[str, str], list[Record]] = field(default_factory=dict)


def lookup(
    client: Any,
    targets: Sequence[Target],
    window: Window,
    found: Callable[[Target, Record, str], None],
    *,
    max_calls: int = MAX_LOOKUP_CALLS,
) -> LookupRead:
    """Look up every target; call ``found(target, record, matched_name)`` for each match.

    Raises the CloudTrail error (AccessDenied, ...) when a request fails.
    """
    read = LookupRead()
    for target in targets:
        hits = 0
        for value in target.lookup_values:
            hits += _visit(client, read, ("ResourceName", value), target, window, found, max_calls)
        if hits == 0:
            for action in sorted(target.rule.actions):
                attribute = ("EventName", action)
                hits += _visit(client, read, attribute, target, window, found, max_calls)
    return read


def _visit(
    client: Any,
    read: LookupRead,
    attribute: tuple[str, str],
    target: Target,
    window: Window,
    found: Callable[[Target, Record, str], None],
    max_calls: int,
) -> int:
    hits = 0
    for record in _records(client, read, attribute, window, max_calls):
        name = match(record, target, window)
        if name is not None:
            found(target, record, name)
            hits += 1
    return hits


def _records(
    client: Any, read: LookupRead, attribute: tuple[str, str], window: Window, max_calls: int
) -> list[Record]:
    """Every record LookupEvents answers for one attribute in the window (memoised)."""
    if attribute in read.answers:
        return read.answers[attribute]
    out: list[Record] = []
    token = None
    while True:
        if read.calls >= max_calls:
            read.truncated = True
            break  # not memoised: the answer is incomplete
        kwargs: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": attribute[0], "AttributeValue": attribute[1]}],
            "StartTime": window.start,
            "EndTime": window.end,
            "MaxResults": PAGE_SIZE,
        }
        if token:
            kwargs["NextToken"] = token
        read.calls += 1
        answer = client.lookup_events(**kwargs)
        out.extend(record_of(e) for e in answer["Events"])
        token = answer.get("NextToken")
        if not token:
            read.answers[attribute] = out
            break
    return out
