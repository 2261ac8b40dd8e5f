"""aws.monitoring.*: does an alert fire, for this account, on every event a requirement names?

An account's events reach CloudWatch Logs through the trails that record them: its own trails
and the organization trail (listed in every member's ``aws.cloudtrail.trail``). A trail counts
when it is multi-region, logging, includes global service events, logs read and write
management events without excluded sources and delivers to a log group. The log group's metric
filters, the alarms on their metrics and the alarms' topics are read once, in the account that
owns the group (the management account for the organization trail), and judged here for every
account the trail covers; the evidence names the trail and the log group. With the parameter
``alert_via_eventbridge`` (on by default), rules of the account's own default event buses are
accepted too (:mod:`alert_paths`). The message says which mechanism satisfied the requirement.

The buses (``aws.events.default_bus``, a lazy kind) are read only for an account and
requirement that the metric filters do not satisfy, so an organization alerting through its
trail's log group makes no EventBridge call; their collection errors are this check's to report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from logwarden.checks.aws.alert_paths import AlertDocs, Verdict, eventbridge_path, metric_path
from logwarden.checks.aws.monitoring_requirements import (
    CIS_AWS_V6_MONITORING,
    TRAIL_CHANGES,
    Requirement,
    log_bucket_changes,
)
from logwarden.scanner.collectors.aws.alert_docs import (
    ACCEPT_EVENTBRIDGE,
    ALARM,
    EVENT_BUS,
    METRIC_FILTER,
    SNS_TOPIC,
    arn_account,
)
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import (
    CheckContext,
    CollectionError,
    Outcome,
    PythonCheck,
    Resource,
    Status,
)

TRAIL = "aws.cloudtrail.trail"
BUCKET = "aws.s3.bucket"
CENTRAL_KINDS = (METRIC_FILTER, ALARM, SNS_TOPIC)


def trail_gap(trail: Resource) -> str:
    """Why a trail does not bring every event of its accounts to a log group ("" if it does)."""
    data = trail.data
    events = data.get("ManagementEvents") or {}
    gaps = [
        ("is single-region", data.get("IsMultiRegionTrail") is not True),
        ("is not logging", (data.get("Status") or {}).get("IsLogging") is not True),
        ("excludes global service events", data.get("IncludeGlobalServiceEvents") is not True),
        ("does not log read and write management events", not (events.get("Read") and events.get("Write"))),
        ("excludes event sources", bool(events.get("ExcludedSources"))),
        ("does not deliver to CloudWatch Logs", not data.get("CloudWatchLogsLogGroupArn")),
    ]  # fmt: skip
    return ", ".join(why for why, failed in gaps if failed)


def _group_arn(trail: Resource) -> str:
    return str(trail.data["CloudWatchLogsLogGroupArn"]).removesuffix(":*")


def _docs(ctx: CheckContext, account: str) -> AlertDocs | str:
    """The alert documents of ``account``, or why they cannot be trusted."""
    assert ctx.tenant is not None
    inv = ctx.inventory if account == ctx.tenant.id else ctx.inventory.peer(account)
    if inv is None:
        return f"account {account} is not scanned"
    collections = {kind: inv.get(kind) for kind in CENTRAL_KINDS}
    errors = _described([e for c in collections.values() for e in c.errors])
    if errors:
        return f"account {account}: " + "; ".join(errors[:3])
    return AlertDocs(
        filters=collections[METRIC_FILTER].resources,
        alarms=collections[ALARM].resources,
        topics={t.id: t for t in collections[SNS_TOPIC].resources},
    )


def _described(errors: Sequence[CollectionError]) -> list[str]:
    return [
        f"{e.kind}{f' in {e.region}' if e.region else ''}: {e.code}: {e.message}" for e in errors
    ]


def _judge(ctx: CheckContext, requirement: Requirement) -> tuple[Verdict, dict[str, Any]]:
    """One requirement for the context's account: the first path that alerts, or every gap."""
    gaps: list[str] = []
    unknown: list[str] = []
    trails = ctx.resources(TRAIL)
    for trail in trails:
        why = trail_gap(trail)
        if why:
            gaps.append(f"trail {trail.id} {why}")
            continue
        group = _group_arn(trail)
        owner = arn_account(group)
        docs = _docs(ctx, owner)
        if isinstance(docs, str):
            unknown.append(f"log group {group} of trail {trail.id}: {docs}")
            continue
        verdict = metric_path(docs, group, requirement)
        if verdict.ok:
            evidence = {
                "Mechanism": "metric filter and alarm",
                "Trail": trail.id,
                "LogGroup": group,
            }
            return verdict, {**evidence, **verdict.evidence}
        (unknown if verdict.unknown else gaps).append(f"trail {trail.id}: {verdict.reason}")
    if not trails:
        gaps.append("no trail records this account's events")
    if ctx.param(ACCEPT_EVENTBRIDGE):
        buses = ctx.inventory.get(EVENT_BUS)
        verdict = eventbridge_path(buses.resources, requirement)
        if verdict.ok:
            return verdict, {"Mechanism": "EventBridge rule", **verdict.evidence}
        if buses.errors:
            unknown.append("EventBridge: " + "; ".join(_described(buses.errors)))
        else:
            gaps.append(verdict.reason)
    failed = Verdict(False, "; ".join(unknown + gaps), unknown=bool(unknown))
    return failed, {"Gaps": gaps, "Unreadable": unknown}


