"""The AWS collector against moto: a management account with an organization trail writing to a
bucket in a log-archive member account, two regions. Inventories are built by hand here (the
engine wires them the same way): one organization inventory, one per tenant, peers set.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from logwarden.scanner.collectors.aws import (
    all_kinds,
    discover,
    open_session,
    parse_settings,
)
from logwarden.scanner.collectors.aws.kinds import eks, elbv2, rds, route53resolver
from logwarden.scanner.collectors.aws.settings import AwsSettings
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Discovery, Resource

REGIONS = ["us-east-1", "eu-west-1"]
MGMT = "123456789012"
BUCKET = "org-trail-logs-archive"
LOCAL_BUCKET = "mgmt-local-trail-logs"
LOG_GROUP = "/org/cloudtrail"
SERVICE_KINDS = {k.name for m in (eks, rds, elbv2, route53resolver) for k in m.KINDS}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class World:
    archive: str
    org_id: str
    root: str
    ou: str
    key_arn: str
    trail_arn: str
    local_trail_arn: str
    scp_ids: dict[str, str]

    def member(self, account: str) -> boto3.Session:
        sts = boto3.client("sts")
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        creds = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name="us-east-1",
        )


def _seed(local_trail: bool = True) -> World:
    org = boto3.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ou = org.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]["Id"]
    archive = org.create_account(Email="log@example.com", AccountName="log-archive")[
        "CreateAccountStatus"
    ]["AccountId"]
    org.move_account(AccountId=archive, SourceParentId=root, DestinationParentId=ou)
    deny = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Deny", "Action": ["cloudtrail:StopLogging"], "Resource": "*"},
    }
    scp_ids = {}
    for name, target in (("protect-cloudtrail", root), ("protect-log-bucket", ou)):
        pid = org.create_policy(
            Content=json.dumps(deny), Description=name, Name=name, Type="SERVICE_CONTROL_POLICY"
        )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=pid, TargetId=target)
        scp_ids[name] = pid
    world = World(archive, org_id, root, ou, "", "", "", scp_ids)

    # Log archive: the org trail's bucket and key, and a bucket that is not a log bucket.
    arc = world.member(archive)
    key = arc.client("kms").create_key(Description="org trail key")["KeyMetadata"]
    arc.client("kms").enable_key_rotation(KeyId=key["KeyId"])
    world.key_arn = key["Arn"]
    s3 = arc.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket="archive-unrelated-bucket")
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key["Arn"],
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True,
        },
    )
    tls = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    }
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(tls))
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(
        Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=BUCKET,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "archive",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "org/"},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                    "Expiration": {"Days": 400},
                },
                {
                    "ID": "other",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "x/"},
                    "Expiration": {"Days": 1},
                },
            ]
        },
    )
    cfg = arc.client("config")
    cfg.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{archive}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )

    # Management: the organization trail, a local single-region trail, recorders, log group.
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_group(logGroupName=LOG_GROUP + "-other")
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=400)
    ct = boto3.client("cloudtrail")
    world.trail_arn = ct.create_trail(
        Name="org-trail",
        S3BucketName=BUCKET,
        S3KeyPrefix="org",
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=key["Arn"],
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{MGMT}:log-group:{LOG_GROUP}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{MGMT}:role/trail-to-logs",
    )["TrailARN"]
    # what AWS answers for a trail created without selectors (moto answers none)
    ct.put_event_selectors(
        TrailName="org-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    ct.start_logging(Name="org-trail")
    if local_trail:
        _local_trail(world)
    for region in REGIONS:
        boto3.client("config", region_name=region).put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{MGMT}:role/config",
                "recordingGroup": {
                    "allSupported": True,
                    "includeGlobalResourceTypes": region == "us-east-1",
                },
            }
        )
    return world


def _local_trail(world: World) -> None:
    """A single-region trail of the management account, to a bucket with no configuration."""
    boto3.client("s3").create_bucket(
        Bucket=LOCAL_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    ct_eu = boto3.client("cloudtrail", region_name="eu-west-1")
    world.local_trail_arn = ct_eu.create_trail(Name="local-trail", S3BucketName=LOCAL_BUCKET)[
        "TrailARN"
    ]
    ct_eu.put_event_selectors(
        TrailName="local-trail",
        AdvancedEventSelectors=[
            {
                "Name": "management",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                    {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
                ],
            }
        ],
    )


@pytest.fixture
def world() -> Iterator[World]:
    with mock_aws():
        yield _seed()


@dataclass
class Scan:
    settings: AwsSettings
    discovery: Discovery
    org: Inventory
    tenants: dict[str, Inventory]

    def get(self, account: str | None, kind: str) -> tuple[list[Resource], list[CollectionError]]:
        inv = self.org if account is None else self.tenants[account]
        got = inv.get(kind)
        return list(got.resources), list(got.errors)

    def one(self, account: str | None, kind: str, rid: str) -> dict[str, Any]:
        resources, errors = self.get(account, kind)
        assert errors == []
        found = [r for r in resources if r.id == rid]
        assert len(found) == 1, [r.id for r in resources]
        return dict(found[0].data)


def scan(config: dict[str, Any] | None = None, handlers: dict[str, Any] | None = None) -> Scan:
    """Discover and build the inventories exactly as the engine will."""
    settings = parse_settings({"regions": REGIONS, **(config or {})}, "logwarden.yaml")
    for event, handler in (handlers or {}).items():
        settings.pool.register(event, handler)
    discovery = discover(settings=settings)
    assert discovery is not None and discovery.errors == []
    kinds = {k.name: k for k in all_kinds()}
    org = discovery.organizations[0]

    def factory(tenant: Any) -> Any:
        return lambda: open_session(tenant=tenant, organization=org, settings=settings)

    org_inv = Inventory(
        cloud="aws", tenant=None, organization=org, kinds=kinds, session_factory=factory(None)
    )
    tenants = {
        t.id: Inventory(
            cloud="aws",
            tenant=t,
            organization=org,
            kinds=kinds,
            session_factory=factory(t),
            org_inventory=org_inv if org.facts_available else None,
        )
        for t in discovery.tenants
    }
    for inv in tenants.values():
        inv.peers = list(tenants.values())
    return Scan(settings, discovery, org_inv, tenants)


def collect_all(s: Scan, skip: frozenset[str] = frozenset(), *, services: bool = False) -> None:
    """Organization kinds first, then stage by stage, as the engine does (but ``skip``). The
    service-audit-log kinds (tests/unit/test_collect_aws_services.py) only with ``services``:
    they read nothing the others read, and moto builds each account-region's default VPC for
    them (~1 s each)."""
    skipped = set(skip) | (set() if services else SERVICE_KINDS)
    kinds = sorted((k for k in all_kinds() if k.name not in skipped), key=lambda k: k.stage)
    for kind in kinds:
        if kind.organization:
            s.org.get(kind.name)
    for kind in kinds:
        if not kind.organization:
            for inv in s.tenants.values():
                inv.get(kind.name)


def fail_in(region: str, operation: str, code: str = "AccessDeniedException") -> Any:
    """A botocore before-call hook answering one operation in one region with an AWS error."""

    def handler(account_id: str, context: dict[str, Any], model: Any, **_: Any) -> Any:
        if context.get("client_region") == region and model.name == operation:
            body = {"Error": {"Code": code, "Message": f"injected failure in {region}"}}
            return AWSResponse("https://example.invalid", 400, HTTPHeaders(), None), body
        return None

    return handler


# --- organization kinds -------------------------------------------------------------------


def test_organization_accounts_and_policies(world: World) -> None:
    s = scan()
    org_doc = s.one(
        None,
        "aws.organizations.organization",
        f"arn:aws:organizations::{MGMT}:organization/{world.org_id}",
    )
    assert org_doc["Id"] == world.org_id and org_doc["MasterAccountId"] == MGMT
    assert org_doc["ScpEnabled"] is True
    assert [r["Id"] for r in org_doc["Roots"]] == [world.root]

    accounts, errors = s.get(None, "aws.organizations.account")
    assert errors == []
    by_id = {a.tenant_id: a.data for a in accounts}
    assert set(by_id) == {MGMT, world.archive}
    arc = by_id[world.archive]
    assert arc["Name"] == "log-archive" and arc["Status"] == "ACTIVE"
    assert arc["ParentPath"] == [
        {"Id": world.root, "Type": "ROOT", "Name": "Root"},
        {"Id": world.ou, "Type": "ORGANIZATIONAL_UNIT", "Name": "Security"},
    ]
    assert arc["IsManagementAccount"] is False and by_id[MGMT]["IsManagementAccount"] is True
    # root first (FullAWSAccess and the root SCP), then the OU, then the account itself
    root_scps = sorted(["p-FullAWSAccess", world.scp_ids["protect-cloudtrail"]])
    assert arc["EffectivePolicyIds"] == [*root_scps, world.scp_ids["protect-log-bucket"]]
    assert isinstance(arc["JoinedTimestamp"], str) and arc["JoinedTimestamp"].endswith("Z")
    assert "ParentId" not in arc

    policies, errors = s.get(None, "aws.organizations.policy")
    assert errors == []
    doc = next(p.data for p in policies if p.data["Name"] == "protect-log-bucket")
    assert doc["Content"]["Statement"] == [
        {"Effect": "Deny", "Action": ["cloudtrail:StopLogging"], "Resource": "*"}
    ]
    assert [t["TargetId"] for t in doc["Targets"]] == [world.ou]
    assert doc["Type"] == "SERVICE_CONTROL_POLICY" and doc["AwsManaged"] is False


def test_org_kinds_are_not_applicable_without_organization_facts(world: World) -> None:
    s = scan({"mode": "accounts", "accounts": [{"id": MGMT}, {"id": world.archive}]})
    org = s.discovery.organizations[0]
    assert org.facts_available is False and org.id == world.org_id
    for kind in ("aws.organizations.account", "aws.cloudtrail.org_trail"):
        assert s.org.get(kind).not_applicable
        assert s.tenants[world.archive].view(kind).not_applicable
    # the member sees no organization trail then (moto hides it), and that is no error
    trails, errors = s.get(world.archive, "aws.cloudtrail.trail")
    assert trails == [] and errors == []


# --- trails ---------------------------------------------------------------------------------


def expected_org_trail(world: World, shadow: bool) -> dict[str, Any]:
    return {
        "Name": "org-trail",
        "S3BucketName": BUCKET,
        "S3KeyPrefix": "org",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": "us-east-1",
        "TrailARN": world.trail_arn,
        "LogFileValidationEnabled": True,
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:us-east-1:{MGMT}:log-group:{LOG_GROUP}:*",
        "CloudWatchLogsRoleArn": f"arn:aws:iam::{MGMT}:role/trail-to-logs",
        "KmsKeyId": world.key_arn,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": True,
        "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
        "AdvancedEventSelectors": [],
        "ManagementEvents": {"Read": True, "Write": True, "ExcludedSources": []},
        "S3DataEvents": {"Read": False, "Write": False},
        "Shadow": shadow,
    }


def test_org_trail_document_and_multi_region_dedupe(world: World) -> None:
    s = scan()
    org_trails, errors = s.get(None, "aws.cloudtrail.org_trail")
    assert errors == [] and [t.id for t in org_trails] == [world.trail_arn]
    data = dict(org_trails[0].data)
    status = data.pop("Status")
    assert data == expected_org_trail(world, shadow=False)
    assert status["IsLogging"] is True and "ResponseMetadata" not in status
    assert status["StartLoggingTime"].endswith("Z")
    assert org_trails[0].tenant_id == MGMT and org_trails[0].region == "us-east-1"

    # listed in both regions of the management account: one resource
    trails, errors = s.get(MGMT, "aws.cloudtrail.trail")
    assert errors == []
    assert sorted(t.id for t in trails) == sorted([world.trail_arn, world.local_trail_arn])
    local = next(t for t in trails if t.id == world.local_trail_arn)
    assert local.region == "eu-west-1" and local.data["Shadow"] is False
    assert local.data["IsMultiRegionTrail"] is False
    assert local.data["ManagementEvents"] == {
        "Read": False,
        "Write": True,
        "ExcludedSources": ["kms.amazonaws.com"],
    }


def test_org_trail_is_a_shadow_in_the_member_when_moto_hides_it(world: World) -> None:
    s = scan()
    trails, errors = s.get(world.archive, "aws.cloudtrail.trail")
    assert errors == [] and [t.id for t in trails] == [world.trail_arn]
    shadow = trails[0]
    assert shadow.tenant_id == MGMT and shadow.region == "us-east-1"
    data = dict(shadow.data)
    data.pop("Status")
    assert data == expected_org_trail(world, shadow=True)


def test_org_trail_listed_by_the_member_is_the_same_resource(world: World) -> None:
    listed = boto3.client("cloudtrail").describe_trails(trailNameList=[world.trail_arn])[
        "trailList"
    ]
    calls: Counter[str] = Counter()

    def member_lists_org_trail(account_id: str, model: Any, **_: Any) -> Any:
        calls[f"{account_id}:{model.name}"] += 1
        if account_id == world.archive and model.name == "DescribeTrails":
            return AWSResponse("https://example.invalid", 200, HTTPHeaders(), None), {
                "trailList": listed
            }
        return None

    s = scan(handlers={"before-call.cloudtrail": member_lists_org_trail})
    trails, errors = s.get(world.archive, "aws.cloudtrail.trail")
    assert errors == [] and [t.id for t in trails] == [world.trail_arn]
    assert trails[0].data["Shadow"] is True and trails[0].tenant_id == MGMT
    # status and selectors were read once, in the management account, never by the member
    assert calls[f"{MGMT}:GetTrailStatus"] == 1 and calls[f"{MGMT}:GetEventSelectors"] == 1
    assert calls[f"{world.archive}:GetTrailStatus"] == 0


def test_a_failing_region_is_an_error_and_the_other_region_still_counts(world: World) -> None:
    s = scan(handlers={"before-call": fail_in("us-east-1", "DescribeTrails")})
    trails, errors = s.get(MGMT, "aws.cloudtrail.trail")
    assert [(e.region, e.code, e.kind, e.tenant_id) for e in errors] == [
        ("us-east-1", "AccessDeniedException", "aws.cloudtrail.trail", MGMT)
    ]
    assert "injected failure" in errors[0].message
    # the multi-region org trail is still seen through eu-west-1
    assert sorted(t.id for t in trails) == sorted([world.trail_arn, world.local_trail_arn])


def test_connection_errors_become_values(world: World) -> None:
    def unreachable(context: dict[str, Any], model: Any, **_: Any) -> None:
        if (
            context.get("client_region") == "eu-west-1"
            and model.name == "DescribeConfigurationRecorders"
        ):
            raise EndpointConnectionError(endpoint_url="https://config.eu-west-1.amazonaws.com")

    s = scan(handlers={"before-call": unreachable})
    recorders, errors = s.get(MGMT, "aws.config.recorder")
    assert [(e.region, e.code) for e in errors] == [("eu-west-1", "EndpointConnectionError")]
    assert [r.region for r in recorders] == ["us-east-1"]


# --- config, regions, logs ------------------------------------------------------------------


def test_config_recorders_named_default_in_two_regions_are_two_resources(world: World) -> None:
    s = scan()
    recorders, errors = s.get(MGMT, "aws.config.recorder")
    assert errors == []
    assert [(r.id, r.region) for r in recorders] == [
        (f"arn:aws:config:{r}:{MGMT}:config-recorder/default", r) for r in REGIONS
    ]
    us = recorders[0].data
    assert us["name"] == "default" and us["recordingGroup"]["includeGlobalResourceTypes"] is True
    assert us["Status"] == {"name": "default", "recording": False}
    assert recorders[1].data["recordingGroup"]["includeGlobalResourceTypes"] is False
    archive_recorders, _ = s.get(world.archive, "aws.config.recorder")
    assert [r.region for r in archive_recorders] == ["us-east-1"]
    regions = s.one(MGMT, "aws.config.regions", f"arn:aws:config::{MGMT}:regions")
    assert regions == {"Regions": REGIONS}


def test_log_group_of_the_trail_exact_name(world: World) -> None:
    s = scan()
    rid = f"arn:aws:logs:us-east-1:{MGMT}:log-group:{LOG_GROUP}"
    doc = s.one(MGMT, "aws.logs.log_group", rid)
    assert doc["logGroupName"] == LOG_GROUP and doc["retentionInDays"] == 400
    assert doc["UsedBy"] == [world.trail_arn]
    # the member's view of the org trail does not make it collect the management's group
    assert s.get(world.archive, "aws.logs.log_group") == ([], [])


# --- buckets and keys -----------------------------------------------------------------------


def test_log_bucket_is_collected_in_the_account_that_owns_it(world: World) -> None:
    s = scan()
    collect_all(s)
    arn = f"arn:aws:s3:::{BUCKET}"
    assert [r.id for r in s.get(MGMT, "aws.s3.bucket")[0]] == [f"arn:aws:s3:::{LOCAL_BUCKET}"]
    doc = s.one(world.archive, "aws.s3.bucket", arn)
    assert set(doc) == {
        "Name", "Region", "CreationDate", "Encryption", "PublicAccessBlock", "OwnershipControls",
        "Policy", "Lifecycle", "Versioning", "WrittenBy", "LogKeyPrefixes",
        "EffectivePublicAccessBlock", "LogLifecycle", "DefaultSSEAlgorithm", "DefaultKmsKeyId",
        "ObjectOwnership",
    }  # fmt: skip
    assert doc["Region"] == "us-east-1" and doc["WrittenBy"] == [world.trail_arn]
    assert doc["LogKeyPrefixes"] == ["org/AWSLogs/"]
    assert doc["DefaultSSEAlgorithm"] == "aws:kms" and doc["DefaultKmsKeyId"] == world.key_arn
    assert doc["ObjectOwnership"] == "BucketOwnerEnforced"
    assert doc["Policy"]["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert doc["EffectivePublicAccessBlock"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True,
    }
    # the "x/" rule does not cover the log keys; the "org/" rule does
    assert doc["LogLifecycle"] == {
        "ArchiveAfterDays": 90,
        "ArchiveStorageClass": "GLACIER",
        "ExpireAfterDays": 400,
    }
    assert doc["Versioning"] == {"Status": "Enabled"}
    assert isinstance(doc["CreationDate"], str)


def test_absent_configurations_are_absent_fields(world: World) -> None:
    s = scan()
    collect_all(s)
    doc = s.one(MGMT, "aws.s3.bucket", f"arn:aws:s3:::{LOCAL_BUCKET}")
    for absent in (
        "Encryption", "DefaultSSEAlgorithm", "DefaultKmsKeyId", "PublicAccessBlock",
        "AccountPublicAccessBlock", "OwnershipControls", "ObjectOwnership", "Policy",
        "Lifecycle", "Logging", "ObjectLock",
    ):  # fmt: skip
        assert absent not in doc, absent
    assert doc["Region"] == "eu-west-1" and doc["Versioning"] == {}
    # ACLs are enabled here (no BucketOwnerEnforced), so they are read
    assert [g["Permission"] for g in doc["Acl"]["Grants"]] == ["FULL_CONTROL"]
    assert doc["EffectivePublicAccessBlock"] == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False
    )
    assert doc["LogLifecycle"] == {
        "ArchiveAfterDays": None,
        "ArchiveStorageClass": None,
        "ExpireAfterDays": None,
    }
    assert doc["LogKeyPrefixes"] == ["AWSLogs/"]


def test_account_level_public_access_block_counts(world: World) -> None:
    world.member(world.archive).client("s3control").put_public_access_block(
        AccountId=world.archive,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
            True,
        ),
    )
    s = scan()
    collect_all(s)
    doc = s.one(world.archive, "aws.s3.bucket", f"arn:aws:s3:::{BUCKET}")
    assert doc["PublicAccessBlock"]["BlockPublicPolicy"] is False
    assert doc["AccountPublicAccessBlock"]["BlockPublicPolicy"] is True
    assert all(doc["EffectivePublicAccessBlock"].values())


def test_log_bucket_owned_by_no_scanned_account(world: World) -> None:
    s = scan({"exclude_accounts": [world.archive]})
    collect_all(s)
    buckets, errors = s.get(MGMT, "aws.s3.bucket")
    assert [b.id for b in buckets] == [f"arn:aws:s3:::{LOCAL_BUCKET}"]
    assert [(e.code, e.tenant_id, e.kind) for e in errors] == [
        ("LogBucketNotFound", MGMT, "aws.s3.bucket")
    ]
    assert BUCKET in errors[0].message and world.trail_arn in errors[0].message
    assert "log_archive_account" in errors[0].message
    keys, key_errors = s.get(MGMT, "aws.kms.key")
    assert keys == [] and [e.code for e in key_errors] == ["LogKeyNotFound"]


def test_log_archive_account_outside_the_targets_is_read_through_the_setting(world: World) -> None:
    s = scan({"exclude_accounts": [world.archive], "log_archive_account": world.archive})
    collect_all(s)
    buckets, errors = s.get(MGMT, "aws.s3.bucket")
    assert errors == []
    assert {b.id: b.tenant_id for b in buckets} == {
        f"arn:aws:s3:::{BUCKET}": world.archive,
        f"arn:aws:s3:::{LOCAL_BUCKET}": MGMT,
    }
    keys, errors = s.get(MGMT, "aws.kms.key")
    assert errors == [] and [(k.id, k.tenant_id) for k in keys] == [(world.key_arn, world.archive)]


def test_kms_key_in_the_log_archive(world: World) -> None:
    s = scan()
    collect_all(s)
    assert s.get(MGMT, "aws.kms.key") == ([], [])
    doc = s.one(world.archive, "aws.kms.key", world.key_arn)
    assert doc["KeyRotationEnabled"] is True and doc["KeyManager"] == "CUSTOMER"
    assert doc["KeyState"] == "Enabled" and doc["Arn"] == world.key_arn
    assert doc["UsedBy"] == sorted([f"arn:aws:s3:::{BUCKET}", world.trail_arn])
    assert doc["CreationDate"].endswith("Z")


# --- discovery and the API-call budget -----------------------------------------------------


def test_discovery_of_the_organization(world: World) -> None:
    s = scan()
    org = s.discovery.organizations[0]
    assert (org.id, org.management_tenant_id, org.facts_available) == (world.org_id, MGMT, True)
    tenants = {t.id: t for t in s.discovery.tenants}
    assert set(tenants) == {MGMT, world.archive}
    assert tenants[MGMT].is_management and not tenants[world.archive].is_management
    assert tenants[world.archive].parents == (world.root, world.ou)
    assert tenants[world.archive].name == "log-archive"
    assert tenants[world.archive].regions == tuple(REGIONS)
    only_ou = scan({"include_ous": [world.ou]})
    assert [t.id for t in only_ou.discovery.tenants] == [world.archive]


ORG_LEVEL = ("organizations.", "sts.GetCallerIdentity")
SERVICE_LISTINGS = (
    "eks.ListClusters",
    "rds.DescribeDBInstances",
    "elbv2.DescribeLoadBalancers",
    "ec2.DescribeVpcs",
    "route53resolver.ListResolverQueryLogConfigAssociations",
)


#: The kinds of CIS AWS 4.6-4.9 / 5.16, the log archive's readers and central Config
#: aggregation: collected only when their controls are selected.
LOGGING_SLICE_KINDS = frozenset(
    {
        "aws.kms.account_key",
        "aws.ec2.vpc",
        "aws.securityhub.hub",
        "aws.iam.log_archive_access",
        "aws.config.aggregator",
        "aws.config.delivery_channel",
    }
)


def test_api_calls_per_account_region_stay_within_budget() -> None:
    """The standard world: org trail, log bucket and key in the log archive, recorders."""
    calls: Counter[tuple[str, str, str]] = Counter()

    def count(account_id: str, model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        region = context.get("client_region", "")
        calls[(account_id or "base", region, f"{service}.{model.name}")] += 1

    with mock_aws():
        world = _seed(local_trail=False)
        s = scan(handlers={"before-call": count})
        # the budget of the original catalogue and the service audit logs; the logging slice's
        # kinds have their own (tests/unit/test_collect_aws_logging_kinds.py)
        collect_all(s, skip=LOGGING_SLICE_KINDS, services=True)
        for inv in s.tenants.values():
            for kind in all_kinds():
                if not kind.organization and kind.name not in LOGGING_SLICE_KINDS:
                    assert inv.get(kind.name).errors == ()
    account_regions = len(s.tenants) * len(REGIONS)
    org_level = sum(n for (_, _, op), n in calls.items() if op.startswith(ORG_LEVEL))
    tenant_level = sum(calls.values()) - org_level
    by_service: Counter[str] = Counter()
    lines = []
    for (account, region, op), n in sorted(calls.items()):
        if not op.startswith(ORG_LEVEL):
            by_service[op.split(".")[0]] += n
        lines.append(f"  {account:>12} {region:<10} {op:<48} {n}")
    per_ar = tenant_level / account_regions
    print(
        f"\nAPI calls, {len(s.tenants)} accounts x {len(REGIONS)} regions: {sum(calls.values())} in all;"
        f" organization-level (once per scan): {org_level};"
        f" per account-region: {per_ar:.2f}"
        f" (all calls / account-regions: {sum(calls.values()) / account_regions:.2f})"
    )
    print(
        "  per account-region by service:",
        {k: round(v / account_regions, 2) for k, v in sorted(by_service.items())},
    )
    print("\n".join(lines))
    # The service-audit-log kinds list each service once per account-region (no workload runs
    # here, so nothing more); the rest keeps the v1 catalogue's budget (BENCHMARKS.md).
    services = sum(n for (_, _, op), n in calls.items() if op in SERVICE_LISTINGS)
    assert services == len(SERVICE_LISTINGS) * account_regions
    assert (tenant_level - services) / account_regions <= 10
    # organization: DescribeOrganization, ListRoots, 2 listings per root/OU, ListPolicies,
    # ListTargetsForPolicy + DescribePolicy per SCP (3 here), GetCallerIdentity once
    assert org_level == 1 + 1 + 2 * 2 + 1 + 2 * 3 + 1
    # once per trail, not once per region it is listed in
    assert sum(n for (_, _, op), n in calls.items() if op.endswith("GetTrailStatus")) == 1
    assert sum(n for (_, _, op), n in calls.items() if op.endswith("GetEventSelectors")) == 1
    # bucket and key calls only in the log archive, which owns them
    owners = {a for (a, _, op) in calls if op.startswith(("s3.GetBucket", "s3.GetObject", "kms."))}
    assert owners == {world.archive}
