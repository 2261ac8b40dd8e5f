"""Offline pass / fail / tricky cases of the logging slice's controls (CIS AWS 4.6, 4.7, 5.16,
the log archive's readers, central Config aggregation)."""

from __future__ import annotations

import pytest

from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import aws_docs as d
from tests import aws_docs_logging as dl
from tests.offline import rows, scan_world, statuses

HUB = "aws.securityhub.enabled"
FLOW = "aws.ec2.vpc_flow_logs"


def test_security_hub_passes_per_region_and_fails_where_off() -> None:
    world = d.compliant_world()
    report = scan_world(world)
    assert {(r.tenant_id, r.region) for r in rows(report, HUB)} == {
        (a, r) for a in world.tenants for r in d.REGIONS
    }
    assert statuses(report, HUB) == {Status.PASS}
    world.tenants[d.WORK][dl.HUB][1].data.update(Enabled=False)
    world.tenants[d.WORK][dl.HUB][1].data.pop("HubArn")
    report = scan_world(world)
    failed = [r for r in rows(report, HUB) if r.status is Status.FAIL]
    assert [(r.tenant_id, r.resource_id) for r in failed] == [
        (d.WORK, dl.hub_id(d.WORK, d.REGIONS[1]))
    ]


def test_security_hub_unreadable_region_is_an_error_not_a_pass() -> None:
    world = d.compliant_world()
    world.tenants[d.WORK][dl.HUB] = world.tenants[d.WORK][dl.HUB][:1]
    error = CollectionError(
        cloud="aws",
        tenant_id=d.WORK,
        kind=dl.HUB,
        region=d.REGIONS[1],
        code="AccessDeniedException",
        message="not authorized to perform securityhub:DescribeHub",
    )
    collection = KindCollection(resources=tuple(world.tenants[d.WORK][dl.HUB]), errors=(error,))
    report = scan_world(world, errors={(d.WORK, dl.HUB): collection})
    assert Status.ERROR in statuses(report, HUB, d.WORK)
    assert Status.FAIL not in statuses(report, HUB, d.WORK)


@pytest.mark.parametrize(
    ("flow_logs", "ok"),
    [
        ([], False),
        ([{"FlowLogStatus": "ACTIVE", "TrafficType": "REJECT"}], True),
        ([{"FlowLogStatus": "ACTIVE", "TrafficType": "ACCEPT"}], False),
    ],
    ids=["none", "reject-only", "accept-only"],
)
def test_vpc_flow_logs(flow_logs: list[dict[str, str]], ok: bool) -> None:
    from logwarden.scanner.collectors.aws.kinds.ec2 import CAPTURES_REJECTS

    world = d.compliant_world()
    captures = any(
        f["FlowLogStatus"] == "ACTIVE" and f["TrafficType"] in CAPTURES_REJECTS for f in flow_logs
    )
    world.tenants[d.WORK][dl.VPC][0].data.update(
        FlowLogs=flow_logs, CapturesRejectedTraffic=captures
    )
    report = scan_world(world)
    row = next(
        r for r in rows(report, FLOW, d.WORK) if r.resource_id == dl.vpc_id(d.WORK, d.REGIONS[0])
    )
    assert row.status is (Status.PASS if ok else Status.FAIL)
    others = [r for r in rows(report, FLOW) if r is not row]
    assert {r.status for r in others} == {Status.PASS}


ROTATION = "aws.kms.key_rotation"


@pytest.mark.parametrize(
    ("meta", "reason"),
    [
        ({"KeyManager": "AWS"}, "AWS managed"),
        ({"KeySpec": "RSA_2048"}, "asymmetric or HMAC"),
        ({"KeySpec": "HMAC_256"}, "asymmetric or HMAC"),
        ({"Origin": "EXTERNAL"}, "EXTERNAL"),
        ({"KeyState": "PendingDeletion"}, "scheduled for deletion"),
        ({"KeyState": "Disabled"}, ""),  # a disabled key still counts
        ({}, ""),
    ],
)
def test_which_keys_rotation_applies_to(meta: dict[str, str], reason: str) -> None:
    from logwarden.scanner.collectors.aws.kinds.kms import rotation_exclusion

    base = {
        "KeyManager": "CUSTOMER",
        "KeyState": "Enabled",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS",
    }
    got = rotation_exclusion({**base, **meta})
    assert (reason in got) if reason else got == ""


def test_every_customer_key_rotates_and_excluded_keys_say_why() -> None:
    world = d.compliant_world()
    report = scan_world(world)
    by_status = {(r.tenant_id, r.status) for r in rows(report, ROTATION)}
    assert by_status == {(a, s) for a in world.tenants for s in (Status.PASS, Status.SKIPPED)}
    skipped = [r for r in rows(report, ROTATION) if r.status is Status.SKIPPED]
    assert all("AWS managed key" in r.message for r in skipped)
    world.tenants[d.WORK][dl.ACCOUNT_KEY][0].data["KeyRotationEnabled"] = False
    report = scan_world(world)
    failed = [r for r in rows(report, ROTATION) if r.status is Status.FAIL]
    assert [(r.tenant_id, r.resource_id) for r in failed] == [
        (d.WORK, dl.key_arn(d.WORK, d.REGIONS[0], "app"))
    ]
    # the log key's own control is untouched: it reads the trail and bucket keys only
    assert statuses(report, "aws.kms.log_key_rotation") == {Status.PASS}


AGGREGATION = "aws.config.org_aggregator"
DELIVERY = "aws.config.central_delivery"


def test_organization_aggregator_passes_and_names_where_it_lives() -> None:
    report = scan_world(d.compliant_world())
    (row,) = rows(report, AGGREGATION)
    assert row.status is Status.PASS and "organization" in row.message
    assert row.evidence["satisfied_by"] == [d.compliant_world().org[dl.AGGREGATOR][0].id]


@pytest.mark.parametrize(
    "changes",
    [
        {"CoversScannedRegions": False},
        {"OrganizationWide": False, "OrganizationAggregationSource": None},
    ],
    ids=["some-regions", "account-source"],
)
def test_an_aggregator_that_misses_regions_or_accounts_fails(changes: dict[str, object]) -> None:
    world = d.compliant_world()
    world.org[dl.AGGREGATOR][0].data.update(changes)
    (row,) = rows(scan_world(world), AGGREGATION)
    assert row.status is Status.FAIL and row.tenant_id == d.ORG_ID


def test_no_aggregator_fails() -> None:
    world = d.compliant_world()
    world.org[dl.AGGREGATOR] = []
    (row,) = rows(scan_world(world), AGGREGATION)
    assert row.status is Status.FAIL


def test_central_delivery_per_account() -> None:
    world = d.compliant_world()
    report = scan_world(world)
    assert statuses(report, DELIVERY) == {Status.PASS}
    channel = world.tenants[d.WORK][dl.CHANNEL][1].data
    channel.update(s3BucketName="workload-config", CentralBucket=False)
    report = scan_world(world)
    (row,) = rows(report, DELIVERY, d.WORK)
    assert row.status is Status.FAIL
    assert f"{d.REGIONS[1]}: delivers to workload-config" in row.message and d.LOG in row.message
    assert statuses(report, DELIVERY, d.MGMT) == {Status.PASS}
    # a recorder without any delivery channel fails too
    world.tenants[d.WORK][dl.CHANNEL] = []
    (row,) = rows(scan_world(world), DELIVERY, d.WORK)
    assert row.status is Status.FAIL and "no delivery channel" in row.message
