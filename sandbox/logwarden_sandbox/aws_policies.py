"""Policy documents of the sandbox landing zone (bucket, key, role and SCP policies).

Pure functions that return ``dict`` documents; the seeding serializes them. They follow the
AWS documentation for organization trails (bucket and key policies restricted with
``aws:SourceOrgID`` / ``aws:SourceArn``) and the usual landing-zone guardrail SCPs.
"""

from __future__ import annotations

from typing import Any

VERSION = "2012-10-17"
CLOUDTRAIL = "cloudtrail.amazonaws.com"
Document = dict[str, Any]


def log_bucket_policy(
    bucket: str, *, org_id: str, trail_arns: list[str], tls_deny: bool, public_read: bool
) -> Document:
    """The central trail bucket's policy: CloudTrail may check the ACL and write ``AWSLogs/``
    for the organization; optionally deny plain HTTP; optionally (a defect) public reads."""
    arn = f"arn:aws:s3:::{bucket}"
    condition: Document = {"StringEquals": {"aws:SourceOrgID": org_id}}
    statements: list[Document] = [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": condition,
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/*",
            "Condition": condition,
        },
    ]
    if trail_arns:
        statements[1]["Condition"] = {
            "StringEquals": {"aws:SourceOrgID": org_id},
            "ArnLike": {"aws:SourceArn": trail_arns},
        }
    if tls_deny:
        statements.append(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    if public_read:
        statements.append(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": f"{arn}/*",
            }
        )
    return {"Version": VERSION, "Statement": statements}


def account_trail_bucket_policy(bucket: str, account_id: str, tls_deny: bool) -> Document:
    """Policy of a bucket that receives one account's own trail."""
    arn = f"arn:aws:s3:::{bucket}"
    condition = {"StringEquals": {"aws:SourceAccount": account_id}}
    statements: list[Document] = [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": condition,
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{account_id}/*",
            "Condition": condition,
        },
    ]
    if tls_deny:
        statements.append(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    return {"Version": VERSION, "Statement": statements}


def access_log_bucket_policy(target: str, source_bucket: str, account_id: str) -> Document:
    """Let the S3 logging service write server access logs of ``source_bucket`` into ``target``."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "S3ServerAccessLogsPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": f"arn:aws:s3:::{target}/*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source_bucket}"},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            }
        ],
    }


def log_key_policy(key_account: str, org_id: str) -> Document:
    """Key policy of the log key: the owning account administers it (and its IAM policies
    decide who decrypts: the log reader role), CloudTrail of the organization encrypts."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "EnableIamPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{key_account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowCloudTrailEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceOrgID": org_id}},
            },
        ],
    }


def service_trust_policy(service: str) -> Document:
    """Trust policy that lets an AWS service assume a role."""
    return {
        "Version": VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def cloudwatch_delivery_policy(log_group_arn: str) -> Document:
    """Inline policy of the role CloudTrail uses to write to its log group."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:log-stream:*",
            }
        ],
    }


def deny_scp(
    sid: str, actions: list[str], resources: list[str], condition: Document | None
) -> Document:
    """An SCP with one Deny statement."""
    statement: Document = {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return {"Version": VERSION, "Statement": [statement]}


BREAK_GLASS = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}
CLOUDTRAIL_ACTIONS = [
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
]
CONFIG_ACTIONS = [
    "config:DeleteConfigurationRecorder",
    "config:StopConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "config:DeleteConfigRule",
]
LOG_BUCKET_ACTIONS = ["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:DeleteBucket*"]
#: Placeholder for the central log bucket name inside SCP resources (filled in at seeding).
LOG_BUCKET = "${log_bucket}"


def fill_placeholders(document: Document, log_bucket: str) -> Document:
    """Replace :data:`LOG_BUCKET` in every string of an SCP document."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(LOG_BUCKET, log_bucket)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(document)
