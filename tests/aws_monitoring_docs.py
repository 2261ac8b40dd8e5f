"""The monitoring half of the compliant offline world: metric filters, alarms, a subscribed
topic on the organization trail's log group, and an empty default event bus per account and
region (docs/resource-kinds.md: aws.logs.metric_filter, aws.cloudwatch.alarm, aws.sns.topic,
aws.events.default_bus)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from logwarden.checks.aws.monitoring import CIS_CONTROLS
from logwarden.checks.aws.monitoring_requirements import (
    CIS_AWS_V6_MONITORING,
    TRAIL_CHANGES,
    log_bucket_changes,
)
from logwarden.scanner.models import Resource

if TYPE_CHECKING:
    from tests.aws_docs import World

FILTER = "aws.logs.metric_filter"
ALARM = "aws.cloudwatch.alarm"
TOPIC = "aws.sns.topic"
BUS = "aws.events.default_bus"
NAMESPACE = "CISBenchmark"


def topic_arn(account: str, name: str = "security-alerts") -> str:
    return f"arn:aws:sns:us-east-1:{account}:{name}"


def filter_doc(group_arn: str, name: str, pattern: str | None) -> Resource:
    data: dict[str, Any] = {
        "filterName": name,
        "logGroupName": group_arn.split(":log-group:")[1],
        "metricTransformations": [
            {"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}
        ],
        "LogGroupArn": group_arn,
    }
    if pattern is not None:
        data["filterPattern"] = pattern
    return Resource(
        FILTER, f"{group_arn}:metric-filter/{name}", group_arn.split(":")[4], "us-east-1", data
    )


def alarm_doc(account: str, metric: str, actions: list[str] | None = None) -> Resource:
    arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:{metric}"
    data = {
        "AlarmName": metric,
        "AlarmArn": arn,
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn(account)] if actions is None else actions,
        "MetricName": metric,
        "Namespace": NAMESPACE,
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "StateValue": "OK",
    }
    return Resource(ALARM, arn, account, "us-east-1", data)


def topic_doc(account: str, confirmed: int = 1, pending: int = 0) -> Resource:
    arn = topic_arn(account)
    subscriptions = [
        {"SubscriptionArn": f"{arn}:sub-{i}", "Protocol": "email"} for i in range(confirmed)
    ]
    subscriptions += [{"SubscriptionArn": "PendingConfirmation", "Protocol": "email"}] * pending
    data = {
        "TopicArn": arn,
        "Exists": True,
        "Subscriptions": subscriptions,
        "ConfirmedSubscriptions": confirmed,
    }
    return Resource(TOPIC, arn, account, "us-east-1", data)


def bus_doc(account: str, region: str, rules: list[dict[str, Any]] | None = None) -> Resource:
    arn = f"arn:aws:events:{region}:{account}:event-bus/default"
    return Resource(BUS, arn, account, region, {"Name": "default", "Rules": rules or []})


def rule(
    name: str, pattern: dict[str, Any] | str, state: str = "ENABLED", targets: int = 1
) -> dict[str, Any]:
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    return {
        "Name": name,
        "Arn": f"arn:aws:events:us-east-1:000000000000:rule/{name}",
        "EventPattern": text,
        "State": state,
        "Targets": [
            {"Id": f"t{i}", "Arn": "arn:aws:sns:us-east-1:000000000000:t"} for i in range(targets)
        ],
    }


def metric_name(control_id: str) -> str:
    return control_id.removeprefix("aws.monitoring.")


def storage_pattern(bucket: str) -> str:
    """One filter pattern for the trail changes and the log bucket's changes."""
    trail = TRAIL_CHANGES.pattern.strip()[1:-1]
    bucket_changes = log_bucket_changes(bucket).pattern.strip()[1:-1]
    return f"{{ ({trail}) || ({bucket_changes}) }}"


def add_alerts(
    world: World, group_arn: str, owner: str, bucket: str, regions: tuple[str, ...]
) -> None:
    """Alert on every requirement from ``group_arn`` (owned by ``owner``)."""
    filters = [
        filter_doc(group_arn, metric_name(CIS_CONTROLS[r.id]), r.pattern)
        for r in CIS_AWS_V6_MONITORING
    ]
    filters.append(filter_doc(group_arn, "log_storage_changes", storage_pattern(bucket)))
    for account, kinds in world.tenants.items():
        mine = account == owner
        kinds[FILTER] = filters if mine else []
        kinds[ALARM] = [alarm_doc(owner, f.data["filterName"]) for f in filters] if mine else []
        kinds[TOPIC] = [topic_doc(owner)] if mine else []
        kinds[BUS] = [bus_doc(account, region) for region in regions]
