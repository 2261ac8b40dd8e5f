"""The events an alert must fire on: CIS AWS v6.0.0 5.1-5.15 and the log storage's own changes.

Each :class:`Requirement` holds a CloudWatch Logs JSON filter pattern, ``pattern``: the events
that must raise the alert. A metric filter or EventBridge rule covers the requirement when it
matches every event ``pattern`` matches (see :mod:`alert_coverage`).

Sources of the CIS patterns, as the benchmark prints them in its audit and remediation
procedures: two independent transcriptions of the v6.0.0 text, which agree on every event name
(tests/unit/test_aws_cis_patterns.py holds both, verbatim, and checks that each covers its
requirement):

- Prowler's compliance file, ``AuditProcedure`` / ``RemediationProcedure`` of 5.1-5.15:
  https://github.com/prowler-cloud/prowler/blob/3e000faa3109230b748e4418a13c11c9e59f5cfb/prowler/compliance/aws/cis_6.0_aws.json
- Turbot's steampipe mod, remediation text of each item:
  https://github.com/turbot/steampipe-mod-aws-compliance/tree/a1d0b446ef9b96ea64980859fc063d70da20778e/cis_v600/docs
  (``cis_v600_5_1.md`` ... ``cis_v600_5_15.md``; it quotes some values where Prowler does not).

How ``pattern`` reads the printed text. Every printed pattern matches every event of ``pattern``,
so a filter copied from the benchmark always passes; ``pattern`` is the narrowest reading the
benchmark accepts, so that correct filters written differently pass too:

- Service-wide event names are scoped to the service the item is about (``$.eventSource``), and
  API operations to ``$.eventType = "AwsApiCall"``, the type CloudTrail records them with.
  ``CreatePolicy`` in 5.4 is IAM's (Organizations' is 5.15's), ``CreateRoute`` in 5.13 is EC2's
  (not API Gateway's). This also lets an EventBridge rule name its ``source`` and
  ``detail-type``. Console sign-ins (5.2, 5.6) are ``signin.amazonaws.com`` /
  ``AwsConsoleSignIn``.
- 5.1 prints ``A || B && C && D``; ``&&`` binds tighter, so the text applies the two exclusions
  to ``AccessDenied*`` only. The requirement is ``(A || B) && C && D``.
- 5.2 prints two patterns and accepts either; the second (for SSO users) is the narrower, so it
  is the requirement.
- 5.13's audit text scopes only ``CreateRoute`` to ``ec2.amazonaws.com`` (the same precedence
  slip); its remediation text scopes nothing. The requirement scopes them all to EC2.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """What an alert must fire on: ``pattern`` (a CloudWatch Logs JSON filter pattern).

    ``id`` is the framework's requirement id (``5.4``) or a logwarden name; ``source`` names the
    framework or practice it comes from.
    """

    id: str
    title: str
    pattern: str
    source: str = "CIS AWS v6.0.0"

    @property
    def name(self) -> str:
        """``CIS AWS v6.0.0 5.4 (IAM policy changes)``."""
        return f"{self.source} {self.id} ({self.title})"


def _api_calls(event_source: str, names: tuple[str, ...], extra: str = "") -> str:
    """API calls to ``event_source`` named one of ``names`` (and the ``extra`` condition)."""
    either = " || ".join(f"$.eventName = {json.dumps(name)}" for name in names)
    scope = f'$.eventSource = "{event_source}" && $.eventType = "AwsApiCall"'
    return f"{{ {scope}{extra} && ({either}) }}"


_SIGN_IN = '$.eventSource = "signin.amazonaws.com" && $.eventType = "AwsConsoleSignIn" && $.eventName = "ConsoleLogin"'
_IAM = ("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")  # fmt: skip
_TRAIL = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
_KMS = ("DisableKey", "ScheduleKeyDeletion")
_S3 = ("PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")  # fmt: skip
_CONFIG = ("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")  # fmt: skip
_SG = ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules")  # fmt: skip
_NACL = ("CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")  # fmt: skip
_GATEWAY = ("CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")  # fmt: skip
_ROUTE = ("CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")  # fmt: skip
_VPC = ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink")  # fmt: skip
_ORGS = ("AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")  # fmt: skip


CIS_AWS_V6_MONITORING: tuple[Requirement, ...] = (
    Requirement(
        "5.1",
        "unauthorized API calls",
        '{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*")'
        ' && $.sourceIPAddress != "delivery.logs.amazonaws.com" && $.eventName != "HeadBucket" }',
    ),
    Requirement(
        "5.2",
        "console sign-in without MFA",
        f'{{ {_SIGN_IN} && $.additionalEventData.MFAUsed != "Yes" && $.userIdentity.type = "IAMUser"'
        ' && $.responseElements.ConsoleLogin = "Success" }',
    ),
    Requirement(
        "5.3",
        "use of the root user",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
        ' && $.eventType != "AwsServiceEvent" }',
    ),
    Requirement("5.4", "IAM policy changes", _api_calls("iam.amazonaws.com", _IAM)),
    Requirement(
        "5.5", "CloudTrail configuration changes", _api_calls("cloudtrail.amazonaws.com", _TRAIL)
    ),
    Requirement(
        "5.6",
        "console authentication failures",
        f'{{ {_SIGN_IN} && $.errorMessage = "Failed authentication" }}',
    ),
    Requirement(
        "5.7",
        "disabling or scheduled deletion of customer-managed KMS keys",
        _api_calls("kms.amazonaws.com", _KMS),
    ),
    Requirement("5.8", "S3 bucket policy changes", _api_calls("s3.amazonaws.com", _S3)),
    Requirement(
        "5.9", "AWS Config configuration changes", _api_calls("config.amazonaws.com", _CONFIG)
    ),
    Requirement("5.10", "security group changes", _api_calls("ec2.amazonaws.com", _SG)),
    Requirement("5.11", "network ACL changes", _api_calls("ec2.amazonaws.com", _NACL)),
    Requirement("5.12", "network gateway changes", _api_calls("ec2.amazonaws.com", _GATEWAY)),
    Requirement("5.13", "route table changes", _api_calls("ec2.amazonaws.com", _ROUTE)),
    Requirement("5.14", "VPC changes", _api_calls("ec2.amazonaws.com", _VPC)),
    Requirement(
        "5.15", "AWS Organizations changes", _api_calls("organizations.amazonaws.com", _ORGS)
    ),
)

_BY_ID = {requirement.id: requirement for requirement in CIS_AWS_V6_MONITORING}

LOG_STORAGE = "logwarden log storage"
TRAIL_CHANGES = Requirement(
    "trail-changes",
    "stopping, deleting or reconfiguring a trail",
    _api_calls(
        "cloudtrail.amazonaws.com",
        ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
    ),
    LOG_STORAGE,
)
_BUCKET_EVENTS = ("PutBucketPolicy", "DeleteBucketPolicy", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutObjectLockConfiguration", "PutBucketEncryption", "DeleteBucketEncryption")  # fmt: skip
_BUCKET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}")


def cis_requirement(cis_id: str) -> Requirement:
    """The CIS AWS v6.0.0 monitoring requirement ``cis_id`` (``"5.1"`` ... ``"5.15"``)."""
    return _BY_ID[cis_id]


def log_bucket_changes(bucket: str) -> Requirement:
    """Changes to ``bucket``'s policy, lifecycle, Object Lock or encryption.

    Raises ValueError for a string that cannot be an S3 bucket name (it would change the
    pattern's meaning, as a '*' would).
    """
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ValueError(f"{bucket!r} is not an S3 bucket name")
    return Requirement(
        "log-bucket-changes",
        f"changes to the policy, lifecycle, Object Lock or encryption of bucket {bucket}",
        _api_calls(
            "s3.amazonaws.com",
            _BUCKET_EVENTS,
            f" && $.requestParameters.bucketName = {json.dumps(bucket)}",
        ),
        LOG_STORAGE,
    )
