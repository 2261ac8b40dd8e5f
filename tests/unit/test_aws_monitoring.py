"""aws.monitoring.*: metric filter + alarm + subscribed topic, or EventBridge, offline."""

from __future__ import annotations

import re
import sys
import threading
import uuid

import pytest

from logwarden.checks.aws.monitoring import CIS_CONTROLS, LOG_STORAGE_CONTROL
from logwarden.checks.aws.monitoring_requirements import CIS_AWS_V6_MONITORING, cis_requirement
from logwarden.scanner.models import CollectionError, KindCollection, ScanReport, Status
from tests import aws_docs as d
from tests import aws_monitoring_docs as m
from tests.catalogue import control_ids
from tests.offline import rows, scan_world, statuses

IAM = CIS_CONTROLS["5.4"]
MONITORING = sorted(i for i in control_ids("aws") if i.startswith("aws.monitoring."))


def _filter(world: d.World, control: str) -> dict[str, object]:
    name = m.metric_name(control)
    return next(f.data for f in world.tenants[d.MGMT][m.FILTER] if f.data["filterName"] == name)  # type: ignore[return-value]


def _one(report: ScanReport, control: str, account: str) -> tuple[Status, str]:
    found = rows(report, control, account)
    assert len(found) == 1, found
    return found[0].status, found[0].message


def test_every_account_is_alerted_through_the_organization_trail() -> None:
    report = scan_world(d.compliant_world())
    for control in MONITORING:
        for account in (d.MGMT, d.LOG, d.WORK):
            status, message = _one(report, control, account)
            assert status is Status.PASS, (control, message)
            assert "metric filter and alarm" in message
            assert d.TRAIL_ARN in message and d.LOG_GROUP_ARN in message
    member = rows(report, IAM, d.WORK)[0].evidence["Alerted"]
    (evidence,) = member.values()
    assert evidence["Trail"] == d.TRAIL_ARN and evidence["LogGroup"] == d.LOG_GROUP_ARN
    assert evidence["Topic"] == m.topic_arn(d.MGMT)


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda p: " ".join(p.split()).replace("(", "( ").replace(" && ", "&&"),  # whitespace
        lambda p: (
            "{ "
            + " || ".join(  # order of the event names reversed
                reversed(p[p.index("($.eventName") + 1 : p.rindex(")")].split(" || "))
            ).join(["(", ")"])
            + ' && $.eventType = "AwsApiCall" && $.eventSource = "iam.amazonaws.com" }'
        ),
        lambda p: p[:-1] + '|| $.eventName = "CreateUser" }',  # a widening term
        lambda p: (
            '{ ($.eventSource = "iam.amazonaws.com") && ($.eventName = DeleteGroupPolicy || $.eventName = DeleteRolePolicy || $.eventName = DeleteUserPolicy || $.eventName = PutGroupPolicy || $.eventName = PutRolePolicy || $.eventName = PutUserPolicy || $.eventName = CreatePolicy || $.eventName = DeletePolicy || $.eventName = CreatePolicyVersion || $.eventName = DeletePolicyVersion || $.eventName = AttachRolePolicy || $.eventName = DetachRolePolicy || $.eventName = AttachUserPolicy || $.eventName = DetachUserPolicy || $.eventName = AttachGroupPolicy || $.eventName = DetachGroupPolicy) }'
        ),  # the CIS text, unquoted
    ],
    ids=["whitespace", "order", "widening", "cis-text"],
)
def test_filter_patterns_that_differ_only_in_form_or_widen_pass(rewrite: object) -> None:
    world = d.compliant_world()
    doc = _filter(world, IAM)
    doc["filterPattern"] = rewrite(str(doc["filterPattern"]))  # type: ignore[operator]
    report = scan_world(world)
    assert statuses(report, IAM) == {Status.PASS}, doc["filterPattern"]