def evaluate(ctx: CheckContext, requirements: Sequence[Requirement]) -> Outcome:
    """PASS when an alert fires on every requirement, ERROR when one could not be decided."""
    subject = subject_id(ctx)
    passed: dict[str, Any] = {}
    failures: list[str] = []
    undecided: list[str] = []
    for requirement in requirements:
        verdict, evidence = _judge(ctx, requirement)
        if verdict.ok:
            passed[requirement.name] = evidence
            continue
        line = f"{requirement.name}: {verdict.reason}"
        (undecided if verdict.unknown else failures).append(line)
    if failures:
        return Outcome(
            Status.FAIL,
            "no alert fires on " + " | ".join(failures),
            subject,
            evidence={"Missing": failures, "Undecided": undecided, "Alerted": passed},
        )
    if undecided:
        return Outcome(
            Status.ERROR,
            "could not be evaluated: " + " | ".join(undecided),
            subject,
            evidence={"Undecided": undecided, "Alerted": passed},
        )
    how = sorted({f"{e['Mechanism']} ({_where(e)})" for e in passed.values()})
    return Outcome(
        Status.PASS,
        f"alerted by {'; '.join(how)}",
        subject,
        evidence={"Alerted": passed},
    )


def _where(evidence: dict[str, Any]) -> str:
    if evidence["Mechanism"] == "EventBridge rule":
        return ", ".join(sorted(set(evidence["Rules"].values())))
    return f"trail {evidence['Trail']}, log group {evidence['LogGroup']}, alarm {evidence['Alarm']}"


def log_storage_changes(ctx: CheckContext) -> Iterator[Outcome]:
    """Alerts on stopping or changing the trails and on changes to the log buckets it owns."""
    assert ctx.tenant is not None
    buckets = [b for b in ctx.resources(BUCKET) if b.tenant_id == ctx.tenant.id]
    requirements = [TRAIL_CHANGES]
    for bucket in buckets:
        try:
            requirements.append(log_bucket_changes(str(bucket.data.get("Name"))))
        except ValueError as exc:
            yield Outcome(Status.ERROR, f"could not be evaluated: {exc}", subject_id(ctx))
            return
    yield evaluate(ctx, requirements)


def _cis(requirement: Requirement) -> Callable[[CheckContext], Iterator[Outcome]]:
    def check(ctx: CheckContext) -> Iterator[Outcome]:
        yield evaluate(ctx, [requirement])

    check.__doc__ = f"An alert fires on every event of {requirement.name}."
    return check


#: The control id of each CIS AWS v6.0.0 monitoring requirement.
CIS_CONTROLS = {
    "5.1": "aws.monitoring.unauthorized_api_calls_alarm",
    "5.2": "aws.monitoring.console_signin_without_mfa_alarm",
    "5.3": "aws.monitoring.root_usage_alarm",
    "5.4": "aws.monitoring.iam_policy_changes_alarm",
    "5.5": "aws.monitoring.cloudtrail_changes_alarm",
    "5.6": "aws.monitoring.console_auth_failures_alarm",
    "5.7": "aws.monitoring.kms_key_disable_alarm",
    "5.8": "aws.monitoring.s3_bucket_policy_changes_alarm",
    "5.9": "aws.monitoring.config_changes_alarm",
    "5.10": "aws.monitoring.security_group_changes_alarm",
    "5.11": "aws.monitoring.nacl_changes_alarm",
    "5.12": "aws.monitoring.network_gateway_changes_alarm",
    "5.13": "aws.monitoring.route_table_changes_alarm",
    "5.14": "aws.monitoring.vpc_changes_alarm",
    "5.15": "aws.monitoring.organizations_changes_alarm",
}
LOG_STORAGE_CONTROL = "aws.monitoring.log_storage_changes_alarm"

CHECKS: tuple[PythonCheck, ...] = (
    *(PythonCheck(CIS_CONTROLS[r.id], _cis(r)) for r in CIS_AWS_V6_MONITORING),
    PythonCheck(LOG_STORAGE_CONTROL, log_storage_changes),
)
