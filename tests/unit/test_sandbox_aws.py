"""The AWS sandbox: moto server middleware (faults, latency, gaps) and the seeded landing zone.

Everything is read back with plain boto3 clients (fake credentials, explicit endpoint) as the
scanner would read it. moto keeps its state per process, so one server and one seeded world
serve the module; tests that reseed restore the standard world afterwards.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from logwarden_sandbox.aws_defects import CONFLICTS, DEFECTS
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import (
    LOG_ARCHIVE,
    MANAGEMENT,
    World,
    seed_landing_zone,
    standard_landing_zone,
)

HOME, OTHER = "us-east-1", "eu-west-1"
STANDARD_DEFECTS = frozenset(
    {
        "member_single_region_trail",
        "member_multi_region_trail",
        "scp_cloudtrail_detached_from_ou",
        "config_recorder_stopped",
    }
)
FAKE = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _client(service: str, **kwargs: Any) -> Any:
    """boto3.client for a service named at run time (the stubs want a literal name)."""
    factory: Any = boto3.client
    return factory(service, **kwargs)


class Sandbox:
    """The module's server and its current world."""

    def __init__(self, server: MotoServer) -> None:
        self.server = server
        self.world = self.seed(STANDARD_DEFECTS)

    def seed(self, defects: frozenset[str] | set[str], members: int = 2) -> World:
        self.server.reset()
        zone = standard_landing_zone(members=members, defects=defects)
        self.world = seed_landing_zone(zone, endpoint_url=self.server.endpoint_url)
        return self.world

    def ensure(self) -> None:
        """Reseed the standard world when moto no longer holds it."""
        try:
            org = self.client("organizations").describe_organization()["Organization"]
        except ClientError:
            org = {}
        if org.get("Id") != self.world.org_id or set(self.world.defects) != STANDARD_DEFECTS:
            self.seed(STANDARD_DEFECTS)

    def client(
        self,
        service: str,
        account: str = MANAGEMENT,
        region: str = HOME,
        config: Config | None = None,
    ) -> Any:
        """A client acting in ``account`` (management: fake keys; others: via AssumeRole)."""
        creds: dict[str, str] = dict(FAKE)
        if account != MANAGEMENT:
            sts = _client("sts", region_name=HOME, endpoint_url=self.server.endpoint_url, **FAKE)
            answer = sts.assume_role(RoleArn=self.world.role_arn(account), RoleSessionName="test")
            creds = {
                "aws_access_key_id": answer["Credentials"]["AccessKeyId"],
                "aws_secret_access_key": answer["Credentials"]["SecretAccessKey"],
                "aws_session_token": answer["Credentials"]["SessionToken"],
            }
        return _client(
            service,
            region_name=region,
            endpoint_url=self.server.endpoint_url,
            config=config or NO_RETRY,
            **creds,
        )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with MotoServer() as server:
        yield Sandbox(server)
        server.reset()


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    """The standard world, seeded again if something reset moto's process-wide state meanwhile
    (a ``mock_aws`` test of another module running in between, e.g. under pytest-xdist)."""
    sandbox.ensure()
    return sandbox.world


@pytest.fixture
def scratch(sandbox: Sandbox) -> Sandbox:
    """For tests that reset or reseed; the ``world`` fixture seeds the standard world again."""
    return sandbox


@pytest.fixture(autouse=True)
def _clear_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.server.faults.clear()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _recent(value: datetime) -> bool:
    return abs(datetime.now(UTC) - value) < timedelta(minutes=5)


# -- the organization ------------------------------------------------------------------------


def test_organization_ous_and_accounts(sandbox: Sandbox, world: World) -> None:
    org = sandbox.client("organizations")
    described = org.describe_organization()["Organization"]
    assert (described["Id"], described["FeatureSet"]) == (world.org_id, "ALL")
    assert described["MasterAccountId"] == world.management_account_id == "123456789012"
    root = org.list_roots()["Roots"][0]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    ous = org.list_organizational_units_for_parent(ParentId=root["Id"])["OrganizationalUnits"]
    assert {ou["Name"]: ou["Id"] for ou in ous} == world.ous
    assert set(world.accounts) == {MANAGEMENT, LOG_ARCHIVE, "workload-1", "workload-2"}
    listed = {a["Id"]: a["Name"] for a in org.list_accounts()["Accounts"]}
    assert set(listed) == set(world.accounts.values())
    for name, ou in (
        ("log-archive", "Security"),
        ("workload-1", "Workloads"),
        ("workload-2", "Sandbox"),
    ):
        parents = org.list_parents(ChildId=world.accounts[name])["Parents"]
        assert parents == [{"Id": world.ous[ou], "Type": "ORGANIZATIONAL_UNIT"}]