def test_a_filter_missing_one_event_name_fails_and_names_it() -> None:
    world = d.compliant_world()
    doc = _filter(world, IAM)
    doc["filterPattern"] = str(doc["filterPattern"]).replace(
        ' || $.eventName = "DetachGroupPolicy"', ""
    )
    report = scan_world(world)
    for account in (d.MGMT, d.LOG, d.WORK):
        status, message = _one(report, IAM, account)
        assert status is Status.FAIL
        assert "DetachGroupPolicy" in message and d.LOG_GROUP_ARN in message
    assert statuses(report, CIS_CONTROLS["5.5"]) == {Status.PASS}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a, t: a.update(AlarmActions=[]), "notifies no SNS topic"),
        (lambda a, t: a.update(ActionsEnabled=False), "actions disabled"),
        (lambda a, t: a.update(MetricName="SomethingElse"), "no alarm watches"),
        (
            lambda a, t: t.update(
                ConfirmedSubscriptions=0,
                Subscriptions=[{"SubscriptionArn": "PendingConfirmation", "Protocol": "email"}],
            ),
            "no confirmed subscription",
        ),
        (
            lambda a, t: t.update(ConfirmedSubscriptions=0, Subscriptions=[]),
            "no confirmed subscription",
        ),
        (
            lambda a, t: t.update(Exists=False, ConfirmedSubscriptions=0, Subscriptions=[]),
            "does not exist",
        ),
    ],
    ids=["no-action", "actions-disabled", "other-metric", "pending", "no-subscription", "no-topic"],
)
def test_an_alarm_that_notifies_nobody_fails(change: object, words: str) -> None:
    world = d.compliant_world()
    alarm = next(
        a.data for a in world.tenants[d.MGMT][m.ALARM] if a.data["AlarmName"] == m.metric_name(IAM)
    )
    topic = world.tenants[d.MGMT][m.TOPIC][0].data
    change(alarm, topic)  # type: ignore[operator]
    report = scan_world(world)
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.FAIL
    assert words in message


def _eventbridge_world(state: str = "ENABLED", targets: int = 1) -> d.World:
    """The IAM filter replaced by an EventBridge rule on every account's us-east-1 bus."""
    world = d.compliant_world()
    name = m.metric_name(IAM)
    world.tenants[d.MGMT][m.FILTER] = [
        f for f in world.tenants[d.MGMT][m.FILTER] if f.data["filterName"] != name
    ]
    pattern = {
        "source": ["aws.iam"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["iam.amazonaws.com"],
            "eventName": _event_names("5.4"),
        },
    }
    for account in world.tenants:
        world.tenants[account][m.BUS] = [
            m.bus_doc(
                account,
                region,
                [m.rule("iam-changes", pattern, state, targets)] if region == "us-east-1" else [],
            )
            for region in d.REGIONS
        ]
    return world


def _event_names(cis_id: str) -> list[str]:
    return sorted(re.findall(r'\$\.eventName = "([^"]+)"', cis_requirement(cis_id).pattern))


def test_an_eventbridge_rule_with_a_target_satisfies_and_says_so() -> None:
    report = scan_world(_eventbridge_world())
    for account in (d.MGMT, d.LOG, d.WORK):
        status, message = _one(report, IAM, account)
        assert status is Status.PASS, message
        assert "EventBridge" in message and "iam-changes" in message


@pytest.mark.parametrize(
    ("world", "words"),
    [
        (lambda: _eventbridge_world(state="DISABLED"), "disabled"),
        (lambda: _eventbridge_world(targets=0), "no target"),
    ],
    ids=["disabled", "no-target"],
)
def test_a_disabled_or_untargeted_rule_fails(world: object, words: str) -> None:
    report = scan_world(world())  # type: ignore[operator]
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.FAIL
    assert words in message and "no metric filter" in message


def test_eventbridge_is_not_accepted_when_the_parameter_is_off() -> None:
    report = scan_world(_eventbridge_world(), alert_via_eventbridge=False)
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.FAIL
    assert "EventBridge" not in message


def test_a_regional_requirement_needs_a_rule_in_every_region() -> None:
    world = d.compliant_world()
    control = CIS_CONTROLS["5.10"]
    name = m.metric_name(control)
    world.tenants[d.MGMT][m.FILTER] = [
        f for f in world.tenants[d.MGMT][m.FILTER] if f.data["filterName"] != name
    ]
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["ec2.amazonaws.com"], "eventName": _event_names("5.10")},
    }
    world.tenants[d.WORK][m.BUS] = [
        m.bus_doc(d.WORK, "us-east-1", [m.rule("sg", pattern)]),
        m.bus_doc(d.WORK, "eu-west-1"),
    ]
    report = scan_world(world)
    status, message = _one(report, control, d.WORK)
    assert status is Status.FAIL and "eu-west-1" in message
    world.tenants[d.WORK][m.BUS][1] = m.bus_doc(d.WORK, "eu-west-1", [m.rule("sg", pattern)])
    assert statuses(scan_world(world), control, d.WORK) == {Status.PASS}


