"""``aws.logs.log_group``: the CloudWatch Logs groups that trails deliver to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    LOG_GROUP,
    NAME,
    TRAIL,
    Arn,
    failure,
    incomplete,
    problem,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def collect_log_groups(inv: Inventory) -> Iterator[Item]:
    """The log groups this account's own trails deliver to, exact name, in their region."""
    me = viewer_id(inv)
    session = session_of(inv)
    gaps = source_errors(inv, TRAIL)
    if gaps:
        yield incomplete(me, LOG_GROUP, "the log groups of this account's trails", gaps)
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for trail in inv.get(TRAIL).resources:
        arn = Arn.parse(trail.data.get("CloudWatchLogsLogGroupArn") or "")
        if trail.tenant_id != me or arn is None or not arn.resource.startswith("log-group:"):
            continue
        name = arn.resource.removeprefix("log-group:").removesuffix(":*")
        wanted[(arn.region, name)].add(trail.id)
    for (region, name), users in sorted(wanted.items()):
        pages = session.client("logs", region).get_paginator("describe_log_groups")
        found: dict[str, Any] | None = None
        try:
            for page in pages.paginate(logGroupNamePrefix=name):
                found = next((g for g in page["logGroups"] if g["logGroupName"] == name), None)
                if found is not None:
                    break
        except AWS_ERRORS as exc:
            yield failure(me, LOG_GROUP, region, exc, f"describing log group {name}")
            continue
        if found is None:
            yield problem(
                me,
                LOG_GROUP,
                region,
                "LogGroupNotFound",
                f"log group {name!r} that trail {', '.join(sorted(users))} delivers to does not exist",
            )
            continue
        rid = f"arn:{session.partition}:logs:{region}:{me}:log-group:{name}"
        yield resource(LOG_GROUP, rid, me, region, {**found, "UsedBy": sorted(users)})


KINDS = [
    ResourceKind(
        name=LOG_GROUP,
        reads=(TRAIL,),
        cloud=NAME,
        description="CloudWatch Logs groups that the account's trails deliver to.",
        collect=collect_log_groups,
        stage=2,
        volatile=("storedBytes",),  # grows with every event the trail delivers
    ),
]
