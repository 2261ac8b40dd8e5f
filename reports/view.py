"""Derived views of a scan that several reports share: posture, compliance, the gate.

Everything here is a pure function of a :class:`~logwarden.scanner.models.ScanReport`; the renderers
(HTML, Markdown, console, SARIF, JUnit) only lay these views out, so they never disagree
about what a status, a waived row or a compliance section means.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from logwarden.scanner.models import Check, CheckResult, ExitCode, ScanReport, Scope, Severity

TOOL = "logwarden"
# Most severe first: the order every report lists severities in.
SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
# What a row shows: a waived FAIL is WAIVED, everything else its status.
DISPLAY_STATUSES = ("FAIL", "ERROR", "WAIVED", "PASS", "SKIPPED")
STATUS_LABELS = {
    "FAIL": "Failing",
    "ERROR": "Could not be evaluated",
    "WAIVED": "Waived",
    "PASS": "Passed",
    "SKIPPED": "Not applicable",
}
GATE_MEANING = {
    ExitCode.OK: "clean",
    ExitCode.FINDINGS: "findings at or above the --fail-on severity",
    ExitCode.USAGE_ERROR: "usage or configuration error",
    ExitCode.INCOMPLETE: "incomplete: some checks could not be evaluated",
    ExitCode.INTERNAL_ERROR: "internal error",
}


@functools.cache
def tool_version() -> str:
    """The installed logwarden version (``0+unknown`` when running from a bare tree)."""
    try:
        return importlib.metadata.version("logwarden")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def scan_seconds(report: ScanReport) -> float:
    """Wall time of the scan, 0.0 when the timestamps are missing."""
    try:
        start = dt.datetime.fromisoformat(report.started_at)
        end = dt.datetime.fromisoformat(report.finished_at)
    except ValueError:
        return 0.0
    return max(0.0, (end - start).total_seconds())


def controls(report: ScanReport) -> list[Check]:
    """The scan's controls, plus a stand-in for any row whose control is not listed."""
    known = {c.id: c for c in report.checks}
    for r in report.results:
        if r.check_id not in known:
            known[r.check_id] = Check(
                id=r.check_id,
                title=r.title or r.check_id,
                severity=r.severity,
                cloud=r.cloud,
                scope=Scope.RESOURCE,
                kinds=(),
                rationale="",
                remediation=r.remediation,
            )
    return sorted(known.values(), key=lambda c: c.id)


def display_status(r: CheckResult) -> str:
    """``WAIVED`` for a muted failure, otherwise the status itself."""
    return "WAIVED" if r.muted else r.status.value


_NOT_EVALUATED = "could not be evaluated: "


def error_reason(r: CheckResult) -> str:
    """Why an ERROR row could not be evaluated (its message without the leading phrase)."""
    return r.message.removeprefix(_NOT_EVALUATED)


def waiver_expired(r: CheckResult) -> bool:
    """A row that carries a waiver it is no longer muted by: the waiver has expired."""
    return r.waiver is not None and not r.muted


def cloud_label(report: ScanReport, cloud: str) -> str:
    """What the report calls ``cloud`` (``AWS``, ``Google Cloud``): its registered label."""
    return report.terms(cloud).label


def tenant_word(report: ScanReport, cloud: str) -> str:
    """What one tenant of ``cloud`` is called (``account``, ``subscription``, ``project``)."""
    return report.terms(cloud).tenant_word


def organization_keys(report: ScanReport) -> set[tuple[str, str]]:
    """(cloud, id) of every organization: organization-scope rows carry the org id."""
    return {(o.cloud, o.id) for o in report.organizations}


def gate_summary(report: ScanReport) -> tuple[int, str, str]:
    """(exit code, short verdict, meaning) of the CI gate for this scan."""
    code = report.exit_code
    verdict = {
        ExitCode.OK: "passed",
        ExitCode.FINDINGS: "failed",
        ExitCode.INCOMPLETE: "incomplete",
    }.get(code, "error")
    meaning = GATE_MEANING[code]
    if code is ExitCode.FINDINGS:
        meaning = f"unwaived findings at or above {report.gate.fail_on_name}"
    return int(code), verdict, meaning


@dataclass
class TenantPosture:
    """Counts for one tenant (or organization) of one cloud."""

    cloud: str
    tenant_id: str
    name: str
    is_organization: bool
    statuses: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)  # unwaived FAIL by severity

    @property
    def evaluated(self) -> int:
        return sum(self.statuses[s] for s in ("PASS", "FAIL", "WAIVED", "ERROR"))

    @property
    def score(self) -> int | None:
        """Percent of evaluated rows that passed, or None when nothing was evaluated."""
        return round(100 * self.statuses["PASS"] / self.evaluated) if self.evaluated else None


