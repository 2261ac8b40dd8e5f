"""OCSF Detection Findings (class 2004) for SIEMs and security data lakes.

Every result row becomes one Detection Finding built through ``py-ocsf-models`` (the pydantic
models Prowler maintains), so each object is validated by construction: a wrong type or a
missing required field raises while rendering instead of producing a file a SIEM rejects.
The file is a JSON array (``jq -c '.[]'`` turns it into NDJSON for streaming ingestion).

Mapping: ``finding_info.uid`` is the row's stable fingerprint; ``status_code`` is the logwarden
status; ``status_id`` is New (FAIL), Suppressed (waived), Resolved (PASS) or Other (ERROR: not
evaluated, SKIPPED: not applicable); severities map one to one; the control id is
``metadata.event_code``; what OCSF has no field for (CLI/Terraform snippets, frameworks, the
waiver) is under ``unmapped``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.detection_finding_type_id import DetectionFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.organization import Organization as OcsfOrganization
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from logwarden.reports.json_report import waiver_doc
from logwarden.reports.view import TOOL, cloud_label, controls, error_reason, tool_version
from logwarden.scanner.models import Check, CheckResult, Organization, ScanReport, Severity, Status

SEVERITY_IDS = {
    Severity.CRITICAL: SeverityID.Critical,
    Severity.HIGH: SeverityID.High,
    Severity.MEDIUM: SeverityID.Medium,
    Severity.LOW: SeverityID.Low,
    Severity.INFO: SeverityID.Informational,
}
T = TypeVar("T")


def account_type(caption: str) -> TypeID:
    """The OCSF account ``type_id`` of a type caption (``AWS Account``: 10); ``Other`` (99)
    for a caption OCSF does not enumerate (``Azure Subscription``, ``GCP Project``)."""
    return TypeID.__members__.get(caption.replace(" ", "_"), TypeID.Other)


def _epoch_ms(iso: str) -> tuple[int, dt.datetime | None]:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return 0, None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000), moment


def _status(r: CheckResult) -> tuple[StatusID, str]:
    if r.status is Status.FAIL:
        return (StatusID.Suppressed, "Suppressed") if r.muted else (StatusID.New, "New")
    if r.status is Status.PASS:
        return StatusID.Resolved, "Resolved"
    if r.status is Status.ERROR:
        return StatusID.Other, "Not evaluated"
    return StatusID.Other, "Not applicable"


class _Builder:
    """Caches the objects rows share (product, per-control metadata, per-tenant cloud)."""

    def __init__(self, report: ScanReport) -> None:
        self.time, self.time_dt = _epoch_ms(report.finished_at or report.started_at)
        self.product = Product(name=TOOL, vendor_name=TOOL, version=tool_version())
        self.checks = {c.id: c for c in controls(report)}
        self.orgs = {(o.cloud, o.id): o for o in report.organizations}
        self.tenant_org = {(t.cloud, t.id): t.organization_id for t in report.tenants}
        self.report = report

        self._cache: dict[tuple[str, ...], Any] = {}

    def _shared(self, key: tuple[str, ...], make: Callable[[], T]) -> T:
        """Build an object once per key: rows of one control or tenant share it."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def metadata(self, check_id: str, tenant_uid: str | None) -> Metadata:
        return self._shared(
            ("metadata", check_id, tenant_uid or ""),
            lambda: Metadata(
                product=self.product,
                event_code=check_id,
                profiles=["cloud"],
                tenant_uid=tenant_uid,
            ),
        )

    def remediation(self, check_id: str, text: str) -> Remediation:
        refs = list(self.checks[check_id].references) or None
        return self._shared(
            ("remediation", check_id, text), lambda: Remediation(desc=text, references=refs)
        )

    def cloud(self, cloud: str, tenant_id: str, tenant_name: str, region: str) -> Cloud:
        return self._shared(
            ("cloud", cloud, tenant_id, tenant_name, region),
            lambda: self._cloud(cloud, tenant_id, tenant_name, region),
        )

    def _cloud(self, cloud: str, tenant_id: str, tenant_name: str, region: str) -> Cloud:
        org = self._organization(cloud, tenant_id)
        account_id, account_name = tenant_id, tenant_name
        if (cloud, tenant_id) in self.orgs:  # an organization-scope row: the management tenant
            account_id, account_name = self.orgs[(cloud, tenant_id)].management_tenant_id or "", ""
        account = None
        if account_id:
            type_name = self.report.terms(cloud).ocsf_account_type
            type_id = account_type(type_name)
            account = Account(
                uid=account_id, name=account_name or account_id, type_id=type_id, type=type_name
            )
        ocsf_org = OcsfOrganization(uid=org.id, name=org.name) if org else None
        return Cloud(
            provider=cloud_label(self.report, cloud),
            region=region or None,
            account=account,
            org=ocsf_org,
        )

    def _organization(self, cloud: str, tenant_id: str) -> Organization | None:
        org_id = (
            tenant_id
            if (cloud, tenant_id) in self.orgs
            else self.tenant_org.get((cloud, tenant_id))
        )
        return self.orgs.get((cloud, org_id)) if org_id else None

    def control(self, check_id: str) -> dict[str, Any]:
        """What every row of one control shares: finding types, description, frameworks."""

        def make() -> dict[str, Any]:
            check: Check = self.checks[check_id]
            frameworks = {k: list(v) for k, v in sorted(check.frameworks.items())}
            return {
                "title": check.title,
                "desc": check.rationale.strip() or None,
                "types": ["Audit logging"] + [f"{k}/{r}" for k, v in frameworks.items() for r in v],
                "type": check.kinds[0] if check.kinds else check.scope.value,
                "frameworks": frameworks,
            }

        return self._shared(("control", check_id), make)

    def finding(self, r: CheckResult) -> DetectionFinding:
        """The Detection Finding of one row (validated by the models on construction)."""
        control = self.control(r.check_id)
        status_id, status = _status(r)
        org = self._organization(r.cloud, r.tenant_id)
        first_seen = _epoch_ms(r.first_seen)[0] if r.first_seen else None
        detail = None
        if r.muted and r.waiver is not None:
            detail = f"waived until {r.waiver.expires} by {r.waiver.owner}: {r.waiver.reason}"
        elif r.status is Status.ERROR:
            detail = f"could not be evaluated: {error_reason(r)}"
        return DetectionFinding(
            activity_id=ActivityID.Create,
            activity_name="Create",
            type_uid=DetectionFindingTypeID.Create,
            type_name="Detection Finding: Create",
            time=self.time,
            time_dt=self.time_dt,
            severity_id=SEVERITY_IDS[r.severity],
            severity=r.severity.value.capitalize(),
            status_id=status_id,
            status=status,
            status_code=r.status.value,
            status_detail=detail,
            message=r.message,
            metadata=self.metadata(r.check_id, org.id if org else None),
            finding_info=FindingInformation(
                uid=r.fingerprint,
                title=r.title or control["title"],
                desc=control["desc"],
                types=control["types"],
                created_time=self.time,
                first_seen_time=first_seen,
            ),
            resources=[
                ResourceDetails(
                    uid=r.resource_id,
                    name=r.resource_id,
                    region=r.region or None,
                    type=control["type"],
                    data={"evidence": r.evidence},
                )
            ],
            cloud=self.cloud(r.cloud, r.tenant_id, r.tenant_name, r.region),
            remediation=self.remediation(r.check_id, r.remediation.text),
            unmapped={
                "check_id": r.check_id,
                "muted": r.muted,
                "waiver": waiver_doc(r.waiver),
                "waiver_expired": r.waiver is not None and not r.muted,
                "frameworks": control["frameworks"],
                "remediation_cli": r.remediation.cli,
                "remediation_terraform": r.remediation.terraform,
            },
        )


def findings(report: ScanReport) -> list[DetectionFinding]:
    """One validated Detection Finding per result row."""
    builder = _Builder(report)
    return [builder.finding(r) for r in report.results]


def render(report: ScanReport) -> str:
    """The findings as a JSON array, one object per line, unset fields left out."""
    items = [f.model_dump_json(exclude_none=True) for f in findings(report)]
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"
