"""``aws.cloudwatch.alarm``: the alarms on the metrics of the trails' metric filters.

Stage 4: each account reads its own metric filters (stage 3) and, once per region that has
some, lists its metric alarms (one paginated DescribeAlarms); only the alarms on a metric one
of those filters publishes are kept, so the documents stay small whatever else is alarmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from logwarden.scanner.collectors.aws.alert_docs import (
    ALARM,
    METRIC_FILTER,
    Metric,
    alarm_metrics,
    filter_metrics,
)
from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    failure,
    incomplete,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind


def collect_alarms(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The metric alarms of this account on a metric its trails' metric filters publish."""
    me = viewer_id(inv)
    gaps = source_errors(inv, METRIC_FILTER)
    if gaps:
        yield incomplete(me, ALARM, "the alarms on the trails' metric filters", gaps)
        return
    wanted: dict[str, set[Metric]] = defaultdict(set)
    for metric_filter in inv.get(METRIC_FILTER).resources:
        wanted[metric_filter.region] |= filter_metrics(dict(metric_filter.data))
    session = session_of(inv)
    for region, metrics in sorted(wanted.items()):
        pages = session.client("cloudwatch", region).get_paginator("describe_alarms")
        try:
            alarms = [
                a
                for page in pages.paginate(AlarmTypes=["MetricAlarm"])
                for a in page["MetricAlarms"]
            ]
        except AWS_ERRORS as exc:
            yield failure(me, ALARM, region, exc, "describing the metric alarms")
            continue
        for alarm in alarms:
            if alarm_metrics(alarm) & metrics:
                yield resource(ALARM, alarm["AlarmArn"], me, region, alarm)


KINDS = [
    ResourceKind(
        name=ALARM,
        reads=(METRIC_FILTER,),
        cloud=NAME,
        description="Metric alarms on a metric that a trail log group's metric filter publishes.",
        collect=collect_alarms,
        stage=4,
        volatile=(
            "StateValue",
            "StateReason",
            "StateReasonData",
            "StateUpdatedTimestamp",
            "StateTransitionedTimestamp",
        ),
    ),
]