def posture(report: ScanReport) -> list[TenantPosture]:
    """One entry per (cloud, tenant), organizations first within a cloud, then by name."""
    orgs = organization_keys(report)
    out: dict[tuple[str, str], TenantPosture] = {}
    for t in report.tenants:
        out[(t.cloud, t.id)] = TenantPosture(t.cloud, t.id, t.name, False)
    for r in report.results:
        key = (r.cloud, r.tenant_id)
        entry = out.get(key)
        if entry is None:
            entry = out[key] = TenantPosture(
                r.cloud, r.tenant_id, r.tenant_name or r.tenant_id, key in orgs
            )
        entry.statuses[display_status(r)] += 1
        if r.is_finding:
            entry.findings[r.severity.value] += 1
    return sorted(out.values(), key=lambda p: (p.cloud, not p.is_organization, p.name, p.tenant_id))


def by_cloud_and_severity(report: ScanReport) -> dict[str, Counter[str]]:
    """Per cloud: unwaived findings by severity, plus ERROR, WAIVED, PASS and SKIPPED."""
    out: dict[str, Counter[str]] = {}
    for r in report.results:
        counts = out.setdefault(r.cloud, Counter())
        status = display_status(r)
        counts[r.severity.value if status == "FAIL" else status] += 1
    return dict(sorted(out.items()))


_CIS = re.compile(r"^cis-(?P<cloud>[a-z]+)-(?P<version>[\d.]+)$")
_FRAMEWORK_LABELS = {"aws-security-hub": "AWS Security Hub FSBP"}


def framework_label(report: ScanReport, framework: str) -> str:
    """A readable framework name: ``cis-aws-3.0`` -> ``CIS AWS Foundations Benchmark v3.0``."""
    match = _CIS.match(framework)
    if match:
        label = cloud_label(report, match["cloud"])
        return f"CIS {label} Foundations Benchmark v{match['version']}"
    return _FRAMEWORK_LABELS.get(framework, framework)


@dataclass
class Requirement:
    """One framework requirement and the worst outcome of the controls mapped to it."""

    id: str
    checks: list[str]
    statuses: Counter[str]

    @property
    def status(self) -> str:
        """FAIL > ERROR > WAIVED > PASS; SKIPPED when nothing applied."""
        for status in ("FAIL", "ERROR", "WAIVED", "PASS"):
            if self.statuses[status]:
                return status
        return "SKIPPED"


@dataclass
class Section:
    """A framework section (``3.x`` of CIS AWS) with its requirements."""

    framework: str
    label: str
    section: str
    requirements: list[Requirement]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.requirements if r.status == "PASS")

    @property
    def total(self) -> int:
        """Requirements that applied somewhere (not only SKIPPED)."""
        return sum(1 for r in self.requirements if r.status != "SKIPPED")


def _section_of(requirement: str) -> str:
    head = requirement.split(".", 1)[0]
    return f"{head}.x" if "." in requirement else head


def _natural(text: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p) for p in re.split(r"(\d+)", text)]


def compliance(report: ScanReport) -> list[Section]:
    """Per framework and section: each requirement's outcome over every row of its controls."""
    rows_by_check: dict[str, Counter[str]] = {}
    for r in report.results:
        rows_by_check.setdefault(r.check_id, Counter())[display_status(r)] += 1
    mapped: dict[tuple[str, str], dict[str, list[str]]] = {}
    for check in report.checks:
        for framework, ids in check.frameworks.items():
            for req in ids:
                by_req = mapped.setdefault((framework, _section_of(req)), {})
                by_req.setdefault(req, []).append(check.id)
    sections = []
    for (framework, section), reqs in mapped.items():
        requirements: list[Requirement] = []
        for req, checks in sorted(reqs.items(), key=lambda kv: _natural(kv[0])):
            statuses: Counter[str] = Counter()
            for check_id in checks:
                statuses.update(rows_by_check.get(check_id, Counter()))
            requirements.append(Requirement(req, sorted(checks), statuses))
        sections.append(
            Section(framework, framework_label(report, framework), section, requirements)
        )
    return sorted(sections, key=lambda s: (s.framework, _natural(s.section)))


def sort_rows(rows: Iterable[CheckResult]) -> list[CheckResult]:
    """Worst first: FAIL, ERROR, WAIVED, PASS, SKIPPED; then by severity, tenant, resource."""
    order = {s: i for i, s in enumerate(DISPLAY_STATUSES)}
    return sorted(
        rows,
        key=lambda r: (
            order[display_status(r)],
            -r.severity.rank,
            r.cloud,
            r.tenant_id,
            r.check_id,
            r.region,
            r.resource_id,
        ),
    )


def status_of(statuses: Counter[str]) -> str:
    """The worst display status present in ``statuses`` (``SKIPPED`` when empty)."""
    for status in DISPLAY_STATUSES:
        if statuses[status]:
            return status
    return "SKIPPED"
