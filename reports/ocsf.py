"""OCSF Compliance Findings (class 2003, with the ``cloud`` profile) for SIEMs and security
data lakes.

Every result row becomes one Compliance Finding built through ``py-ocsf-models`` (the pydantic
models Prowler maintains), so each object is validated by construction: a wrong type or a
missing required field raises while rendering instead of producing a file a SIEM rejects.
The file is a JSON array (``jq -c '.[]'`` turns it into NDJSON for streaming ingestion).

Mapping: ``finding_info.uid`` is the row's stable fingerprint; ``status_code`` is the logwarden
status; ``compliance`` carries the control (``control``), the frameworks it maps to
(``standards``: ``cis-aws-6.0``, ...; ``requirements``: ``cis-aws-6.0 4.1``, ...) and the
outcome (``status_id`` Pass, Fail, Warning for not evaluated, Unknown for not applicable); the
finding's ``status_id`` is New (FAIL, and a PASS seen for the first time), Suppressed (waived),
Resolved only for a PASS that was failing in the compared scan (``--drift``/``--baseline``),
Other (ERROR, SKIPPED); severities map one to one; the control id is also
``metadata.event_code``; a resource's ``type`` is its resource kind, or the tenant's type
(``AWS Account``, ...) for tenant rows and ``Organization`` for organization rows; what OCSF
has no field for (CLI/Terraform snippets, the waiver) is under ``unmapped``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.compliance import Compliance
from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.organization import Organization as OcsfOrganization
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from logwarden.reports.drift_view import view as drift_view
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
COMPLIANCE_STATUS = {
    Status.PASS: ComplianceStatusID.Pass,
    Status.FAIL: ComplianceStatusID.Fail,
    Status.ERROR: ComplianceStatusID.Warning,  # no result: the information was missing
    Status.SKIPPED: ComplianceStatusID.Unknown,
}


class CloudComplianceFinding(ComplianceFinding):
    """A Compliance Finding with OCSF's ``cloud`` profile applied (``metadata.profiles``
    names it), which adds the ``cloud`` attribute: provider, region, account, organization."""

    cloud: Cloud


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


def _status(r: CheckResult, was_failing: bool) -> tuple[StatusID, str]:
    if r.status is Status.FAIL:
        return (StatusID.Suppressed, "Suppressed") if r.muted else (StatusID.New, "New")
    if r.status is Status.PASS:
        return (StatusID.Resolved, "Resolved") if was_failing else (StatusID.New, "New")
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
        drift = drift_view(report)
        self.resolved = (
            {r.fingerprint for r in drift.drift.resolved} if drift is not None else set()
        )

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
                "types": ["Audit logging"],
                "kind": check.kinds[0] if check.kinds else check.scope.value,
                "standards": list(frameworks) or None,
                "requirements": [f"{k} {r}" for k, v in frameworks.items() for r in v] or None,
            }

        return self._shared(("control", check_id), make)

    def resource_type(self, r: CheckResult, kind: str) -> str:
        """The type of the row's resource: the organization, the tenant, or the kind."""
        if (r.cloud, r.tenant_id) in self.orgs and r.resource_id == r.tenant_id:
            return "Organization"
        if r.resource_id == r.tenant_id:
            return self.report.terms(r.cloud).ocsf_account_type
        return kind

    def finding(self, r: CheckResult) -> CloudComplianceFinding:
        """The Compliance Finding of one row (validated by the models on construction)."""
        control = self.control(r.check_id)
        status_id, status = _status(r, r.fingerprint in self.resolved)
        org = self._organization(r.cloud, r.tenant_id)
        first_seen = _epoch_ms(r.first_seen)[0] if r.first_seen else None
        detail = None
        if r.muted and r.waiver is not None:
            detail = f"waived until {r.waiver.expires} by {r.waiver.owner}: {r.waiver.reason}"
        elif r.status is Status.ERROR:
            detail = f"could not be evaluated: {error_reason(r)}"
        return CloudComplianceFinding(
            activity_id=ActivityID.Create,
            activity_name="Create",
            type_uid=ComplianceFindingTypeID.Create,
            type_name="Compliance Finding: Create",
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
            compliance=Compliance(
                control=r.check_id,
                standards=control["standards"],
                requirements=control["requirements"],
                status_id=COMPLIANCE_STATUS[r.status],
            ),
            resources=[
                ResourceDetails(
                    uid=r.resource_id,
                    name=r.resource_id,
                    region=r.region or None,
                    type=self.resource_type(r, control["kind"]),
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
                "remediation_cli": r.remediation.cli,
                "remediation_terraform": r.remediation.terraform,
            },
        )


def findings(report: ScanReport) -> list[CloudComplianceFinding]:
    """One validated Compliance Finding per result row."""
    builder = _Builder(report)
    return [builder.finding(r) for r in report.results]


def render(report: ScanReport) -> str:
    """The findings as a JSON array, one object per line, unset fields left out."""
    items = [f.model_dump_json(exclude_none=True) for f in findings(report)]
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"
