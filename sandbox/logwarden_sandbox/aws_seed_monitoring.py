"""Seed the alerting of a :class:`~logwarden_sandbox.aws_monitoring_spec.MonitoringSpec`: in
the account that owns the organization trail's log group, one metric filter per control with
its alarm, the topics the alarms notify (the subscribed one gets an e-mail subscription, which
moto confirms at once), and an EventBridge rule on CloudTrail changes per region."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from logwarden_sandbox.aws_monitoring_spec import (
    SUBSCRIBED,
    TRAIL,
    UNSUBSCRIBED,
    MonitoringSpec,
)
from logwarden_sandbox.aws_zone import MANAGEMENT

if TYPE_CHECKING:
    from logwarden_sandbox.aws_seed import Seeder

NAMESPACE = "CISBenchmark"
Client = Callable[[str, str], Any]  # (service, region) -> a boto3 client of the account


def seed_monitoring(
    spec: MonitoringSpec,
    client: Client,
    *,
    log_group: str | None,
    bucket: str,
    regions: tuple[str, ...],
    home: str,
) -> None:
    """Create ``spec`` with the account's ``client``: the metric filters on ``log_group`` (a
    name, in ``home``; None: no filter), the topics and the EventBridge rules."""
    sns = client("sns", home)
    topics = {name: sns.create_topic(Name=name)["TopicArn"] for name in (SUBSCRIBED, UNSUBSCRIBED)}
    sns.subscribe(TopicArn=topics[SUBSCRIBED], Protocol="email", Endpoint="security@example.com")
    logs, cloudwatch = client("logs", home), client("cloudwatch", home)
    for name, alert in spec.alerts.items() if log_group else ():
        pattern = alert.pattern.replace("{bucket}", bucket)
        if alert.drop_event:
            pattern = _without(pattern, alert.drop_event)
        logs.put_metric_filter(
            logGroupName=log_group,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}
            ],
        )
        if not alert.alarm:
            continue
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName=name,
            Namespace=NAMESPACE,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topics[alert.topic]] if alert.alarm_actions else [],
        )
    if spec.eventbridge_trail_rule:
        rule_pattern = {
            "source": ["aws.cloudtrail"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": ["cloudtrail.amazonaws.com"], "eventName": list(TRAIL)},
        }
        for region in regions:
            events = client("events", region)
            events.put_rule(
                Name="cloudtrail-changes", EventPattern=json.dumps(rule_pattern), State="ENABLED"
            )
            target = (
                topics[SUBSCRIBED]
                if region == home
                else client("sns", region).create_topic(Name=SUBSCRIBED)["TopicArn"]
            )
            if region != home:
                client("sns", region).subscribe(
                    TopicArn=target, Protocol="email", Endpoint="security@example.com"
                )
            events.put_targets(Rule="cloudtrail-changes", Targets=[{"Id": "notify", "Arn": target}])


def _without(pattern: str, event: str) -> str:
    """``pattern`` with the test of ``event`` removed (one ``($.eventName = event) ||``)."""
    for form in (
        f"($.eventName = {event}) || ",
        f" || ($.eventName = {event})",
        f'$.eventName = "{event}" || ',
        f' || $.eventName = "{event}"',
    ):
        if form in pattern:
            return pattern.replace(form, "", 1)
    raise ValueError(f"{event} is not in {pattern}")


def seed_for(seeder: Seeder) -> None:
    """The zone's alerting: metric filters on the organization trail's log group (when it has
    one) and the EventBridge rules."""
    seed_monitoring(
        seeder.zone.monitoring,
        lambda service, region: seeder.client_of(service, MANAGEMENT, region),
        log_group=seeder.org_log_group_arn.split(":log-group:", 1)[-1] or None,
        bucket=seeder.log_bucket,
        regions=seeder.zone.regions,
        home=seeder.home,
    )
