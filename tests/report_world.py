"""Realistic scan reports for the report tests, the browser test and the render benchmark.

``multi_cloud_report()`` evaluates the real AWS catalogue offline over a world with defects,
a valid waiver, an expired waiver, an access-denied collection (ERROR rows) and a trail named
``<script>alert(1)</script>``, then adds a small Google Cloud organization so that every
report shows more than one cloud. ``scaled_report(n)`` repeats those rows over more tenants.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from logwarden.scanner import engine, snapshot
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    Check,
    CheckResult,
    CollectionError,
    KindCollection,
    Organization,
    Remediation,
    Resource,
    ScanReport,
    Scope,
    Severity,
    Status,
    Tenant,
    Waiver,
)
from tests import aws_docs as d
from tests.catalogue import registry
from tests.offline import scan_world

SCRIPT_NAME = "<script>alert(1)</script>"
TODAY = dt.date(2026, 11, 22)
VALID_WAIVER = Waiver(
    checks="aws.s3.log_bucket_access_logging",
    reason="access logs reach the SIEM through another path",
    owner="security@example.com",
    expires="2026-12-31",
    source="logwarden.yaml:12",
)
EXPIRED_WAIVER = Waiver(
    checks="aws.kms.log_key_rotation",
    reason="rotation handled by the HSM team",
    owner="crypto@example.com",
    expires="2026-10-01",
    source="logwarden.yaml:18",
)
GCP_ORG = Organization(cloud="gcp", id="organizations/4242", name="example.com")
GCP_PROJECTS = (("prod-logging", "Prod logging"), ("dev-sandbox", "Dev sandbox"))
GCP_SINK = Check(
    id="gcp.logging.org_sink",
    title="An organization sink exports every project's audit logs",
    severity=Severity.HIGH,
    cloud="gcp",
    scope=Scope.TENANT,
    kinds=("gcp.logging.sink",),
    rationale="Audit logs kept only in the project can be deleted by its owners.",
    remediation=Remediation(
        "Create an aggregated sink at the organization that includes children.",
        cli="gcloud logging sinks create org-audit <destination> --organization=4242 \\\n"
        "  --include-children --log-filter='logName:\"cloudaudit.googleapis.com\"'",
    ),
    references=("https://cloud.google.com/logging/docs/export/aggregated_sinks",),
    frameworks={"cis-gcp-2.0": ("2.2",)},
)


def aws_world() -> d.World:
    """The compliant world with the defects every report test relies on."""
    w = d.compliant_world()
    bucket = w.doc(d.LOG, "aws.s3.bucket")
    bucket.pop("Logging")  # access logging off: muted by VALID_WAIVER
    bucket.pop("ObjectLock")
    bucket["Versioning"] = {"Status": "Suspended"}  # object lock: FAIL medium
    w.doc(d.LOG, "aws.kms.key")["KeyRotationEnabled"] = False  # expired waiver: FAIL
    trail = d.trail_doc(
        Name=SCRIPT_NAME,
        TrailARN=SCRIPT_NAME,
        HomeRegion="eu-west-1",
        IsOrganizationTrail=False,
        LogFileValidationEnabled=False,
        Shadow=False,
    )
    w.tenants[d.WORK]["aws.cloudtrail.trail"].append(
        Resource("aws.cloudtrail.trail", SCRIPT_NAME, d.WORK, "eu-west-1", trail)
    )
    return w


def _gcp_rows() -> tuple[list[CheckResult], list[Tenant]]:
    tenants = [
        Tenant("gcp", pid, name, organization_id=GCP_ORG.id, regions=("global",))
        for pid, name in GCP_PROJECTS
    ]
    rows = []
    for tenant, status in zip(tenants, (Status.PASS, Status.FAIL), strict=True):
        message = (
            "sink org-audit exports to bigquery.googleapis.com/projects/prod-logging/datasets/audit"
            if status is Status.PASS
            else "no sink exports this project's audit logs (found: none)"
        )
        rows.append(
            CheckResult(
                GCP_SINK.id,
                status,
                GCP_SINK.severity,
                "gcp",
                tenant.id,
                tenant.name,
                "",
                f"projects/{tenant.id}",
                message,
                GCP_SINK.remediation,
                title=GCP_SINK.title,
                evidence={"sinks": [] if status is Status.FAIL else ["org-audit"]},
            )
        )
    return rows, tenants


def multi_cloud_report() -> ScanReport:
    """AWS (3 accounts, real catalogue) plus Google Cloud (2 projects, one control)."""
    denied = CollectionError(
        "aws", d.WORK, "aws.config.recorder", "eu-west-1", "AccessDenied", "not authorized"
    )
    report = scan_world(
        aws_world(),
        errors={(d.WORK, "aws.config.recorder"): KindCollection(errors=(denied,))},
        waivers=[VALID_WAIVER, EXPIRED_WAIVER],
        today=TODAY,
    )
    rows, tenants = _gcp_rows()
    return dataclasses.replace(
        report,
        results=[*report.results, *rows],
        tenants=[*report.tenants, *tenants],
        organizations=[*report.organizations, GCP_ORG],
        checks=[*report.checks, GCP_SINK],
        clouds=registry().terms(["aws", "gcp"]),
    )


def scaled_report(results: int) -> ScanReport:
    """``multi_cloud_report`` repeated over more AWS accounts until it has ``results`` rows."""
    base = multi_cloud_report()
    rows: list[CheckResult] = []
    copy = 0
    while len(rows) < results:
        copy += 1
        for r in base.results:
            if len(rows) >= results:
                break
            if copy == 1:
                rows.append(r)
                continue
            if r.cloud != "aws" or r.tenant_id == d.ORG_ID:
                continue  # the organization and the Google projects are not repeated
            tenant_id = f"{copy:04d}{r.tenant_id[4:]}"
            rows.append(
                dataclasses.replace(
                    r,
                    tenant_id=tenant_id,
                    tenant_name=f"{r.tenant_name}-{copy}",
                    resource_id=r.resource_id.replace(r.tenant_id, tenant_id),
                )
            )
    tenants = list(base.tenants)
    known = {(t.cloud, t.id) for t in tenants}
    for r in rows:
        if r.cloud == "aws" and r.tenant_id != d.ORG_ID and ("aws", r.tenant_id) not in known:
            known.add(("aws", r.tenant_id))
            tenants.append(Tenant("aws", r.tenant_id, r.tenant_name, d.ORG_ID, regions=d.REGIONS))
    return dataclasses.replace(base, results=rows, tenants=tenants)


def save_inventory(
    world: d.World,
    path: Path,
    errors: Mapping[str, tuple[str, CollectionError]] | None = None,
) -> Path:
    """Write ``world`` as a ``--save-inventory`` file, for CLI runs with ``--inventory``.

    ``errors`` maps an account id to (kind, error): that kind's collection failed there.
    """
    kinds = registry().kinds(["aws"])
    org = d.organization()
    org_inv = Inventory(cloud="aws", tenant=None, organization=org, kinds=kinds, offline=True)
    for kind, items in world.org.items():
        org_inv.preload(kind, KindCollection(resources=tuple(items)))
    scope = engine.Scope_(organization=org, inventory=org_inv)
    for tenant in d.tenants(world):
        inv = Inventory(
            cloud="aws",
            tenant=tenant,
            organization=org,
            kinds=kinds,
            org_inventory=org_inv,
            offline=True,
        )
        for kind, items in world.tenants[tenant.id].items():
            inv.preload(kind, KindCollection(resources=tuple(items)))
        if errors and tenant.id in errors:
            kind, error = errors[tenant.id]
            inv.preload(kind, KindCollection(errors=(error,)))
        scope.tenants.append(inv)
    path.write_text(snapshot.dump(engine.ScanInput(scopes=[scope]), "2026-11-22T00:00:00+00:00"))
    return path
