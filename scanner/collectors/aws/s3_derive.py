"""Derived fields of the log bucket document: pure functions over the API answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PAB_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")


def log_key_prefixes(trail_prefixes: Iterable[str | None]) -> list[str]:
    """Where CloudTrail writes: ``AWSLogs/`` or ``<S3KeyPrefix>/AWSLogs/`` per trail."""
    out = {f"{p.strip('/')}/AWSLogs/" if p and p.strip("/") else "AWSLogs/" for p in trail_prefixes}
    return sorted(out)


def default_encryption(encryption: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(SSEAlgorithm, KMSMasterKeyID) of the bucket's default encryption rule, if any."""
    for rule in (encryption or {}).get("Rules", []):
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            return default["SSEAlgorithm"], default.get("KMSMasterKeyID")
    return None, None


def effective_public_access_block(
    bucket: dict[str, Any] | None, account: dict[str, Any] | None
) -> dict[str, bool]:
    """Each Block Public Access setting is on when the bucket or the account turns it on."""
    bucket, account = bucket or {}, account or {}
    return {k: bool(bucket.get(k)) or bool(account.get(k)) for k in PAB_KEYS}


def object_ownership(controls: dict[str, Any] | None) -> str | None:
    """The bucket's ``ObjectOwnership`` setting, if any."""
    for rule in (controls or {}).get("Rules", []):
        if rule.get("ObjectOwnership"):
            return str(rule["ObjectOwnership"])
    return None


def _rule_prefix(rule: dict[str, Any]) -> str | None:
    """The key prefix a lifecycle rule applies to ("" = all objects); None if it filters otherwise."""
    if "Filter" not in rule:
        return str(rule.get("Prefix") or "")
    flt = rule.get("Filter") or {}
    if "And" in flt:
        cond = flt["And"] or {}
        if cond.get("Tags") or "ObjectSizeGreaterThan" in cond or "ObjectSizeLessThan" in cond:
            return None
        return str(cond.get("Prefix") or "")
    if "Tag" in flt or "ObjectSizeGreaterThan" in flt or "ObjectSizeLessThan" in flt:
        return None  # log objects carry no tags; a size filter skips some of them
    return str(flt.get("Prefix") or "")


def log_lifecycle(lifecycle: dict[str, Any] | None, prefixes: list[str]) -> dict[str, Any]:
    """Earliest archive transition and earliest expiration over rules covering the log keys.

    A rule covers the logs when it is enabled and every log key prefix starts with its
    prefix. A date-based expiration counts as 0 days: it deletes logs whatever their age.
    Date-based transitions are ignored.
    """
    archive: tuple[int, str] | None = None
    expire: int | None = None
    for rule in (lifecycle or {}).get("Rules", []):
        if rule.get("Status") != "Enabled":
            continue
        prefix = _rule_prefix(rule)
        if prefix is None or not all(p.startswith(prefix) for p in prefixes or [""]):
            continue
        for tr in rule.get("Transitions", []):
            days, cls = tr.get("Days"), tr.get("StorageClass")
            if (
                isinstance(days, int)
                and cls in ARCHIVE_CLASSES
                and (archive is None or days < archive[0])
            ):
                archive = (days, cls)
        exp = rule.get("Expiration") or {}
        days = 0 if "Date" in exp else exp.get("Days")
        if isinstance(days, int) and (expire is None or days < expire):
            expire = days
    return {
        "ArchiveAfterDays": archive[0] if archive else None,
        "ArchiveStorageClass": archive[1] if archive else None,
        "ExpireAfterDays": expire,
    }
