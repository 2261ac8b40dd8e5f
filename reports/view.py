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

from logwarden.scanner.compliance import FrameworkStatus, assess, in_scope
from logwarden.scanner.frameworks import Framework, builtin_frameworks
from logwarden.scanner.frameworks import Requirement as FrameworkRequirement
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
    """A readable name of a framework id: its catalogued title and version, else for an
    uncatalogued CIS key ``CIS AWS Foundations Benchmark v3.0``, else the mapping's title."""
    catalogued = builtin_frameworks().frameworks.get(framework)
    if catalogued is not None:
        return f"{catalogued.title} v{catalogued.version}"
    match = _CIS.match(framework)
    if match:
        label = cloud_label(report, match["cloud"])
        return f"CIS {label} Foundations Benchmark v{match['version']}"
    return builtin_frameworks().mappings.get(framework) or _FRAMEWORK_LABELS.get(
        framework, framework
    )


def _natural(text: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p) for p in re.split(r"(\d+)", text)]


def _scheme(report: ScanReport, scheme: str) -> Framework:
    """An uncatalogued scheme (a mapping such as Security Hub control ids, or the user's own)
    as a framework of the requirement ids the controls claim."""
    ids = sorted({r for c in report.checks for r in c.frameworks.get(scheme, ())}, key=_natural)
    return Framework(
        id=scheme,
        title=framework_label(report, scheme),
        version="",
        requirements=tuple(FrameworkRequirement(rid, rid) for rid in ids),
    )


def compliance(report: ScanReport) -> list[FrameworkStatus]:
    """Each framework in scope, requirement by requirement: the frameworks the scan was asked
    about (``--framework``), else every framework its controls claim; catalogued ones list all
    their requirements (those no control covers included), the other schemes the claimed ids."""
    catalogue = builtin_frameworks()
    frameworks = in_scope(catalogue, report.checks, report.frameworks)
    if not report.frameworks:
        claimed = {f for c in report.checks for f in c.frameworks}
        frameworks += [_scheme(report, s) for s in sorted(claimed - set(catalogue.frameworks))]
    return assess(frameworks, report.checks, report.results)


REQUIREMENT_LABELS = {
    "FAIL": "Failing",
    "ERROR": "Unproven (not evaluated)",
    "WAIVED": "Waived",
    "PASS": "Passed",
    "SKIPPED": "Not applicable",
    "MANUAL": "Not testable read-only",
    "NOT_COVERED": "Not covered",
}


def tenant_display(report: ScanReport, tenant_id: str) -> str:
    """``name (id)`` of a tenant (or organization) of the report, else the id."""
    for t in report.tenants:
        if t.id == tenant_id:
            return t.id if t.name in ("", t.id) else f"{t.name} ({t.id})"
    for o in report.organizations:
        if o.id == tenant_id:
            return o.id if o.name in ("", o.id) else f"{o.name} ({o.id})"
    return tenant_id


def framework_heading(framework: Framework) -> str:
    """``CIS Amazon Web Services Foundations Benchmark v6.0.0``: title and version."""
    return f"{framework.title} v{framework.version}" if framework.version else framework.title


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
