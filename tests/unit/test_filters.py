"""Tests for the value-filter language (scanner/filters.py and scanner/filter_ops.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from logwarden.scanner.errors import Problem
from logwarden.scanner.filters import Filter, MissingParameter, Verdict, compile_filter
from logwarden.scanner.yamlsrc import loads

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
PARAMS: dict[str, Any] = {
    "log_retention_days": 365,
    "regions": ["eu-west-1", "us-east-1"],
    "name_glob": "prod-*",
    "not_a_list": 5,
    "__now__": NOW,
}
OPS = "eq, ne, gt, ge, lt, le, in, not-in, contains, glob, regex"


def build(node: Any, params: dict[str, Any] | None = None) -> Filter:
    """Compile a node that must be valid."""
    problems: list[Problem] = []
    known = (params or PARAMS).keys() - {"__now__"}
    compiled = compile_filter(
        node, file="rules.yaml", line=1, known_params=known, problems=problems
    )
    assert problems == []
    assert compiled is not None
    return compiled


def run(node: Any, doc: Any, params: dict[str, Any] | None = None) -> Verdict:
    return build(node, params).evaluate(doc, params or PARAMS)


def problems_of(text: str, known: tuple[str, ...] = ("log_retention_days",)) -> list[Problem]:
    """Compile the YAML node under ``f:`` (which must be invalid) and return the problems."""
    problems: list[Problem] = []
    node = loads(text, "rules.yaml")["f"]
    result = compile_filter(node, file="rules.yaml", line=1, known_params=known, problems=problems)
    assert result is None
    assert problems
    return problems


def leaf(key: str, op: str, value: Any) -> dict[str, Any]:
    return {"key": key, "op": op, "value": value}


# --- every operator, true and false --------------------------------------------------------

OPERATOR_CASES = [
    # (filter, observed value of "v" (MISSING = not in the document), reason or None)
    (leaf("v", "eq", True), True, None),
    (leaf("v", "eq", True), False, "v is false (expected true)"),
    (leaf("v", "eq", True), 1, "v is 1 (expected true)"),
    (leaf("v", "eq", 1), True, "v is true (expected 1)"),
    (leaf("v", "eq", 0), False, "v is false (expected 0)"),
    (leaf("v", "eq", 1), 1.0, None),
    (leaf("v", "eq", "Prod"), "prod", 'v is "prod" (expected "Prod")'),
    (leaf("v", "eq", "1"), 1, 'v is 1 (expected "1")'),
    (leaf("v", "eq", True), "MISSING", "v is absent (expected true)"),
    (leaf("v", "eq", None), "MISSING", None),
    (leaf("v", "eq", ["a", {"b": True}]), ["a", {"b": True}], None),
    (
        leaf("v", "eq", ["a", {"b": True}]),
        ["a", {"b": 1}],
        'v is ["a",{"b":1}] (expected ["a",{"b":true}])',
    ),
    (leaf("v", "ne", "x"), "y", None),
    (leaf("v", "ne", "x"), "x", 'v is "x" (expected not "x")'),
    (leaf("v", "ne", "x"), "MISSING", None),
    (leaf("v", "gt", 10), 11, None),
    (leaf("v", "gt", 10), 10, "v is 10 (expected > 10)"),
    (leaf("v", "ge", 365), 365, None),
    (leaf("v", "ge", 365), 30, "v is 30 (expected >= 365)"),
    (leaf("v", "ge", 365), 365.5, None),
    (leaf("v", "lt", 1.5), 1, None),
    (leaf("v", "lt", 1.5), 1.5, "v is 1.5 (expected < 1.5)"),
    (leaf("v", "le", 7), 7, None),
    (leaf("v", "le", 7), 8, "v is 8 (expected <= 7)"),
    (leaf("v", "ge", 365), "abc", 'v is "abc" (cannot compare with 365)'),
    (leaf("v", "ge", 1), True, "v is true (cannot compare with 1)"),
    (leaf("v", "ge", 365), "MISSING", "v is absent (expected >= 365)"),
    (leaf("v", "lt", 365), None, "v is absent (expected < 365)"),
    (leaf("v", "in", ["a", "b"]), "b", None),
    (leaf("v", "in", ["a", "b"]), "c", 'v is "c" (expected one of ["a","b"])'),
    (leaf("v", "in", [1, 2]), True, "v is true (expected one of [1,2])"),
    (leaf("v", "in", ["a"]), "MISSING", 'v is absent (expected one of ["a"])'),
    (leaf("v", "not-in", ["a", "b"]), "c", None),
    (leaf("v", "not-in", ["a", "b"]), "a", 'v is "a" (expected none of ["a","b"])'),
    (leaf("v", "not-in", ["a"]), "MISSING", None),
    (leaf("v", "contains", "ReadOnly"), ["All", "ReadOnly"], None),
    (
        leaf("v", "contains", "Read"),
        ["All", "ReadOnly"],
        'v is ["All","ReadOnly"] (expected to contain "Read")',
    ),
    (leaf("v", "contains", 1), [True], "v is [true] (expected to contain 1)"),
    (leaf("v", "contains", "trail"), "org-trail-1", None),
    (
        leaf("v", "contains", "Trail"),
        "org-trail-1",
        'v is "org-trail-1" (expected to contain "Trail")',
    ),
    (leaf("v", "contains", "x"), 5, 'v is 5 (expected to contain "x")'),
    (leaf("v", "contains", "x"), "MISSING", 'v is absent (expected to contain "x")'),
    (leaf("v", "glob", "arn:aws:s3:::log-*"), "arn:aws:s3:::log-archive", None),
    (
        leaf("v", "glob", "arn:aws:s3:::log-*"),
        "arn:aws:s3:::LOG-archive",
        'v is "arn:aws:s3:::LOG-archive" (expected to match glob "arn:aws:s3:::log-*")',
    ),
    (leaf("v", "glob", "a?c"), "abc", None),
    (leaf("v", "glob", "*"), 5, 'v is 5 (expected to match glob "*")'),
    (leaf("v", "regex", "[a-z]+-\\d+"), "trail-12", None),
    (
        leaf("v", "regex", "[a-z]+-\\d+"),
        "my trail-12 x",
        'v is "my trail-12 x" (expected to match regex "[a-z]+-\\\\d+")',
    ),
    (leaf("v", "regex", "(?i)TRAIL"), "trail", None),
    (leaf("v", "regex", ".*"), None, 'v is absent (expected to match regex ".*")'),
]


@pytest.mark.parametrize(("node", "observed", "reason"), OPERATOR_CASES)
def test_operator(node: dict[str, Any], observed: Any, reason: str | None) -> None:
    doc = {} if observed == "MISSING" else {"v": observed}
    verdict = run(node, doc)
    assert verdict.ok is (reason is None)
    assert verdict.reasons == (() if reason is None else (reason,))
    assert verdict.observed == {"v": None if observed == "MISSING" else observed}


# --- special values ------------------------------------------------------------------------

SPECIAL_CASES = [
    ("present", "k", None),
    ("present", "", None),
    ("present", False, None),
    ("present", "MISSING", "KmsKeyId is absent (expected present)"),
    ("present", None, "KmsKeyId is absent (expected present)"),
    ("absent", "MISSING", None),
    ("absent", None, None),
    ("absent", "k", 'KmsKeyId is "k" (expected absent)'),
    ("empty", "MISSING", None),
    ("empty", "", None),
    ("empty", [], None),
    ("empty", {}, None),
    ("empty", 0, "KmsKeyId is 0 (expected empty)"),
    ("empty", False, "KmsKeyId is false (expected empty)"),
    ("empty", ["a"], 'KmsKeyId is ["a"] (expected empty)'),
    ("not-empty", ["a"], None),
    ("not-empty", 0, None),
    ("not-empty", [], "KmsKeyId is [] (expected not empty)"),
    ("not-empty", "MISSING", "KmsKeyId is absent (expected not empty)"),
]


@pytest.mark.parametrize(("special", "observed", "reason"), SPECIAL_CASES)
@pytest.mark.parametrize("form", ["long", "eq", "shorthand"])
def test_special_values(special: str, observed: Any, reason: str | None, form: str) -> None:
    node: dict[str, Any] = {
        "long": {"key": "KmsKeyId", "value": special},
        "eq": {"key": "KmsKeyId", "op": "eq", "value": special},
        "shorthand": {"KmsKeyId": special},
    }[form]
    doc = {} if observed == "MISSING" else {"KmsKeyId": observed}
    verdict = run(node, doc)
    assert verdict.reasons == (() if reason is None else (reason,))
    assert verdict.ok is (reason is None)


def test_special_value_from_a_param_is_compared_literally() -> None:
    params = {"wanted": "present"}
    node = {"key": "Mode", "param": "wanted"}
    assert run(node, {"Mode": "present"}, params).ok is True
    assert run(node, {"Mode": "x"}, params).reasons == ('Mode is "x" (expected "present")',)


# --- value_type ----------------------------------------------------------------------------

AGE_CASES = [
    ("le", 1, "2024-05-10T00:00:00Z", None),
    ("le", 1, "2024-05-08T00:00:00Z", "t is 2.5 days old (expected age <= 1 days)"),
    ("lt", 3, "2024-05-07T12:00:00+00:00", "t is 3 days old (expected age < 3 days)"),
    ("gt", 90, "2024-01-01T00:00:00Z", None),
    ("ge", 90, "2024-05-01", "t is 9.5 days old (expected age >= 90 days)"),
    ("le", 1, "2024-05-10T09:00:00", None),  # naive timestamps are UTC
    ("le", 1, "2024-05-10T13:00:00+02:00", None),
    ("le", 1, datetime(2024, 5, 9, 0, 0, tzinfo=UTC), "t is 1.5 days old (expected age <= 1 days)"),
    ("le", 1, "MISSING", "t is absent (expected age <= 1 days)"),
    ("le", 1, "yesterday", 't is "yesterday", not a timestamp (expected age <= 1 days)'),
    ("le", 1, 1715342400, "t is 1715342400, not a timestamp (expected age <= 1 days)"),
]


@pytest.mark.parametrize(("op", "value", "observed", "reason"), AGE_CASES)
def test_value_type_age(op: str, value: float, observed: Any, reason: str | None) -> None:
    node = {"key": "t", "value_type": "age", "op": op, "value": value}
    doc = {} if observed == "MISSING" else {"t": observed}
    verdict = run(node, doc)
    assert verdict.reasons == (() if reason is None else (reason,))
    assert verdict.ok is (reason is None)


def test_age_uses_the_real_clock_without_now() -> None:
    node = {"key": "t", "value_type": "age", "op": "le", "value": 1}
    recent = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    assert build(node).evaluate({"t": recent}, {}).ok is True
    assert build(node).evaluate({"t": old}, {}).ok is False


SIZE_CASES = [
    ("ge", 1, ["a"], None),
    ("ge", 1, [], "s has size 0 (expected size >= 1)"),
    ("ge", 1, "MISSING", "s has size 0 (expected size >= 1)"),
    ("eq", 0, "MISSING", None),
    ("eq", 3, "abc", None),
    ("ne", 2, {"a": 1, "b": 2}, "s has size 2 (expected size not 2)"),
    ("lt", 2, {"a": 1}, None),
    ("ge", 1, 5, "s is 5, which has no size (expected size >= 1)"),
]


@pytest.mark.parametrize(("op", "value", "observed", "reason"), SIZE_CASES)
def test_value_type_size(op: str, value: int, observed: Any, reason: str | None) -> None:
    node = {"key": "s", "value_type": "size", "op": op, "value": value}
    doc = {} if observed == "MISSING" else {"s": observed}
    verdict = run(node, doc)
    assert verdict.reasons == (() if reason is None else (reason,))
    assert verdict.ok is (reason is None)


# --- parameters ----------------------------------------------------------------------------


def test_param_lookup_at_evaluation_time() -> None:
    node = {"key": "retentionInDays", "op": "ge", "param": "log_retention_days"}
    compiled = build(node)
    assert compiled.evaluate({"retentionInDays": 400}, PARAMS).ok is True
    assert compiled.evaluate({"retentionInDays": 30}, PARAMS).reasons == (
        "retentionInDays is 30 (expected >= 365)",
    )
    tuned = {**PARAMS, "log_retention_days": 14}
    assert compiled.evaluate({"retentionInDays": 30}, tuned).ok is True
    assert compiled.describe() == "retentionInDays ge param:log_retention_days"


def test_param_with_list_glob_and_wrong_type() -> None:
    assert run({"key": "r", "op": "in", "param": "regions"}, {"r": "us-east-1"}).ok is True
    assert run({"key": "r", "op": "not-in", "param": "regions"}, {"r": "us-east-1"}).reasons == (
        'r is "us-east-1" (expected none of ["eu-west-1","us-east-1"])',
    )
    assert run({"key": "n", "op": "glob", "param": "name_glob"}, {"n": "prod-1"}).ok is True
    assert run({"key": "r", "op": "in", "param": "not_a_list"}, {"r": 5}).reasons == (
        "r is 5 (cannot compare with 5)",
    )
    regex = {"bad": "(", "good": "a+"}
    assert run({"key": "r", "op": "regex", "param": "good"}, {"r": "aaa"}, regex).ok is True
    assert run({"key": "r", "op": "regex", "param": "bad"}, {"r": "a"}, regex).reasons == (
        'r is "a" (invalid regex "(": missing ), unterminated subpattern at position 0)',
    )
    age = {"days": "one"}
    node = {"key": "t", "value_type": "age", "op": "le", "param": "days"}
    assert run(node, {"t": "2024-05-10T00:00:00Z"}, {**age, "__now__": NOW}).reasons == (
        't is 0.5 days old (cannot compare with "one")',
    )


def test_missing_param_at_evaluation_is_a_caller_error() -> None:
    compiled = build({"key": "r", "op": "ge", "param": "log_retention_days"})
    with pytest.raises(MissingParameter, match="log_retention_days"):
        compiled.evaluate({"r": 1}, {})


# --- shorthand, and/or/not, evidence, describe ---------------------------------------------


def test_shorthand_means_eq() -> None:
    compiled = build(loads("f: {IsMultiRegionTrail: true}", "rules.yaml")["f"])
    assert compiled.describe() == "IsMultiRegionTrail eq true"
    assert compiled.evaluate({"IsMultiRegionTrail": True}, PARAMS).ok is True
    assert compiled.evaluate({"IsMultiRegionTrail": "true"}, PARAMS).reasons == (
        'IsMultiRegionTrail is "true" (expected true)',
    )
    nested = build({"Status.IsLogging": True})
    assert nested.evaluate({}, PARAMS).reasons == ("Status.IsLogging is absent (expected true)",)


def test_list_is_and_and_every_failure_is_reported() -> None:
    node = [{"LogFileValidationEnabled": True}, {"KmsKeyId": "present"}, {"Name": "t"}]
    verdict = run(node, {"LogFileValidationEnabled": False, "Name": "t"})
    assert verdict == Verdict(
        ok=False,
        observed={"LogFileValidationEnabled": False, "KmsKeyId": None, "Name": "t"},
        reasons=(
            "LogFileValidationEnabled is false (expected true)",
            "KmsKeyId is absent (expected present)",
        ),
    )


def test_explicit_and() -> None:
    node = {"and": [{"a": 1}, {"b": 2}]}
    assert run(node, {"a": 1, "b": 2}).ok is True
    assert run(node, {"a": 1, "b": 3}).reasons == ("b is 3 (expected 2)",)
    assert build(node).describe() == "a eq 1 and b eq 2"


def test_or() -> None:
    node = {"or": [{"a": 1}, {"and": [{"b": 2}, {"c": 3}]}]}
    assert run(node, {"a": 1}).ok is True
    assert run(node, {"b": 2, "c": 3}).ok is True
    verdict = run(node, {"a": 0, "b": 0})
    assert verdict.reasons == (
        "none of the alternatives held: a is 0 (expected 1); "
        "b is 0 (expected 2) and c is absent (expected 3)",
    )
    assert verdict.observed == {"a": 0, "b": 0, "c": None}
    assert build(node).describe() == "a eq 1 or (b eq 2 and c eq 3)"


def test_not_over_a_mapping_and_over_a_list() -> None:
    single = {"not": {"key": "Name", "op": "glob", "value": "test-*"}}
    assert run(single, {"Name": "prod"}).ok is True
    assert run(single, {"Name": "test-1"}).reasons == (
        'Name glob "test-*" holds (expected it not to)',
    )
    over_list = {"not": [{"a": 1}, {"b": 2}]}
    assert run(over_list, {"a": 1, "b": 3}).ok is True
    assert run(over_list, {"a": 1, "b": 2}).reasons == (
        "(a eq 1 and b eq 2) holds (expected it not to)",
    )
    assert build(over_list).describe() == "not (a eq 1 and b eq 2)"
    double = {"not": {"not": {"a": 1}}}
    assert run(double, {"a": 1}).ok is True
    assert run(double, {"a": 2}).reasons == ("not a eq 1 holds (expected it not to)",)


def test_nested_describe_and_keys() -> None:
    node = [
        {"key": "Status.IsLogging", "value": True},
        {"or": [{"KmsKeyId": "present"}, {"not": {"Status.IsLogging": False}}]},
        {"key": "EventSelectors[0].ReadWriteType", "op": "in", "value": ["All"]},
        {"key": "Status.LatestDeliveryTime", "value_type": "age", "op": "le", "value": 1},
        {"key": "Tags", "value_type": "size", "op": "ge", "param": "log_retention_days"},
    ]
    compiled = build(node)
    assert compiled.keys() == [
        "Status.IsLogging",
        "KmsKeyId",
        "EventSelectors[0].ReadWriteType",
        "Status.LatestDeliveryTime",
        "Tags",
    ]
    assert compiled.describe() == (
        "Status.IsLogging eq true and (KmsKeyId is present or not Status.IsLogging eq false)"
        ' and EventSelectors[0].ReadWriteType in ["All"] and age(Status.LatestDeliveryTime) le 1'
        " and size(Tags) ge param:log_retention_days"
    )


def test_observed_evidence_holds_every_key_read() -> None:
    node = [
        {"key": "EventSelectors[0].ReadWriteType", "value": "All"},
        {"or": [{"a": 1}, {"b.c": "present"}]},
        {"key": "length(n)", "op": "gt", "value": 0},
    ]
    doc = {"EventSelectors": [{"ReadWriteType": "All"}], "a": 1, "b": {"c": [1]}, "n": 5}
    verdict = run(node, doc)
    # every alternative of 'or' is read even when the first holds; a JMESPath type error is absent
    assert verdict.observed == {
        "EventSelectors[0].ReadWriteType": "All",
        "a": 1,
        "b.c": [1],
        "length(n)": None,
    }
    assert verdict.reasons == ("length(n) is absent (expected > 0)",)


def test_evaluation_on_odd_documents_never_raises() -> None:
    compiled = build(
        [{"a.b": 1}, {"key": "a", "op": "ge", "value": 1}, {"key": "a", "op": "glob", "value": "x"}]
    )
    for doc in (None, 5, "text", [], [1, 2], {"a": {"b": None}}):
        verdict = compiled.evaluate(doc, PARAMS)
        assert verdict.ok is False
        assert len(verdict.reasons) == 3


def test_verdict_is_frozen() -> None:
    verdict = run({"a": 1}, {"a": 1})
    assert verdict == Verdict(True, {"a": 1}, ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.ok = False  # type: ignore[misc]


def test_long_values_are_shortened_in_reasons() -> None:
    reason = run({"a": 1}, {"a": "x" * 300}).reasons[0]
    assert reason == 'a is "' + "x" * 116 + "... (expected 1)"


def test_yaml_values_compile_to_plain_python() -> None:
    compiled = build(loads("f:\n  key: a\n  op: in\n  value: [x, y]\n", "rules.yaml")["f"])
    assert type(compiled.value) is list  # type: ignore[attr-defined]
    assert compiled.describe() == 'a in ["x","y"]'


# --- validation ----------------------------------------------------------------------------


def one(text: str, known: tuple[str, ...] = ("log_retention_days",)) -> Problem:
    problems = problems_of(text, known)
    assert len(problems) == 1, problems
    return problems[0]


VALIDATION_CASES = [
    (
        "f:\n  key: a\n  op: equals\n  value: 1\n",
        Problem("rules.yaml", 3, "unknown operator 'equals' in filter", f"use one of: {OPS}"),
    ),
    (
        "f:\n  key: a\n  op: not_in\n  value: [1]\n",
        Problem(
            "rules.yaml",
            3,
            "unknown operator 'not_in' in filter",
            f"did you mean 'not-in'? use one of: {OPS}",
        ),
    ),
    (
        "f:\n  key: a\n  op: 3\n  value: 1\n",
        Problem("rules.yaml", 3, "unknown operator number 3 in filter", f"use one of: {OPS}"),
    ),
    (
        "f:\n  key: a\n  value: 1\n  vaule: 2\n",
        Problem(
            "rules.yaml",
            4,
            "unknown field 'vaule' in filter",
            "did you mean 'value'? allowed fields: key, op, value, param, value_type",
        ),
    ),
    (
        "f:\n  op: eq\n  value: 1\n",
        Problem(
            "rules.yaml",
            2,
            "filter is missing 'key'",
            "add `key: <JMESPath expression>`, e.g. `key: Status.IsLogging`",
        ),
    ),
    (
        "f:\n  key: 5\n  value: 1\n",
        Problem(
            "rules.yaml",
            2,
            "'key' must be a JMESPath expression, got number 5",
            "write e.g. `key: Status.IsLogging`",
        ),
    ),
    (
        "f:\n  key: ''\n  value: 1\n",
        Problem(
            "rules.yaml",
            2,
            "'key' must be a JMESPath expression, got an empty string",
            "write e.g. `key: Status.IsLogging`",
        ),
    ),
    (
        "f:\n  key: a\n  value_type: days\n  op: le\n  value: 1\n",
        Problem("rules.yaml", 3, "unknown value_type 'days'", "use one of: age, size"),
    ),
    (
        "f:\n  key: a\n  value_type: age\n  value: 1\n",
        Problem(
            "rules.yaml",
            2,
            "operator 'eq' cannot be used with value_type 'age'",
            "use one of: gt, ge, lt, le",
        ),
    ),
    (
        "f:\n  key: a\n  value_type: size\n  op: glob\n  value: 1\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'glob' cannot be used with value_type 'size'",
            "use one of: eq, ne, gt, ge, lt, le",
        ),
    ),
    (
        "f:\n  key: a\n  value_type: age\n  op: le\n  value: '1'\n",
        Problem(
            "rules.yaml",
            5,
            "value_type 'age' needs a number value, got string \"1\"",
            "write a number of days, e.g. `value: 1`",
        ),
    ),
    (
        "f:\n  key: a\n  value: 1\n  param: log_retention_days\n",
        Problem(
            "rules.yaml",
            4,
            "filter has both 'value' and 'param'",
            "keep one: `value:` for a fixed value, `param:` for a rules parameter",
        ),
    ),
    (
        "f:\n  key: a\n  op: ge\n",
        Problem(
            "rules.yaml",
            2,
            "filter is missing 'value' (or 'param')",
            "add `value: <expected value>` or `param: <parameter name>`",
        ),
    ),
    (
        "f:\n  key: a\n  op: ge\n  param: log_retention\n",
        Problem(
            "rules.yaml",
            4,
            "unknown parameter 'log_retention'",
            "did you mean 'log_retention_days'? use one of: log_retention_days, or define it under `parameters:`",
        ),
    ),
    (
        "f:\n  key: a\n  value: [1]\n  op: in\n",
        None,  # valid: checked below that a valid node yields no problem
    ),
    (
        "f:\n  key: a\n  op: in\n  value: eu-west-1\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'in' needs a list value, got string \"eu-west-1\"",
            "write a list, e.g. `value: [a, b]`",
        ),
    ),
    (
        "f:\n  key: a\n  op: not-in\n  value: {x: 1}\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'not-in' needs a list value, got mapping {\"x\":1}",
            "write a list, e.g. `value: [a, b]`",
        ),
    ),
    (
        "f:\n  key: a\n  op: ge\n  value: '365'\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'ge' needs a number value, got string \"365\"",
            "write a number, e.g. `value: 365`, or use `value_type: age` / `size`",
        ),
    ),
    (
        "f:\n  key: a\n  op: lt\n  value: true\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'lt' needs a number value, got boolean true",
            "write a number, e.g. `value: 365`, or use `value_type: age` / `size`",
        ),
    ),
    (
        "f:\n  key: a\n  op: glob\n  value: 5\n",
        Problem(
            "rules.yaml",
            4,
            "operator 'glob' needs a string value, got number 5",
            'write a quoted pattern, e.g. `value: "arn:aws:*"`',
        ),
    ),
    (
        "f:\n  key: a\n  op: regex\n  value: 'log-(\\d+'\n",
        Problem(
            "rules.yaml",
            4,
            "invalid regex 'log-(\\\\d+': missing ), unterminated subpattern at position 4",
            "fix the regular expression (Python `re` syntax; it must match the whole value)",
        ),
    ),
    (
        "f:\n  key: a\n  op: ne\n  value: present\n",
        Problem(
            "rules.yaml",
            3,
            "special value 'present' only works with op eq",
            "remove `op:`; for the opposite use the opposite value (absent/present, empty/not-empty)",
        ),
    ),
    (
        "f:\n  key: a\n  value: empty\n  value_type: size\n",
        Problem(
            "rules.yaml",
            4,
            "special value 'empty' cannot be combined with value_type",
            "remove `value_type:`",
        ),
    ),
    (
        "f:\n  and: {a: 1}\n",
        Problem(
            "rules.yaml",
            2,
            "'and' needs a list of filters, got mapping {\"a\":1}",
            "write 'and:' followed by one or more filter items (`- ...`)",
        ),
    ),
    (
        "f:\n  or: []\n",
        Problem(
            "rules.yaml",
            2,
            "'or' needs a list of filters, got an empty list",
            "write 'or:' followed by one or more filter items (`- ...`)",
        ),
    ),
    (
        "f:\n  not: yes please\n",
        Problem(
            "rules.yaml",
            2,
            "'not' needs a filter or a list of filters, got string \"yes please\"",
            "write 'not:' followed by one or more filter items (`- ...`)",
        ),
    ),
    (
        "f:\n  key: a\n  value: 1\n  or: [{b: 1}]\n",
        Problem(
            "rules.yaml",
            2,
            "'or' cannot be combined with 'key', 'value' in one filter",
            "put the other conditions inside 'or', or make them separate list items",
        ),
    ),
    (
        "f:\n  IsLogging: true\n  IsMultiRegionTrail: true\n",
        Problem(
            "rules.yaml",
            2,
            "a filter mapping needs 'key' or exactly one field (shorthand), got 'IsLogging', 'IsMultiRegionTrail'",
            "write `{key: <jmespath>, op: eq, value: <expected>}` or `{<Field>: <expected>}`, one condition per list item",
        ),
    ),
    (
        "f:\n  - a: 1\n  - IsLogging\n",
        Problem(
            "rules.yaml",
            3,
            'a filter must be a mapping or a list of filters, got string "IsLogging"',
            "write `{key: <jmespath>, op: eq, value: <expected>}` or `{<Field>: <expected>}`",
        ),
    ),
    (
        "f: []\n",
        Problem(
            "rules.yaml",
            1,
            "a filter must be a mapping or a list of filters, got an empty list",
            "write `{key: <jmespath>, op: eq, value: <expected>}` or `{<Field>: <expected>}`",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), VALIDATION_CASES)
def test_validation_problem(text: str, expected: Problem | None) -> None:
    if expected is None:
        problems: list[Problem] = []
        node = loads(text, "rules.yaml")["f"]
        assert compile_filter(node, file="rules.yaml", line=1, known_params=(), problems=problems)
        assert problems == []
        return
    assert one(text) == expected


def test_jmespath_syntax_errors_name_the_jmespath_message() -> None:
    problem = one("f:\n  - a: 1\n  - key: Status..IsLogging\n    value: true\n")
    assert problem.line == 3
    assert problem.message == (
        "invalid JMESPath key 'Status..IsLogging': Expecting: ['quoted_identifier', "
        "'unquoted_identifier', 'lbracket', 'lbrace'], got: dot: Parse error at column 7, "
        'token "." (DOT)'
    )
    assert problem.fix.startswith("write a valid JMESPath expression")
    shorthand = one("f:\n  log-group: x\n")
    assert (shorthand.line, shorthand.message) == (
        2,
        "invalid JMESPath key 'log-group': Bad jmespath expression: Unknown token '-'",
    )
    assert one("f:\n  '\"log-group\"': x\n".replace("x", "1") + "  b: 2\n").line == 2


def test_quoted_jmespath_names_are_valid() -> None:
    compiled = build({'"log-group".name': "x"})
    assert compiled.evaluate({"log-group": {"name": "x"}}, PARAMS).ok is True


def test_unknown_parameter_when_none_are_defined() -> None:
    problem = one("f:\n  key: a\n  param: p\n", known=())
    assert problem == Problem(
        "rules.yaml",
        3,
        "unknown parameter 'p'",
        "define it under `parameters:` (no parameters are defined)",
    )


def test_every_problem_is_reported_in_line_order() -> None:
    text = """\
