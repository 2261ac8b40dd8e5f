"""``aws.kms.key``: the KMS keys that encrypt trails and log buckets; ``aws.kms.account_key``:
every KMS key of an account (CIS AWS 4.6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    BUCKET,
    KMS_KEY,
    LOG_BUCKET_NOT_FOUND,
    NAME,
    ORG_TRAIL,
    TRAIL,
    Arn,
    all_trails,
    failure,
    incomplete,
    problem,
    regions_or_error,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def _key_refs(inv: Inventory) -> dict[tuple[str, str], dict[str, Any]]:
    """Every key a trail or log bucket uses: (region, key ref) -> {owner, users}; the same
    for every tenant of the scan, computed once (``Inventory.scope_memo``). Read-only."""
    found: dict[tuple[str, str], dict[str, Any]] = inv.scope_memo.get(
        "aws:key_refs", lambda: _all_key_refs(inv)
    )
    return found


def _all_key_refs(inv: Inventory) -> dict[tuple[str, str], dict[str, Any]]:
    refs: dict[tuple[str, str], dict[str, Any]] = {}

    def add(ref: str, user: Resource, default_region: str) -> None:
        arn = Arn.parse(ref)
        owner, region = (arn.account, arn.region) if arn else (user.tenant_id, default_region)
        entry = refs.setdefault((region, ref), {"owner": owner, "users": set()})
        entry["users"].add((user.id, user.tenant_id))

    for trail in all_trails(inv):
        if trail.data.get("KmsKeyId"):
            add(trail.data["KmsKeyId"], trail, trail.region)
    for _, bucket in inv.peer_resources(BUCKET):
        if bucket.data.get("DefaultKmsKeyId"):
            add(bucket.data["DefaultKmsKeyId"], bucket, bucket.region)
    return refs


def collect_keys(inv: Inventory) -> Iterator[Item]:
    """DescribeKey + GetKeyRotationStatus for the log keys this account owns (stage 3).

    A key in ``log_archive_account`` when that account is not a scan target is read from
    here, through a session into it, by the lowest scanned account that uses the key.
    """
    me = viewer_id(inv)
    session = session_of(inv)
    # The bucket errors derive from the trail errors when there are any: name the cause once.
    # A bucket that no scanned account owns is an error of its own; its key is as far
    # outside the scan as the bucket is.
    gaps = source_errors(inv, TRAIL) or [
        e for e in source_errors(inv, BUCKET) if e.code != LOG_BUCKET_NOT_FOUND
    ]
    archive = session.settings.log_archive_account
    scanned_ids = {p.tenant.id for p in inv.scanned() if p.tenant is not None}
    keys: dict[tuple[str, str], dict[str, Any]] = {}
    sessions: dict[str, AwsSession] = {me: session}
    for (region, ref), entry in sorted(_key_refs(inv).items()):
        users = sorted(u for u, _ in entry["users"])
        owner = entry["owner"]
        user_owners = {t for _, t in entry["users"]}
        if owner != me:
            if owner in scanned_ids or me != min(user_owners & scanned_ids or {me}):
                continue  # the owner (or another user) reports it
            if owner != archive:
                yield problem(
                    me,
                    KMS_KEY,
                    region,
                    "LogKeyNotFound",
                    f"KMS key {ref} used by {', '.join(users)} belongs to account {owner}, "
                    "which is not scanned; fix: add that account to the scan targets or set "
                    "clouds.aws.log_archive_account to it",
                )
                continue
        try:
            if owner not in sessions:
                sessions[owner] = session.pool.for_account(owner)
            meta = sessions[owner].client("kms", region).describe_key(KeyId=ref)["KeyMetadata"]
        except AWS_ERRORS as exc:
            yield failure(
                me, KMS_KEY, region, exc, f"describing key {ref} used by {', '.join(users)}"
            )
            continue
        doc = keys.setdefault((owner, meta["Arn"]), {**meta, "UsedBy": set(), "_region": region})
        doc["UsedBy"].update(users)
    for (owner, arn), doc in sorted(keys.items()):
        region = doc.pop("_region")
        try:
            doc |= _rotation(sessions[owner], region, arn)
        except AWS_ERRORS as exc:
            yield failure(me, KMS_KEY, region, exc, f"reading the rotation status of {arn}")
            continue
        doc["UsedBy"] = sorted(doc["UsedBy"])
        yield resource(KMS_KEY, arn, owner, region, doc)
    if gaps:
        yield incomplete(me, KMS_KEY, "the KMS keys of this account's trails and buckets", gaps)


def _rotation(session: AwsSession, region: str, arn: str) -> dict[str, Any]:
    try:
        answer = session.client("kms", region).get_key_rotation_status(KeyId=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "UnsupportedOperationException":
            return {"KeyRotationEnabled": False}  # asymmetric, HMAC or imported: never rotates
        raise
    optional = {k: answer[k] for k in ("RotationPeriodInDays", "NextRotationDate") if k in answer}
    return {"KeyRotationEnabled": answer["KeyRotationEnabled"], **optional}


KINDS = [
    ResourceKind(
        name=KMS_KEY,
        reads=(ORG_TRAIL, TRAIL, BUCKET),
        cloud=NAME,
        description="KMS keys that encrypt trails or log buckets, in the account that owns them.",
        collect=collect_keys,
        stage=3,
    ),
]


ACCOUNT_KEY = "aws.kms.account_key"
# Key states in which a key is on its way out: rotation no longer matters.
_LEAVING = ("PendingDeletion", "PendingReplicaDeletion")
_KEPT = (
    "KeyId",
    "Arn",
    "Description",
    "Enabled",
    "KeyState",
    "KeyManager",
    "KeyUsage",
    "KeySpec",
    "Origin",
    "MultiRegion",
    "CreationDate",
)


def rotation_exclusion(meta: dict[str, Any]) -> str:
    """Why CIS AWS 4.6 (rotation of customer-created symmetric keys) does not apply to a key;
    "" when it applies."""
    if meta.get("KeyManager") != "CUSTOMER":
        return "AWS managed key: AWS rotates it every year"
    if meta.get("KeyState") in _LEAVING:
        return f"the key is {meta['KeyState']} (scheduled for deletion)"
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    if spec != "SYMMETRIC_DEFAULT":
        return f"{spec} key (asymmetric or HMAC): KMS cannot rotate it automatically"
    if meta.get("Origin", "AWS_KMS") != "AWS_KMS":
        return f"key material from {meta['Origin']}: KMS cannot rotate it automatically"
    return ""


def collect_account_keys(inv: Inventory) -> Iterator[Item]:
    """Every KMS key of the account in the scanned regions (CIS AWS 4.6): ``ListKeys`` per
    region, ``DescribeKey`` per key, ``GetKeyRotationStatus`` only where rotation applies."""
    me = viewer_id(inv)
    session = session_of(inv)
    regions, error = regions_or_error(inv, ACCOUNT_KEY)
    if error is not None:
        yield error
        return
    for region in regions:
        client = session.client("kms", region)
        try:
            listed = client.get_paginator("list_keys").paginate().build_full_result()["Keys"]
        except AWS_ERRORS as exc:
            yield failure(me, ACCOUNT_KEY, region, exc, "listing KMS keys")
            continue
        for entry in listed:
            arn = entry.get("KeyArn") or entry["KeyId"]
            try:
                meta = client.describe_key(KeyId=arn)["KeyMetadata"]
                doc = {k: meta[k] for k in _KEPT if k in meta}
                reason = rotation_exclusion(meta)
                doc["RotationApplies"] = not reason
                if reason:
                    doc["RotationExclusion"] = reason
                else:
                    doc |= _rotation(session, region, meta["Arn"])
            except AWS_ERRORS as exc:
                yield failure(me, ACCOUNT_KEY, region, exc, f"reading KMS key {arn}")
                continue
            yield resource(ACCOUNT_KEY, meta["Arn"], me, region, doc)


KINDS.append(
    ResourceKind(
        name=ACCOUNT_KEY,
        reads=(),
        cloud=NAME,
        description="Every KMS key of the account in the scanned regions, with rotation status.",
        collect=collect_account_keys,
        stage=1,
    )
)
