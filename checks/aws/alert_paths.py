"""The two ways an alert can fire on a requirement's events, judged on collected documents.

- **Metric filter and alarm** (:func:`metric_path`): a metric filter of the log group covers the
  requirement (:func:`alert_coverage.covers`), an alarm on a metric it publishes has its actions
  enabled and notifies an SNS topic with at least one confirmed subscription.
- **EventBridge** (:func:`eventbridge_path`): in every region whose events the requirement
  includes, the default bus has a rule that covers it (:func:`alert_coverage.rule_covers`:
  enabled, event pattern) and has at least one target.

Each answer is a :class:`Verdict`: ``ok``, or why not; ``unknown`` when a document it needed
was not read (never a PASS, never a FAIL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from logwarden.checks.aws.alert_coverage import Coverage, covers, rule_covers
from logwarden.checks.aws.monitoring_requirements import Requirement
from logwarden.scanner.collectors.aws.alert_docs import alarm_metrics, filter_metrics, is_topic
from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.models import Resource

#: Services whose API calls CloudTrail records in us-east-1 only (global services).
GLOBAL_SOURCES = ("iam.amazonaws.com", "organizations.amazonaws.com")
GLOBAL_REGION = "us-east-1"
# The same patterns are judged for every account a trail covers: decide each pair once, also
# when many tenants are evaluated at the same moment (an lru_cache lets every thread that
# misses compute the same verdict: at 100 accounts that was 2,700 judgments instead of 30, and
# most of the scan's CPU). Concurrent callers of a pair wait for the first one's verdict.
_verdicts = Memo()


def _covers(filter_pattern: str | None, requirement: Requirement) -> Coverage:
    return cast(
        Coverage,
        _verdicts.get(
            ("filter", filter_pattern, requirement), lambda: covers(filter_pattern, requirement)
        ),
    )


def _rule_covers(event_pattern: str | None, requirement: Requirement, state: str) -> Coverage:
    return cast(
        Coverage,
        _verdicts.get(
            ("rule", event_pattern, requirement, state),
            lambda: rule_covers(event_pattern, requirement, state),
        ),
    )


@dataclass(frozen=True)
class Verdict:
    """Whether one path alerts on a requirement; ``evidence`` says through what."""

    ok: bool
    reason: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    unknown: bool = False


@dataclass(frozen=True)
class AlertDocs:
    """What one account collected of the alerting kinds (for one log group's owner)."""

    filters: Sequence[Resource]
    alarms: Sequence[Resource]
    topics: Mapping[str, Resource]


def metric_path(docs: AlertDocs, group_arn: str, requirement: Requirement) -> Verdict:
    """Whether a metric filter of ``group_arn`` with an alarm notifies someone of
    ``requirement``'s events."""
    filters = [f for f in docs.filters if f.data.get("LogGroupArn") == group_arn]
    if not filters:
        return Verdict(False, f"log group {group_arn} has no metric filter")
    judged = [(f, _covers(f.data.get("filterPattern"), requirement)) for f in filters]
    matching = [f for f, coverage in judged if coverage.covered]
    if not matching:
        # the closest filters first: those that miss the fewest of the requirement's events
        judged.sort(key=lambda pair: len(pair[1].missing) or 10**6)
        shown = "; ".join(f"{f.data.get('filterName')}: {c.reason}" for f, c in judged[:2])
        return Verdict(False, f"no metric filter of log group {group_arn} matches: {shown}")
    gaps: list[str] = []
    unknown = False
    for metric_filter in matching:
        verdict = _alarmed(docs, metric_filter)
        if verdict.ok:
            return verdict
        gaps.append(verdict.reason)
        unknown = unknown or verdict.unknown
    return Verdict(False, "; ".join(gaps), unknown=unknown)


def _alarmed(docs: AlertDocs, metric_filter: Resource) -> Verdict:
    name = metric_filter.data.get("filterName")
    metrics = filter_metrics(dict(metric_filter.data))
    alarms = [a for a in docs.alarms if alarm_metrics(dict(a.data)) & metrics]
    shown = ", ".join(f"{ns}/{metric}" for ns, metric in sorted(metrics)) or "no metric"
    if not alarms:
        return Verdict(False, f"metric filter {name} matches, but no alarm watches {shown}")
    gaps: list[str] = []
    unknown = False
    for alarm in alarms:
        alarm_name = alarm.data.get("AlarmName")
        if alarm.data.get("ActionsEnabled") is False:
            gaps.append(f"alarm {alarm_name} has its actions disabled")
            continue
        topics = [str(t) for t in alarm.data.get("AlarmActions") or () if is_topic(str(t))]
        if not topics:
            gaps.append(f"alarm {alarm_name} notifies no SNS topic")
            continue
        for arn in topics:
            topic = docs.topics.get(arn)
            if topic is None:
                gaps.append(f"topic {arn} of alarm {alarm_name} was not read")
                unknown = True
            elif topic.data.get("Exists") is False:
                gaps.append(f"topic {arn} of alarm {alarm_name} does not exist")
            elif int(topic.data.get("ConfirmedSubscriptions") or 0) < 1:
                gaps.append(f"topic {arn} of alarm {alarm_name} has no confirmed subscription")
            else:
                evidence = {
                    "MetricFilter": name,
                    "FilterPattern": metric_filter.data.get("filterPattern", ""),
                    "Alarm": alarm.id,
                    "Topic": arn,
                    "ConfirmedSubscriptions": topic.data.get("ConfirmedSubscriptions"),
                }
                return Verdict(True, f"metric filter {name} and alarm {alarm_name}", evidence)
    return Verdict(False, "; ".join(gaps), unknown=unknown)


def eventbridge_path(buses: Sequence[Resource], requirement: Requirement) -> Verdict:
    """Whether, in every region that receives ``requirement``'s events, a rule of the default
    bus covers it and has a target."""
    regions = {bus.region: bus for bus in buses}
    if _global_only(requirement):
        if GLOBAL_REGION not in regions:
            return Verdict(False, f"no EventBridge bus of {GLOBAL_REGION} was scanned")
        regions = {GLOBAL_REGION: regions[GLOBAL_REGION]}
    if not regions:
        return Verdict(False, "no EventBridge bus was scanned")
    rules: dict[str, str] = {}
    gaps: list[str] = []
    for region, bus in sorted(regions.items()):
        found, why = _covering_rule(bus, requirement)
        if found is None:
            gaps.append(f"{region}: {why}")
        else:
            rules[region] = found
    if gaps:
        return Verdict(False, "no EventBridge rule covers it in " + "; ".join(gaps))
    return Verdict(
        True, "EventBridge rules " + ", ".join(sorted(set(rules.values()))), {"Rules": rules}
    )


def _covering_rule(bus: Resource, requirement: Requirement) -> tuple[str | None, str]:
    reasons: list[str] = []
    for rule in bus.data.get("Rules") or ():
        coverage = _rule_covers(rule.get("EventPattern"), requirement, rule.get("State", ""))
        if not coverage.covered:
            reasons.append(f"rule {rule.get('Name')}: {coverage.reason}")
        elif not rule.get("Targets"):
            reasons.append(f"rule {rule.get('Name')} matches but has no target")
        else:
            return str(rule.get("Arn")), ""
    return None, ("; ".join(reasons[:2]) if reasons else "the default bus has no rule")


def _global_only(requirement: Requirement) -> bool:
    return any(f'$.eventSource = "{source}"' in requirement.pattern for source in GLOBAL_SOURCES)