def test_scp_contents_and_attachments(sandbox: Sandbox, world: World) -> None:
    org = sandbox.client("organizations")

    def targets(name: str) -> set[str]:
        found = org.list_targets_for_policy(PolicyId=world.policies[name])["Targets"]
        return {t["TargetId"] for t in found}

    ous = world.ous
    # The defect detached protect-cloudtrail from Sandbox; it is on the OUs, never on the root.
    assert targets("protect-cloudtrail") == {ous["Security"], ous["Workloads"]}
    assert targets("protect-config") == {world.root_id}
    assert targets("protect-log-bucket") == {ous["Security"]}
    content = json.loads(
        org.describe_policy(PolicyId=world.policies["protect-cloudtrail"])["Policy"]["Content"]
    )
    statement = content["Statement"][0]
    assert statement["Effect"] == "Deny" and "cloudtrail:StopLogging" in statement["Action"]
    assert statement["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}
    }
    bucket_scp = json.loads(
        org.describe_policy(PolicyId=world.policies["protect-log-bucket"])["Policy"]["Content"]
    )
    bucket_arn = f"arn:aws:s3:::{world.log_bucket}"
    assert bucket_scp["Statement"][0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"]


# -- the log archive -------------------------------------------------------------------------


def test_log_bucket_is_compliant(sandbox: Sandbox, world: World) -> None:
    s3 = sandbox.client("s3", LOG_ARCHIVE)
    bucket = world.log_bucket
    assert world.log_archive_account_id in bucket
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": world.log_key_arn,
    }
    pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(
        pab[k]
        for k in (
            "BlockPublicAcls",
            "IgnorePublicAcls",
            "BlockPublicPolicy",
            "RestrictPublicBuckets",
        )
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    writes = [s for s in policy if s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}]
    assert writes and all(
        s["Condition"]["StringEquals"]["aws:SourceOrgID"] == world.org_id for s in writes
    )
    deny = next(s for s in policy if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(deny["Resource"]) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled" and lifecycle["Filter"] == {"Prefix": ""}
    assert lifecycle["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert lifecycle["Expiration"] == {"Days": 2555}
    assert (
        s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"]
        == world.access_log_bucket
    )
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    kms = sandbox.client("kms", LOG_ARCHIVE)
    metadata = kms.describe_key(KeyId=world.log_key_arn)["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=world.log_key_arn)["KeyRotationEnabled"] is True


# -- trails ----------------------------------------------------------------------------------


def test_org_trail_from_management(sandbox: Sandbox, world: World) -> None:
    for region in (HOME, OTHER):  # a multi-region trail is listed, once, in every region
        cloudtrail = sandbox.client("cloudtrail", region=region)
        trails = cloudtrail.describe_trails()["trailList"]
        assert [t["TrailARN"] for t in trails] == [world.org_trail_arn]
    (trail,) = sandbox.client("cloudtrail").describe_trails()["trailList"]
    assert trail["S3BucketName"] == world.log_bucket and trail["KmsKeyId"] == world.log_key_arn
    assert trail["CloudWatchLogsLogGroupArn"] == f"{world.log_group_arn}:*"
    for flag in (
        "IsOrganizationTrail",
        "IsMultiRegionTrail",
        "IncludeGlobalServiceEvents",
        "LogFileValidationEnabled",
    ):
        assert trail[flag] is True, flag
    status = sandbox.client("cloudtrail").get_trail_status(Name=trail["Name"])
    assert status["IsLogging"] is True
    assert _recent(status["LatestDeliveryTime"]) and _recent(
        status["LatestCloudWatchLogsDeliveryTime"]
    )
    remote = sandbox.client("cloudtrail", region=OTHER).get_event_selectors(
        TrailName=world.org_trail_arn
    )
    assert remote["EventSelectors"] == [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []},
        {
            "ReadWriteType": "All",
            "IncludeManagementEvents": False,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
        },
    ]
    (group,) = sandbox.client("logs").describe_log_groups(logGroupNamePrefix="aws-cloudtrail-logs")[
        "logGroups"
    ]
    assert group["retentionInDays"] == 365 and group["arn"] == f"{world.log_group_arn}:*"


def test_org_trail_as_seen_from_a_member(sandbox: Sandbox, world: World) -> None:
    own = f"arn:aws:cloudtrail:{HOME}:{world.accounts['workload-2']}:trail/workload-2-trail"
    for region in (HOME, OTHER):
        cloudtrail = sandbox.client("cloudtrail", "workload-2", region)
        trails = {t["TrailARN"]: t for t in cloudtrail.describe_trails()["trailList"]}
        assert set(trails) == {world.org_trail_arn, own}
        assert trails[world.org_trail_arn]["IsOrganizationTrail"] is True
        assert {t["TrailARN"] for t in cloudtrail.list_trails()["Trails"]} == {
            world.org_trail_arn,
            own,
        }
    cloudtrail = sandbox.client("cloudtrail", "workload-2", OTHER)
    assert [
        t["TrailARN"] for t in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]
    ] == []
    assert cloudtrail.get_trail_status(Name=world.org_trail_arn)["IsLogging"] is True
    selectors = cloudtrail.get_event_selectors(TrailName=world.org_trail_arn)["EventSelectors"]
    assert selectors[0]["ReadWriteType"] == "All"
    assert cloudtrail.get_trail(Name=world.org_trail_arn)["Trail"]["HomeRegion"] == HOME
    with pytest.raises(ClientError) as excinfo:  # another account's non-org trail stays hidden
        sandbox.client("cloudtrail", "workload-1").get_trail_status(Name=own)
    assert _error(excinfo)[0] == "TrailNotFoundException"


def test_member_single_region_trail(sandbox: Sandbox, world: World) -> None:
    account = world.accounts["workload-1"]
    home = sandbox.client("cloudtrail", "workload-1", HOME)
    trails = {t["Name"]: t for t in home.describe_trails()["trailList"]}
    own = trails["workload-1-trail"]
    assert own["IsMultiRegionTrail"] is False and own["LogFileValidationEnabled"] is False
    assert "KmsKeyId" not in own and "CloudWatchLogsLogGroupArn" not in own
    status = home.get_trail_status(Name="workload-1-trail")
    assert (
        _recent(status["LatestDeliveryTime"]) and "LatestCloudWatchLogsDeliveryTime" not in status
    )
    other = sandbox.client("cloudtrail", "workload-1", OTHER).describe_trails()["trailList"]
    assert [t["TrailARN"] for t in other] == [world.org_trail_arn]
    s3 = sandbox.client("s3", "workload-1")
    rules = s3.get_bucket_encryption(Bucket=f"workload-1-trail-{account}")[
        "ServerSideEncryptionConfiguration"
    ]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


# -- config ----------------------------------------------------------------------------------


def test_config_recorders_everywhere(sandbox: Sandbox, world: World) -> None:
    for name in world.accounts:
        for region in world.regions:
            config = sandbox.client("config", name, region)
            (recorder,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
            assert recorder["name"] == "default"
            group = recorder["recordingGroup"]
            assert group["allSupported"] is True
            assert group["includeGlobalResourceTypes"] is (region == world.home_region)
            (status,) = config.describe_configuration_recorder_status()[
                "ConfigurationRecordersStatus"
            ]
            stopped = (name, region) == ("workload-1", OTHER)  # the config_recorder_stopped defect
            assert status["recording"] is not stopped, (name, region)
            assert (
                config.describe_delivery_channels()["DeliveryChannels"][0]["s3BucketName"]
                == world.config_bucket
            )


def test_world_records_defect_rows(world: World) -> None:
    w1, w2 = world.accounts["workload-1"], world.accounts["workload-2"]
    stopped = world.defects["config_recorder_stopped"]
    assert (stopped.check_id, stopped.account_id, stopped.resource_id) == (
        "aws.config.recorder_on",
        w1,
        w1,  # recorder_on is a tenant-scope control: one row per account
    )
    detached = world.defects["scp_cloudtrail_detached_from_ou"]
    assert [(r.check_id, r.account_id) for r in detached.rows] == [
        ("aws.org.scp_protects_cloudtrail", w2)
    ]
    single = world.defects["member_single_region_trail"]
    assert single.resource_id == f"arn:aws:cloudtrail:{HOME}:{w1}:trail/workload-1-trail"
    assert ("aws.s3.log_bucket_kms", f"arn:aws:s3:::workload-1-trail-{w1}") in {
        (r.check_id, r.resource_id) for r in single.rows
    }
    assert world.defects["member_multi_region_trail"].rows[0].status == "PASS"


# -- faults, latency, counting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "action", "call", "expected"),
    [
        (
            "cloudtrail",
            "DescribeTrails",
            lambda c: c.describe_trails(),
            ("AccessDeniedException", 400),
        ),
        ("s3", "policy", lambda c: c.get_bucket_policy(Bucket="any-bucket"), ("AccessDenied", 403)),
        ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity(), ("AccessDenied", 403)),
        ("ec2", "DescribeRegions", lambda c: c.describe_regions(), ("UnauthorizedOperation", 403)),
    ],
)
def test_access_denied_per_protocol_for_one_account(
    sandbox: Sandbox, world: World, service: str, action: str, call: Any, expected: tuple[str, int]
) -> None:
    sandbox.server.faults.add(
        error="AccessDenied", account=world.accounts["workload-1"], service=service, action=action
    )
    with pytest.raises(ClientError) as excinfo:
        call(sandbox.client(service, "workload-1"))
    assert _error(excinfo) == expected
    if service != "s3":  # the same call for another account is not affected
        call(sandbox.client(service, "workload-2"))


