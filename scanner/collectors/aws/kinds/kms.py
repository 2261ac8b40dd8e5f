"""``aws.kms.key``: the KMS keys that encrypt trails and log buckets."""

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
    """Every key a trail or log bucket uses: (region, key ref) -> {owner, users}."""
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
