"""AWS attribution: which CloudTrail records changed a drifted resource, the archive's key
layout, reading a real gzipped archive (moto), the LookupEvents fallback (the sandbox server),
and the sandbox pieces this rests on (event history, the bucket-policy gap, bucket faults,
the recorded changes).

Inventories are built and collected by the real engine and AWS plugin; the plugin's hook is
called as the engine calls it. Nothing here reaches AWS: moto in-process, or the sandbox
server on 127.0.0.1 with fake keys.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from logwarden.scanner import engine
from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.collectors import aws as aws_plugin
from logwarden.scanner.collectors.aws import parse_settings
from logwarden.scanner.collectors.aws.attribution.archive import (
    Archive,
    day_prefixes,
    file_span,
    file_time,
    parse_file,
)
from logwarden.scanner.collectors.aws.attribution.cloudtrail import Limits, attribute
from logwarden.scanner.collectors.aws.attribution.match import (
    Window,
    match,
    principal_of,
    target_of,
    to_event,
)
from logwarden.scanner.inventory import Inventory
from logwarden_sandbox import aws_changes, aws_journal
from logwarden_sandbox.aws_bucket_policy import allowed, condition_holds
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.catalogue import registry

MGMT, MEMBER, ARCHIVE = "111111111111", "222222222222", "333333333333"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{MGMT}:trail/org-trail"
BUCKET_ARN = "arn:aws:s3:::central-logs"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{ARCHIVE}:key/{KEY_ID}"
RECORDER = f"arn:aws:config:eu-west-1:{MEMBER}:config-recorder/default"
GROUP = f"arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail-logs"
POLICY_ARN = f"arn:aws:organizations::{MGMT}:policy/o-abc/service_control_policy/p-1234"
ACCOUNT_ARN = f"arn:aws:organizations::{MGMT}:account/o-abc/{MEMBER}"
WINDOW = Window.parse("2026-03-01T23:50:00+00:00", "2026-03-02T00:20:00+00:00")
REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


def subject(kind: str, rid: str, tenant: str, region: str = "us-east-1") -> Subject:
    return Subject("aws", kind, rid, tenant, region, ("changed",))


TRAIL = subject("aws.cloudtrail.trail", TRAIL_ARN, MGMT)
ORG_TRAIL = subject("aws.cloudtrail.org_trail", TRAIL_ARN, MGMT)
BUCKET = subject("aws.s3.bucket", BUCKET_ARN, ARCHIVE)
KEY = subject("aws.kms.key", KEY_ARN, ARCHIVE)
RECORDER_EU = subject("aws.config.recorder", RECORDER, MEMBER, "eu-west-1")
LOG_GROUP = subject("aws.logs.log_group", GROUP, MGMT)
POLICY = subject("aws.organizations.policy", POLICY_ARN, MGMT, "")
ACCOUNT = subject("aws.organizations.account", ACCOUNT_ARN, MEMBER, "")


def rec(
    source: str,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    account: str = MGMT,
    region: str = "us-east-1",
    time: str = "2026-03-02T00:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """A CloudTrail record (only the fields matching reads)."""
    return {
        "eventSource": f"{source}.amazonaws.com",
        "eventName": name,
        "eventTime": time,
        "awsRegion": region,
        "recipientAccountId": account,
        "requestParameters": params,
        "readOnly": False,
        "eventID": f"id-{name}-{time}",
        "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{account}:assumed-role/A/x"},
        **extra,
    }


# (case id, subject, record, the name the record matches by or None)
CASES: list[tuple[str, Subject, dict[str, Any], str | None]] = [
    ("trail by name", TRAIL, rec("cloudtrail", "StopLogging", {"name": "org-trail"}), "org-trail"),
    (
        "trail by ARN from another region",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": TRAIL_ARN}, region="eu-west-1"),
        TRAIL_ARN,
    ),
    (
        "trail selectors",
        TRAIL,
        rec("cloudtrail", "PutEventSelectors", {"trailName": "org-trail"}),
        "org-trail",
    ),
    (
        "org trail update",
        ORG_TRAIL,
        rec("cloudtrail", "UpdateTrail", {"name": TRAIL_ARN}),
        TRAIL_ARN,
    ),
    ("trail deleted", TRAIL, rec("cloudtrail", "DeleteTrail", {"name": "org-trail"}), "org-trail"),
    (
        "same trail name, other region",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, region="eu-west-1"),
        None,
    ),
    (
        "same trail name, other account",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, account=MEMBER),
        None,
    ),
    ("read-only call", TRAIL, rec("cloudtrail", "GetTrailStatus", {"name": "org-trail"}), None),
    (
        "marked read-only",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, readOnly=True),
        None,
    ),
    (
        "denied call changed nothing",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, errorCode="AccessDenied"),
        None,
    ),
    ("other trail", TRAIL, rec("cloudtrail", "StopLogging", {"name": "local-trail"}), None),
    ("other event source", TRAIL, rec("s3", "StopLogging", {"name": "org-trail"}), None),
    (
        "at the window's start",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, time="2026-03-01T23:50:00Z"),
        None,
    ),
    (
        "before the window",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, time="2026-03-01T20:00:00Z"),
        None,
    ),
    (
        "at the window's end",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, time="2026-03-02T00:20:00Z"),
        "org-trail",
    ),
    (
        "after the window",
        TRAIL,
        rec("cloudtrail", "StopLogging", {"name": "org-trail"}, time="2026-03-02T00:20:01Z"),
        None,
    ),
    (
        "bucket lifecycle",
        BUCKET,
        rec("s3", "PutBucketLifecycle", {"bucketName": "central-logs"}, account=ARCHIVE),
        "central-logs",
    ),
    (
        "bucket named only in resources",
        BUCKET,
        rec("s3", "PutBucketPolicy", {}, account=ARCHIVE, resources=[{"ARN": BUCKET_ARN}]),
        BUCKET_ARN,
    ),
    (
        "bucket encryption removed",
        BUCKET,
        rec("s3", "DeleteBucketEncryption", {"bucketName": "central-logs"}, account=ARCHIVE),
        "central-logs",
    ),
    (
        "bucket lifecycle read",
        BUCKET,
        rec("s3", "GetBucketLifecycle", {"bucketName": "central-logs"}, account=ARCHIVE),
        None,
    ),
    (
        "other bucket",
        BUCKET,
        rec("s3", "PutBucketLifecycle", {"bucketName": "other"}, account=ARCHIVE),
        None,
    ),
    (
        "key by ARN",
        KEY,
        rec("kms", "DisableKeyRotation", {"keyId": KEY_ARN}, account=MGMT),
        KEY_ARN,
    ),
    (
        "key by id",
        KEY,
        rec("kms", "DisableKeyRotation", {"keyId": KEY_ID}, account=ARCHIVE),
        KEY_ID,
    ),
    (
        "same key id, other region",
        KEY,
        rec("kms", "DisableKeyRotation", {"keyId": KEY_ID}, account=ARCHIVE, region="eu-west-1"),
        None,
    ),
    ("key described", KEY, rec("kms", "DescribeKey", {"keyId": KEY_ARN}, account=ARCHIVE), None),
    (
        "recorder stopped in its region",
        RECORDER_EU,
        rec(
            "config",
            "StopConfigurationRecorder",
            {"configurationRecorderName": "default"},
            account=MEMBER,
            region="eu-west-1",
        ),
        "default",
    ),
    (
        "recorder 'default' of another region",
        RECORDER_EU,
        rec(
            "config",
            "StopConfigurationRecorder",
            {"configurationRecorderName": "default"},
            account=MEMBER,
        ),
        None,
    ),
    (
        "recorder replaced",
        RECORDER_EU,
        rec(
            "config",
            "PutConfigurationRecorder",
            {"configurationRecorder": {"name": "default"}},
            account=MEMBER,
            region="eu-west-1",
        ),
        "default",
    ),
    (
        "log group retention",
        LOG_GROUP,
        rec("logs", "PutRetentionPolicy", {"logGroupName": "org-trail-logs"}),
        "org-trail-logs",
    ),
    (
        "other log group",
        LOG_GROUP,
        rec("logs", "PutRetentionPolicy", {"logGroupName": "app-logs"}),
        None,
    ),
    (
        "policy edited",
        POLICY,
        rec("organizations", "UpdatePolicy", {"policyId": "p-1234"}),
        "p-1234",
    ),
    (
        "policy detached",
        POLICY,
        rec("organizations", "DetachPolicy", {"policyId": "p-1234", "targetId": "ou-sec"}),
        "p-1234",
    ),
    ("other policy", POLICY, rec("organizations", "UpdatePolicy", {"policyId": "p-9999"}), None),
    ("policy read", POLICY, rec("organizations", "DescribePolicy", {"policyId": "p-1234"}), None),
    (
        "SCP attached to the account's OU",
        ACCOUNT,
        rec("organizations", "AttachPolicy", {"policyId": "p-1", "targetId": "ou-sec"}),
        "ou-sec",
    ),
    (
        "SCP detached from the root",
        ACCOUNT,
        rec("organizations", "DetachPolicy", {"policyId": "p-1", "targetId": "r-root"}),
        "r-root",
    ),
    (
        "account moved",
        ACCOUNT,
        rec("organizations", "MoveAccount", {"accountId": MEMBER, "sourceParentId": "ou-sec"}),
        MEMBER,
    ),
    (
        "SCP on an OU not on the path",
        ACCOUNT,
        rec("organizations", "AttachPolicy", {"policyId": "p-1", "targetId": "ou-other"}),
        None,
    ),
    (
        "account described",
        ACCOUNT,
        rec("organizations", "DescribeAccount", {"accountId": MEMBER}),
        None,
    ),
]


@pytest.mark.parametrize(("case", "subj", "record", "expected"), CASES, ids=[c[0] for c in CASES])
def test_records_match_their_resource_only(
    case: str, subj: Subject, record: dict[str, Any], expected: str | None
) -> None:
    extra = ["r-root", "ou-sec"] if subj.kind == "aws.organizations.account" else []
    target = target_of(subj, MGMT, extra)
    assert target is not None
    assert match(record, target, WINDOW) == expected


def test_targets_say_where_events_are_logged() -> None:
    where = {s.kind: target_of(s, MGMT) for s in (TRAIL, BUCKET, KEY, RECORDER_EU, POLICY)}
    assert {k: t.location for k, t in where.items() if t} == {
        "aws.cloudtrail.trail": (MGMT, "us-east-1"),
        "aws.s3.bucket": (ARCHIVE, "us-east-1"),
        "aws.kms.key": (ARCHIVE, "us-east-1"),
        "aws.config.recorder": (MEMBER, "eu-west-1"),
        "aws.organizations.policy": (MGMT, "us-east-1"),
    }
    account = target_of(ACCOUNT, MGMT)
    assert account is not None and account.location == (MGMT, "us-east-1")  # not the member's
    gov = target_of(
        subject("aws.organizations.policy", POLICY_ARN.replace(":aws:", ":aws-us-gov:"), MGMT), MGMT
    )
    assert gov is not None and gov.region == "us-gov-west-1"
    assert target_of(subject("aws.config.regions", f"arn:aws:config::{MGMT}:regions", MGMT)) is None


def test_event_fields_from_a_record() -> None:
    record = rec(
        "cloudtrail",
        "StopLogging",
        {"name": "org-trail"},
        time="2026-03-02T00:00:07.000Z",
        sourceIPAddress="203.0.113.10",
    )
    event = to_event(record, "s3://b/k.json.gz", "org-trail")
    assert event.to_doc() == {
        "principal": f"arn:aws:sts::{MGMT}:assumed-role/A/x",
        "action": "StopLogging",
        "time": "2026-03-02T00:00:07Z",
        "source_ip": "203.0.113.10",
        "source": "s3://b/k.json.gz",
        "event_id": record["eventID"],
        "resource": "org-trail",
    }
    service = {"userIdentity": {"type": "AWSService", "invokedBy": "config.amazonaws.com"}}
    assert principal_of(service) == "config.amazonaws.com"
    assert principal_of({}) == "unknown"


# -- the archive's key layout -----------------------------------------------------------------


def test_key_prefix_of_organization_and_account_trails() -> None:
    assert (
        Archive("b", "ct/", "o-abc").base(MEMBER, "eu-west-1")
        == f"ct/AWSLogs/o-abc/{MEMBER}/CloudTrail/eu-west-1/"
    )
    assert Archive("b").base(MEMBER, "us-east-1") == f"AWSLogs/{MEMBER}/CloudTrail/us-east-1/"


def test_day_prefixes_cover_the_window_and_the_delivery_lag() -> None:
    assert day_prefixes("p/", WINDOW.start, WINDOW.end) == ["p/2026/03/02/", "p/2026/03/01/"]
    late = dt.datetime(2026, 3, 2, 23, 50, tzinfo=dt.UTC)  # + 15 minutes is the next day
    assert day_prefixes("p/", late - dt.timedelta(hours=1), late) == [
        "p/2026/03/03/",
        "p/2026/03/02/",
    ]
    first, last = file_span(WINDOW.start + dt.timedelta(seconds=20), WINDOW.end)
    assert (first, last) == (
        dt.datetime(2026, 3, 1, 23, 50, tzinfo=dt.UTC),  # a file of the start's minute counts
        dt.datetime(2026, 3, 2, 0, 35, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"{MGMT}_CloudTrail_us-east-1_20260302T0010Z_AbCdEfGh12345678.json.gz", (0, 10)),
        (f"{MEMBER}_CloudTrail_us-east-1_20260302T0010Z_AbCdEfGh12345678.json.gz", None),
        (f"{MGMT}_CloudTrail_eu-west-1_20260302T0010Z_AbCdEfGh12345678.json.gz", None),
        (f"{MGMT}_CloudTrail-Digest_us-east-1_org_us-east-1_{MGMT}_20260302T0010Z.json.gz", None),
        ("notes.txt", None),
    ],
)
def test_log_file_names(name: str, expected: tuple[int, int] | None) -> None:
    found = file_time(f"AWSLogs/x/2026/03/02/{name}", MGMT, "us-east-1")
    assert (found and (found.hour, found.minute)) == expected


def test_log_file_contents() -> None:
    records = [{"eventName": "StopLogging"}]
    doc = json.dumps({"Records": records}).encode()
    assert parse_file(gzip.compress(doc)) == records
    assert parse_file(doc) == records  # a transport that inflated the gzip already
    for bad in (b"\x1f\x8bnot gzip", b"[]", b'{"Records": 1}'):
        with pytest.raises(ValueError):
            parse_file(bad)


# -- the plugin over a real archive (moto in-process) -------------------------------------


@dataclass
class Collected:
    """A scan collected by the real engine and AWS plugin."""

    inventories: list[Inventory]
    listed: list[str] = field(default_factory=list)  # ListObjectsV2 prefixes
    fetched: list[str] = field(default_factory=list)  # GetObject keys


def collect(endpoint: str | None = None) -> Collected:
    """Discover and collect every AWS kind as a scan does; record the archive calls made."""
    kinds = registry().kinds(["aws"])
    config: dict[str, Any] = {"mode": "organization", "regions": list(REGIONS), "max_attempts": 1}
    if endpoint:
        config["endpoint_url"] = endpoint
    settings = parse_settings(config, "logwarden.yaml")
    out = Collected([])

    def spy(into: list[str], key: str) -> Callable[..., None]:
        return lambda params, **_: into.append(params[key])

    settings.pool.register("before-parameter-build.s3.ListObjectsV2", spy(out.listed, "Prefix"))
    settings.pool.register("before-parameter-build.s3.GetObject", spy(out.fetched, "Key"))
    scan = engine.discover(registry().clouds, {"aws": settings}, kinds, {})
    scope = scan.scopes[0]
    aws_kinds = sorted(scope.inventory.kinds.values(), key=lambda k: k.stage)
    for kind in aws_kinds:
        if kind.organization:
            scope.inventory.get(kind.name)
    for kind in aws_kinds:
        if not kind.organization:
            for inv in scope.tenants:
                inv.get(kind.name)
    out.inventories = [scope.inventory, *scope.tenants]
    return out


@dataclass
class MotoArchive:
    org_id: str
    archive: str
    s3: Any  # the log archive's S3 client
    bucket: str = "central-trail-logs"

    def put(self, account: str, delivered: str, records: list[dict[str, Any]] | bytes) -> str:
        """A log file of ``account`` (us-east-1) delivered at ``delivered`` (YYYYmmddTHHMM)."""
        when = dt.datetime.strptime(delivered, "%Y%m%dT%H%M").replace(tzinfo=dt.UTC)
        key = aws_changes.log_file_key(
            prefix="ct", org_id=self.org_id, account=account, region="us-east-1", delivered=when
        )
        body = records if isinstance(records, bytes) else json.dumps({"Records": records}).encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=gzip.compress(body))
        return key


@pytest.fixture
def moto_archive() -> Iterator[MotoArchive]:
    """Management account with an organization trail (prefix ``ct``) writing to a bucket of
    the log-archive account (no bucket policy: moto alone misjudges conditioned ones)."""
    with mock_aws():
        org = boto3.client("organizations")
        org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        archive = org.create_account(Email="log@example.com", AccountName="log-archive")[
            "CreateAccountStatus"
        ]["AccountId"]
        role = f"arn:aws:iam::{archive}:role/OrganizationAccountAccessRole"
        creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="seed")
        s3 = boto3.client(
            "s3",
            aws_access_key_id=creds["Credentials"]["AccessKeyId"],
            aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
            aws_session_token=creds["Credentials"]["SessionToken"],
        )
        world = MotoArchive(org_id, archive, s3)
        s3.create_bucket(Bucket=world.bucket)
        trail = boto3.client("cloudtrail")
        trail.create_trail(
            Name="org-trail",
            S3BucketName=world.bucket,
            S3KeyPrefix="ct",
            IsMultiRegionTrail=True,
            IsOrganizationTrail=True,
        )
        # what AWS answers for a trail created without selectors (moto answers none)
        trail.put_event_selectors(
            TrailName="org-trail",
            EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
        )
        trail.start_logging(Name="org-trail")
        yield world


def moto_trail(world: MotoArchive) -> Subject:
    return subject(
        "aws.cloudtrail.org_trail",
        f"arn:aws:cloudtrail:us-east-1:{MGMT_ID}:trail/org-trail",
        MGMT_ID,
    )


MGMT_ID = "123456789012"  # moto's default account: the management account here
# The window starts within a minute: that minute's files may hold later events.
START, END = "2026-03-01T23:50:20+00:00", "2026-03-02T00:20:00+00:00"


def stop(time: str, event_id: str, name: str = "org-trail", **extra: Any) -> dict[str, Any]:
    return rec(
        "cloudtrail",
        "StopLogging",
        {"name": name},
        account=MGMT_ID,
        time=time,
        eventID=event_id,
        sourceIPAddress="203.0.113.10",
        **extra,
    )


def test_archive_attribution_reads_only_the_window(moto_archive: MotoArchive) -> None:
    w = moto_archive
    before = w.put(MGMT_ID, "20260301T2349", [stop("2026-03-01T23:48:10Z", "e-before")])
    first = w.put(
        MGMT_ID,
        "20260301T2350",
        [
            stop("2026-03-01T23:50:30Z", "e-stop"),
            rec(
                "cloudtrail",
                "GetTrailStatus",
                {"name": "org-trail"},
                account=MGMT_ID,
                time="2026-03-01T23:50:40Z",
                readOnly=True,
            ),
            stop("2026-03-01T23:50:45Z", "e-other", name="local-trail"),
            stop("2026-03-01T23:50:50Z", "e-denied", errorCode="AccessDenied"),
        ],
    )
    again = w.put(MGMT_ID, "20260302T0010", [stop("2026-03-01T23:50:30Z", "e-stop")])
    late = w.put(
        MGMT_ID,
        "20260302T0034",
        [
            rec(
                "cloudtrail",
                "StartLogging",
                {"name": "org-trail"},
                account=MGMT_ID,
                time="2026-03-02T00:19:00Z",
                eventID="e-start",
            )
        ],
    )
    too_late = w.put(MGMT_ID, "20260302T0036", [stop("2026-03-02T00:21:00Z", "e-after")])
    old_day = w.put(MGMT_ID, "20260228T1200", [stop("2026-02-28T11:59:00Z", "e-old")])
    lifecycle = w.put(
        w.archive,
        "20260302T0001",
        [
            rec(
                "s3",
                "PutBucketLifecycle",
                {"bucketName": w.bucket},
                account=w.archive,
                time="2026-03-02T00:00:30Z",
                eventID="e-lifecycle",
            )
        ],
    )
    scan = collect()
    bucket = subject("aws.s3.bucket", f"arn:aws:s3:::{w.bucket}", w.archive)
    trail = moto_trail(w)
    answers = aws_plugin.attribute(
        subjects=[trail, bucket],
        start=START,
        end=END,
        inventories=scan.inventories,
    )
    assert answers is not None
    by_kind = {a.subject.kind: a for a in answers}
    found = by_kind["aws.cloudtrail.org_trail"]
    assert found.error == ""
    assert [(e.action, e.event_id, e.time) for e in found.events] == [
        ("StopLogging", "e-stop", "2026-03-01T23:50:30Z"),  # seen in two files: once
        ("StartLogging", "e-start", "2026-03-02T00:19:00Z"),
    ]
    assert found.events[0].source in {f"s3://{w.bucket}/{first}", f"s3://{w.bucket}/{again}"}
    assert found.events[0].principal == f"arn:aws:sts::{MGMT_ID}:assumed-role/A/x"
    assert found.events[0].source_ip == "203.0.113.10"
    assert found.events[0].resource == "org-trail"
    assert found.events[1].source == f"s3://{w.bucket}/{late}"
    lifecycle_found = by_kind["aws.s3.bucket"]
    assert [(e.action, e.source) for e in lifecycle_found.events] == [
        ("PutBucketLifecycle", f"s3://{w.bucket}/{lifecycle}")
    ]
    # only the window's days were listed, and only the window's files were read
    mgmt_base = f"ct/AWSLogs/{w.org_id}/{MGMT_ID}/CloudTrail/us-east-1/"
    archive_base = f"ct/AWSLogs/{w.org_id}/{w.archive}/CloudTrail/us-east-1/"
    assert sorted(scan.listed) == sorted(
        f"{base}2026/03/0{d}/" for base in (mgmt_base, archive_base) for d in (1, 2)
    )
    assert set(scan.fetched) == {first, again, late, lifecycle}
    assert not {before, too_late, old_day} & set(scan.fetched)


def test_archive_search_is_capped_and_says_so(moto_archive: MotoArchive) -> None:
    w = moto_archive
    w.put(MGMT_ID, "20260301T2355", [stop("2026-03-01T23:54:00Z", "e-old")])
    w.put(MGMT_ID, "20260302T0005", [stop("2026-03-02T00:04:00Z", "e-mid")])
    newest = w.put(MGMT_ID, "20260302T0015", [stop("2026-03-02T00:14:00Z", "e-new")])
    scan = collect()
    [found] = attribute([moto_trail(w)], START, END, scan.inventories, limits=Limits(max_files=1))
    assert [e.event_id for e in found.events] == ["e-new"]
    assert found.events[0].source == f"s3://{w.bucket}/{newest}"
    assert "truncated" in found.error and "limit 1" in found.error
    assert scan.fetched == [newest]
    [full] = attribute([moto_trail(w)], START, END, scan.inventories)
    assert [e.event_id for e in full.events] == ["e-old", "e-mid", "e-new"] and full.error == ""


def test_unreadable_log_file_is_named_and_the_rest_is_read(moto_archive: MotoArchive) -> None:
    w = moto_archive
    w.put(MGMT_ID, "20260302T0005", [stop("2026-03-02T00:04:00Z", "e-ok")])
    broken = w.put(MGMT_ID, "20260302T0006", b"this is not JSON")
    [found] = attribute([moto_trail(w)], START, END, collect().inventories)
    assert [e.event_id for e in found.events] == ["e-ok"]
    assert f"s3://{w.bucket}/{broken}" in found.error


def test_unknown_kinds_and_a_bad_window(moto_archive: MotoArchive) -> None:
    scan = collect()
    regions = subject("aws.config.regions", f"arn:aws:config::{MGMT_ID}:regions", MGMT_ID)
    [answer] = attribute([regions], START, END, scan.inventories)
    assert answer.events == [] and "aws.config.regions" in answer.error
    [bad] = attribute([moto_trail(moto_archive)], "yesterday", END, scan.inventories)
    assert bad.error.startswith("bad search window")


# -- fallback to event history, through the sandbox server --------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer() as srv:
        yield srv
        srv.reset()


@pytest.fixture
def zone(server: MotoServer) -> Iterator[World]:
    """A fresh standard zone (management + log archive); faults cleared afterwards."""
    server.reset()
    world = seed_landing_zone(
        standard_landing_zone(members=0, regions=REGIONS), endpoint_url=server.endpoint_url
    )
    yield world
    server.faults.clear()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def a_moment_ago() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="seconds")


def zone_subjects(world: World) -> tuple[Subject, Subject]:
    trail = subject("aws.cloudtrail.org_trail", world.org_trail_arn, world.management_account_id)
    bucket = subject(
        "aws.s3.bucket", f"arn:aws:s3:::{world.log_bucket}", world.log_archive_account_id
    )
    return trail, bucket


def history(account: str, region: str = "us-east-1") -> str:
    return f"cloudtrail:LookupEvents {account}/{region}"


def ask(
    server: MotoServer, subjects: list[Subject], start: str, **limits: int
) -> list[Attribution]:
    scan = collect(server.endpoint_url)
    return attribute(subjects, start, now(), scan.inventories, limits=Limits(**limits))


def test_archive_denied_falls_back_to_event_history(server: MotoServer, zone: World) -> None:
    start = a_moment_ago()
    stopped = aws_changes.stop_org_trail(zone)
    server.faults.add(error="AccessDenied", service="s3", action="", bucket=zone.log_bucket)
    trail, _ = zone_subjects(zone)
    [found] = ask(server, [trail], start)
    assert found.error == ""
    assert [(e.principal, e.action, e.source_ip, e.source, e.event_id) for e in found.events] == [
        (
            stopped["userIdentity"]["arn"],
            "StopLogging",
            "203.0.113.10",
            history(zone.management_account_id),
            stopped["eventID"],
        )
    ]


def test_both_sources_failing_name_both(server: MotoServer, zone: World) -> None:
    start = a_moment_ago()
    aws_changes.stop_org_trail(zone)
    server.faults.add(error="AccessDenied", service="s3", action="", bucket=zone.log_bucket)
    server.faults.add(
        error="AccessDenied",
        service="cloudtrail",
        action="LookupEvents",
        account=zone.management_account_id,
    )
    trail, _ = zone_subjects(zone)
    [found] = ask(server, [trail], start)
    assert found.events == []
    base = f"s3://{zone.log_bucket}/AWSLogs/{zone.org_id}/{zone.management_account_id}/"
    assert f"{base}CloudTrail/us-east-1/: AccessDenied:" in found.error
    assert f"{history(zone.management_account_id)}: AccessDeniedException:" in found.error


def test_change_after_the_trail_stopped_comes_from_event_history(
    server: MotoServer, zone: World
) -> None:
    start = a_moment_ago()
    stopped = aws_changes.stop_org_trail(zone)
    shortened = aws_changes.shorten_log_bucket_lifecycle(zone, expire_days=10)
    trail, bucket = zone_subjects(zone)
    found = {a.subject.kind: a for a in ask(server, [trail, bucket], start)}
    [stop_event] = found["aws.cloudtrail.org_trail"].events
    assert stop_event.event_id == stopped["eventID"] and stop_event.source.startswith("s3://")
    [lifecycle] = found["aws.s3.bucket"].events  # the stopped trail never delivered it
    assert lifecycle.event_id == shortened["eventID"]
    assert lifecycle.source == history(zone.log_archive_account_id)
    assert all(a.error == "" for a in found.values())


def test_no_event_is_no_error(server: MotoServer, zone: World) -> None:
    recorder = subject(
        "aws.config.recorder",
        zone.recorder_arn("log-archive", "eu-west-1"),
        zone.log_archive_account_id,
        "eu-west-1",
    )
    aws_changes.stop_org_trail(zone)  # another resource's event
    [found] = ask(server, [recorder], a_moment_ago())
    assert (found.events, found.error) == ([], "")


def test_event_history_by_event_name_with_pages_and_a_cap(server: MotoServer, zone: World) -> None:
    moment = dt.datetime.now(dt.UTC)
    start = (moment - dt.timedelta(minutes=2)).isoformat(timespec="seconds")
    account, bucket_name = zone.log_archive_account_id, zone.log_bucket
    for n in range(60):  # no Resources listed: ResourceName finds nothing, EventName does
        aws_journal.record(
            aws_changes.cloudtrail_record(
                principal=f"arn:aws:iam::{account}:user/ops-{n}",
                account=account,
                region="us-east-1",
                source="s3.amazonaws.com",
                name="PutBucketPolicy",
                params={"bucketName": bucket_name},
                source_ip="198.51.100.7",
                user_agent="test",
                when=moment - dt.timedelta(seconds=60 - n),
            )
        )
    server.faults.add(error="AccessDenied", service="s3", action="", bucket=bucket_name)
    _, bucket = zone_subjects(zone)
    [found] = ask(server, [bucket], start)
    assert len(found.events) == 60 and found.error == ""
    assert {e.source for e in found.events} == {history(account)}
    assert found.events[0].principal == f"arn:aws:iam::{account}:user/ops-0"  # oldest first
    [capped] = ask(server, [bucket], start, max_lookup_calls=3)
    assert capped.events == []
    assert f"{history(account)}: stopped after 3 requests" in capped.error


# -- the sandbox pieces ---------------------------------------------------------------------


def sandbox_client(server: MotoServer, service: str, world: World, account: str = "") -> Any:
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    if account:
        sts = boto3.client(
            "sts", region_name="us-east-1", endpoint_url=server.endpoint_url, **creds
        )
        answer = sts.assume_role(RoleArn=world.role_arn(account), RoleSessionName="test")
        creds = {
            "aws_access_key_id": answer["Credentials"]["AccessKeyId"],
            "aws_secret_access_key": answer["Credentials"]["SecretAccessKey"],
            "aws_session_token": answer["Credentials"]["SessionToken"],
        }
    factory: Any = boto3.client
    return factory(service, region_name="us-east-1", endpoint_url=server.endpoint_url, **creds)


def archived_keys(server: MotoServer, world: World) -> list[str]:
    s3 = sandbox_client(server, "s3", world, "log-archive")
    listed = s3.list_objects_v2(Bucket=world.log_bucket, Prefix="AWSLogs/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_changes_record_what_aws_records(server: MotoServer, zone: World) -> None:
    stopped = aws_changes.stop_org_trail(zone, principal="arn:aws:iam::{account}:user/carol")
    assert stopped["userIdentity"] == {
        "type": "IAMUser",
        "principalId": stopped["userIdentity"]["principalId"],
        "arn": f"arn:aws:iam::{zone.management_account_id}:user/carol",
        "accountId": zone.management_account_id,
        "accessKeyId": stopped["userIdentity"]["accessKeyId"],
        "userName": "carol",
    }
    [key] = archived_keys(server, zone)
    day = stopped["eventTime"][:10].replace("-", "/")
    assert key.startswith(
        f"AWSLogs/{zone.org_id}/{zone.management_account_id}/CloudTrail/us-east-1/{day}/"
        f"{zone.management_account_id}_CloudTrail_us-east-1_"
    )
    s3 = sandbox_client(server, "s3", zone, "log-archive")
    body = s3.get_object(Bucket=zone.log_bucket, Key=key)["Body"].read()
    assert json.loads(gzip.decompress(body)) == {"Records": [stopped]}
    logging = sandbox_client(server, "cloudtrail", zone).get_trail_status(Name=zone.org_trail_arn)
    assert logging["IsLogging"] is False
    shortened = aws_changes.shorten_log_bucket_lifecycle(zone)
    identity = shortened["userIdentity"]
    assert (
        identity["type"] == "AssumedRole" and identity["accountId"] == zone.log_archive_account_id
    )
    assert identity["arn"].startswith(f"arn:aws:sts::{zone.log_archive_account_id}:assumed-role/")
    assert identity["sessionContext"]["sessionIssuer"]["arn"].startswith(
        f"arn:aws:iam::{zone.log_archive_account_id}:role/aws-reserved/sso.amazonaws.com/"
    )
    assert {k: shortened[k] for k in ("eventSource", "eventName", "readOnly", "eventType")} == {
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutBucketLifecycle",
        "readOnly": False,
        "eventType": "AwsApiCall",
    }
    assert shortened["eventTime"].endswith("Z") and shortened["sourceIPAddress"] == "198.51.100.23"
    assert shortened["resources"][0]["ARN"] == f"arn:aws:s3:::{zone.log_bucket}"
    assert archived_keys(server, zone) == [key]  # the trail had stopped: nothing delivered
    rules = s3.get_bucket_lifecycle_configuration(Bucket=zone.log_bucket)["Rules"]
    assert [r["Expiration"]["Days"] for r in rules] == [30]


def test_event_history_lookup_semantics(server: MotoServer, zone: World) -> None:
    aws_changes.stop_org_trail(zone)
    aws_changes.shorten_log_bucket_lifecycle(zone)
    mgmt = sandbox_client(server, "cloudtrail", zone)
    found = mgmt.lookup_events(
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "alice@example.com"}]
    )["Events"]
    assert [(e["EventName"], e["Resources"]) for e in found] == [
        (
            "StopLogging",
            [{"ResourceType": "AWS::CloudTrail::Trail", "ResourceName": zone.org_trail_arn}],
        )
    ]
    assert json.loads(found[0]["CloudTrailEvent"])["requestParameters"] == {"name": "org-trail"}
    # each account and region has its own history
    archive = sandbox_client(server, "cloudtrail", zone, "log-archive")
    assert [e["EventName"] for e in archive.lookup_events()["Events"]] == ["PutBucketLifecycle"]
    assert (
        mgmt.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutBucketLifecycle"}]
        )["Events"]
        == []
    )
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert mgmt.lookup_events(StartTime=future)["Events"] == []
    with pytest.raises(ClientError) as excinfo:
        mgmt.lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "StopLogging"},
                {"AttributeKey": "Username", "AttributeValue": "alice@example.com"},
            ]
        )
    assert excinfo.value.response["Error"]["Code"] == "InvalidLookupAttributesException"
    server.reset()
    assert aws_journal.events(zone.management_account_id, "us-east-1") == []


def test_bucket_policy_gap_and_bucket_faults(server: MotoServer, zone: World) -> None:
    owner = sandbox_client(server, "s3", zone, "log-archive")
    owner.put_object(Bucket=zone.log_bucket, Key="AWSLogs/probe.json", Body=b"{}")
    assert (
        owner.get_object(Bucket=zone.log_bucket, Key="AWSLogs/probe.json")["Body"].read() == b"{}"
    )
    # the management account has no grant in the bucket policy: AWS denies it
    stranger = sandbox_client(server, "s3", zone)
    with pytest.raises(ClientError) as denied:
        stranger.get_object(Bucket=zone.log_bucket, Key="AWSLogs/probe.json")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    # a bucket fault denies that bucket's objects and listings, not its configuration
    server.faults.add(error="AccessDenied", service="s3", action="", bucket=zone.log_bucket)
    for call in (
        lambda: owner.get_object(Bucket=zone.log_bucket, Key="AWSLogs/probe.json"),
        lambda: owner.list_objects_v2(Bucket=zone.log_bucket),
    ):
        with pytest.raises(ClientError):
            call()
    assert owner.get_bucket_policy(Bucket=zone.log_bucket)["Policy"]
    assert zone.log_bucket in {b["Name"] for b in owner.list_buckets()["Buckets"]}
    owner.list_objects_v2(Bucket=zone.access_log_bucket)


@pytest.mark.parametrize(
    ("statement", "caller", "expected"),
    [
        (
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ARCHIVE,
            True,
        ),
        (
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            ARCHIVE,
            False,
        ),
        ({"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ARCHIVE}:root"}}, ARCHIVE, False),
        ({"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}}, ARCHIVE, True),
        ({"Effect": "Deny", "Principal": {"Service": "cloudtrail.amazonaws.com"}}, ARCHIVE, True),
        ({"Effect": "Allow", "Principal": {"AWS": MGMT}}, MGMT, True),
        ({"Effect": "Allow", "Principal": {"AWS": MEMBER}}, MGMT, False),
        (
            {"Effect": "Allow", "Condition": {"StringEquals": {"aws:PrincipalAccount": MGMT}}},
            MGMT,
            True,
        ),
        (
            {"Effect": "Allow", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
            MGMT,
            False,  # a key the sandbox does not know is absent: the condition does not hold
        ),
    ],
)
def test_bucket_policy_decisions(statement: dict[str, Any], caller: str, expected: bool) -> None:
    doc = {
        "Statement": [
            {"Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", **statement}
        ]
    }
    assert allowed(doc, "s3:GetObject", "arn:aws:s3:::b/k", caller, ARCHIVE) is expected


def test_condition_operators() -> None:
    context = {"aws:SecureTransport": "true", "aws:PrincipalAccount": MGMT}
    assert condition_holds({"Null": {"aws:SourceArn": "true"}}, context)
    assert condition_holds({"StringEqualsIfExists": {"aws:SourceArn": "x"}}, context)
    assert not condition_holds({"StringEquals": {"aws:SourceArn": "x"}}, context)
    assert condition_holds({"StringLike": {"aws:PrincipalAccount": "1111*"}}, context)
    assert not condition_holds({"StringNotEquals": {"aws:PrincipalAccount": [MGMT, "x"]}}, context)
