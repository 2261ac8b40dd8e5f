"""The Cloud Logging query language parser: the syntax tree, Google's precedence rules, and
syntax errors as values with their position (never an exception)."""

from __future__ import annotations

import pytest

from logwarden.scanner.collectors.gcp.logging_query import (
    MAX_DEPTH,
    And,
    Call,
    Comparison,
    Field,
    Not,
    Or,
    ParseError,
    Restriction,
    Value,
    parse,
    source_of,
)
from logwarden.scanner.collectors.gcp.logging_query_lex import MAX_LENGTH

LOG_NAME = Field(("logName",))


def word(text: str) -> Restriction:
    return Restriction(Value(text, "word"))


def test_the_examples_of_googles_reference_parse_to_the_expected_tree() -> None:
    assert parse('logName:"cloudaudit.googleapis.com"') == Comparison(
        LOG_NAME, ":", Value("cloudaudit.googleapis.com")
    )
    assert parse('resource.type = ("gae_app" OR "gce_instance")') == Comparison(
        Field(("resource", "type")), "=", Or((Value("gae_app"), Value("gce_instance")))
    )
    assert parse("textPayload:(unicorn phoenix)") == Comparison(
        Field(("textPayload",)), ":", And((Value("unicorn", "word"), Value("phoenix", "word")))
    )
    assert parse('protoPayload."@type"="x"') == parse('protoPayload.@type="x"')
    assert parse('labels."compute.googleapis.com/resource_id":"1"') == Comparison(
        Field(("labels", "compute.googleapis.com/resource_id")), ":", Value("1")
    )
    assert parse("operation.id:*") == Comparison(Field(("operation", "id")), ":", Value("*", "any"))
    assert parse("jsonPayload.x > -3.5e2") == Comparison(
        Field(("jsonPayload", "x")), ">", Value("-3.5e2", "number")
    )
    assert parse("resource.labels.zone=us-central1-a") == Comparison(
        Field(("resource", "labels", "zone")), "=", Value("us-central1-a", "word")
    )


def test_functions_as_terms_arguments_and_left_hand_sides() -> None:
    assert parse('LOG_ID("cloudaudit.googleapis.com/activity")') == Restriction(
        Call("LOG_ID", (Value("cloudaudit.googleapis.com/activity"),))
    )
    assert parse("sample(insertId, 0.25)") == Restriction(
        Call("sample", (Value("insertId", "word"), Value("0.25", "number")))
    )
    assert parse("source(folders/123)") == Restriction(
        Call("source", (Value("folders/123", "word"),))
    )
    tree = parse('cast(timestamp, STRING, TIMEZONE("America/New_York")) =~ "^2023-01-02.*"')
    assert isinstance(tree, Comparison) and tree.op == "=~"
    assert tree.left == Call(
        "cast",
        (
            Value("timestamp", "word"),
            Value("STRING", "word"),
            Call("TIMEZONE", (Value("America/New_York"),)),
        ),
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        # NOT binds tightest, then OR, then AND (Google's own example)
        ('"a" OR NOT "b" AND NOT "c" OR "d"', '("a" OR (NOT "b")) AND ((NOT "c") OR "d")'),
        # an omitted AND, and '-' for NOT
        ('a="b" c="d" -e="f"', 'a="b" AND c="d" AND NOT e="f"'),
        # OR binds tighter than an implicit AND too
        ("a OR b c", "(a OR b) AND c"),
        # redundant parentheses and chains leave no trace
        ("((a AND (b)) AND c)", "a AND b AND c"),
        ("a OR (b OR c)", "a OR b OR c"),
        # spacing, line breaks and comments do not matter
        (
            'logName : "x"\n-- a comment\n  severity>=ERROR -- another',
            'logName:"x" severity>=ERROR',
        ),
        # lower-case operators are search terms
        ("a and b", "a AND and AND b"),
    ],
)
def test_precedence_and_equivalent_spellings(written: str, meant: str) -> None:
    assert parse(written) == parse(meant)
    assert not isinstance(parse(written), ParseError)


def test_empty_queries_match_everything() -> None:
    assert parse("") == parse("   \n") == parse("-- only a comment") == And(())


def test_strings_decode_escapes_and_keep_the_rest_for_regular_expressions() -> None:
    assert parse(r'x:"a\"b\\c\n\101"') == Comparison(Field(("x",)), ":", Value('a"b\\c\nA'))
    assert parse(r'x=~"\d+\."') == Comparison(Field(("x",)), "=~", Value(r"\d+\."))


def test_nodes_remember_where_they_were_written() -> None:
    text = 'logName:"x" AND NOT (severity>=ERROR OR\n  resource.type="gce_instance")'
    tree = parse(text)
    assert isinstance(tree, And)
    assert [source_of(text, item) for item in tree.items] == [
        'logName:"x"',
        'NOT (severity>=ERROR OR resource.type="gce_instance")',
    ]
    negated = tree.items[1]
    assert isinstance(negated, Not) and isinstance(negated.item, Or)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('logName:"cloudaudit', "unterminated string", 1, 9),
        ('(logName:"x"', "expected ')'", 1, 13),
        ('logName:"x")', "unexpected ')'", 1, 12),
        ('logName:"x" AND', "expected a term, found the end of the query", 1, 16),
        ('logName:"x" OR\nOR y', "expected a term, found 'OR'", 2, 1),
        ("AND a", "expected a term, found 'AND'", 1, 1),
        ("NOT", "expected a term", 1, 4),
        ("()", "expected a term, found ')'", 1, 2),
        ("- a", "'-' must be written against the term it negates", 1, 1),
        ("logName:cloudaudit.googleapis.com", "double-quote it", 1, 9),
        ("insertId = abc:def", "unexpected ':'", 1, 15),
        ("a = b = c", "unexpected '='", 1, 7),
        ("+x", "must be double-quoted", 1, 1),
        ("x = -y", "must be double-quoted", 1, 5),
        ("severity=*", "'*' can only follow ':'", 1, 10),
        ('log_id("x"', "expected ',' or ')'", 1, 11),
        ('log_id("x" "y")', "expected ',' or ')'", 1, 12),
        ("3 = x", "a number cannot be compared", 1, 1),
        ("a, b", "unexpected ','", 1, 2),
        ("x ~ y", "unexpected '~'", 1, 3),
        ("resource. type=x", "expected a field name after '.'", 1, 9),
        ("1abc(x)", "is not a function name", 1, 1),
    ],
)
def test_syntax_errors_are_values_with_their_position(
    text: str, message: str, line: int, column: int
) -> None:
    error = parse(text)
    assert isinstance(error, ParseError), error
    assert message in error.message
    assert (error.line, error.column) == (line, column), str(error)
    assert str(error).endswith(f"at line {line}, column {column}")


def test_depth_and_length_are_bounded_without_recursion_errors() -> None:
    deep = "(" * 5000 + "a" + ")" * 5000
    negations = "NOT " * 3000 + "a"
    calls = "f(" * 5000 + "x" + ")" * 5000
    for text in (deep, negations, calls):
        error = parse(text)
        assert isinstance(error, ParseError) and f"deeper than {MAX_DEPTH}" in error.message
    assert not isinstance(parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH), ParseError)
    long = parse("a " * (MAX_LENGTH // 2 + 1))
    assert isinstance(long, ParseError) and "longer than" in long.message
