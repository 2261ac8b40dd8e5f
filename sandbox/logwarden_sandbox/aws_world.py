"""The AWS sandbox landing zone: describe it (:func:`standard_landing_zone`), create it in moto
(:func:`seed_landing_zone`), and know what was created (:class:`World`).

The compliant standard zone satisfies every AWS control of the catalogue:

- management account (moto's default ``123456789012``) owns the organization (FeatureSet ALL,
  SCPs enabled on the root) with OUs Security, Workloads, Sandbox; ``log-archive`` sits in
  Security, ``workload-N`` alternate between Workloads (odd N) and Sandbox (even N);
- log archive: a customer-managed KMS key with rotation; the central trail bucket
  ``logwarden-cloudtrail-<log-archive id>`` (created with Object Lock, COMPLIANCE retention
  365 days, versioning, SSE-KMS with that key, all four public access blocks,
  BucketOwnerEnforced, a policy that lets CloudTrail of the organization write and denies
  ``aws:SecureTransport=false``, lifecycle GLACIER at 90 days and expiry at 2555, server
  access logs to ``logwarden-access-logs-<id>``); the Config delivery bucket;
- management account: the organization trail ``org-trail`` (multi-region, global events, log
  file validation, KMS, CloudWatch Logs delivery to a group with 365 days retention, event
  selectors ReadWriteType All with management events) writing to the central bucket, logging;
- every account, every region: Config recorder ``default`` (all supported, global types in
  the home region only), a delivery channel, recording;
- SCPs: ``protect-cloudtrail`` on each top-level OU (not the root), ``protect-config`` on the
  root, ``protect-log-bucket`` on the Security OU.

Moto facts the seeding relies on (moto 5.2): ``CreateTrail`` accepts a bucket of another
account (moto resolves bucket names across accounts), so the organization trail writes to the
log-archive bucket exactly as in AWS, with no workaround; ``CreateAccount`` completes at once
and creates ``OrganizationAccountAccessRole``; credentials from ``AssumeRole`` act as the role's
account. Moto applies no defaults to new buckets (AWS applies SSE-S3, BucketOwnerEnforced and
all four public access blocks), so every bucket the sandbox creates gets them explicitly.
"""

from __future__ import annotations

from collections.abc import Collection

from logwarden_sandbox import aws_defects
from logwarden_sandbox import aws_policies as pol
from logwarden_sandbox.aws_clients import ClientCache
from logwarden_sandbox.aws_seed import Seeder
from logwarden_sandbox.aws_zone import (
    LOG_ARCHIVE,
    MANAGEMENT,
    ROOT,
    AccountSpec,
    BucketSpec,
    DefectInfo,
    Expectation,
    KeySpec,
    LandingZone,
    LogGroupSpec,
    RecorderSpec,
    ScpSpec,
    TrailSpec,
    World,
)

__all__ = [
    "LOG_ARCHIVE",
    "MANAGEMENT",
    "AccountSpec",
    "BucketSpec",
    "DefectInfo",
    "Expectation",
    "KeySpec",
    "LandingZone",
    "LogGroupSpec",
    "RecorderSpec",
    "ScpSpec",
    "TrailSpec",
    "World",
    "seed_landing_zone",
    "standard_landing_zone",
]

OUS = ("Security", "Workloads", "Sandbox")


def standard_scps() -> list[ScpSpec]:
    """The three guardrail SCPs of the compliant zone."""
    bucket_arn = f"arn:aws:s3:::{pol.LOG_BUCKET}"
    return [
        ScpSpec(
            "protect-cloudtrail",
            "Deny stopping, deleting or changing CloudTrail trails (except BreakGlass)",
            pol.deny_scp("ProtectCloudTrail", pol.CLOUDTRAIL_ACTIONS, ["*"], pol.BREAK_GLASS),
            targets=list(OUS),
        ),
        ScpSpec(
            "protect-config",
            "Deny stopping or deleting AWS Config recording and rules",
            pol.deny_scp("ProtectConfig", pol.CONFIG_ACTIONS, ["*"], None),
            targets=[ROOT],
        ),
        ScpSpec(
            "protect-log-bucket",
            "Deny changing the policy or lifecycle of, or deleting, the central log bucket",
            pol.deny_scp(
                "ProtectLogBucket", pol.LOG_BUCKET_ACTIONS, [bucket_arn, f"{bucket_arn}/*"], None
            ),
            targets=["Security"],
        ),
    ]


def standard_landing_zone(
    *,
    members: int = 3,
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    defects: Collection[str] = (),
) -> LandingZone:
    """The compliant landing zone with ``members`` workload accounts over ``regions`` (the
    first is the home region), with the named defects applied (see ``aws_defects.DEFECTS``).

    Raises ValueError for unknown or conflicting defects, or a zone too small for one.
    """
    if members < 0 or not regions:
        raise ValueError("members must be >= 0 and regions non-empty")
    aws_defects.validate(defects, members=members, regions=len(regions))
    home = regions[0]

    def recorders() -> dict[str, RecorderSpec]:
        return {region: RecorderSpec(include_global=region == home) for region in regions}

    accounts = [
        AccountSpec(MANAGEMENT, "", recorders()),
        AccountSpec(LOG_ARCHIVE, "Security", recorders()),
    ]
    accounts += [
        AccountSpec(f"workload-{n}", "Workloads" if n % 2 else "Sandbox", recorders())
        for n in range(1, members + 1)
    ]
    zone = LandingZone(
        regions=tuple(regions),
        home_region=home,
        ous=OUS,
        accounts=accounts,
        org_trail=TrailSpec(name="org-trail", organization=True),
        log_bucket=BucketSpec(),
        log_key=KeySpec(),
        scps=standard_scps(),
    )
    aws_defects.apply(zone, defects)
    return zone


def seed_landing_zone(zone: LandingZone, *, endpoint_url: str | None, workers: int = 8) -> World:
    """Create ``zone`` and return the :class:`World` with ids and expected defect rows.

    ``endpoint_url``: a moto server (``MotoServer.endpoint_url``); ``None`` = in-process moto,
    the caller being inside ``moto.mock_aws()`` (checked: refuses to run otherwise). Accounts
    are seeded by ``workers`` threads. Needs a fresh moto state (one organization per
    management account): call ``MotoServer.reset()`` between seedings.
    """
    clients = ClientCache(endpoint_url)
    world = Seeder(zone, clients, workers=workers).run()
    world.defects = aws_defects.describe(zone, world)
    return world
