"""What the monitoring kinds and controls share, without botocore (the checks of every cloud are
imported by every scan): the kind names, the EventBridge parameter, and how an alarm, a metric
filter and a topic ARN are read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

METRIC_FILTER = "aws.logs.metric_filter"
ALARM = "aws.cloudwatch.alarm"
SNS_TOPIC = "aws.sns.topic"
EVENT_BUS = "aws.events.default_bus"

#: The parameter that lets an EventBridge rule satisfy the monitoring controls.
ACCEPT_EVENTBRIDGE = "alert_via_eventbridge"

Metric = tuple[str, str]  # (namespace, name)


def alarm_metrics(alarm: Mapping[str, Any]) -> set[Metric]:
    """Every metric an alarm reads: its own ``Namespace``/``MetricName``, or those of the
    ``MetricStat`` queries of a metric-math alarm."""
    found: set[Metric] = set()
    if alarm.get("MetricName"):
        found.add((str(alarm.get("Namespace") or ""), str(alarm["MetricName"])))
    for query in alarm.get("Metrics") or ():
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            found.add((str(metric.get("Namespace") or ""), str(metric["MetricName"])))
    return found


def filter_metrics(metric_filter: Mapping[str, Any]) -> set[Metric]:
    """The metrics a metric filter publishes."""
    return {
        (str(t.get("metricNamespace") or ""), str(t.get("metricName") or ""))
        for t in metric_filter.get("metricTransformations") or ()
    }


def is_topic(arn: str) -> bool:
    """Whether ``arn`` names an SNS topic (``arn:partition:sns:region:account:name``)."""
    parts = arn.split(":")
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" and bool(parts[5])


def arn_account(arn: str) -> str:
    """The account of an ARN ("" when ``arn`` is not one)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else ""