f:
  - key: a..b
    op: equals
    valu: 3
  - IsLogging: true
  - or:
      - key: x
        op: in
        value: 5
      - not:
          key: y
          op: regex
          value: "("
  - and: []
  - key: z
    op: ge
    param: nope
"""
    problems = problems_of(text)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "invalid JMESPath key 'a..b'"),
        (2, "filter is missing 'value' (or 'param')"),
        (3, "unknown operator 'equals' in filter"),
        (4, "unknown field 'valu' in filter"),
        (9, "operator 'in' needs a list value, got number 5"),
        (13, "invalid regex '('"),
        (14, "'and' needs a list of filters, got an empty list"),
        (17, "unknown parameter 'nope'"),
    ]


def test_plain_nodes_use_the_given_line_and_existing_problems_are_kept() -> None:
    earlier = Problem("rules.yaml", 1, "something else")
    problems = [earlier]
    node = [{"key": "a", "op": "equals", "value": 1}, {"ok": True}]
    assert compile_filter(node, file="x.yaml", line=42, known_params=(), problems=problems) is None
    assert problems == [
        earlier,
        Problem("x.yaml", 42, "unknown operator 'equals' in filter", f"use one of: {OPS}"),
    ]
    # an unrelated earlier problem does not make a valid filter fail
    assert compile_filter({"ok": True}, file="x.yaml", line=3, known_params=(), problems=problems)
    assert len(problems) == 2


def test_combined_boolean_still_reports_problems_inside() -> None:
    problems = problems_of(
        "f:\n  and:\n    - a: 1\n  or:\n    - key: b\n      op: nope\n      value: 1\n"
    )
    assert [(p.line, p.message) for p in problems] == [
        (2, "'and' cannot be combined with 'or' in one filter"),
        (6, "unknown operator 'nope' in filter"),
    ]
