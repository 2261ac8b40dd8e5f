"""Named defects of the sandbox's alerting (one per ``aws.monitoring.*`` control), and the
monitoring rows that the trail defects of :mod:`aws_defects` cause as well.

A defect changes one :class:`AlertSpec` of ``zone.monitoring``; its filter is on the
organization trail's log group, so every account the trail covers fails that control. The
management account's EventBridge rule on CloudTrail changes keeps it covered for
``cloudtrail_changes`` whatever happens to the metric filter.
"""

from __future__ import annotations

from collections.abc import Callable

from logwarden_sandbox.aws_monitoring_spec import CIS_PATTERNS, UNSUBSCRIBED, AlertSpec
from logwarden_sandbox.aws_zone import MANAGEMENT, Expectation, LandingZone, World

PREFIX = "aws.monitoring."
SUFFIX = "_alarm"
Apply = Callable[[LandingZone], None]
Rows = Callable[[LandingZone, World], list[Expectation]]

#: The alert each defect breaks, how, and what it means.
_BROKEN: dict[str, tuple[str, dict[str, object], str]] = {
    "monitoring_unauthorized_calls_no_alarm": ("unauthorized_api_calls", {"alarm": False}, "the unauthorized-API-calls filter has no alarm"),
    "monitoring_mfa_alarm_no_action": ("console_signin_without_mfa", {"alarm_actions": False}, "the sign-in-without-MFA alarm has no action"),
    "monitoring_root_alarm_unsubscribed_topic": ("root_usage", {"topic": UNSUBSCRIBED}, "the root-usage alarm notifies a topic nobody subscribed to"),
    "monitoring_iam_filter_missing_event": ("iam_policy_changes", {"drop_event": "DetachGroupPolicy"}, "the IAM policy filter misses DetachGroupPolicy"),
    "monitoring_cloudtrail_filter_missing_event": ("cloudtrail_changes", {"drop_event": "StopLogging"}, "the CloudTrail filter misses StopLogging (the management account's EventBridge rule still covers it)"),
    "monitoring_auth_failures_no_alarm": ("console_auth_failures", {"alarm": False}, "the console-authentication-failures filter has no alarm"),
    "monitoring_kms_filter_missing_event": ("kms_key_disable", {"drop_event": "ScheduleKeyDeletion"}, "the KMS filter misses ScheduleKeyDeletion"),
    "monitoring_s3_filter_missing_event": ("s3_bucket_policy_changes", {"drop_event": "PutBucketPolicy"}, "the S3 bucket policy filter misses PutBucketPolicy"),
    "monitoring_config_filter_missing_event": ("config_changes", {"drop_event": "StopConfigurationRecorder"}, "the Config filter misses StopConfigurationRecorder"),
    "monitoring_sg_filter_missing_event": ("security_group_changes", {"drop_event": "ModifySecurityGroupRules"}, "the security group filter misses ModifySecurityGroupRules"),
    "monitoring_nacl_no_alarm": ("nacl_changes", {"alarm": False}, "the network ACL filter has no alarm"),
    "monitoring_gateway_filter_missing_event": ("network_gateway_changes", {"drop_event": "AttachInternetGateway"}, "the network gateway filter misses AttachInternetGateway"),
    "monitoring_route_filter_missing_event": ("route_table_changes", {"drop_event": "DisassociateRouteTable"}, "the route table filter misses DisassociateRouteTable"),
    "monitoring_vpc_alarm_no_action": ("vpc_changes", {"alarm_actions": False}, "the VPC changes alarm has no action"),
    "monitoring_orgs_filter_missing_event": ("organizations_changes", {"drop_event": "LeaveOrganization"}, "the Organizations filter misses LeaveOrganization"),
    "monitoring_log_storage_missing_event_selectors": ("log_storage_changes", {"drop_event": "PutEventSelectors"}, "the log-storage filter misses PutEventSelectors"),
}  # fmt: skip

#: Covered in the management account by its EventBridge rule, whatever the filter says.
_EVENTBRIDGE_COVERED = {("cloudtrail_changes", MANAGEMENT)}


def control_id(alert: str) -> str:
    """The control of an alert (a key of ``CIS_PATTERNS``)."""
    return f"{PREFIX}{alert}{SUFFIX}"


def _apply(alert: str, changes: dict[str, object]) -> Apply:
    def apply(zone: LandingZone) -> None:
        spec: AlertSpec = zone.monitoring.alerts[alert]
        for name, value in changes.items():
            setattr(spec, name, value)

    return apply


def _failing(alerts: list[str]) -> Rows:
    def rows(zone: LandingZone, world: World) -> list[Expectation]:
        return [
            Expectation(control_id(alert), world.accounts[spec.name], world.accounts[spec.name])
            for alert in alerts
            for spec in zone.accounts
            if (alert, spec.name) not in _EVENTBRIDGE_COVERED
        ]

    return rows


#: name -> (description, apply, rows), made into ``aws_defects.Defect`` values there.
DEFECTS: dict[str, tuple[str, Apply, Rows]] = {
    name: (description, _apply(alert, changes), _failing([alert]))
    for name, (alert, changes, description) in _BROKEN.items()
}


def _own_log_bucket(account: str) -> Rows:
    """``account`` owns a log bucket nothing alerts on the changes of."""
    storage = control_id("log_storage_changes")
    return lambda zone, world: [
        Expectation(storage, world.accounts[account], world.accounts[account])
    ]


_EVERY_ALERT = _failing(list(CIS_PATTERNS))
#: The monitoring rows of the defects of :mod:`aws_defects`: those that take the log group
#: away, and the member trail that writes to a bucket of its own account.
EXTRA_ROWS: dict[str, Rows] = {
    "org_trail_stopped": _EVERY_ALERT,
    "trail_no_cloudwatch": _EVERY_ALERT,
    "member_single_region_trail": _own_log_bucket("workload-1"),
}


def extra_rows(name: str, zone: LandingZone, world: World) -> list[Expectation]:
    """The monitoring rows that defect ``name`` of :mod:`aws_defects` causes too."""
    rows = EXTRA_ROWS.get(name)
    return rows(zone, world) if rows else []
