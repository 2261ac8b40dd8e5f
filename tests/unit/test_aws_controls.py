"""Every AWS control passes on the compliant world and fails on its own defect, offline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import aws_docs as d
from tests.catalogue import control_ids
from tests.offline import rows, scan_world, statuses


def test_compliant_world_passes_every_aws_control() -> None:
    report = scan_world(d.compliant_world())
    assert {r.check_id for r in report.results} == control_ids("aws")
    bad = [
        (r.check_id, r.tenant_name, r.status, r.message)
        for r in report.results
        if r.status not in (Status.PASS, Status.SKIPPED)
    ]
    assert bad == []
    assert int(report.exit_code) == 0
    # SCPs never apply to the management account: SKIPPED with the reason, never PASS.
    skipped = rows(report, "aws.org.scp_protects_cloudtrail", d.MGMT)
    assert [r.status for r in skipped] == [Status.SKIPPED]
    assert "management account" in skipped[0].message


def _both_trails(world: d.World, **changes: object) -> None:
    """Change the org trail everywhere it is seen (organization and every account)."""
    world.doc(None, "aws.cloudtrail.org_trail").update(changes)
    for account in world.tenants:
        world.doc(account, "aws.cloudtrail.trail").update(changes)


def _drop_from_trails(world: d.World, key: str) -> None:
    """Remove a field from the org trail everywhere it is seen."""
    world.doc(None, "aws.cloudtrail.org_trail").pop(key)
    for account in world.tenants:
        world.doc(account, "aws.cloudtrail.trail").pop(key)


def _bucket(world: d.World) -> dict:
    return world.doc(d.LOG, "aws.s3.bucket")


def _statement(world: d.World, policy_id: str) -> dict:
    policy = next(p for p in world.org["aws.organizations.policy"] if p.data["Id"] == policy_id)
    return policy.data["Content"]["Statement"][0]


def _detach(world: d.World, policy_id: str, target: str) -> None:
    for account in world.org["aws.organizations.account"]:
        if (
            target in (*world.ous[account.data["Id"]], account.data["Id"])
            and policy_id in account.data["EffectivePolicyIds"]
        ):
            account.data["EffectivePolicyIds"].remove(policy_id)


# (name, mutate world, failing control, failing account (None = organization row))
DEFECTS: list[tuple[str, Callable[[d.World], None], str, str | None]] = [
    (
        "org trail stopped",
        lambda w: _both_trails(w, Status={"IsLogging": False}),
        "aws.cloudtrail.org_trail",
        d.ORG_ID,
    ),
    (
        "org trail not multi-region",
        lambda w: _both_trails(w, IsMultiRegionTrail=False),
        "aws.cloudtrail.org_trail",
        d.ORG_ID,
    ),
    (
        "org trail without global events",
        lambda w: _both_trails(w, IncludeGlobalServiceEvents=False),
        "aws.cloudtrail.org_trail",
        d.ORG_ID,
    ),
    (
        "org trail write-only",
        lambda w: _both_trails(
            w, ManagementEvents={"Read": False, "Write": True, "ExcludedSources": []}
        ),
        "aws.cloudtrail.org_trail",
        d.ORG_ID,
    ),
    (
        "org trail excludes KMS events",
        lambda w: _both_trails(
            w,
            ManagementEvents={
                "Read": True,
                "Write": True,
                "ExcludedSources": ["kms.amazonaws.com"],
            },
        ),
        "aws.cloudtrail.org_trail",
        d.ORG_ID,
    ),
    (
        "stopped org trail uncovers members",
        lambda w: _both_trails(w, Status={"IsLogging": False}),
        "aws.cloudtrail.account_covered",
        d.WORK,
    ),
    (
        "log file validation off",
        lambda w: _both_trails(w, LogFileValidationEnabled=False),
        "aws.cloudtrail.log_file_validation",
        d.MGMT,
    ),
    (
        "trail without KMS",
        lambda w: _drop_from_trails(w, "KmsKeyId"),
        "aws.cloudtrail.kms_encrypted",
        d.MGMT,
    ),
    (
        "trail without CloudWatch",
        lambda w: _drop_from_trails(w, "CloudWatchLogsLogGroupArn"),
        "aws.cloudtrail.cloudwatch_delivery",
        d.MGMT,
    ),
    (
        "CloudWatch delivery stale",
        lambda w: _both_trails(
            w,
            Status={
                "IsLogging": True,
                "LatestCloudWatchLogsDeliveryTime": "2026-01-01T00:00:00+00:00",
            },
        ),
        "aws.cloudtrail.cloudwatch_delivery",
        d.MGMT,
    ),
    (
        "key rotation off",
        lambda w: w.doc(d.LOG, "aws.kms.key").update(KeyRotationEnabled=False),
        "aws.kms.log_key_rotation",
        d.LOG,
    ),
    (
        "bucket SSE-S3",
        lambda w: _bucket(w).update(DefaultSSEAlgorithm="AES256"),
        "aws.s3.log_bucket_kms",
        d.LOG,
    ),
    (
        "bucket without default encryption",
        lambda w: _bucket(w).pop("DefaultSSEAlgorithm"),
        "aws.s3.log_bucket_kms",
        d.LOG,
    ),
    (
        "PAB partly off",
        lambda w: _bucket(w)["EffectivePublicAccessBlock"].update(RestrictPublicBuckets=False),
        "aws.s3.log_bucket_public_access_block",
        d.LOG,
    ),
    (
        "PAB absent",
        lambda w: _bucket(w).pop("EffectivePublicAccessBlock"),
        "aws.s3.log_bucket_public_access_block",
        d.LOG,
    ),
    (
        "policy Principal AWS *",
        lambda w: _bucket(w)["Policy"]["Statement"].append(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{d.BUCKET}/*",
            }
        ),
        "aws.s3.log_bucket_not_public",
        d.LOG,
    ),
    (
        "policy Principal *",
        lambda w: _bucket(w)["Policy"]["Statement"].append(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{d.BUCKET}",
            }
        ),
        "aws.s3.log_bucket_not_public",
        d.LOG,
    ),
    (
        "ACL AllUsers",
        lambda w: _bucket(w)["Acl"]["Grants"].append(
            {
                "Grantee": {
                    "Type": "Group",
                    "URI": "http://acs.amazonaws.com/groups/global/AllUsers",
                },
                "Permission": "READ",
            }
        ),
        "aws.s3.log_bucket_not_public",
        d.LOG,
    ),
    (
        "ownership preferred",
        lambda w: _bucket(w).update(ObjectOwnership="BucketOwnerPreferred"),
        "aws.s3.log_bucket_owner_enforced",
        d.LOG,
    ),
    (
        "no TLS deny",
        lambda w: _bucket(w)["Policy"]["Statement"].pop(1),
        "aws.s3.log_bucket_tls_only",
        d.LOG,
    ),
    ("no bucket policy", lambda w: _bucket(w).pop("Policy"), "aws.s3.log_bucket_tls_only", d.LOG),
    (
        "lifecycle: only expiration",
        lambda w: _bucket(w).update(
            LogLifecycle={
                "ArchiveAfterDays": None,
                "ArchiveStorageClass": None,
                "ExpireAfterDays": 2555,
            }
        ),
        "aws.s3.log_bucket_lifecycle",
        d.LOG,
    ),
    (
        "lifecycle: archive too late",
        lambda w: _bucket(w).update(
            LogLifecycle={
                "ArchiveAfterDays": 180,
                "ArchiveStorageClass": "GLACIER",
                "ExpireAfterDays": None,
            }
        ),
        "aws.s3.log_bucket_lifecycle",
        d.LOG,
    ),
    (
        "lifecycle: expiry shorter than retention",
        lambda w: _bucket(w).update(
            LogLifecycle={
                "ArchiveAfterDays": 30,
                "ArchiveStorageClass": "GLACIER",
                "ExpireAfterDays": 90,
            }
        ),
        "aws.s3.log_bucket_lifecycle",
        d.LOG,
    ),
    (
        "no access logging",
        lambda w: _bucket(w).pop("Logging"),
        "aws.s3.log_bucket_access_logging",
        d.LOG,
    ),
    (
        "no lock, no versioning",
        lambda w: (
            _bucket(w).pop("ObjectLock"),
            _bucket(w).update(Versioning={"Status": "Suspended"}),
        ),
        "aws.s3.log_bucket_object_lock",
        d.LOG,
    ),
    (
        "CloudTrail SCP detached from Workloads",
        lambda w: _detach(w, "p-cloudtrail", d.OU_WORKLOADS),
        "aws.org.scp_protects_cloudtrail",
        d.WORK,
    ),
    (
        "CloudTrail SCP misses StopLogging",
        lambda w: _statement(w, "p-cloudtrail")["Action"].remove("cloudtrail:StopLogging"),
        "aws.org.scp_protects_cloudtrail",
        d.WORK,
    ),
    (
        "CloudTrail SCP limited to another trail",
        lambda w: _statement(w, "p-cloudtrail").update(
            Resource="arn:aws:cloudtrail:us-east-1:111111111111:trail/other"
        ),
        "aws.org.scp_protects_cloudtrail",
        d.WORK,
    ),
    (
        "CloudTrail SCP limited to one region",
        lambda w: _statement(w, "p-cloudtrail").update(
            Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
        ),
        "aws.org.scp_protects_cloudtrail",
        d.WORK,
    ),
    (
        "SCPs disabled on the root",
        lambda w: w.doc(None, "aws.organizations.organization").update(ScpEnabled=False),
        "aws.org.scp_protects_config",
        d.WORK,
    ),
    (
        "Config SCP missing",
        lambda w: _detach(w, "p-config", d.ROOT),
        "aws.org.scp_protects_config",
        d.WORK,
    ),
    (
        "log bucket SCP missing",
        lambda w: _detach(w, "p-logbucket", d.OU_SECURITY),
        "aws.org.scp_protects_log_bucket",
        d.LOG,
    ),
    (
        "log bucket SCP lacks DeleteBucket*",
        lambda w: _statement(w, "p-logbucket").update(
            Action=["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:DeleteBucket"]
        ),
        "aws.org.scp_protects_log_bucket",
        d.LOG,
    ),
    (
        "recorder stopped in one region",
        lambda w: w.tenants[d.WORK]["aws.config.recorder"].__setitem__(
            1, d.recorder_doc(d.WORK, d.REGIONS[1], recording=False)
        ),
        "aws.config.recorder_on",
        d.WORK,
    ),
    (
        "recorder missing in one region",
        lambda w: w.tenants[d.WORK]["aws.config.recorder"].pop(1),
        "aws.config.recorder_on",
        d.WORK,
    ),
    (
        "recorder partial",
        lambda w: w.tenants[d.WORK]["aws.config.recorder"].__setitem__(
            1, d.recorder_doc(d.WORK, d.REGIONS[1], all_supported=False)
        ),
        "aws.config.recorder_on",
        d.WORK,
    ),
    (
        "no global resources",
        lambda w: w.tenants[d.WORK].__setitem__(
            "aws.config.recorder",
            [d.recorder_doc(d.WORK, r, global_types=False) for r in d.REGIONS],
        ),
        "aws.config.recorder_on",
        d.WORK,
    ),
    (
        "log group short retention",
        lambda w: w.doc(d.MGMT, "aws.logs.log_group").update(retentionInDays=30),
        "aws.logs.trail_log_group_retention",
        d.MGMT,
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate", "check_id", "tenant"), DEFECTS, ids=[x[0] for x in DEFECTS]
)
def test_each_defect_fails_its_control(
    name: str, mutate: Callable[[d.World], None], check_id: str, tenant: str
) -> None:
    world = d.compliant_world()
    mutate(world)
    report = scan_world(world)
    assert statuses(report, check_id, tenant) == {Status.FAIL}, rows(report, check_id, tenant)
    failing = rows(report, check_id, tenant)[0]
    assert failing.message and failing.remediation.text
    assert int(report.exit_code) == 1


def test_scp_exempting_a_break_glass_role_still_protects() -> None:
    report = scan_world(d.compliant_world())  # the standard SCP has an ArnNotLike exemption
    assert statuses(report, "aws.org.scp_protects_cloudtrail", d.WORK) == {Status.PASS}


@pytest.mark.parametrize(
    "action",
    ["cloudtrail:*", "cloudtrail:Stop*", "*"],
    ids=["service-wildcard", "prefix-wildcard", "all"],
)
def test_scp_wildcards_protect(action: str) -> None:
    world = d.compliant_world()
    _statement(world, "p-cloudtrail")["Action"] = [
        action,
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
    ]
    assert statuses(scan_world(world), "aws.org.scp_protects_cloudtrail", d.WORK) == {Status.PASS}


def test_scp_not_action_protects() -> None:
    world = d.compliant_world()
    stmt = _statement(world, "p-cloudtrail")
    stmt.pop("Action")
    stmt["NotAction"] = ["iam:*", "sts:*"]
    assert statuses(scan_world(world), "aws.org.scp_protects_cloudtrail", d.WORK) == {Status.PASS}


def test_single_region_own_trail_does_not_cover_when_org_trail_stopped() -> None:
    world = d.compliant_world()
    _both_trails(world, Status={"IsLogging": False})
    own = d.trail_doc(
        Name="local",
        TrailARN=f"arn:aws:cloudtrail:us-east-1:{d.WORK}:trail/local",
        IsOrganizationTrail=False,
        IsMultiRegionTrail=False,
    )
    from logwarden.scanner.models import Resource

    world.tenants[d.WORK]["aws.cloudtrail.trail"].append(
        Resource("aws.cloudtrail.trail", own["TrailARN"], d.WORK, "us-east-1", own)
    )
    report = scan_world(world)
    assert statuses(report, "aws.cloudtrail.account_covered", d.WORK) == {Status.FAIL}


def test_own_multi_region_trail_covers_when_org_trail_stopped() -> None:
    world = d.compliant_world()
    _both_trails(world, Status={"IsLogging": False})
    own = d.trail_doc(
        Name="local",
        TrailARN=f"arn:aws:cloudtrail:us-east-1:{d.WORK}:trail/local",
        IsOrganizationTrail=False,
    )
    from logwarden.scanner.models import Resource

    world.tenants[d.WORK]["aws.cloudtrail.trail"].append(
        Resource("aws.cloudtrail.trail", own["TrailARN"], d.WORK, "us-east-1", own)
    )
    report = scan_world(world)
    assert statuses(report, "aws.cloudtrail.account_covered", d.WORK) == {Status.PASS}
    assert statuses(report, "aws.cloudtrail.account_covered", d.LOG) == {Status.FAIL}


def test_org_trail_is_evaluated_once_not_per_member() -> None:
    report = scan_world(d.compliant_world())
    validation = rows(report, "aws.cloudtrail.log_file_validation")
    assert [(r.tenant_id, r.resource_id) for r in validation] == [(d.MGMT, d.TRAIL_ARN)]


def test_lifecycle_parameters_are_honoured() -> None:
    world = d.compliant_world()
    assert statuses(scan_world(world, archive_after_days=30), "aws.s3.log_bucket_lifecycle") == {
        Status.FAIL
    }
    assert statuses(scan_world(world, log_retention_days=3000), "aws.s3.log_bucket_lifecycle") == {
        Status.FAIL
    }
    assert statuses(scan_world(world, log_retention_days=2555), "aws.s3.log_bucket_lifecycle") == {
        Status.PASS
    }


def test_lifecycle_without_expiration_passes() -> None:
    world = d.compliant_world()
    _bucket(world)["LogLifecycle"]["ExpireAfterDays"] = None
    assert statuses(scan_world(world), "aws.s3.log_bucket_lifecycle") == {Status.PASS}


def test_aws_managed_key_needs_no_rotation_flag() -> None:
    world = d.compliant_world()
    world.doc(d.LOG, "aws.kms.key").update(KeyManager="AWS", KeyRotationEnabled=False)
    assert statuses(scan_world(world), "aws.kms.log_key_rotation") == {Status.PASS}


def test_service_principal_policy_is_not_public() -> None:
    report = scan_world(d.compliant_world())
    assert statuses(report, "aws.s3.log_bucket_not_public", d.LOG) == {Status.PASS}


def test_collection_error_is_an_error_row_never_a_pass() -> None:
    err = CollectionError(
        "aws", d.LOG, "aws.s3.bucket", "us-east-1", "AccessDenied", "no s3:GetBucketPolicy"
    )
    report = scan_world(
        d.compliant_world(), errors={(d.LOG, "aws.s3.bucket"): KindCollection(errors=(err,))}
    )
    for check_id in (
        "aws.s3.log_bucket_kms",
        "aws.s3.log_bucket_not_public",
        "aws.s3.log_bucket_tls_only",
    ):
        assert statuses(report, check_id, d.LOG) == {Status.ERROR}
        assert "AccessDenied" in rows(report, check_id, d.LOG)[0].message
    # tenant-scope check reading the same kind: one ERROR row, not a PASS
    assert statuses(report, "aws.org.scp_protects_log_bucket", d.LOG) == {Status.ERROR}
    assert int(report.exit_code) == 3


def test_error_plus_finding_exits_1() -> None:
    world = d.compliant_world()
    world.doc(d.MGMT, "aws.logs.log_group").update(retentionInDays=1)
    err = CollectionError(
        "aws", d.WORK, "aws.config.recorder", "eu-west-1", "Throttling", "Rate exceeded"
    )
    report = scan_world(
        world, errors={(d.WORK, "aws.config.recorder"): KindCollection(errors=(err,))}
    )
    assert statuses(report, "aws.config.recorder_on", d.WORK) == {Status.ERROR}
    assert int(report.exit_code) == 1


def test_organization_facts_not_collected_gives_skipped() -> None:
    report = scan_world(
        d.compliant_world(),
        errors={
            (None, "aws.organizations.account"): KindCollection(
                not_applicable="targets are a static account list"
            )
        },
    )
    row = rows(report, "aws.org.scp_protects_config", d.WORK)
    assert [r.status for r in row] == [Status.SKIPPED]
    assert "static account list" in row[0].message


def test_unreadable_bucket_policy_is_an_error_not_a_pass() -> None:
    world = d.compliant_world()
    _bucket(world)["Policy"] = "{not json"
    report = scan_world(world)
    for check_id in ("aws.s3.log_bucket_not_public", "aws.s3.log_bucket_tls_only"):
        assert statuses(report, check_id, d.LOG) == {Status.ERROR}
        assert "unreadable" in rows(report, check_id, d.LOG)[0].message
