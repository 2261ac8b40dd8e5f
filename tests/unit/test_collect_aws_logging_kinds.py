"""The logging slice's kinds against moto (mock_aws), with the organization of
test_collect_aws_kinds: what each collector reads, and that an API error is an error value."""

from __future__ import annotations

import boto3
import pytest

from tests.unit.test_collect_aws_kinds import (
    BUCKET,
    MGMT,
    REGIONS,
    World,
    aws_env,
    fail_in,
    scan,
    world,
)

__all__ = ["aws_env", "world"]  # the fixtures, shared

HUB = "aws.securityhub.hub"
VPC = "aws.ec2.vpc"
CHANNEL = "aws.config.delivery_channel"


def test_security_hub_enabled_or_not_per_region(world: World) -> None:
    boto3.client("securityhub", region_name=REGIONS[0]).enable_security_hub()
    s = scan()
    hubs, errors = s.get(MGMT, HUB)
    assert errors == []
    assert {h.region: h.data["Enabled"] for h in hubs} == {REGIONS[0]: True, REGIONS[1]: False}
    assert {h.id for h in hubs} == {f"arn:aws:securityhub:{r}:{MGMT}:hub/default" for r in REGIONS}


@pytest.mark.parametrize(
    "code", ["AccessDeniedException", "ThrottlingException", "InvalidAccessException"]
)
def test_security_hub_error_is_an_error_for_that_region_only(world: World, code: str) -> None:
    s = scan(
        handlers={"before-call.securityhub.DescribeHub": fail_in(REGIONS[1], "DescribeHub", code)}
    )
    hubs, errors = s.get(MGMT, HUB)
    assert [h.region for h in hubs] == [REGIONS[0]]
    assert [(e.region, e.code) for e in errors] == [(REGIONS[1], code)]


def test_vpcs_carry_their_flow_logs(world: World) -> None:
    home = boto3.client("ec2", region_name=REGIONS[0])
    other = boto3.client("ec2", region_name=REGIONS[1])
    for client, traffic in ((home, "REJECT"), (other, "ACCEPT")):
        vpc = client.describe_vpcs()["Vpcs"][0]["VpcId"]
        client.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType=traffic,
            LogDestinationType="cloud-watch-logs",
            LogGroupName="flow",
            DeliverLogsPermissionArn=f"arn:aws:iam::{MGMT}:role/flow",
        )
    extra = home.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    s = scan()
    vpcs, errors = s.get(MGMT, VPC)
    assert errors == []
    by_id = {v.data["VpcId"]: v for v in vpcs}
    assert by_id[extra].data["FlowLogs"] == [] and not by_id[extra].data["CapturesRejectedTraffic"]
    verdicts = {(v.region, v.data["IsDefault"]): v.data["CapturesRejectedTraffic"] for v in vpcs}
    assert verdicts == {
        (REGIONS[0], True): True,
        (REGIONS[0], False): False,
        (REGIONS[1], True): False,
    }
    assert by_id[extra].id == f"arn:aws:ec2:{REGIONS[0]}:{MGMT}:vpc/{extra}"


def test_flow_logs_unreadable_is_an_error_not_vpcs_without_flow_logs(world: World) -> None:
    s = scan(
        handlers={
            "before-call.ec2.DescribeFlowLogs": fail_in(
                REGIONS[0], "DescribeFlowLogs", "UnauthorizedOperation"
            )
        }
    )
    vpcs, errors = s.get(MGMT, VPC)
    assert {v.region for v in vpcs} == {REGIONS[1]}
    assert [(e.region, e.code) for e in errors] == [(REGIONS[0], "UnauthorizedOperation")]


ACCOUNT_KEY = "aws.kms.account_key"


def test_every_key_of_the_account_with_rotation_where_it_applies(world: World) -> None:
    kms = boto3.client("kms", region_name=REGIONS[1])
    rotating = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotating)
    still = kms.create_key()["KeyMetadata"]["Arn"]
    signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["Arn"]
    leaving_meta = kms.create_key()["KeyMetadata"]
    leaving = leaving_meta["Arn"]
    kms.schedule_key_deletion(KeyId=leaving_meta["KeyId"], PendingWindowInDays=7)
    s = scan()
    keys, errors = s.get(MGMT, ACCOUNT_KEY)
    assert errors == []
    docs = {k.id: k.data for k in keys if k.region == REGIONS[1]}
    assert set(docs) == {rotating, still, signing, leaving}
    assert docs[rotating]["KeyRotationEnabled"] is True and docs[rotating]["RotationApplies"]
    assert docs[still]["KeyRotationEnabled"] is False
    assert "asymmetric or HMAC" in docs[signing]["RotationExclusion"]
    assert "KeyRotationEnabled" not in docs[signing]
    assert "PendingDeletion" in docs[leaving]["RotationExclusion"]


