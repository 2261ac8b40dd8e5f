"""CIS AWS 4.8 / 4.9: which S3 object-level events a trail logs, and the two controls."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.aws.data_events import s3_data_events
from logwarden.scanner.models import Status
from tests import aws_docs as d
from tests.offline import rows, scan_world

WRITE = "aws.cloudtrail.s3_data_events_write"
READ = "aws.cloudtrail.s3_data_events_read"


def _basic(rw: str, *values: str, kind: str = "AWS::S3::Object") -> list[dict[str, Any]]:
    return [
        {
            "ReadWriteType": rw,
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": kind, "Values": list(values)}],
        }
    ]


def _advanced(*fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "Name": "s3",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                *fields,
            ],
        }
    ]


@pytest.mark.parametrize(
    ("basic", "advanced", "expected"),
    [
        (_basic("All", "arn:aws:s3"), None, (True, True)),
        (_basic("All", "arn:aws:s3:::"), None, (True, True)),
        (_basic("WriteOnly", "arn:aws:s3"), None, (False, True)),
        (_basic("ReadOnly", "arn:aws-us-gov:s3"), None, (True, False)),
        # one bucket only: not every bucket
        (_basic("All", "arn:aws:s3:::one-bucket/"), None, (False, False)),
        (_basic("All", "arn:aws:lambda"), None, (False, False)),
        (_basic("All", "arn:aws:s3", kind="AWS::Lambda::Function"), None, (False, False)),
        ([{"ReadWriteType": "All", "IncludeManagementEvents": True}], None, (False, False)),
        (None, _advanced(), (True, True)),
        (None, _advanced({"Field": "readOnly", "Equals": ["false"]}), (False, True)),
        (None, _advanced({"Field": "readOnly", "NotEquals": ["false"]}), (True, False)),
        (
            None,
            _advanced({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::"]}),
            (True, True),
        ),
        # narrowed to one bucket, to some event names, or excluding callers: does not count
        (
            None,
            _advanced({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::b/"]}),
            (False, False),
        ),
        (
            None,
            _advanced({"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::b/"]}),
            (False, False),
        ),
        (None, _advanced({"Field": "eventName", "Equals": ["PutObject"]}), (False, False)),
        # advanced selectors win over basic ones (a trail has one kind or the other)
        (
            _basic("All", "arn:aws:s3"),
            _advanced({"Field": "eventName", "Equals": ["x"]}),
            (False, False),
        ),
        (
            None,
            [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
            (False, False),
        ),
    ],
)
def test_which_object_events_are_logged(
    basic: list[dict[str, Any]] | None,
    advanced: list[dict[str, Any]] | None,
    expected: tuple[bool, bool],
) -> None:
    assert s3_data_events(basic, advanced) == {"Read": expected[0], "Write": expected[1]}


def _org_trail(world: d.World, **changes: Any) -> None:
    world.doc(None, "aws.cloudtrail.org_trail").update(changes)
    for account in world.tenants:
        world.doc(account, "aws.cloudtrail.trail").update(changes)


def test_the_organization_trail_covers_every_account_and_is_named() -> None:
    report = scan_world(d.compliant_world())
    for check in (WRITE, READ):
        found = rows(report, check)
        assert {r.tenant_id for r in found} == set(d.compliant_world().tenants)
        assert {r.status for r in found} == {Status.PASS}
        assert all("org-trail" in r.message for r in found)
        assert all(r.evidence["satisfied_by"] == [d.TRAIL_ARN] for r in found)


@pytest.mark.parametrize(
    ("events", "failing"),
    [({"Read": True, "Write": False}, WRITE), ({"Read": False, "Write": True}, READ)],
)
def test_a_missing_direction_fails_in_every_account(events: dict[str, bool], failing: str) -> None:
    world = d.compliant_world()
    _org_trail(world, S3DataEvents=events)
    report = scan_world(world)
    other = READ if failing == WRITE else WRITE
    assert {r.status for r in rows(report, failing)} == {Status.FAIL}
    assert {r.status for r in rows(report, other)} == {Status.PASS}


@pytest.mark.parametrize(
    "changes",
    [{"Status": {"IsLogging": False}}, {"IsMultiRegionTrail": False}],
    ids=["stopped", "single-region"],
)
def test_a_stopped_or_single_region_trail_does_not_count(changes: dict[str, Any]) -> None:
    world = d.compliant_world()
    _org_trail(world, **changes)
    report = scan_world(world)
    assert {r.status for r in rows(report, WRITE)} == {Status.FAIL}
    assert {r.status for r in rows(report, READ)} == {Status.FAIL}
