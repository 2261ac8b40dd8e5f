"""What the catalogue covers of each framework, and what a scan proved of it.

Two views of ``frameworks.yaml`` against the controls' ``frameworks:`` claims:

- :func:`coverage` (no scan): each requirement's controls, whether they cover it fully or only
  in part, and why a requirement has none (not testable read-only, or not covered yet). It
  backs ``logwarden frameworks list/show`` and docs/frameworks.md.
- :func:`assess` (a scan's rows): each requirement's status. A requirement passes only when
  every row of every control mapped to it passed, on every tenant; one FAIL fails it, an ERROR
  (with no FAIL) leaves it unproven, a waived FAIL shows as waived, and a requirement whose
  controls only skipped is not applicable. A requirement covered only in part never reads as
  fully met: its coverage says ``partial``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from logwarden.scanner.frameworks import Framework, FrameworkCatalogue, Requirement
from logwarden.scanner.models import Check, CheckResult

FULL = "full"
PARTIAL = "partial"
NOT_TESTABLE = "not testable"
NOT_COVERED = "not covered"

# A requirement's status in a scan, worst first; the view's order and vocabulary.
REQUIREMENT_STATUSES = ("FAIL", "ERROR", "WAIVED", "PASS", "SKIPPED", "MANUAL", "NOT_COVERED")
NO_CONTROL_YET = "no logwarden control tests it yet"


@dataclass(frozen=True)
class RequirementCoverage:
    """One requirement and the controls that claim it."""

    requirement: Requirement
    full: tuple[str, ...]  # controls that test the whole requirement
    partial: tuple[str, ...]  # controls that test part of it

    @property
    def controls(self) -> tuple[str, ...]:
        return self.full + self.partial

    @property
    def coverage(self) -> str:
        """``full``, ``partial``, ``not testable`` or ``not covered``."""
        if self.full:
            return FULL
        if self.partial:
            return PARTIAL
        return NOT_TESTABLE if self.requirement.not_testable else NOT_COVERED

    @property
    def why_not(self) -> str:
        """Why no control covers it (empty when one does)."""
        if self.controls:
            return ""
        return self.requirement.not_testable or NO_CONTROL_YET


@dataclass(frozen=True)
class FrameworkCoverage:
    """A framework and every one of its requirements' coverage, in document order."""

    framework: Framework
    requirements: tuple[RequirementCoverage, ...]

    def count(self, coverage: str) -> int:
        """How many requirements have this coverage."""
        return sum(1 for r in self.requirements if r.coverage == coverage)


def coverage(frameworks: FrameworkCatalogue, checks: Iterable[Check]) -> list[FrameworkCoverage]:
    """Every catalogued framework's coverage by ``checks``, in framework-id order."""
    checks = list(checks)
    return [_framework_coverage(fw, checks) for _, fw in sorted(frameworks.frameworks.items())]


def _framework_coverage(framework: Framework, checks: Sequence[Check]) -> FrameworkCoverage:
    full: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    for check in checks:
        partly = set(check.partial_frameworks.get(framework.id, ()))
        for rid in check.frameworks.get(framework.id, ()):
            (partial if rid in partly else full).setdefault(rid, []).append(check.id)
    return FrameworkCoverage(
        framework,
        tuple(
            RequirementCoverage(
                req, tuple(sorted(full.get(req.id, ()))), tuple(sorted(partial.get(req.id, ())))
            )
            for req in framework.requirements
        ),
    )


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement's outcome in a scan."""

    covered: RequirementCoverage
    status: str  # one of REQUIREMENT_STATUSES
    failing_tenants: tuple[str, ...]  # tenants with a FAIL (unwaived) or ERROR row
    counts: dict[str, int]  # rows of its controls by display status

    @property
    def id(self) -> str:
        return self.covered.requirement.id

    @property
    def title(self) -> str:
        return self.covered.requirement.title


@dataclass(frozen=True)
class FrameworkStatus:
    """A framework in a scan: each requirement's status, in document order."""

    framework: Framework
    requirements: tuple[RequirementStatus, ...]

    def count(self, status: str) -> int:
        """How many requirements have this status."""
        return sum(1 for r in self.requirements if r.status == status)

    @property
    def assessed(self) -> int:
        """Requirements a control evaluated (passed, failed, waived or unproven)."""
        return sum(self.count(s) for s in ("FAIL", "ERROR", "WAIVED", "PASS"))


def _display(row: CheckResult) -> str:
    return "WAIVED" if row.muted else row.status.value


def in_scope(
    frameworks: FrameworkCatalogue, checks: Iterable[Check], chosen: Sequence[str] = ()
) -> list[Framework]:
    """The catalogued frameworks a scan of ``checks`` speaks to: ``chosen`` (``--framework``)
    when given, else every framework one of its controls claims."""
    if chosen:
        return [frameworks.frameworks[f] for f in chosen if f in frameworks.frameworks]
    claimed = {f for c in checks for f in c.frameworks}
    return [fw for fid, fw in sorted(frameworks.frameworks.items()) if fid in claimed]


def assess(
    frameworks: Sequence[Framework], checks: Sequence[Check], results: Iterable[CheckResult]
) -> list[FrameworkStatus]:
    """Each framework's requirement statuses over the rows of a scan."""
    rows: dict[str, list[CheckResult]] = {}
    for row in results:
        rows.setdefault(row.check_id, []).append(row)
    out = []
    for framework in frameworks:
        covered = _framework_coverage(framework, checks)
        out.append(
            FrameworkStatus(
                framework, tuple(_requirement_status(rc, rows) for rc in covered.requirements)
            )
        )
    return out


def _requirement_status(
    covered: RequirementCoverage, rows: dict[str, list[CheckResult]]
) -> RequirementStatus:
    counts: dict[str, int] = {}
    failing: set[str] = set()
    for check_id in covered.controls:
        for row in rows.get(check_id, ()):
            shown = _display(row)
            counts[shown] = counts.get(shown, 0) + 1
            if shown in ("FAIL", "ERROR"):
                failing.add(row.tenant_id)
    if not covered.controls:
        status = "MANUAL" if covered.requirement.not_testable else "NOT_COVERED"
    else:
        status = next((s for s in ("FAIL", "ERROR", "WAIVED", "PASS") if counts.get(s)), "SKIPPED")
    return RequirementStatus(covered, status, tuple(sorted(failing)), counts)