def test_access_denied_matches_s3_subresource_only(sandbox: Sandbox, world: World) -> None:
    sandbox.server.faults.add(error="AccessDenied", service="s3", action="policy")
    s3 = sandbox.client("s3", LOG_ARCHIVE)
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_policy(Bucket=world.log_bucket)
    assert _error(excinfo) == ("AccessDenied", 403)
    assert s3.get_bucket_versioning(Bucket=world.log_bucket)["Status"] == "Enabled"


def test_throttling_survives_retries(sandbox: Sandbox) -> None:
    server = sandbox.server
    server.faults.add(error="Throttling", service="kms", action="ListKeys")
    kms = sandbox.client("kms", config=Config(retries={"max_attempts": 2, "mode": "standard"}))
    before = server.request_count
    with pytest.raises(ClientError) as excinfo:
        kms.list_keys()
    assert _error(excinfo) == ("ThrottlingException", 400)
    # botocore's max_attempts counts retries: the first attempt plus two retries, all throttled
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert server.request_count - before == 3


def test_counted_throttling_then_success(sandbox: Sandbox) -> None:
    sandbox.server.faults.add(error="Throttling", service="sts", times=1)
    sts = sandbox.client("sts", config=Config(retries={"max_attempts": 2, "mode": "standard"}))
    answer = sts.get_caller_identity()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert sandbox.server.faults.rules == []


