"""CloudWatch Logs filter patterns, parsed to a small typed syntax tree.

Follows AWS's "Filter pattern syntax for metric filters, subscription filters, filter log
events, and Live Tail" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
and its JSON page, matching-terms-json-log-events.html):

- A JSON pattern is ``{ EXPR }``. ``EXPR`` combines comparisons with ``&&`` and ``||``;
  ``&&`` binds tighter (``a || b && c`` is ``a || (b && c)``) and parentheses group.
- A comparison is ``SELECTOR OP VALUE``, ``SELECTOR IS TRUE|FALSE|NULL`` or
  ``SELECTOR NOT EXISTS``. ``SELECTOR`` is ``$`` then ``.name`` / ``[index]`` steps, names made
  of letters, digits, ``-`` and ``_`` (``$.userIdentity.type``, ``$.list[0].id``). ``OP`` is one
  of ``= != < > <= >=``.
- ``VALUE`` is a double-quoted string (``\\`` escapes the next character), a ``%regex%``, or
  unquoted text up to the next ``)``, ``&&``, ``||`` or ``}``, trimmed: ``Failed
  authentication`` and ``delivery.logs.amazonaws.com`` are single values, as in the CIS
  benchmark. An unquoted value that reads as a number (``400``, ``-1.5``, ``10e3``) is a number;
  ``< > <= >=`` need a number, a regex needs ``=`` or ``!=``. ``*`` in a string is a wildcard (what
  the value means is decided in :mod:`event_conditions`).
- Keywords and values are case-sensitive; the pattern is at most 1,024 characters.

Other forms of pattern are recognised but not parsed, because they cannot state a condition on
a CloudTrail field (see :class:`OtherForm`): the empty pattern, terms (``ERROR``,
``"Failed authentication"``, ``?a ?b``, ``-x``), space-delimited ``[a, b=1, ...]`` and a
standalone ``%regex%``.

:func:`parse` never raises: a pattern that breaks the grammar gives a :class:`ParseError` value
with its position. ``&&``/``||`` chains are flattened, so redundant parentheses leave no trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from logwarden.checks.aws.filter_pattern_lex import MAX_LENGTH, Fail, RawValue, Scanner

MAX_DEPTH = 32  # nested parentheses: a bound, not a recursion error
Path = tuple[str | int, ...]
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Comparison:
    """One condition on one JSON property.

    ``op`` is ``= != < > <= >=`` or one of the keyword tests ``IS TRUE``, ``IS FALSE``,
    ``IS NULL``, ``NOT EXISTS``. ``kind`` is ``string``, ``number``, ``regex`` or ``test`` (the
    keyword tests, which carry no value). ``value`` is decoded: no quotes, no escapes.
    """

    selector: Path
    op: str
    value: str = ""
    kind: str = "string"
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Junction:
    """``&&`` (``op="&&"``) or ``||`` of two or more conditions, flattened."""

    op: str
    items: tuple[Node, ...]


Node = Comparison | Junction


@dataclass(frozen=True)
class OtherForm:
    """A pattern that is not a JSON pattern: ``empty``, ``terms``, ``space-delimited``, ``regex``."""

    form: str

    def reason(self) -> str:
        """Why a pattern of this form cannot stand for a condition on CloudTrail fields."""
        if self.form == "empty":
            return (
                "the empty filter pattern matches every log event, so an alarm on it cannot tell "
                "these events from any other"
            )
        return (
            f"a {self.form} filter pattern matches text anywhere in the raw log line, not a "
            "CloudTrail field: it cannot state the field conditions (such as $.eventName = X, != "
            "or NOT EXISTS), and what it matches depends on how the record is serialised; use a "
            "JSON filter pattern { ... }"
        )


@dataclass(frozen=True)
class ParseError:
    """Why the pattern could not be parsed, and the 0-based character position."""

    message: str
    position: int

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


Parsed = Node | OtherForm | ParseError


@lru_cache(maxsize=2048)
def parse(text: str) -> Parsed:
    """Parse a CloudWatch Logs filter pattern; never raises (see the module docstring)."""
    if len(text) > MAX_LENGTH:
        return ParseError(f"a filter pattern has at most {MAX_LENGTH} characters", MAX_LENGTH)
    stripped = text.strip()
    if not stripped:
        return OtherForm("empty")
    first = stripped[0]
    if first == "[":
        return OtherForm("space-delimited")
    if first == "%":
        return OtherForm("regex")
    if first != "{":
        return OtherForm("terms")
    scanner = Scanner(text, text.index("{") + 1)
    try:
        if scanner.peek("}"):
            raise Fail("an empty JSON pattern '{ }' has no condition", scanner.pos)
        node = _disjunction(scanner, 0)
        if not scanner.take("}"):
            raise Fail(f"expected '&&', '||' or '}}', found {scanner.describe_next()}", scanner.pos)
        if not scanner.at_end():
            raise Fail("unexpected text after the closing '}'", scanner.pos)
    except Fail as fail:
        return ParseError(fail.message, fail.position)
    return node


def _junction(op: str, items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, Junction) and item.op == op else (item,))
    return Junction(op, tuple(flat))


def _disjunction(scanner: Scanner, depth: int) -> Node:
    items = [_conjunction(scanner, depth)]
    while scanner.take("||"):
        items.append(_conjunction(scanner, depth))
    return _junction("||", items)


def _conjunction(scanner: Scanner, depth: int) -> Node:
    items = [_operand(scanner, depth)]
    while scanner.take("&&"):
        items.append(_operand(scanner, depth))
    return _junction("&&", items)


def _operand(scanner: Scanner, depth: int) -> Node:
    if scanner.peek("("):
        opened = scanner.pos
        if depth >= MAX_DEPTH:
            raise Fail(f"parentheses nest deeper than {MAX_DEPTH} levels", opened)
        scanner.take("(")
        node = _disjunction(scanner, depth + 1)
        if not scanner.take(")"):
            raise Fail(
                f"expected ')' to close the '(' at character {opened + 1}, found "
                f"{scanner.describe_next()}",
                scanner.pos,
            )
        return node
    return _comparison(scanner)


def _comparison(scanner: Scanner) -> Comparison:
    scanner.skip_space()
    start = scanner.pos
    selector = scanner.selector()
    op = scanner.operator()
    if op is not None:
        return _with_value(selector, op, scanner.value(), start)
    keyword = scanner.keyword()
    if keyword is not None:
        first, at = keyword
        second = scanner.keyword()
        test = f"{first} {second[0]}" if second else first
        if test in ("IS TRUE", "IS FALSE", "IS NULL", "NOT EXISTS"):
            return Comparison(selector, test, "", "test", start)
        raise Fail(f"unknown test {test!r}; expected IS TRUE, IS FALSE, IS NULL or NOT EXISTS", at)
    raise Fail(
        "expected an operator (= != < > <= >=), IS TRUE/FALSE/NULL or NOT EXISTS after the "
        f"selector, found {scanner.describe_next()}",
        scanner.pos,
    )


def _with_value(selector: Path, op: str, raw: RawValue, start: int) -> Comparison:
    if raw.kind == "regex":
        if op not in ("=", "!="):
            raise Fail("a %regex% value needs '=' or '!='", raw.position)
        return Comparison(selector, op, raw.text, "regex", start)
    numeric = raw.kind == "unquoted" and _NUMBER.fullmatch(raw.text) is not None
    if op in ("<", ">", "<=", ">=") and not numeric:
        raise Fail(f"'{op}' compares numbers; {raw.text!r} is not a number", raw.position)
    return Comparison(selector, op, raw.text, "number" if numeric else "string", start)
