"""``aws.logs.log_group``: the CloudWatch Logs groups that trails deliver to;
``aws.logs.metric_filter``: the metric filters of those that receive a multi-region trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.alert_docs import METRIC_FILTER
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


def collect_metric_filters(inv: Inventory) -> Iterator[Item]:
    """The metric filters of this account's log groups that receive a multi-region trail
    (an organization trail is one): one paginated DescribeMetricFilters per such group, read
    once, in the account that owns the group, whichever accounts the trail covers."""
    me = viewer_id(inv)
    gaps = source_errors(inv, TRAIL, LOG_GROUP)
    if gaps:
        yield incomplete(me, METRIC_FILTER, "the metric filters of the trails' log groups", gaps)
        return
    multi_region = {
        t.id for t in inv.get(TRAIL).resources if t.data.get("IsMultiRegionTrail") is True
    }
    session = session_of(inv)
    for group in inv.get(LOG_GROUP).resources:
        if not multi_region.intersection(group.data.get("UsedBy") or ()):
            continue
        name = str(group.data["logGroupName"])
        pages = session.client("logs", group.region).get_paginator("describe_metric_filters")
        try:
            found = [
                f
                for page in pages.paginate(logGroupName=name)
                for f in page["metricFilters"]
                if f.get("logGroupName", name) == name
            ]
        except AWS_ERRORS as exc:
            yield failure(me, METRIC_FILTER, group.region, exc, f"metric filters of {name}")
            continue
        for found_filter in found:
            rid = f"{group.id}:metric-filter/{found_filter['filterName']}"
            data = {**found_filter, "LogGroupArn": group.id}
            yield resource(METRIC_FILTER, rid, me, group.region, data)


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
    ResourceKind(
        name=METRIC_FILTER,
        reads=(TRAIL, LOG_GROUP),
        cloud=NAME,
        description="Metric filters of the log groups that receive a multi-region trail.",
        collect=collect_metric_filters,
        stage=3,
    ),
]
