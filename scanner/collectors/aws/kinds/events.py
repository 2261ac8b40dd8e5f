"""``aws.events.default_bus``: the default EventBridge bus of each scanned region, with the
rules that match events and their targets.

CloudTrail delivers an account's events to that account's default bus, in the region where the
call was made, so each account lists the bus's rules in every scanned region (one paginated
ListRules) and reads the targets (ListTargetsByRule) of the event-pattern rules that are not
disabled. One document per region, rules or not, so a region without a rule is known to have
none. Stage 0: read lazily, only for an account where a monitoring control's metric filters do
not already satisfy a requirement; with the parameter ``alert_via_eventbridge`` off, never.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.alert_docs import ACCEPT_EVENTBRIDGE, EVENT_BUS
from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    failure,
    resource,
    scan_regions,
    session_of,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

_KEPT = ("Name", "Arn", "EventPattern", "State")


def collect_rules(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The default bus of every scanned region, with its event-pattern rules and their targets."""
    if not inv.parameters.get(ACCEPT_EVENTBRIDGE, True):
        return
    me = viewer_id(inv)
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(me, EVENT_BUS, "", exc, "listing the enabled regions")
        return
    session = session_of(inv)
    for region in regions:
        client = session.client("events", region)
        try:
            rules = [
                r
                for page in client.get_paginator("list_rules").paginate(EventBusName="default")
                for r in page["Rules"]
                if r.get("EventPattern")
            ]
        except AWS_ERRORS as exc:
            yield failure(me, EVENT_BUS, region, exc, "listing the EventBridge rules")
            continue
        documents: list[dict[str, Any]] = []
        try:
            for rule in rules:
                data: dict[str, Any] = {k: rule[k] for k in _KEPT if k in rule}
                data["Targets"] = []
                if rule.get("State") != "DISABLED":
                    data["Targets"] = _targets(client, str(rule["Name"]))
                documents.append(data)
        except AWS_ERRORS as exc:
            yield failure(me, EVENT_BUS, region, exc, "reading the targets of the rules")
            continue
        rid = f"arn:{session.partition}:events:{region}:{me}:event-bus/default"
        yield resource(EVENT_BUS, rid, me, region, {"Name": "default", "Rules": documents})


def _targets(client: Any, rule: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_targets_by_rule").paginate(Rule=rule, EventBusName="default")
    return [{"Id": t["Id"], "Arn": t["Arn"]} for page in pages for t in page["Targets"]]


KINDS = [
    ResourceKind(
        name=EVENT_BUS,
        reads=(),
        cloud=NAME,
        description="The default EventBridge bus of each scanned region, its rules and targets.",
        collect=collect_rules,
    ),
]