def _every_trail(world: d.World, field: str, value: object) -> None:
    """Change the organization trail as every account sees it."""
    for account in world.tenants:
        world.doc(account, "aws.cloudtrail.trail")[field] = value


def test_a_trail_that_does_not_qualify_gives_no_cover() -> None:
    world = d.compliant_world()
    _every_trail(world, "IsMultiRegionTrail", False)
    report = scan_world(world)
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.FAIL and "single-region" in message


def test_unreadable_central_filters_are_errors_for_every_account_they_cover() -> None:
    err = CollectionError("aws", d.MGMT, m.FILTER, "us-east-1", "AccessDenied", "denied")
    report = scan_world(
        d.compliant_world(), errors={(d.MGMT, m.FILTER): KindCollection(errors=(err,))}
    )
    for account in (d.MGMT, d.LOG, d.WORK):
        assert statuses(report, IAM, account) == {Status.ERROR}, account
    assert "AccessDenied" in rows(report, IAM, d.WORK)[0].message


def test_a_log_group_in_an_account_outside_the_scan_is_an_error() -> None:
    world = d.compliant_world()
    outside = "arn:aws:logs:us-east-1:999999999999:log-group:elsewhere:*"
    _every_trail(world, "CloudWatchLogsLogGroupArn", outside)
    report = scan_world(world)
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.ERROR and "999999999999 is not scanned" in message


def test_log_storage_alert_needs_the_log_bucket_changes_in_its_owner_account() -> None:
    world = d.compliant_world()
    doc = _filter(world, "log_storage_changes")
    doc["filterPattern"] = m.storage_pattern("some-other-bucket")
    report = scan_world(world)
    status, message = _one(report, LOG_STORAGE_CONTROL, d.LOG)
    assert status is Status.FAIL and d.BUCKET in message
    assert statuses(report, LOG_STORAGE_CONTROL, d.WORK) == {Status.PASS}


def test_log_storage_alert_needs_put_event_selectors() -> None:
    world = d.compliant_world()
    doc = _filter(world, "log_storage_changes")
    doc["filterPattern"] = str(doc["filterPattern"]).replace(
        '"PutEventSelectors"', '"GetEventSelectors"'
    )
    report = scan_world(world)
    status, message = _one(report, LOG_STORAGE_CONTROL, d.WORK)
    assert status is Status.FAIL and "PutEventSelectors" in message


def test_unreadable_event_buses_are_errors_only_where_they_are_needed() -> None:
    world = _eventbridge_world()
    err = CollectionError("aws", d.WORK, m.BUS, "eu-west-1", "AccessDenied", "denied")
    report = scan_world(world, errors={(d.WORK, m.BUS): KindCollection(errors=(err,))})
    status, message = _one(report, IAM, d.WORK)
    assert status is Status.ERROR and "AccessDenied" in message
    # the metric filters satisfy the other requirements: the buses are not needed there
    assert statuses(report, CIS_CONTROLS["5.5"], d.WORK) == {Status.PASS}


def test_tenants_judged_at_the_same_moment_share_one_verdict() -> None:
    # every account of an organization trail is judged against the same metric filters, all
    # at once in a large scan: the verdict is computed once, the other threads wait for it
    # (each computing its own had made this judgment most of a 1,000-account scan's CPU)
    from logwarden.checks.aws import alert_paths

    requirement = CIS_AWS_V6_MONITORING[-1]
    body = requirement.pattern.strip().removeprefix("{").removesuffix("}").strip()
    pattern = f'{{ ({body}) || ($.logwardenTest = "{uuid.uuid4()}") }}'  # judged nowhere else
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns within one judgment
    try:
        start = threading.Barrier(16)
        verdicts: list[object] = []

        def judge() -> None:
            start.wait()
            verdicts.append(alert_paths._covers(pattern, requirement))

        threads = [threading.Thread(target=judge) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(verdicts) == 16
    assert len({id(v) for v in verdicts}) == 1
