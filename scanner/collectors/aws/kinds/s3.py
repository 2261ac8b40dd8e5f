"""``aws.s3.bucket``: the log buckets, read in the account that owns them.

Stage 2: every tenant's trails (stage 1) are known, so each account can tell which of its own
buckets some trail of the organization writes to. ``ListBuckets`` runs once per account; the
bucket calls run only for log buckets, and skip what cannot matter: the ACL when ACLs are
disabled (``BucketOwnerEnforced``), Object Lock when versioning is off (Object Lock needs it),
the account-level Block Public Access when the bucket's own four settings are all on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from logwarden.scanner.collectors.aws import s3_derive
from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    BUCKET,
    LOG_BUCKET_NOT_FOUND,
    NAME,
    ORG_TRAIL,
    TRAIL,
    all_trails,
    failure,
    incomplete,
    problem,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError

# Answers that mean "this bucket has no such configuration": an absent field, not an error.
ABSENT = frozenset(
    {
        "NoSuchBucketPolicy",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchLifecycleConfiguration",
        "ObjectLockConfigurationNotFoundError",
        "NoSuchPublicAccessBlockConfiguration",
        "OwnershipControlsNotFoundError",
    }
)

# (document field, client method, answer field or None for the whole answer)
BUCKET_CALLS = (
    ("Encryption", "get_bucket_encryption", "ServerSideEncryptionConfiguration"),
    ("PublicAccessBlock", "get_public_access_block", "PublicAccessBlockConfiguration"),
    ("OwnershipControls", "get_bucket_ownership_controls", "OwnershipControls"),
    ("Policy", "get_bucket_policy", "Policy"),
    ("Acl", "get_bucket_acl", None),
    ("Lifecycle", "get_bucket_lifecycle_configuration", None),
    ("Logging", "get_bucket_logging", "LoggingEnabled"),
    ("Versioning", "get_bucket_versioning", None),
    ("ObjectLock", "get_object_lock_configuration", "ObjectLockConfiguration"),
)


@dataclass
class LogRef:
    """Which trails write to a bucket, with which prefixes, owned by which accounts."""

    trails: set[str] = field(default_factory=set)
    prefixes: set[str | None] = field(default_factory=set)
    trail_owners: set[str] = field(default_factory=set)


def log_buckets(inv: Inventory) -> dict[str, LogRef]:
    """Every bucket some trail of the organization writes to; the same for every tenant of
    the scan, computed once (``Inventory.scope_memo``). Read-only."""
    found: dict[str, LogRef] = inv.scope_memo.get("aws:log_buckets", lambda: _log_buckets(inv))
    return found


def _log_buckets(inv: Inventory) -> dict[str, LogRef]:
    out: dict[str, LogRef] = {}
    for trail in all_trails(inv):
        name = trail.data.get("S3BucketName")
        if not name:
            continue
        ref = out.setdefault(name, LogRef())
        ref.trails.add(trail.id)
        ref.prefixes.add(trail.data.get("S3KeyPrefix"))
        ref.trail_owners.add(trail.tenant_id)
    return out


def owned_buckets(session: AwsSession) -> dict[str, dict[str, Any]]:
    """This account's buckets by name (one paginated ListBuckets per account, memoised)."""

    def call() -> dict[str, dict[str, Any]]:
        pages = session.client("s3").get_paginator("list_buckets").paginate()
        return {b["Name"]: b for b in pages.build_full_result()["Buckets"]}

    return session.memo("s3:list_buckets", call)


def collect_buckets(inv: Inventory) -> Iterator[Item]:
    """The log buckets this account owns, and errors for log buckets nobody scanned owns.

    When this account's trails (the organization trails included) could not all be read, a
    trail that was not read may write to a bucket of this account, or with another prefix to
    a known one: the buckets are then an error, not a shorter list.
    """
    me = viewer_id(inv)
    gaps = source_errors(inv, TRAIL)
    if gaps:
        yield incomplete(me, BUCKET, "the log buckets of this account and their writers", gaps)
        return
    refs = log_buckets(inv)
    if not refs:
        return
    try:
        owned = owned_buckets(session_of(inv))
    except AWS_ERRORS as exc:
        yield failure(me, BUCKET, "", exc, "listing buckets")
        return
    for name in sorted(set(refs) & set(owned)):
        yield from bucket_items(session_of(inv), name, owned[name], refs[name])
    mine = sorted(n for n, ref in refs.items() if me in ref.trail_owners and n not in owned)
    for name in mine:
        yield from _elsewhere(inv, name, refs[name])


