"""The logging slice's documents of the compliant offline world (tests/aws_docs.py): Security
Hub per region, one VPC per region with a flow log."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.models import Resource

HUB = "aws.securityhub.hub"
VPC = "aws.ec2.vpc"
ACCOUNT_KEY = "aws.kms.account_key"


def key_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{name}-{account[:4]}"


def key_doc(account: str, region: str, name: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "KeyId": f"{name}-{account[:4]}",
        "Arn": key_arn(account, region, name),
        "Enabled": True,
        "KeyState": "Enabled",
        "KeyManager": "CUSTOMER",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS",
        "RotationApplies": True,
        "KeyRotationEnabled": True,
        "RotationPeriodInDays": 365,
    }
    doc.update(changes)
    return doc


def _key(account: str, region: str, name: str, **changes: Any) -> Resource:
    arn = key_arn(account, region, name)
    return Resource(ACCOUNT_KEY, arn, account, region, key_doc(account, region, name, **changes))


def hub_id(account: str, region: str) -> str:
    return f"arn:aws:securityhub:{region}:{account}:hub/default"


def vpc_id(account: str, region: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:vpc/vpc-{account[:4]}{region[-1]}"


def vpc_doc(account: str, region: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "VpcId": vpc_id(account, region).rsplit("/", 1)[1],
        "IsDefault": True,
        "CidrBlock": "172.31.0.0/16",
        "OwnerId": account,
        "FlowLogs": [
            {
                "FlowLogId": f"fl-{account[:6]}",
                "FlowLogStatus": "ACTIVE",
                "DeliverLogsStatus": "SUCCESS",
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "LogGroupName": "vpc-flow-logs",
            }
        ],
        "CapturesRejectedTraffic": True,
    }
    doc.update(changes)
    return doc


def tenant_kinds(account: str, regions: tuple[str, ...]) -> dict[str, list[Resource]]:
    """The compliant documents of one account."""
    return {
        HUB: [
            Resource(
                HUB,
                hub_id(account, r),
                account,
                r,
                {
                    "Region": r,
                    "Enabled": True,
                    "HubArn": f"arn:aws:securityhub:{r}:{account}:hub/default",
                },
            )
            for r in regions
        ],
        VPC: [Resource(VPC, vpc_id(account, r), account, r, vpc_doc(account, r)) for r in regions],
        ACCOUNT_KEY: [
            _key(account, regions[0], "app"),
            _key(
                account,
                regions[0],
                "aws-managed",
                KeyManager="AWS",
                RotationApplies=False,
                RotationExclusion="AWS managed key: AWS rotates it every year",
                KeyRotationEnabled=None,
            ),
        ],
    }


ACCESS = "aws.iam.log_archive_access"
READER_ROLE = "LogReader"


def key_policy(log: str, org_id: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIamPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{log}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowCloudTrailEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceOrgID": org_id}},
            },
        ],
    }


def reader_role(log: str, bucket: str, key: str) -> dict[str, Any]:
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
    ]
    return {
        "Arn": f"arn:aws:iam::{log}:role/{READER_ROLE}",
        "RoleName": READER_ROLE,
        "Policies": [
            {"Name": "read-logs", "Document": {"Version": "2012-10-17", "Statement": statements}}
        ],
    }


def access_resource(
    log: str, org_id: str, bucket: str, key: str, bucket_policy: dict[str, Any]
) -> Resource:
    data = {
        "Bucket": bucket,
        "BucketArn": f"arn:aws:s3:::{bucket}",
        "Account": log,
        "BucketPolicy": bucket_policy,
        "Key": key,
        "KeyAccount": log,
        "KeyPolicy": key_policy(log, org_id),
        "Roles": [
            reader_role(log, bucket, key),
            {"Arn": f"arn:aws:iam::{log}:role/unrelated", "RoleName": "unrelated", "Policies": []},
        ],
    }
    return Resource(ACCESS, f"arn:aws:s3:::{bucket}#readers", log, "us-east-1", data)


AGGREGATOR = "aws.config.aggregator"
CHANNEL = "aws.config.delivery_channel"
CONFIG_BUCKET = "org-config-222222222222"


def aggregator(mgmt: str, region: str, **changes: Any) -> Resource:
    arn = f"arn:aws:config:{region}:{mgmt}:config-aggregator/config-aggregator-org"
    data: dict[str, Any] = {
        "Name": "organization",
        "ConfigurationAggregatorArn": arn,
        "Account": mgmt,
        "DelegatedAdministrator": False,
        "OrganizationAggregationSource": {
            "RoleArn": f"arn:aws:iam::{mgmt}:role/config-aggregator",
            "AllAwsRegions": True,
        },
        "AccountAggregationSources": [],
        "OrganizationWide": True,
        "CoversScannedRegions": True,
    }
    data.update(changes)
    return Resource(AGGREGATOR, arn, mgmt, region, data)


def channel(account: str, region: str, log: str, **changes: Any) -> Resource:
    data: dict[str, Any] = {
        "name": "default",
        "s3BucketName": CONFIG_BUCKET,
        "LogArchiveAccounts": [log],
        "CentralBucket": True,
    }
    data.update(changes)
    rid = f"arn:aws:config:{region}:{account}:delivery-channel/default"
    return Resource(CHANNEL, rid, account, region, data)
