"""The CloudWatch Logs filter-pattern parser: what each form of pattern parses to, and errors.

Grammar and examples from AWS's "Filter pattern syntax for metric filters ..." and its JSON
page; CIS-style spellings (unquoted values with dots and spaces, no spaces around operators)
from the CIS AWS v6.0.0 text.
"""

from __future__ import annotations

import pytest

from logwarden.checks.aws.filter_pattern import (
    Comparison,
    Junction,
    OtherForm,
    ParseError,
    parse,
)


def eq(path: str, value: str, op: str = "=", kind: str = "string") -> Comparison:
    return Comparison(tuple(path.split(".")), op, value, kind)


A, B, C = eq("a", "1", kind="number"), eq("b", "x"), eq("c", "y")

PARSES = [
    ("single", "{ $.eventName = CreateTrail }", eq("eventName", "CreateTrail")),
    ("quoted equals unquoted", '{ $.eventName = "CreateTrail" }', eq("eventName", "CreateTrail")),
    ("no spaces", "{$.eventName=CreateTrail}", eq("eventName", "CreateTrail")),
    ("newlines and tabs", "{\n\t$.eventName\n=\tCreateTrail\n}", eq("eventName", "CreateTrail")),
    ("not equal", "{ $.eventName!=HeadBucket }", eq("eventName", "HeadBucket", "!=")),
    ("unquoted with dots", "{ $.s != delivery.logs.amazonaws.com }", eq("s", "delivery.logs.amazonaws.com", "!=")),
    ("unquoted with a space", "{ $.errorMessage = Failed authentication }", eq("errorMessage", "Failed authentication")),
    ("wildcards kept", "{ $.errorCode =*UnauthorizedOperation }", eq("errorCode", "*UnauthorizedOperation")),
    ("escaped quote", r'{ $.m = "say \"hi\"" }', eq("m", 'say "hi"')),
    ("quoted number is a string", '{ $.a = "1" }', eq("a", "1")),
    ("signed decimal", "{ $.latency >= -1.5e3 }", eq("latency", "-1.5e3", ">=", "number")),
    ("nested selector", "{ $.userIdentity.type = Root }", eq("userIdentity.type", "Root")),
    ("array index", "{ $.users[0].id = 2 }", Comparison(("users", 0, "id"), "=", "2", "number")),
    ("hyphen and underscore names", "{ $.a-b.c_d = x }", Comparison(("a-b", "c_d"), "=", "x")),
    ("NOT EXISTS", "{ $.userIdentity.invokedBy NOT EXISTS }", Comparison(("userIdentity", "invokedBy"), "NOT EXISTS", "", "test")),
    ("IS NULL", "{ $.SomeObject IS NULL }", Comparison(("SomeObject",), "IS NULL", "", "test")),
    ("IS TRUE", "{ $.ThisFlag IS TRUE }", Comparison(("ThisFlag",), "IS TRUE", "", "test")),
    ("regex value", "{ $.eventName = %^Delete.*% }", eq("eventName", "^Delete.*", kind="regex")),
    ("&& binds tighter than ||", "{ $.a = 1 || $.b = x && $.c = y }", Junction("||", (A, Junction("&&", (B, C))))),
    ("parentheses group", "{ ($.a = 1 || $.b = x) && $.c = y }", Junction("&&", (Junction("||", (A, B)), C))),
    ("redundant parentheses vanish", "{ ((($.a = 1))) && (($.b = x && ($.c = y))) }", Junction("&&", (A, B, C))),
    ("chains flatten", "{ $.a = 1 || ($.b = x || $.c = y) }", Junction("||", (A, B, C))),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in PARSES], ids=[r[0] for r in PARSES])
def test_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


OTHER_FORMS = [
    ("empty", "", "empty"),
    ("blank", "  \n ", "empty"),
    ("single term", "ERROR", "terms"),
    ("quoted phrase", '"Failed authentication"', "terms"),
    ("OR terms", "?CreateTrail ?DeleteTrail", "terms"),
    ("excluded term", "-HeadBucket", "terms"),
    ("space-delimited", "[version, account, eventName=CreateTrail, ...]", "space-delimited"),
    ("standalone regex", "%Delete.*Trail%", "regex"),
]


@pytest.mark.parametrize(
    ("text", "form"), [r[1:] for r in OTHER_FORMS], ids=[r[0] for r in OTHER_FORMS]
)
def test_other_forms_are_recognised_not_parsed(text: str, form: str) -> None:
    parsed = parse(text)
    assert parsed == OtherForm(form)
    assert parsed.reason()


ERRORS = [
    ("no closing brace", "{ $.a = 1 ", "expected '&&', '||' or '}'", 10),
    ("unbalanced parenthesis", "{ ($.a = 1 }", "expected ')' to close the '(' at character 3", 11),
    ("double equals", "{ $.a == 1 }", "'==' is not an operator", 6),
    ("less than a string", "{ $.a < x }", "'<' compares numbers", 8),
    ("unknown test", "{ $.a IS MAYBE }", "unknown test 'IS MAYBE'", 6),
    ("NOT without EXISTS", "{ $.a NOT }", "unknown test 'NOT'", 6),
    ("missing operator", "{ $.a x }", "expected an operator", 6),
    ("dollar alone", "{ $ = 1 }", "a selector needs a property", 2),
    ("dot without a name", "{ $. = 1 }", "must be followed by a property name", 4),
    ("index before a name", "{ $[0] = 1 }", "an array index must follow a property name", 3),
    ("no selector", "{ eventName = X }", "expected a property selector", 2),
    ("unterminated string", '{ $.a = "x }', "string not closed", 8),
    ("unterminated regex", "{ $.a = %x }", "regular expression not closed", 8),
    ("regex with <", "{ $.a < %x% }", "a %regex% value needs '=' or '!='", 8),
    ("text after the brace", "{ $.a = 1 } extra", "unexpected text after the closing '}'", 12),
    ("empty braces", "{ }", "an empty JSON pattern", 2),
    ("missing value", "{ $.a = }", "expected a value after the operator", 8),
    ("unquoted value with a selector in it", "{ $.a = $.b }", "unexpected '$' in an unquoted value", 8),
    ("missing && between tests", '{ $.a = x $.b = y }', "unexpected '$' in an unquoted value", 10),
    ("operator first", "{ && $.a = 1 }", "expected a property selector", 2),
    ("dangling ||", "{ $.a = 1 || }", "expected a property selector", 13),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message", "position"), [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS]
)
def test_errors_are_values_with_a_position(text: str, message: str, position: int) -> None:
    parsed = parse(text)
    assert isinstance(parsed, ParseError), parsed
    assert message in parsed.message
    assert parsed.position == position
    assert f"at character {position + 1}" in str(parsed)


def test_length_and_depth_are_bounded_without_raising() -> None:
    too_long = "{ $.a = " + "x" * 1100 + " }"
    assert "at most 1024 characters" in str(parse(too_long))
    deep = "{ " + "(" * 40 + "$.a = 1" + ")" * 40 + " }"
    parsed = parse(deep)
    assert isinstance(parsed, ParseError) and "deeper than 32" in parsed.message
    assert isinstance(parse("{ " + "(" * 30 + "$.a = 1" + ")" * 30 + " }"), Comparison)
