"""Which CloudTrail records changed a drifted AWS resource: the matching table and the matcher.

Each attributable kind has a :class:`Rule`: the ``eventSource`` and the ``eventName`` values that
change such a resource, and the ``requestParameters`` fields that name it. A :class:`Target` is
one subject made concrete: the account and region whose log holds its events, the names that
identify it anywhere (ARNs, bucket names, organization ids) and the names that identify it only
in that account and region (a trail name, a KMS key id, the Config recorder ``default``).

A record counts when it comes from the rule's source with one of its names, is not read-only,
did not fail (no ``errorCode``: a denied ``StopLogging`` changed nothing), happened in the
window (``start < eventTime <= end``) and names the target in a listed field or in
``resources[].ARN``. Pure functions: no SDK, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from logwarden.scanner.audit_events import AuditEvent, Subject
from logwarden.scanner.collectors.aws.common import (
    ACCOUNT,
    BUCKET,
    CONFIG_RECORDER,
    KMS_KEY,
    LOG_GROUP,
    ORG_TRAIL,
    ORGANIZATION,
    POLICY,
    TRAIL,
    Arn,
)

# Where global services (Organizations) log: the partition's "global" region.
GLOBAL_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-northwest-1"}


@dataclass(frozen=True)
class Rule:
    """The CloudTrail events that change one kind of resource, and how they name it."""

    source: str  # eventSource
    actions: frozenset[str]  # eventName values that change the resource
    fields: tuple[str, ...]  # requestParameters paths (dotted) that name the resource
    regional: bool = True  # False: logged in the management account's global region


def _rule(source: str, actions: str, fields: str, regional: bool = True) -> Rule:
    return Rule(source, frozenset(actions.split()), tuple(fields.split()), regional)


_TRAIL_RULE = _rule(
    "cloudtrail.amazonaws.com",
    "StopLogging StartLogging UpdateTrail PutEventSelectors PutInsightSelectors DeleteTrail",
    "name trailName",
)
_ORG = "organizations.amazonaws.com"

#: The matching table (docs/attribution-aws.md shows it as a table).
RULES: dict[str, Rule] = {
    TRAIL: _TRAIL_RULE,
    ORG_TRAIL: _TRAIL_RULE,
    BUCKET: _rule(
        "s3.amazonaws.com",
        "PutBucketLifecycle PutBucketLifecycleConfiguration DeleteBucketLifecycle "
        "PutBucketPolicy DeleteBucketPolicy PutBucketVersioning PutBucketEncryption "
        "DeleteBucketEncryption PutBucketLogging PutObjectLockConfiguration "
        "PutBucketPublicAccessBlock DeleteBucketPublicAccessBlock PutBucketOwnershipControls "
        "DeleteBucketOwnershipControls PutBucketAcl DeleteBucket",
        "bucketName",
    ),
    KMS_KEY: _rule(
        "kms.amazonaws.com",
        "EnableKeyRotation DisableKeyRotation EnableKey DisableKey ScheduleKeyDeletion "
        "CancelKeyDeletion PutKeyPolicy UpdateKeyDescription",
        "keyId",
    ),
    CONFIG_RECORDER: _rule(
        "config.amazonaws.com",
        "PutConfigurationRecorder StartConfigurationRecorder StopConfigurationRecorder "
        "DeleteConfigurationRecorder",
        "configurationRecorderName configurationRecorder.name",
    ),
    LOG_GROUP: _rule(
        "logs.amazonaws.com",
        "PutRetentionPolicy DeleteRetentionPolicy AssociateKmsKey DisassociateKmsKey "
        "DeleteLogGroup",
        "logGroupName logGroupIdentifier",
    ),
    POLICY: _rule(_ORG, "UpdatePolicy DeletePolicy AttachPolicy DetachPolicy", "policyId", False),
    ACCOUNT: _rule(
        _ORG,
        "AttachPolicy DetachPolicy MoveAccount RemoveAccountFromOrganization CloseAccount "
        "EnablePolicyType DisablePolicyType",
        "targetId accountId rootId",
        False,
    ),
    ORGANIZATION: _rule(_ORG, "EnablePolicyType DisablePolicyType", "rootId", False),
}


@dataclass(frozen=True)
class Window:
    """The search window: events with ``start < eventTime <= end`` (UTC)."""

    start: dt.datetime
    end: dt.datetime

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        """From the hook's ISO 8601 strings (naive means UTC); raises ValueError."""
        return cls(_utc(dt.datetime.fromisoformat(start)), _utc(dt.datetime.fromisoformat(end)))

    def contains(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is inside the window."""
        return self.start < moment <= self.end


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Target:
    """One subject, concrete: where its events are logged and the names that identify it."""

    subject: Subject
    rule: Rule
    account: str  # whose CloudTrail log holds the events
    region: str  # in which region they are logged
    names: frozenset[str]  # identify the resource in any account and region
    local_names: frozenset[str] = frozenset()  # identify it only in account + region

    @property
    def location(self) -> tuple[str, str]:
        """(account, region): the part of the log to search."""
        return (self.account, self.region)

    @property
    def lookup_values(self) -> list[str]:
        """The values to ask LookupEvents for as ``ResourceName``."""
        return sorted(self.names | self.local_names)


def target_of(
    subject: Subject, management: str = "", extra_names: Sequence[str] = ()
) -> Target | None:
    """The target of ``subject``; None when logwarden has no rule for its kind.

    :param management: the management account (Organizations events are logged there).
    :param extra_names: more ids that name it (an account's OUs and root, an organization's
        roots), from the collected documents.
    """
    rule = RULES.get(subject.kind)
    arn = Arn.parse(subject.resource_id)
    if rule is None or arn is None:
        return None
    names = {subject.resource_id, *extra_names}
    local: set[str] = set()
    tail = arn.resource
    if subject.kind in (TRAIL, ORG_TRAIL):
        local.add(tail.removeprefix("trail/"))
    elif subject.kind == BUCKET:
        names.add(tail)
    elif subject.kind == KMS_KEY:
        local.add(tail.removeprefix("key/"))
    elif subject.kind == CONFIG_RECORDER:
        local.add(tail.removeprefix("config-recorder/"))
    elif subject.kind == LOG_GROUP:
        local.add(tail.removeprefix("log-group:"))
        names.add(f"{subject.resource_id}:*")
    else:  # organizations: policy p-..., account id, organization o-...
        names.add(tail.rsplit("/", 1)[-1])
    if rule.regional:
        account = arn.account or subject.tenant_id
        region = subject.region or arn.region
    else:
        account = management or arn.account or subject.tenant_id
        region = GLOBAL_REGIONS.get(arn.partition, "us-east-1")
    return Target(subject, rule, account, region, frozenset(names), frozenset(local))


def event_time(record: Mapping[str, Any]) -> dt.datetime | None:
    """The record's ``eventTime`` as an aware UTC datetime (None when absent or malformed)."""
    try:
        return _utc(dt.datetime.fromisoformat(str(record.get("eventTime", ""))))
    except ValueError:
        return None


def _dig(params: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(params, Mapping):
            return None
        params = params.get(part)
    return params


def _recipient(record: Mapping[str, Any]) -> str:
    identity = record.get("userIdentity") or {}
    return str(record.get("recipientAccountId") or identity.get("accountId") or "")


def match(record: Mapping[str, Any], target: Target, window: Window) -> str | None:
    """The name or ARN by which ``record`` changed ``target`` in ``window``; None if it did not."""
    rule = target.rule
    if record.get("eventSource") != rule.source or record.get("eventName") not in rule.actions:
        return None
    if str(record.get("readOnly", "")).lower() == "true" or record.get("errorCode"):
        return None
    moment = event_time(record)
    if moment is None or not window.contains(moment):
        return None
    local = _recipient(record) == target.account and record.get("awsRegion") == target.region
    params = record.get("requestParameters") or {}
    for path in rule.fields:
        value = _dig(params, path)
        if isinstance(value, str) and (
            value in target.names or (local and value in target.local_names)
        ):
            return value
    for res in record.get("resources") or []:
        arn = res.get("ARN") if isinstance(res, Mapping) else None
        if isinstance(arn, str) and arn in target.names:
            return arn
    return None


def principal_of(record: Mapping[str, Any]) -> str:
    """Who made the call: ``userIdentity.arn`` (an assumed role's session ARN), else the
    invoking service, principal id or account."""
    identity = record.get("userIdentity") or {}
    for key in ("arn", "invokedBy", "principalId", "accountId"):
        if identity.get(key):
            return str(identity[key])
    return "unknown"


def to_event(record: Mapping[str, Any], source: str, resource: str) -> AuditEvent:
    """The :class:`AuditEvent` of a matching record read from ``source``."""
    moment = event_time(record)
    when = moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else str(record.get("eventTime", ""))
    return AuditEvent(
        principal=principal_of(record),
        action=str(record.get("eventName", "")),
        time=when,
        source_ip=str(record.get("sourceIPAddress") or ""),
        source=source,
        event_id=str(record.get("eventID") or ""),
        resource=resource,
    )


def oldest_first(events: dict[str, AuditEvent]) -> list[AuditEvent]:
    """De-duplicated events (keyed by event id) in time order."""
    return sorted(events.values(), key=lambda e: (e.time, e.event_id))


def event_key(record: Mapping[str, Any]) -> str:
    """The identity of a record for de-duplication: its ``eventID`` (a record delivered in
    several files, or by several trails, is one event)."""
    found = record.get("eventID")
    if found:
        return str(found)
    return "|".join(str(record.get(k, "")) for k in ("eventTime", "eventName", "eventSource"))
