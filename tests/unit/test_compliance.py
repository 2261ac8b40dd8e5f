"""Framework coverage and per-requirement status (scanner/compliance.py), and the
``frameworks list|show`` commands and docs/frameworks.md that print them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from logwarden.scanner.cli import main
from logwarden.scanner.compliance import assess, coverage, in_scope
from logwarden.scanner.frameworks import (
    Framework,
    FrameworkCatalogue,
    Requirement,
    builtin_frameworks,
)
from logwarden.scanner.frameworks_command import builtin_checks, document
from logwarden.scanner.models import Check, CheckResult, Remediation, Scope, Severity, Status

REPO = Path(__file__).resolve().parents[2]
FW = Framework(
    id="demo-1.0",
    title="Demo benchmark",
    version="1.0",
    requirements=(
        Requirement("1", "trail on"),
        Requirement("2", "bucket encrypted"),
        Requirement("3", "keys rotated"),
        Requirement("4", "physical access", not_testable="needs a site visit"),
        Requirement("5", "nobody tests this"),
    ),
)


def check(cid: str, claims: tuple[str, ...], partial: tuple[str, ...] = ()) -> Check:
    return Check(
        id=cid,
        title=cid,
        severity=Severity.HIGH,
        cloud="aws",
        scope=Scope.TENANT,
        kinds=(),
        rationale="",
        remediation=Remediation(text=""),
        frameworks={"demo-1.0": claims},
        partial_frameworks={"demo-1.0": partial} if partial else {},
    )


def row(cid: str, status: Status, tenant: str = "111", muted: bool = False) -> CheckResult:
    return CheckResult(
        check_id=cid,
        status=status,
        severity=Severity.HIGH,
        cloud="aws",
        tenant_id=tenant,
        tenant_name=tenant,
        region="",
        resource_id=tenant,
        message="",
        remediation=Remediation(text=""),
        muted=muted,
    )


CHECKS = [check("a.one", ("1", "2")), check("a.two", ("2",)), check("a.three", ("3",), ("3",))]


def test_coverage_says_full_partial_not_testable_and_not_covered() -> None:
    (covered,) = coverage(FrameworkCatalogue(frameworks={"demo-1.0": FW}), CHECKS)
    got = {r.requirement.id: (r.coverage, r.full, r.partial) for r in covered.requirements}
    assert got == {
        "1": ("full", ("a.one",), ()),
        "2": ("full", ("a.one", "a.two"), ()),
        "3": ("partial", (), ("a.three",)),
        "4": ("not testable", (), ()),
        "5": ("not covered", (), ()),
    }
    assert covered.requirements[3].why_not == "needs a site visit"
    assert "no logwarden control" in covered.requirements[4].why_not


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # every row of every mapped control passed on every tenant
        ([("a.one", "PASS", "1"), ("a.two", "PASS", "2")], {"2": ("PASS", ())}),
        # one tenant failing one of two controls fails the requirement, naming the tenant
        ([("a.one", "PASS", "1"), ("a.two", "FAIL", "2")], {"2": ("FAIL", ("2",))}),
        # an ERROR leaves it unproven, never passed
        ([("a.one", "PASS", "1"), ("a.two", "ERROR", "3")], {"2": ("ERROR", ("3",))}),
        # FAIL is worse than ERROR
        ([("a.one", "ERROR", "1"), ("a.two", "FAIL", "2")], {"2": ("FAIL", ("1", "2"))}),
        # only skipped: not applicable
        ([("a.one", "SKIPPED", "1")], {"1": ("SKIPPED", ())}),
        # no row at all for a mapped control: not applicable either, never passed
        ([], {"1": ("SKIPPED", ()), "4": ("MANUAL", ()), "5": ("NOT_COVERED", ())}),
    ],
)
def test_a_requirement_passes_only_when_every_row_of_every_control_passed(
    rows: list[tuple[str, str, str]], expected: dict[str, tuple[str, tuple[str, ...]]]
) -> None:
    results = [row(cid, Status(status), tenant) for cid, status, tenant in rows]
    (status,) = assess([FW], CHECKS, results)
    got = {r.id: (r.status, r.failing_tenants) for r in status.requirements}
    for rid, want in expected.items():
        assert got[rid] == want, rid


def test_a_waived_failure_is_waived_not_passed_and_partial_stays_partial() -> None:
    results = [row("a.one", Status.FAIL, muted=True), row("a.three", Status.PASS)]
    (status,) = assess([FW], CHECKS, results)
    by_id = {r.id: r for r in status.requirements}
    assert by_id["1"].status == "WAIVED" and by_id["1"].failing_tenants == ()
    assert by_id["3"].status == "PASS" and by_id["3"].covered.coverage == "partial"


def test_in_scope_is_the_chosen_framework_or_every_claimed_one() -> None:
    frameworks = builtin_frameworks()
    checks = [replace(c, frameworks={"cis-aws-6.0": ("4.1",)}) for c in CHECKS[:1]]
    assert [f.id for f in in_scope(frameworks, checks)] == ["cis-aws-6.0"]
    assert [f.id for f in in_scope(frameworks, checks, ["nist-800-53-r5"])] == ["nist-800-53-r5"]


def test_frameworks_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frameworks", "list"]) == 0
    table = capsys.readouterr().out
    for fid in builtin_frameworks().frameworks:
        assert fid in table
    assert main(["frameworks", "show", "cis-aws-6.0", "--format", "json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    claimed = {c.id for c in builtin_checks() if "4.1" in c.frameworks.get("cis-aws-6.0", ())}
    first = next(r for r in doc["requirements"] if r["id"] == "4.1")
    assert set(first["controls"]) | set(first["partial_controls"]) == claimed
    assert main(["frameworks", "show", "cis-aws-6.0"]) == 0
    assert "4.1  " in capsys.readouterr().out
    assert main(["frameworks", "show", "cis-aws-9.9"]) == 2
    assert "unknown framework 'cis-aws-9.9'" in capsys.readouterr().err


def test_docs_frameworks_md_is_current() -> None:
    expected = document(coverage(builtin_frameworks(), builtin_checks()))
    current = (REPO / "docs" / "frameworks.md").read_text()
    assert current == expected, (
        "docs/frameworks.md is stale: python -m logwarden.scanner.frameworks_command "
        "> docs/frameworks.md"
    )
