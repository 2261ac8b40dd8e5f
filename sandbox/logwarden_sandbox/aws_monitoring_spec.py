"""What the sandbox's alerting looks like, without ids: metric filters on the organization
trail's log group, their alarms and topics, and EventBridge rules (seeded by
:mod:`logwarden_sandbox.aws_seed_monitoring`).

The patterns are written as the CIS AWS Foundations Benchmark v6.0.0 prints them (5.1-5.15),
unquoted and without ``eventSource`` scoping where the benchmark has none, so the scan's
semantic comparison (not a byte-for-byte one) is what makes them pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUBSCRIBED = "security-alerts"  # a topic with a confirmed (email) subscription
UNSUBSCRIBED = "nobody-listens"  # a topic without any subscription

IAM = ("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")  # fmt: skip
TRAIL = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
KMS = ("DisableKey", "ScheduleKeyDeletion")
S3 = ("PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")  # fmt: skip
CONFIG = ("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")  # fmt: skip
SG = ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules")  # fmt: skip
NACL = ("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")  # fmt: skip
GATEWAY = ("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")  # fmt: skip
ROUTE = ("CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")  # fmt: skip
VPC = ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink")  # fmt: skip
ORGS = ("AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")  # fmt: skip
STORAGE_TRAIL = ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")
STORAGE_BUCKET = ("PutBucketPolicy", "DeleteBucketPolicy", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutObjectLockConfiguration", "PutBucketEncryption", "DeleteBucketEncryption")  # fmt: skip


def any_event(names: tuple[str, ...], source: str = "") -> str:
    """``{ ($.eventName = A) || ... }``, scoped to ``source`` when given (CIS style)."""
    either = " || ".join(f"($.eventName = {name})" for name in names)
    return f"{{ ($.eventSource = {source}) && ({either}) }}" if source else f"{{ {either} }}"


def log_storage_pattern() -> str:
    """Trail changes, or the log bucket's changes (``{bucket}`` is filled at seeding)."""
    trail = " || ".join(f'$.eventName = "{n}"' for n in STORAGE_TRAIL)
    bucket = " || ".join(f'$.eventName = "{n}"' for n in STORAGE_BUCKET)
    return (
        f'{{ ($.eventSource = "cloudtrail.amazonaws.com" && ({trail})) || '
        f'($.eventSource = "s3.amazonaws.com" && $.requestParameters.bucketName = "{{bucket}}" '
        f"&& ({bucket})) }}"
    )


#: The CIS pattern of each control, as the benchmark prints it.
CIS_PATTERNS: dict[str, str] = {
    "unauthorized_api_calls": "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) && ($.sourceIPAddress != delivery.logs.amazonaws.com) && ($.eventName != HeadBucket) }",
    "console_signin_without_mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "root_usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    "iam_policy_changes": any_event(IAM),
    "cloudtrail_changes": any_event(TRAIL),
    "console_auth_failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "kms_key_disable": any_event(KMS, "kms.amazonaws.com"),
    "s3_bucket_policy_changes": any_event(S3, "s3.amazonaws.com"),
    "config_changes": any_event(CONFIG, "config.amazonaws.com"),
    "security_group_changes": any_event(SG),
    "nacl_changes": any_event(NACL),
    "network_gateway_changes": any_event(GATEWAY),
    "route_table_changes": any_event(ROUTE),
    "vpc_changes": any_event(VPC),
    "organizations_changes": any_event(ORGS, "organizations.amazonaws.com"),
    "log_storage_changes": log_storage_pattern(),
}  # fmt: skip


@dataclass
class AlertSpec:
    """One metric filter (named after its control) and the alarm on its metric."""

    pattern: str
    drop_event: str = ""  # an event name left out of the pattern (a defect)
    alarm: bool = True
    alarm_actions: bool = True  # the alarm notifies a topic
    topic: str = SUBSCRIBED


@dataclass
class MonitoringSpec:
    """The alerting of the management account, on the organization trail's log group, plus
    an EventBridge rule on CloudTrail changes in every region (it covers 5.5 on its own for
    the management account, whose events it sees)."""

    alerts: dict[str, AlertSpec] = field(
        default_factory=lambda: {name: AlertSpec(p) for name, p in CIS_PATTERNS.items()}
    )
    eventbridge_trail_rule: bool = True