def test_an_unreadable_key_is_an_error_for_that_key(world: World) -> None:
    kms = boto3.client("kms", region_name=REGIONS[1])
    kms.create_key()
    s = scan(
        handlers={
            "before-call.kms.GetKeyRotationStatus": fail_in(
                REGIONS[1], "GetKeyRotationStatus", "AccessDeniedException"
            )
        }
    )
    keys, errors = s.get(MGMT, ACCOUNT_KEY)
    assert [k.region for k in keys] == []
    assert [(e.region, e.code) for e in errors] == [(REGIONS[1], "AccessDeniedException")]


def test_the_logging_kinds_cost_what_their_controls_need(world: World) -> None:
    """Per account-region: DescribeHub 1, DescribeVpcs + DescribeFlowLogs 2, ListKeys 1 (+
    DescribeKey and GetKeyRotationStatus per key), DescribeDeliveryChannels 1 per region with a
    recorder; the aggregators are read once per organization, the archive's roles once."""
    from collections import Counter
    from typing import Any

    from tests.unit.test_collect_aws_kinds import LOGGING_SLICE_KINDS, collect_all

    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    s = scan(handlers={"before-call": count})
    collect_all(s, skip=LOGGING_SLICE_KINDS)  # what the other controls read anyway
    calls.clear()
    for kind in sorted(LOGGING_SLICE_KINDS):
        if kind == "aws.config.aggregator":
            s.org.get(kind)
        else:
            for inv in s.tenants.values():
                inv.get(kind)
    account_regions = len(s.tenants) * len(REGIONS)
    assert calls["securityhub.DescribeHub"] == account_regions
    assert calls["ec2.DescribeVpcs"] == calls["ec2.DescribeFlowLogs"] == account_regions
    assert calls["kms.ListKeys"] == account_regions
    assert calls["organizations.ListDelegatedAdministrators"] == 1
    assert calls["config.DescribeConfigurationAggregators"] == len(REGIONS)
    buckets = [b for inv in s.tenants.values() for b in inv.get("aws.s3.bucket").resources]
    # once per account that owns a log bucket; once per log bucket with a KMS key
    assert calls["iam.GetAccountAuthorizationDetails"] == len({b.tenant_id for b in buckets})
    assert calls["kms.GetKeyPolicy"] == sum(1 for b in buckets if b.data.get("DefaultKmsKeyId"))


def test_a_scan_of_the_other_controls_collects_none_of_the_logging_kinds() -> None:
    """Calls grow with what is selected: without this slice's controls, none of its kinds
    (and so none of its calls) is needed."""
    from logwarden.scanner import engine
    from tests.catalogue import controls, resource_kinds
    from tests.unit.test_collect_aws_kinds import LOGGING_SLICE_KINDS

    kinds = resource_kinds("aws")
    slice_checks = [c for c in controls("aws") if set(c.kinds) & LOGGING_SLICE_KINDS]
    others = [c for c in controls("aws") if c not in slice_checks]
    assert slice_checks and others
    # Route 53 query logging reads the VPCs of aws.ec2.vpc (one DescribeVpcs for both)
    shared = {VPC}
    resolver = [c for c in others if "aws.route53resolver.vpc" in c.kinds]
    assert resolver and engine.needed_kinds(resolver, kinds) & LOGGING_SLICE_KINDS == shared
    assert engine.needed_kinds(others, kinds) & (LOGGING_SLICE_KINDS - shared) == set()
    without_resolver = [c for c in others if c not in resolver]
    assert engine.needed_kinds(without_resolver, kinds) & LOGGING_SLICE_KINDS == set()
    assert engine.needed_kinds(slice_checks, kinds) >= LOGGING_SLICE_KINDS


AGGREGATOR = "aws.config.aggregator"


