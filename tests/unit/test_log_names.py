"""The logName matcher: its EVERY and NONE answers hold on concrete audit log names, and the
regular expressions it decides."""

from __future__ import annotations

import itertools
import re

import pytest

from logwarden.scanner.collectors.gcp.log_names import (
    AUDIT_LOG_TYPES,
    PARENT_KINDS,
    Pattern,
    Tri,
    coverage,
    literal,
    regex,
)

SAMPLE_IDS = {
    "organizations": ("1", "123", "1000000001"),
    "folders": ("7", "123", "2000000001"),
    "projects": (
        "p",
        "my-project",
        "example.com:audit-1",
        "organizations",
        "logs",
        "cloudaudit.googleapis.com",
        "activity-1",
        "3000000001",
    ),
}
VALUES = (
    "",
    "/",
    "//",
    "a",
    "s/",
    "/logs/",
    "logs/logs",
    "activity",
    "data_access",
    "%2fdata_access",
    "cloudaudit",
    "cloudaudit.googleapis.com",
    "cloudaudit.googleapis.com/activity",
    "cloudaudit.googleapis.com%2fpolicy",
    "/logs/cloudaudit.googleapis.com%2factivity",
    "projects/",
    "organizations/",
    "organizations/123/",
    "organizations/123/logs/cloudaudit.googleapis.com%2factivity",
    "projects/p/logs/cloudaudit.googleapis.com%2fsystem_event",
    "folders/123/logs/",
    "logs/cloudaudit",
    "example.com:audit-1/logs",
)
REGEXES = (
    "^projects/",
    "^organizations/123/",
    "activity$",
    "%2Fdata_access$",
    "cloudaudit\\.googleapis\\.com%2F",
    "^.....s/",
    "s/./logs/",
    "^$",
    "^",
    "a|b",
    "activity$|^folders/",
    "%2f",
)


def names(kind: str, log_type: str) -> list[str]:
    return [f"{kind}/{i}/logs/cloudaudit.googleapis.com%2F{log_type}" for i in SAMPLE_IDS[kind]]


def check(pattern: Pattern, matches: object, *, fold: bool) -> None:
    for kind, log_type in itertools.product(PARENT_KINDS, AUDIT_LOG_TYPES):
        found = coverage(pattern, log_type, (kind,), fold=fold)
        hits = [bool(matches(name.casefold() if fold else name)) for name in names(kind, log_type)]  # type: ignore[operator]
        if found is Tri.TRUE:
            assert all(hits), (pattern, kind, log_type)
        if found is Tri.FALSE:
            assert not any(hits), (pattern, kind, log_type)


@pytest.mark.parametrize("value", VALUES)
def test_has_and_equality_answers_hold_on_concrete_names(value: str) -> None:
    check(literal(value, whole=False), lambda name: value in name, fold=True)
    check(literal(value, whole=True), lambda name: value == name, fold=True)


@pytest.mark.parametrize("pattern", REGEXES)
def test_regular_expression_answers_hold_on_concrete_names(pattern: str) -> None:
    alternatives = regex(pattern)
    assert alternatives is not None
    for alternative in alternatives:
        # each alternative alone: Pattern -> an equivalent Python regular expression
        body = "".join(
            "." if atom is None else re.escape(next(iter(atom))) for atom in alternative.atoms
        )
        python = ("^" if alternative.at_start else "") + body + ("$" if alternative.at_end else "")
        check(alternative, lambda name, python=python: re.search(python, name), fold=False)


@pytest.mark.parametrize(
    ("value", "log_type", "kinds", "expected"),
    [
        ("cloudaudit.googleapis.com", "policy", PARENT_KINDS, Tri.TRUE),
        ("cloudaudit.googleapis.com%2fdata_access", "activity", PARENT_KINDS, Tri.FALSE),
        ("cloudaudit.googleapis.com%2fdata_access", "data_access", PARENT_KINDS, Tri.TRUE),
        ("requests", "activity", PARENT_KINDS, Tri.UNKNOWN),  # a project may be named so
        ("requests", "activity", ("folders",), Tri.FALSE),  # folder ids are numbers
        ("projects/", "activity", PARENT_KINDS, Tri.UNKNOWN),
        ("organizations/123/logs/", "activity", ("folders", "projects"), Tri.FALSE),
    ],
)
def test_has_on_log_names(value: str, log_type: str, kinds: tuple[str, ...], expected: Tri) -> None:
    assert coverage(literal(value, whole=False), log_type, kinds, fold=True) is expected


@pytest.mark.parametrize(
    "pattern", ["a+", "(a)", "[ab]", "a{2}", "\\d", "(?i)a", "a^b", "a$b", "\\", "x*"]
)
def test_regular_expressions_beyond_literals_are_not_decided(pattern: str) -> None:
    assert regex(pattern) is None