def test_unavailable_is_503(sandbox: Sandbox) -> None:
    sandbox.server.faults.add(error="Unavailable", service="logs", region=OTHER)
    with pytest.raises(ClientError) as excinfo:
        sandbox.client("logs", region=OTHER).describe_log_groups()
    assert _error(excinfo) == ("ServiceUnavailable", 503)
    sandbox.client("logs", region=HOME).describe_log_groups()


def test_unknown_fault_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        sandbox.server.faults.add(error="Boom")


def test_latency_and_request_count(sandbox: Sandbox) -> None:
    with MotoServer(latency_ms=200) as slow:  # shares moto's state with the module server
        sts = _client(
            "sts", region_name=HOME, endpoint_url=slow.endpoint_url, config=NO_RETRY, **FAKE
        )
        started = time.perf_counter()
        assert sts.get_caller_identity()["Account"] == "123456789012"
        sts.get_caller_identity()
        assert time.perf_counter() - started >= 0.4
        assert slow.request_count == 2
    slow.stop()  # idempotent
    before = sandbox.server.request_count
    sandbox.client("sts").get_caller_identity()
    assert sandbox.server.request_count == before + 1


# -- s3control -------------------------------------------------------------------------------


def test_s3control_on_plain_and_account_label_hosts(sandbox: Sandbox, world: World) -> None:
    s3control = sandbox.client("s3control")
    plain = sandbox.server.endpoint_url.removeprefix("http://")

    def strip_account_label(request: Any, **_: Any) -> None:
        request.url = request.url.replace(f"{world.management_account_id}.{plain}", plain)

    s3control.meta.events.register("before-send.s3-control.*", strip_account_label)
    with pytest.raises(ClientError) as excinfo:
        s3control.get_public_access_block(AccountId=world.management_account_id)
    assert _error(excinfo)[0] == "NoSuchPublicAccessBlockConfiguration"
    config = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    s3control.put_public_access_block(
        AccountId=world.management_account_id, PublicAccessBlockConfiguration=config
    )
    answer = s3control.get_public_access_block(AccountId=world.management_account_id)
    assert answer["PublicAccessBlockConfiguration"] == config
    # The server ignores an account label in the Host header too.
    host, port = plain.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {
        "Host": f"{world.management_account_id}.{plain}",
        "x-amz-account-id": world.management_account_id,
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
    }
    connection.request("GET", "/v20180820/configuration/publicAccessBlock", headers=headers)
    response = connection.getresponse()
    assert response.status == 200 and b"<BlockPublicAcls>true" in response.read()
    connection.close()
    s3control.delete_public_access_block(AccountId=world.management_account_id)