def test_aggregators_of_the_management_account_and_the_delegated_administrator(
    world: World,
) -> None:
    org = boto3.client("organizations")
    org.register_delegated_administrator(
        AccountId=world.archive, ServicePrincipal="config.amazonaws.com"
    )
    boto3.client("config", region_name=REGIONS[1]).put_configuration_aggregator(
        ConfigurationAggregatorName="accounts",
        AccountAggregationSources=[{"AccountIds": [MGMT], "AllAwsRegions": True}],
    )
    world.member(world.archive).client("config").put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={
            "RoleArn": f"arn:aws:iam::{world.archive}:role/aggregator",
            "AwsRegions": [REGIONS[0]],
        },
    )
    s = scan()
    found, errors = s.get(None, AGGREGATOR)
    assert errors == []
    by_name = {a.data["Name"]: a for a in found}
    assert by_name["accounts"].tenant_id == MGMT and by_name["accounts"].region == REGIONS[1]
    assert not by_name["accounts"].data["OrganizationWide"]
    delegated = by_name["organization"]
    assert (delegated.tenant_id, delegated.region) == (world.archive, REGIONS[0])
    assert delegated.data["DelegatedAdministrator"] and delegated.data["OrganizationWide"]
    assert delegated.data["CoversScannedRegions"] is False  # one region of two


def test_delegated_administrators_unreadable_is_an_error(world: World) -> None:
    s = scan(
        handlers={
            "before-call": fail_in("aws-global", "ListDelegatedAdministrators"),
        }
    )
    found, errors = s.get(None, AGGREGATOR)
    assert found == [] and [e.code for e in errors] == ["AccessDeniedException"]


def test_the_archive_roles_carry_inline_and_attached_policies(world: World) -> None:
    import json as _json

    iam = world.member(world.archive).client("iam")
    iam.create_role(RoleName="Auditor", AssumeRolePolicyDocument=_json.dumps({"Statement": []}))
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
    policy = iam.create_policy(PolicyName="read-all", PolicyDocument=_json.dumps(document))
    iam.attach_role_policy(RoleName="Auditor", PolicyArn=policy["Policy"]["Arn"])
    s = scan()
    docs, errors = s.get(world.archive, "aws.iam.log_archive_access")
    assert errors == [] and len(docs) == 1
    roles = {r["RoleName"]: r for r in docs[0].data["Roles"]}
    assert roles["Auditor"]["Policies"] == [{"Name": policy["Policy"]["Arn"], "Document": document}]
    assert docs[0].data["Key"] == world.key_arn and docs[0].data["KeyPolicy"]["Statement"]


def test_an_unreadable_account_leaves_what_others_know_for_certain(world: World) -> None:
    """A workload account's trails cannot be read: its own facts are errors, but the log
    archive's readers (its own bucket and key) and a delivery channel to a bucket known to be
    central stay known; a channel to any other bucket is unknown, never "not central"."""
    from typing import Any

    from botocore.awsrequest import AWSResponse

    org = boto3.client("organizations")
    workload = org.create_account(Email="w@example.com", AccountName="workload")[
        "CreateAccountStatus"
    ]["AccountId"]

    def deny_trails(account_id: str, model: Any, **_: Any) -> Any:
        if account_id == workload and model.name == "DescribeTrails":
            body = {"Error": {"Code": "AccessDeniedException", "Message": "injected"}}
            return AWSResponse("https://example.invalid", 400, {}, None), body
        return None

    cfg = world.member(world.archive).client("config")
    cfg.put_delivery_channel(DeliveryChannel={"name": "central", "s3BucketName": BUCKET})
    boto3.client("config", region_name=REGIONS[1]).put_delivery_channel(
        DeliveryChannel={"name": "local", "s3BucketName": "mgmt-config"}
    )
    s = scan(handlers={"before-call": deny_trails})
    assert s.get(workload, "aws.cloudtrail.trail")[1]  # the cause
    readers, errors = s.get(world.archive, "aws.iam.log_archive_access")
    assert errors == [] and [d.data["Bucket"] for d in readers] == [BUCKET]
    channels, errors = s.get(world.archive, CHANNEL)
    assert errors == [] and [c.data["CentralBucket"] for c in channels] == [True]
    channels, errors = s.get(MGMT, CHANNEL)
    assert channels == [] and [e.code for e in errors] == ["SourceUnavailable"]
    assert "mgmt-config" in errors[0].message and "not a known bucket" in errors[0].message
