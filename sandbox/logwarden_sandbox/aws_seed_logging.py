"""Seeding for the logging controls of CIS AWS 4.6-4.9 and 5.16, the log archive's readers and
central AWS Config aggregation (the w3-aws-logging slice), kept apart from ``aws_seed``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from logwarden_sandbox.aws_zone import LOG_ARCHIVE, MANAGEMENT

if TYPE_CHECKING:
    from logwarden_sandbox.aws_seed import Seeder
    from logwarden_sandbox.aws_zone import AccountSpec

FLOW_LOG_GROUP = "vpc-flow-logs"
FLOW_LOG_ROLE = "vpc-flow-logs"
READER_ROLE = "LogReader"
#: An account outside every sandbox organization (moto's ids are random, never this one).
OUTSIDE_ACCOUNT = "999999999999"


def s3_data_selector(read_write: str) -> dict[str, Any]:
    """A basic event selector logging S3 object events of every bucket (``read_write``)."""
    return {
        "ReadWriteType": read_write,
        "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
    }


def seed_account(seeder: Seeder, spec: AccountSpec) -> None:
    """Security Hub and VPC flow logs of one account, in every region, and its KMS keys
    (compliant unless the zone's :class:`LoggingSpec` names the place)."""
    logging = seeder.zone.logging
    _keys(seeder, spec)
    _config(seeder, spec)
    for region in seeder.zone.regions if logging.per_region else ():
        place = (spec.name, region)
        if place not in logging.security_hub_off:
            seeder._client("securityhub", spec.name, region).enable_security_hub()
        ec2 = seeder._client("ec2", spec.name, region)
        found = ec2.describe_vpcs()["Vpcs"]
        vpcs = [v["VpcId"] for v in found]
        if place in logging.unlogged_vpcs:  # the defect: the default VPC has no flow log
            account = seeder.ids[spec.name]
            (default,) = [v["VpcId"] for v in found if v.get("IsDefault")]
            with seeder.lock:
                seeder.logging_ids[f"unlogged_vpc:{spec.name}:{region}"] = (
                    f"arn:aws:ec2:{region}:{account}:vpc/{default}"
                )
            vpcs = [v for v in vpcs if v != default]
        if vpcs:
            ec2.create_flow_logs(
                ResourceIds=vpcs,
                ResourceType="VPC",
                TrafficType=logging.flow_log_traffic,
                LogDestinationType="cloud-watch-logs",
                LogGroupName=FLOW_LOG_GROUP,
                DeliverLogsPermissionArn=f"arn:aws:iam::{seeder.ids[spec.name]}:role/{FLOW_LOG_ROLE}",
            )


def _keys(seeder: Seeder, spec: AccountSpec) -> None:
    """A workload account's application key (rotating unless named), and an asymmetric
    signing key in the log archive, which rotation does not apply to (SKIPPED)."""
    kms = seeder._client("kms", spec.name)
    if spec.name == LOG_ARCHIVE:
        kms.create_key(
            Description="logwarden sandbox: log signing key (asymmetric)",
            KeyUsage="SIGN_VERIFY",
            KeySpec="ECC_NIST_P256",
        )
        return
    if spec.name == MANAGEMENT:
        return
    key = kms.create_key(Description=f"logwarden sandbox: {spec.name} application key")
    arn = key["KeyMetadata"]["Arn"]
    with seeder.lock:
        seeder.logging_ids[f"app_key:{spec.name}"] = arn
    if spec.name not in seeder.zone.logging.unrotated_keys:
        kms.enable_key_rotation(KeyId=arn)


def seed_log_archive(seeder: Seeder) -> None:
    """The log reader role of the log archive (reads the logs: s3:GetObject and kms:Decrypt,
    through its identity policy; the key policy delegates to the account), and, for the defect,
    a bucket policy statement that lets an account outside the organization read the logs."""
    iam = seeder._client("iam", LOG_ARCHIVE)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{seeder.ids[LOG_ARCHIVE]}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=READER_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{seeder.log_bucket}/*",
            },
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": seeder.key_arn},
        ],
    }
    iam.put_role_policy(
        RoleName=READER_ROLE, PolicyName="read-logs", PolicyDocument=json.dumps(read)
    )
    outsider = seeder.zone.logging.outside_reader
    if outsider:
        s3 = seeder._client("s3", LOG_ARCHIVE)
        policy = json.loads(s3.get_bucket_policy(Bucket=seeder.log_bucket)["Policy"])
        policy["Statement"].append(
            {
                "Sid": "PartnerReadsLogs",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{outsider}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{seeder.log_bucket}/AWSLogs/*",
            }
        )
        s3.put_bucket_policy(Bucket=seeder.log_bucket, Policy=json.dumps(policy))


def _config(seeder: Seeder, spec: AccountSpec) -> None:
    """The organization aggregator (management account, home region), and, for the defect, a
    home-region delivery channel to a bucket of the account itself."""
    logging = seeder.zone.logging
    if spec.name == MANAGEMENT:
        source: dict[str, Any] = {
            "RoleArn": f"arn:aws:iam::{seeder.ids[MANAGEMENT]}:role/config-aggregator"
        }
        if logging.aggregator_home_only:
            source["AwsRegions"] = [seeder.home]
        else:
            source["AllAwsRegions"] = True
        config = seeder._client("config", MANAGEMENT)
        arn = config.put_configuration_aggregator(
            ConfigurationAggregatorName="organization", OrganizationAggregationSource=source
        )["ConfigurationAggregator"]["ConfigurationAggregatorArn"]
        with seeder.lock:
            seeder.logging_ids["aggregator"] = arn
    if spec.name in logging.local_config_delivery and spec.recorders:
        bucket = f"logwarden-local-config-{seeder.ids[spec.name]}"
        seeder._client("s3", spec.name).create_bucket(Bucket=bucket)
        seeder._client("config", spec.name).put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": bucket}
        )
