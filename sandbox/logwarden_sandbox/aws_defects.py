"""Named defects of the AWS sandbox: each flips one setting of a compliant landing zone.

:data:`DEFECTS` maps a name to how it changes a :class:`LandingZone` and which result rows it
then causes (:class:`Expectation`, computed from the seeded :class:`World` because ids are
random). Combinations are allowed except where one defect would hide another's failure
(:data:`CONFLICTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from logwarden_sandbox import aws_defects_logging, aws_defects_monitoring
from logwarden_sandbox.aws_defects_services import SERVICE_DEFECTS
from logwarden_sandbox.aws_zone import (
    MANAGEMENT,
    BucketSpec,
    DefectInfo,
    Expectation,
    LandingZone,
    LogGroupSpec,
    TrailSpec,
    World,
)

ORG_TRAIL = "aws.cloudtrail.org_trail"
COVERED = "aws.cloudtrail.account_covered"
VALIDATION = "aws.cloudtrail.log_file_validation"
TRAIL_KMS = "aws.cloudtrail.kms_encrypted"
CLOUDWATCH = "aws.cloudtrail.cloudwatch_delivery"
KEY_ROTATION = "aws.kms.log_key_rotation"
BUCKET_KMS = "aws.s3.log_bucket_kms"
PAB = "aws.s3.log_bucket_public_access_block"
NOT_PUBLIC = "aws.s3.log_bucket_not_public"
OWNER = "aws.s3.log_bucket_owner_enforced"
TLS = "aws.s3.log_bucket_tls_only"
LIFECYCLE = "aws.s3.log_bucket_lifecycle"
ACCESS_LOGGING = "aws.s3.log_bucket_access_logging"
OBJECT_LOCK = "aws.s3.log_bucket_object_lock"
SCP_CLOUDTRAIL = "aws.org.scp_protects_cloudtrail"
SCP_CONFIG = "aws.org.scp_protects_config"
SCP_LOG_BUCKET = "aws.org.scp_protects_log_bucket"
RECORDER = "aws.config.recorder_on"
RETENTION = "aws.logs.trail_log_group_retention"

Rows = Callable[[LandingZone, World], list[Expectation]]
W1, W2 = "workload-1", "workload-2"
SANDBOX_OU = "Sandbox"


@dataclass(frozen=True)
class Defect:
    """How a defect changes the zone, and the rows it causes."""

    description: str
    apply: Callable[[LandingZone], None]
    rows: Rows
    members: int = 0  # workload accounts it needs
    regions: int = 1  # regions it needs


def _on_log_bucket(check: str) -> Rows:
    return lambda z, w: [
        Expectation(check, w.log_archive_account_id, f"arn:aws:s3:::{w.log_bucket}")
    ]


def _on_org_trail(check: str) -> Rows:
    return lambda z, w: [Expectation(check, w.management_account_id, w.org_trail_arn)]


def _set(
    target: Callable[[LandingZone], object], **changes: object
) -> Callable[[LandingZone], None]:
    def apply(zone: LandingZone) -> None:
        obj = target(zone)
        for name, value in changes.items():
            setattr(obj, name, value)

    return apply


def _uncovered(zone: LandingZone, world: World) -> list[Expectation]:
    rows = [Expectation(ORG_TRAIL, world.org_id, world.org_id)]  # organization-scope row
    for spec in zone.accounts:
        own = spec.trail
        if not (own and own.multi_region and own.logging):
            account_id = world.accounts[spec.name]
            rows.append(Expectation(COVERED, account_id, account_id))
    return rows + aws_defects_logging.uncovered_data_events(zone, world)


def _single_region(zone: LandingZone) -> None:
    bucket = BucketSpec(
        name="workload-1-trail-{account}",
        sse="AES256",
        object_lock=False,
        versioning=False,
        tls_deny=False,
        archive_days=None,
        expire_days=None,
        access_logging=False,
    )
    zone.account(W1).trail = TrailSpec(
        name="workload-1-trail",
        multi_region=False,
        log_validation=False,
        kms=False,
        log_group=None,
        bucket=bucket,
    )


def _single_region_rows(zone: LandingZone, world: World) -> list[Expectation]:
    account = world.accounts[W1]
    trail = f"arn:aws:cloudtrail:{world.home_region}:{account}:trail/workload-1-trail"
    bucket = f"arn:aws:s3:::workload-1-trail-{account}"
    checks = [(VALIDATION, trail), (TRAIL_KMS, trail), (CLOUDWATCH, trail)]
    checks += [(c, bucket) for c in (BUCKET_KMS, TLS, LIFECYCLE, ACCESS_LOGGING, OBJECT_LOCK)]
    # workload-1 now holds a log bucket, and no SCP on its path (Workloads) protects it
    checks.append((SCP_LOG_BUCKET, account))
    return [Expectation(check, account, resource) for check, resource in checks]


def _multi_region(zone: LandingZone) -> None:
    zone.account(W2).trail = TrailSpec(name="workload-2-trail", log_group=LogGroupSpec())


def _each_member(check: str, ou: str | None = None) -> Rows:
    def rows(zone: LandingZone, world: World) -> list[Expectation]:
        selected = [a for a in zone.accounts if a.name != MANAGEMENT and (ou is None or a.ou == ou)]
        return [
            Expectation(check, world.accounts[a.name], world.accounts[a.name]) for a in selected
        ]

    return rows


def _drop_scp(name: str) -> Callable[[LandingZone], None]:
    return lambda zone: zone.scps.remove(zone.scp(name))


DEFECTS: dict[str, Defect] = {
    "org_trail_stopped": Defect(
        "the organization trail is stopped (StopLogging)",
        _set(lambda z: z.org_trail, logging=False),
        _uncovered,
    ),
    "member_single_region_trail": Defect(
        "workload-1 has its own single-region trail: no validation, no KMS, no CloudWatch, to its own SSE-S3 bucket",
        _single_region,
        _single_region_rows,
        members=1,
    ),
    "member_multi_region_trail": Defect(
        "workload-2 has its own compliant multi-region trail (stays covered if the org trail stops)",
        _multi_region,
        lambda z, w: [Expectation(COVERED, w.accounts[W2], w.accounts[W2], "PASS")],
        members=2,
    ),
    "bucket_public_policy": Defect(
        "log bucket policy also allows {'AWS': '*'} s3:GetObject",
        _set(lambda z: z.log_bucket, public_read=True),
        lambda z, w: [
            *_on_log_bucket(NOT_PUBLIC)(z, w),
            *aws_defects_logging.archive_reader_rows(w),
        ],
    ),
    "bucket_no_kms": Defect(
        "log bucket default encryption is SSE-S3 (AES256)",
        _set(lambda z: z.log_bucket, sse="AES256"),
        _on_log_bucket(BUCKET_KMS),
    ),
    "lifecycle_no_archive": Defect(
        "log bucket lifecycle only expires (no archive transition)",
        _set(lambda z: z.log_bucket, archive_days=None),
        _on_log_bucket(LIFECYCLE),
    ),
    "lifecycle_short_expiry": Defect(
        "log bucket lifecycle expires objects after 30 days",
        _set(lambda z: z.log_bucket, expire_days=30),
        _on_log_bucket(LIFECYCLE),
    ),
    "bucket_no_pab": Defect(
        "log bucket has no public access block (nor the account)",
        _set(lambda z: z.log_bucket, public_access_block=False),
        _on_log_bucket(PAB),
    ),
    "bucket_acl_ownership": Defect(
        "log bucket ObjectOwnership is BucketOwnerPreferred (ACLs enabled)",
        _set(lambda z: z.log_bucket, object_ownership="BucketOwnerPreferred"),
        _on_log_bucket(OWNER),
    ),
    "bucket_no_tls_deny": Defect(
        "log bucket policy has no aws:SecureTransport=false Deny",
        _set(lambda z: z.log_bucket, tls_deny=False),
        _on_log_bucket(TLS),
    ),
    "bucket_no_access_logging": Defect(
        "log bucket has no server access logging",
        _set(lambda z: z.log_bucket, access_logging=False),
        _on_log_bucket(ACCESS_LOGGING),
    ),
    "bucket_no_versioning_no_lock": Defect(
        "log bucket created without Object Lock and versioning off",
        _set(lambda z: z.log_bucket, object_lock=False, versioning=False),
        _on_log_bucket(OBJECT_LOCK),
    ),
    "scp_cloudtrail_detached_from_ou": Defect(
        "protect-cloudtrail is detached from the Sandbox OU",
        lambda z: z.scp("protect-cloudtrail").targets.remove(SANDBOX_OU),
        _each_member(SCP_CLOUDTRAIL, SANDBOX_OU),
        members=2,
    ),
    "scp_config_missing": Defect(
        "no protect-config SCP", _drop_scp("protect-config"), _each_member(SCP_CONFIG)
    ),
    "scp_log_bucket_missing": Defect(
        "no protect-log-bucket SCP",
        _drop_scp("protect-log-bucket"),
        lambda z, w: [
            Expectation(SCP_LOG_BUCKET, w.log_archive_account_id, w.log_archive_account_id)
        ],
    ),
    "log_validation_off": Defect(
        "org trail log file validation is off",
        _set(lambda z: z.org_trail, log_validation=False),
        _on_org_trail(VALIDATION),
    ),
    "trail_no_kms": Defect(
        "org trail has no KmsKeyId",
        _set(lambda z: z.org_trail, kms=False),
        _on_org_trail(TRAIL_KMS),
    ),
    "trail_no_cloudwatch": Defect(
        "org trail does not deliver to CloudWatch Logs",
        _set(lambda z: z.org_trail, log_group=None),
        _on_org_trail(CLOUDWATCH),
    ),
    "key_rotation_off": Defect(
        "log key rotation is off",
        _set(lambda z: z.log_key, rotation=False),
        lambda z, w: [
            Expectation(KEY_ROTATION, w.log_archive_account_id, w.log_key_arn),
            *aws_defects_logging.log_key_rows(w),
        ],
    ),
    "config_recorder_stopped": Defect(
        "workload-1's recorder in the second region is stopped",
        lambda z: setattr(z.account(W1).recorders[z.regions[1]], "recording", False),
        lambda z, w: [Expectation(RECORDER, w.accounts[W1], w.accounts[W1])],  # tenant-scope row
        members=1,
        regions=2,
    ),
    "config_no_global": Defect(
        "no recorder of workload-2 records global resource types",
        lambda z: setattr(z.account(W2).recorders[z.home_region], "include_global", False),
        lambda z, w: [Expectation(RECORDER, w.accounts[W2], w.accounts[W2])],  # tenant-scope row
        members=2,
    ),
    "log_group_no_retention": Defect(
        "org trail log group has no retention policy: events never expire, which the control accepts (PASS)",
        _set(lambda z: z.org_trail.log_group, retention_days=None),
        lambda z, w: [Expectation(RETENTION, w.management_account_id, w.log_group_arn, "PASS")],
    ),
    "log_group_short_retention": Defect(
        "org trail log group retention is 30 days",
        _set(lambda z: z.org_trail.log_group, retention_days=30),
        lambda z, w: [Expectation(RETENTION, w.management_account_id, w.log_group_arn)],
    ),
}
DEFECTS.update({n: Defect(*spec) for n, spec in aws_defects_monitoring.DEFECTS.items()})

DEFECTS.update(aws_defects_logging.defects())

DEFECTS.update({name: Defect(*spec) for name, spec in SERVICE_DEFECTS.items()})

#: Pairs that cannot be combined: the first would hide the second's failure (or they set the
#: same field).
CONFLICTS: tuple[tuple[str, str], ...] = (
    ("trail_no_cloudwatch", "log_group_no_retention"),
    ("trail_no_cloudwatch", "log_group_short_retention"),
    ("log_group_no_retention", "log_group_short_retention"),
    ("org_trail_s3_reads_only", "org_trail_s3_writes_only"),
)


def validate(defects: Collection[str], *, members: int, regions: int) -> None:
    """Raise ValueError for unknown names, conflicts or a zone too small for a defect."""
    unknown = sorted(set(defects) - DEFECTS.keys())
    if unknown:
        raise ValueError(f"unknown defects {unknown}; known: {', '.join(sorted(DEFECTS))}")
    for first, second in CONFLICTS:
        if first in defects and second in defects:
            raise ValueError(f"defects {first!r} and {second!r} cannot be combined")
    if {"key_rotation_off", "trail_no_kms", "bucket_no_kms"} <= set(defects):
        raise ValueError(
            "key_rotation_off needs the key in use (drop trail_no_kms or bucket_no_kms)"
        )
    for name in defects:
        defect = DEFECTS[name]
        if members < defect.members or regions < defect.regions:
            raise ValueError(
                f"defect {name!r} needs at least {defect.members} members and {defect.regions} regions"
            )


def apply(zone: LandingZone, defects: Collection[str]) -> None:
    """Apply named defects to ``zone`` in catalogue order (validate first)."""
    for name in DEFECTS:
        if name in defects:
            DEFECTS[name].apply(zone)
    zone.defects = tuple(name for name in DEFECTS if name in defects)


def describe(zone: LandingZone, world: World) -> dict[str, DefectInfo]:
    """The DefectInfo of every defect applied to ``zone``, with ids from ``world``."""
    return {
        name: DefectInfo(
            name,
            DEFECTS[name].description,
            (
                *DEFECTS[name].rows(zone, world),
                *aws_defects_monitoring.extra_rows(name, zone, world),
            ),
        )
        for name in zone.defects
    }