# -- the zone description --------------------------------------------------------------------


def test_every_defect_changes_the_zone() -> None:
    compliant = standard_landing_zone(members=2)
    for name in DEFECTS:
        zone = standard_landing_zone(members=2, defects={name})
        zone.defects = ()
        assert zone != compliant, name


def test_defect_validation() -> None:
    with pytest.raises(ValueError, match="unknown defects"):
        standard_landing_zone(defects={"no_such_defect"})
    with pytest.raises(ValueError, match="cannot be combined"):
        standard_landing_zone(defects=set(CONFLICTS[0]))
    with pytest.raises(ValueError, match="needs at least 2 members"):
        standard_landing_zone(members=1, defects={"config_no_global"})
    with pytest.raises(ValueError, match="regions"):
        standard_landing_zone(regions=(HOME,), defects={"config_recorder_stopped"})


def test_seeding_without_endpoint_requires_mock_aws() -> None:
    with pytest.raises(RuntimeError, match="mock_aws"):
        seed_landing_zone(standard_landing_zone(members=0), endpoint_url=None)


def test_many_defects_flip_what_they_name(scratch: Sandbox) -> None:
    defects = set(DEFECTS) - {
        "trail_no_cloudwatch",
        "log_group_no_retention",
        "trail_no_kms",
        "org_trail_s3_writes_only",  # conflicts with org_trail_s3_reads_only
    }
    world = scratch.seed(defects)
    assert set(world.defects) == defects
    s3 = scratch.client("s3", LOG_ARCHIVE)
    bucket = world.log_bucket
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    with pytest.raises(ClientError):
        s3.get_public_access_block(Bucket=bucket)
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {"AWS": "*"} in [s["Principal"] for s in policy]
    assert all(s["Effect"] == "Allow" for s in policy)
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert "Transitions" not in rule and rule["Expiration"] == {"Days": 30}
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    kms = scratch.client("kms", LOG_ARCHIVE)
    assert kms.get_key_rotation_status(KeyId=world.log_key_arn)["KeyRotationEnabled"] is False
    status = scratch.client("cloudtrail").get_trail_status(Name=world.org_trail_arn)
    assert status["IsLogging"] is False and _recent(status["LatestDeliveryTime"])
    (trail,) = scratch.client("cloudtrail").describe_trails()["trailList"]
    assert trail["LogFileValidationEnabled"] is False
    assert set(world.policies) == {"protect-cloudtrail"}
    (group,) = scratch.client("logs").describe_log_groups(logGroupNamePrefix="aws-cloudtrail-logs")[
        "logGroups"
    ]
    assert group["retentionInDays"] == 30
    config = scratch.client("config", "workload-2")
    assert (
        config.describe_configuration_recorders()["ConfigurationRecorders"][0]["recordingGroup"][
            "includeGlobalResourceTypes"
        ]
        is False
    )
    covered = world.defects["org_trail_stopped"].rows
    assert world.accounts["workload-2"] not in {
        r.account_id for r in covered if r.check_id.endswith("account_covered")
    }


def test_seeding_in_process_with_mock_aws(scratch: Sandbox) -> None:
    from moto import mock_aws

    with mock_aws():  # resets moto's (process-wide) state; `scratch` reseeds the server after
        world = seed_landing_zone(
            standard_landing_zone(members=1, regions=(OTHER,), defects={"trail_no_kms"}),
            endpoint_url=None,
        )
        cloudtrail = _client("cloudtrail", region_name=OTHER, **FAKE)
        (trail,) = cloudtrail.describe_trails()["trailList"]
        assert trail["TrailARN"] == world.org_trail_arn and "KmsKeyId" not in trail
        s3 = _client("s3", region_name=OTHER, **FAKE)
        assert s3.get_bucket_location(Bucket=world.log_bucket)["LocationConstraint"] == OTHER
    assert world.defects["trail_no_kms"].resource_id == world.org_trail_arn
