"""aws.s3.log_archive_readers offline: every reader of the log archive is listed, and the
grants to a wildcard, to a principal outside the organization or outside the allow-list fail."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.models import Status
from tests import aws_docs as d
from tests import aws_docs_logging as dl
from tests.offline import rows, scan_world

CHECK = "aws.s3.log_archive_readers"
OUTSIDE = "999999999999"
READER = f"arn:aws:iam::{d.LOG}:role/{dl.READER_ROLE}"
OBJECTS = f"arn:aws:s3:::{d.BUCKET}/*"


def _access(world: d.World) -> dict[str, Any]:
    return world.doc(d.LOG, dl.ACCESS)


def _bucket_allow(
    world: d.World, principal: Any, action: Any = "s3:GetObject", **extra: Any
) -> None:
    stmt = {"Sid": "Extra", "Effect": "Allow", "Principal": principal, "Action": action}
    stmt |= {"Resource": OBJECTS, **extra}
    _access(world)["BucketPolicy"]["Statement"].append(stmt)


def _key_allow(world: d.World, principal: Any, **extra: Any) -> None:
    stmt = {"Sid": "Extra", "Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt"}
    stmt |= {"Resource": "*", **extra}
    _access(world)["KeyPolicy"]["Statement"].append(stmt)


def _row(world: d.World, **parameters: Any) -> Any:
    (row,) = rows(scan_world(world, **parameters), CHECK)
    return row


def test_compliant_archive_lists_its_readers_and_passes() -> None:
    row = _row(d.compliant_world())
    assert row.status is Status.PASS, row.message
    assert row.tenant_id == d.LOG and READER in row.message
    readers = {(r["principal"], r["action"]) for r in row.evidence["Readers"]}
    # the reader role through its identity policy: S3 always, KMS because the key policy
    # delegates to the account; CloudTrail only encrypts and the other role reads nothing
    assert readers == {(READER, "s3:GetObject"), (READER, "kms:Decrypt")}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda w: _bucket_allow(w, {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}),
            "outside the organization",
        ),
        (
            lambda w: _bucket_allow(w, {"AWS": OUTSIDE}, action="s3:Get*"),
            "outside the organization",
        ),
        (lambda w: _bucket_allow(w, "*", action="s3:*"), "anyone"),
        (lambda w: _bucket_allow(w, {"AWS": "*"}, action="*"), "anyone"),
        (
            lambda w: _bucket_allow(
                w, "*", Condition={"StringEquals": {"aws:PrincipalOrgID": d.ORG_ID}}
            ),
            "any principal of the organization",
        ),
        (
            lambda w: _bucket_allow(
                w, "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-other"}}
            ),
            "outside the organization",
        ),
        (
            lambda w: _key_allow(
                w, "*", Condition={"StringEquals": {"aws:PrincipalOrgID": d.ORG_ID}}
            ),
            "any principal of the organization",
        ),
        (
            lambda w: _key_allow(w, {"AWS": f"arn:aws:iam::{OUTSIDE}:role/x"}),
            "outside the organization",
        ),
        (
            lambda w: _bucket_allow(w, {"AWS": f"arn:aws:iam::{d.WORK}:root"}),
            "not a principal of the log-archive account",
        ),
        (lambda w: _bucket_allow(w, {"Service": "logs.amazonaws.com"}), "not restricted"),
        (
            lambda w: _access(w)["BucketPolicy"]["Statement"].append(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": READER},
                    "Action": "s3:GetObject",
                    "Resource": OBJECTS,
                }
            ),
            "anyone",
        ),
        (
            lambda w: _access(w)["BucketPolicy"]["Statement"].append(
                {"Effect": "Allow", "Principal": "*", "NotAction": "s3:PutObject", "Resource": "*"}
            ),
            "anyone",
        ),
    ],
    ids=[
        "outside-account-root",
        "outside-account-id-get-star",
        "star-s3-star",
        "aws-star-star",
        "org-wildcard",
        "other-org-wildcard",
        "key-org-wildcard",
        "key-outside-role",
        "member-account-root",
        "unscoped-service",
        "not-principal",
        "not-action",
    ],
)
def test_grants_that_must_not_exist_fail(change: Any, problem: str) -> None:
    world = d.compliant_world()
    change(world)
    row = _row(world)
    assert row.status is Status.FAIL
    assert problem in row.message
    assert any(problem in r["problem"] for r in row.evidence["Readers"])


@pytest.mark.parametrize(
    "change",
    [
        # write-only grants are not reads
        lambda w: _bucket_allow(w, {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, action="s3:PutObject"),
        # a grant on another bucket's objects
        lambda w: _bucket_allow(
            w, {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, Resource="arn:aws:s3:::other-bucket/*"
        ),
        # narrowed to the reader role by aws:PrincipalArn, inside the organization
        lambda w: _key_allow(
            w,
            "*",
            Condition={
                "StringEquals": {"aws:PrincipalOrgID": d.ORG_ID},
                "ArnEquals": {"aws:PrincipalArn": READER},
            },
        ),
        # CloudTrail's default key policy: anyone of the account that IAM allows
        lambda w: _key_allow(
            w, {"AWS": "*"}, Condition={"StringEquals": {"kms:CallerAccount": d.LOG}}
        ),
        # a service that reads only for the organization (aws:SourceOrgID) is fine
        lambda w: _bucket_allow(
            w,
            {"Service": "logs.amazonaws.com"},
            Condition={"StringEquals": {"aws:SourceOrgID": d.ORG_ID}},
        ),
    ],
    ids=["put-only", "other-bucket", "principal-arn", "caller-account", "service-in-org"],
)
def test_grants_that_are_fine_pass(change: Any) -> None:
    world = d.compliant_world()
    change(world)
    row = _row(world)
    assert row.status is Status.PASS, row.message


def test_the_allow_list_limits_the_archive_account_too() -> None:
    world = d.compliant_world()
    _access(world)["Roles"][1]["Policies"] = [
        {
            "Name": "admin",
            "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        }
    ]
    admin = f"arn:aws:iam::{d.LOG}:role/unrelated"
    assert _row(world).status is Status.PASS  # unset: the archive's own roles may read
    row = _row(world, log_archive_readers=[READER])
    assert row.status is Status.FAIL and admin in row.message and READER not in row.message
    assert _row(world, log_archive_readers=[f"arn:aws:iam::{d.LOG}:role/*"]).status is Status.PASS


def test_a_member_account_can_be_allowed_by_the_list() -> None:
    world = d.compliant_world()
    _bucket_allow(world, {"AWS": f"arn:aws:iam::{d.WORK}:role/Investigator"})
    assert _row(world).status is Status.FAIL
    allowed = [READER, f"arn:aws:iam::{d.WORK}:role/Investigator"]
    assert _row(world, log_archive_readers=allowed).status is Status.PASS
    # the allow-list never lets an account outside the organization in
    _bucket_allow(world, {"AWS": f"arn:aws:iam::{OUTSIDE}:role/Investigator"})
    row = _row(world, log_archive_readers=["arn:aws:iam::*:role/Investigator", READER])
    assert row.status is Status.FAIL and "outside the organization" in row.message


def test_identity_decrypt_does_not_count_without_the_key_policy_delegating() -> None:
    world = d.compliant_world()
    policy = _access(world)["KeyPolicy"]
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "EnableIamPolicies"]
    row = _row(world)
    assert {(r["principal"], r["action"]) for r in row.evidence["Readers"]} == {
        (READER, "s3:GetObject")
    }


def test_an_unreadable_policy_is_an_error() -> None:
    world = d.compliant_world()
    _access(world)["KeyPolicy"] = "{not json"
    row = _row(world)
    assert row.status is Status.ERROR