def _elsewhere(inv: Inventory, name: str, ref: LogRef) -> Iterator[Item]:
    """A bucket written by this account's trail but not owned by it: who owns it?

    Another scanned account reports it itself. When ``log_archive_account`` is set but not a
    scan target, the bucket is read there, from here (once, by the lowest trail owner).
    """
    me = viewer_id(inv)
    peers = {p.tenant.id: p for p in inv.scanned() if p.tenant is not None}
    archive = session_of(inv).settings.log_archive_account
    candidates = sorted(a for a in peers if a != me)
    if archive and archive not in peers:
        candidates.insert(0, archive)
    unreachable: list[str] = []
    for account in candidates:
        try:
            if account in peers:
                session = peers[account].session
            else:
                session = session_of(inv).pool.for_account(account)
            listing = owned_buckets(session)
        except AWS_ERRORS:
            unreachable.append(account)
            continue
        if name not in listing:
            continue
        if account not in peers and me == min(ref.trail_owners & set(peers) or {me}):
            yield from bucket_items(session, name, listing[name], ref)
        return
    trails = ", ".join(sorted(t for t in ref.trails if f":{me}:" in t))
    where = f" (could not list the buckets of {', '.join(unreachable)})" if unreachable else ""
    yield problem(
        me,
        BUCKET,
        "",
        LOG_BUCKET_NOT_FOUND,
        f"log bucket {name!r} written by trail {trails} is not owned by any scanned "
        f"account{where}; fix: add the log-archive account that owns it to the scan targets, "
        "or set clouds.aws.log_archive_account to that account id",
    )


def bucket_items(session: AwsSession, name: str, listed: dict[str, Any], ref: LogRef) -> list[Item]:
    """The bucket document, or the errors that prevented reading it (memoised per bucket)."""
    return session.memo(("s3:bucket", name), lambda: _read_bucket(session, name, listed, ref))


def _region(session: AwsSession, name: str, listed: dict[str, Any]) -> str:
    if listed.get("BucketRegion"):
        return str(listed["BucketRegion"])
    constraint = session.client("s3").get_bucket_location(Bucket=name).get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)


def _read_bucket(session: AwsSession, name: str, listed: dict[str, Any], ref: LogRef) -> list[Item]:
    me = session.account_id
    try:
        region = _region(session, name, listed)
    except AWS_ERRORS as exc:
        return [failure(me, BUCKET, "", exc, f"locating bucket {name}")]
    client = session.client("s3", region)
    data: dict[str, Any] = {"Name": name, "Region": region}
    if "CreationDate" in listed:
        data["CreationDate"] = listed["CreationDate"]
    errors: list[Item] = []
    for out_key, method, answer_key in BUCKET_CALLS:
        if _skip(out_key, data):
            continue
        try:
            answer = getattr(client, method)(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ABSENT:
                continue
            errors.append(failure(me, BUCKET, region, exc, f"bucket {name}: {method}"))
            continue
        except AWS_ERRORS as exc:
            errors.append(failure(me, BUCKET, region, exc, f"bucket {name}: {method}"))
            continue
        value: Any = (
            answer.get(answer_key)
            if answer_key
            else {k: v for k, v in answer.items() if k != "ResponseMetadata"}
        )
        if value is not None:
            data[out_key] = json.loads(value) if out_key == "Policy" else value
    account_pab = None
    if not all(data.get("PublicAccessBlock", {}).get(k) for k in s3_derive.PAB_KEYS):
        try:
            account_pab = _account_public_access_block(session, region)
        except AWS_ERRORS as exc:
            errors.append(failure(me, BUCKET, region, exc, "s3control GetPublicAccessBlock"))
    if errors:
        return errors
    if "Policy" in data:
        statements = data["Policy"].get("Statement", [])
        data["Policy"]["Statement"] = statements if isinstance(statements, list) else [statements]
    if account_pab is not None:
        data["AccountPublicAccessBlock"] = account_pab
    prefixes = s3_derive.log_key_prefixes(ref.prefixes)
    algorithm, key_id = s3_derive.default_encryption(data.get("Encryption"))
    ownership = s3_derive.object_ownership(data.get("OwnershipControls"))
    derived: dict[str, Any] = {
        "WrittenBy": sorted(ref.trails),
        "LogKeyPrefixes": prefixes,
        "EffectivePublicAccessBlock": s3_derive.effective_public_access_block(
            data.get("PublicAccessBlock"), account_pab
        ),
        "LogLifecycle": s3_derive.log_lifecycle(data.get("Lifecycle"), prefixes),
    }
    for key, value in (
        ("DefaultSSEAlgorithm", algorithm),
        ("DefaultKmsKeyId", key_id),
        ("ObjectOwnership", ownership),
    ):
        if value is not None:
            derived[key] = value
    arn = f"arn:{session.partition}:s3:::{name}"
    return [resource(BUCKET, arn, me, region, data | derived)]


def _skip(out_key: str, data: dict[str, Any]) -> bool:
    if out_key == "Acl":
        return s3_derive.object_ownership(data.get("OwnershipControls")) == "BucketOwnerEnforced"
    if out_key == "ObjectLock":
        return data.get("Versioning", {}).get("Status") != "Enabled"
    return False


def _account_public_access_block(session: AwsSession, region: str) -> dict[str, Any] | None:
    """The account-level Block Public Access settings (s3control), once per account."""

    def call() -> dict[str, Any] | None:
        try:
            answer = session.client("s3control", region).get_public_access_block(
                AccountId=session.account_id
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ABSENT:
                return None
            raise
        return dict(answer["PublicAccessBlockConfiguration"])

    return session.memo("s3control:public_access_block", call)


KINDS = [
    ResourceKind(
        name=BUCKET,
        reads=(ORG_TRAIL, TRAIL),
        cloud=NAME,
        description="Log buckets (written by any trail of the organization), in their owner account.",
        collect=collect_buckets,
        stage=2,
        derived=("LogLifecycle",),  # summarises Lifecycle.Rules
    ),
]
