"""Bad rules files: one clear problem with file, line and fix; never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logwarden.scanner.errors import InputError
from logwarden.scanner.models import Implementation
from logwarden.scanner.rules import builtin_rules_path
from tests.catalogue import load_rules, registry
from tests.offline import aws_catalogue

GOOD_CONTROL = """\
version: 1
controls:
  - id: aws.cloudtrail.my_trail_named_well
    title: Trails have names
    severity: low
    resource: aws.cloudtrail.trail
    assert:
      - {key: Name, op: regex, value: "org-.*"}
    rationale: naming convention
    remediation:
      text: rename it
"""


def _load(tmp_path: Path, text: str) -> list[tuple[str, int | None, str, str]]:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_rules([builtin_rules_path(), path], ["aws"])
    return [(Path(p.file).name, p.line, p.message, p.fix) for p in info.value.problems]


CASES = [
    ("malformed yaml", "version: 1\ncontrols:\n\t- id: x\n", 3, "malformed YAML"),
    (
        "unknown top-level key",
        "version: 1\ncontrol:\n  - id: x\n",
        2,
        "unknown rules file field 'control'",
    ),
    (
        "unknown control field",
        GOOD_CONTROL.replace("    rationale:", "    rational: x\n    rationale:"),
        9,
        "unknown control field 'rational'",
    ),
    (
        "unknown operator",
        GOOD_CONTROL.replace("op: regex", "op: equals"),
        8,
        "unknown operator 'equals'",
    ),
    ("bad regex", GOOD_CONTROL.replace('"org-.*"', '"org-(["'), 8, "regex"),
    (
        "duplicate id",
        GOOD_CONTROL.replace(
            "aws.cloudtrail.my_trail_named_well", "aws.cloudtrail.log_file_validation"
        ),
        3,
        "duplicate control id 'aws.cloudtrail.log_file_validation'",
    ),
    (
        "unknown resource kind",
        GOOD_CONTROL.replace("aws.cloudtrail.trail", "aws.cloudtrail.trails"),
        6,
        "unknown resource kind 'aws.cloudtrail.trails'",
    ),
    (
        "unknown param",
        GOOD_CONTROL.replace(
            '{key: Name, op: regex, value: "org-.*"}', "{key: Size, op: ge, param: log_retention}"
        ),
        8,
        "log_retention",
    ),
    (
        "wrong type",
        GOOD_CONTROL.replace("severity: low", "severity: [low]"),
        5,
        "control field 'severity' must be a string",
    ),
    (
        "unknown severity",
        GOOD_CONTROL.replace("severity: low", "severity: urgent"),
        5,
        "unknown severity 'urgent'",
    ),
    (
        "bad id",
        GOOD_CONTROL.replace("aws.cloudtrail.my_trail_named_well", "MyControl"),
        3,
        "not of the form",
    ),
    (
        "missing remediation",
        GOOD_CONTROL.replace("    remediation:\n      text: rename it\n", ""),
        3,
        "missing the required field 'remediation'",
    ),
    (
        "override unknown control",
        "version: 1\noverrides:\n  - id: aws.nope.nothing\n    enabled: false\n",
        3,
        "override of unknown control",
    ),
    (
        # expect: each judges every resource, one row each: a tenant row judged it by any one
        "each at tenant scope",
        GOOD_CONTROL.replace("    resource:", "    scope: tenant\n    expect: each\n    resource:"),
        7,
        "'expect: each' needs scope 'resource'",
    ),
    (
        "python control without plugin",
        "version: 1\ncontrols:\n  - id: aws.x.y\n    title: t\n    severity: low\n    scope: tenant\n    implementation: python\n    resources: [aws.cloudtrail.trail]\n    rationale: r\n    remediation: {text: t}\n",
        7,
        "no installed plugin implements",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_rules_file_reports_file_line_and_fix(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    problems = _load(tmp_path, text)
    assert len(problems) >= 1
    file, got_line, got_message, fix = problems[0]
    assert file == "mine.yaml"
    assert got_line == line, problems
    assert message in got_message, problems
    assert fix, "every problem says how to fix it"


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = GOOD_CONTROL.replace("op: regex", "op: equals").replace(
        "severity: low", "severity: urgent"
    )
    problems = _load(tmp_path, text)
    assert {p[1] for p in problems} == {5, 8}


def test_user_rules_add_and_override(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        GOOD_CONTROL
        + "overrides:\n  - id: aws.s3.log_bucket_access_logging\n    severity: low\n  - id: aws.cloudtrail.cloudwatch_delivery\n    enabled: false\n"
        + "  - id: aws.s3.log_bucket_lifecycle\n    parameters: {archive_after_days: 30}\n"
    )
    cat = load_rules([builtin_rules_path(), path], ["aws"])
    ids = {c.id for c in cat.enabled_checks()}
    assert "aws.cloudtrail.my_trail_named_well" in ids
    assert "aws.cloudtrail.cloudwatch_delivery" not in ids
    assert cat.checks["aws.s3.log_bucket_access_logging"].severity.value == "low"
    assert cat.checks["aws.s3.log_bucket_lifecycle"].parameters == {"archive_after_days": 30}


def test_a_control_says_how_it_is_implemented() -> None:
    """``implementation: python`` controls are Implementation.PYTHON (and run the plugin's
    function); the others are declarative; ``source`` is only where the control is defined."""
    cat, _ = aws_catalogue()
    implemented = registry().python_checks(["aws"])
    aws = [c for c in cat.checks.values() if c.cloud == "aws"]
    python = {c.id for c in aws if c.implementation is Implementation.PYTHON}
    assert python == set(implemented)
    assert all(c.run is implemented[c.id].run for c in aws if c.id in python)
    declarative = [c for c in aws if c.implementation is Implementation.DECLARATIVE]
    assert declarative and len(declarative) + len(python) == len(aws)
    assert all(re.fullmatch(r".+\.yaml:\d+", c.source) for c in cat.checks.values())
