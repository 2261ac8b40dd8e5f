"""The Cloud Logging query language, parsed to a small typed syntax tree.

Follows Google's reference (https://cloud.google.com/logging/docs/view/logging-query-language)
and the filtering grammar it builds on (https://google.aip.dev/160):

- ``NOT`` (or ``-`` written against its term) binds tightest, then ``OR``, then ``AND``; an
  omitted operator between two terms is ``AND``: ``a OR NOT b AND c`` is
  ``(a OR (NOT b)) AND c``. Only upper-case ``AND``, ``OR``, ``NOT`` are operators; lower-case
  ones are search terms.
- A comparison is ``FIELD OP VALUE``, OP one of ``= != < <= > >= : =~ !~``. FIELD is a dotted
  path whose components may be double-quoted (``protoPayload."@type"``), or a function call
  (``cast(timestamp, STRING) =~ "..."``). VALUE is a string, an unquoted word or number, a
  function call, ``*`` after ``:`` (the field is present), or a parenthesised Boolean
  combination of values, to each of which the field and operator apply.
- A value or a function call standing alone (``unicorn``, ``log_id("...")``) is a global
  restriction. ``--`` starts a comment that runs to the end of the line.
- Unquoted text may not contain ``. : = < > ~ ( ) , *`` nor start with ``-`` or ``+``; a query
  is at most 20,000 characters.

:func:`parse` never raises: a query that breaks the grammar gives a :class:`ParseError` value
with its position. ``AND``/``OR`` chains are flattened (redundant parentheses leave no trace),
and nodes compare equal wherever they were written (spans are left out of equality), so two
queries can be compared by structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from logwarden.scanner.collectors.gcp.logging_query_lex import (
    MAX_LENGTH,
    Fail,
    Token,
    describe,
    tokenize,
)

MAX_DEPTH = 64  # nested parentheses, NOT chains and calls: a bound, not a recursion error
Span = tuple[int, int]
_SPAN = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True)
class Value:
    """A literal: ``kind`` is ``string`` (quoted), ``word`` (unquoted), ``number`` or ``any``
    (the ``*`` of ``FIELD:*``). ``text`` is the string with its escapes decoded."""

    text: str
    kind: str = "string"
    span: Span = _SPAN


@dataclass(frozen=True)
class Field:
    """A field path, one item per component: ``protoPayload."@type"`` -> ``("protoPayload",
    "@type")``."""

    path: tuple[str, ...]
    span: Span = _SPAN


@dataclass(frozen=True)
class Call:
    """A function call such as ``log_id("cloudaudit.googleapis.com/activity")``."""

    name: str
    args: tuple[Expr, ...] = ()
    span: Span = _SPAN


@dataclass(frozen=True)
class Comparison:
    """``left op right``; ``right`` is a value, a call, or And/Or/Not over values."""

    left: Field | Call
    op: str
    right: Expr
    span: Span = _SPAN


@dataclass(frozen=True)
class Restriction:
    """A global restriction (a value searched in every field) or a function standing alone."""

    value: Value | Call
    span: Span = _SPAN


@dataclass(frozen=True)
class And:
    """Every item holds (no item: always true, the empty query)."""

    items: tuple[Expr, ...]
    span: Span = _SPAN


@dataclass(frozen=True)
class Or:
    """Some item holds."""

    items: tuple[Expr, ...]
    span: Span = _SPAN


@dataclass(frozen=True)
class Not:
    """``NOT item`` or ``-item``."""

    item: Expr
    span: Span = _SPAN


Expr = And | Or | Not | Comparison | Restriction | Value | Field | Call


@dataclass(frozen=True)
class ParseError:
    """Why a query does not parse, and where (``position``: 0-based offset)."""

    message: str
    position: int
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.message} at line {self.line}, column {self.column}"


def parse(text: str) -> Expr | ParseError:
    """The syntax tree of a Logging query (the empty query: ``And(())``), or why it does not
    parse. Never raises."""
    try:
        if len(text) > MAX_LENGTH:
            raise Fail(f"the query is longer than {MAX_LENGTH} characters", MAX_LENGTH)
        parser = _Parser(tokenize(text))
        if parser.peek().kind == "end":
            return And((), (0, len(text)))
        tree = parser.expression(parser.restriction)
        if parser.peek().kind != "end":
            raise Fail(f"unexpected {describe(parser.peek())}", parser.peek().start)
        return tree
    except Fail as failure:
        line = text.count("\n", 0, failure.position) + 1
        column = failure.position - (text.rfind("\n", 0, failure.position) + 1) + 1
        return ParseError(failure.message, failure.position, line, column)


def source_of(text: str, node: Expr) -> str:
    """What ``node`` was written as in ``text``, on one line."""
    return " ".join(text[node.span[0] : node.span[1]].split())


_TERM_STARTS = ("string", "word", "number", "(", "-", "NOT")


class _Parser:
    """Recursive descent over the tokens; depth is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.take()
        if token.kind != kind:
            raise Fail(f"expected {what}, found {describe(token)}", token.start)
        return token

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Fail(f"the query nests deeper than {MAX_DEPTH} levels", token.start)

    def expression(self, leaf: Callable[[], Expr]) -> Expr:
        items = [self.factor(leaf)]
        while True:
            if self.peek().kind == "AND":
                self.take()
            elif self.peek().kind not in _TERM_STARTS:  # else: juxtaposition, an implicit AND
                break
            items.append(self.factor(leaf))
        return _joined(And, items)

    def factor(self, leaf: Callable[[], Expr]) -> Expr:
        items = [self.term(leaf)]
        while self.peek().kind == "OR":
            self.take()
            items.append(self.term(leaf))
        return _joined(Or, items)

    def term(self, leaf: Callable[[], Expr]) -> Expr:
        token = self.peek()
        if token.kind in ("NOT", "-"):
            self.take()
            if token.kind == "-" and self.peek().start != token.end:
                raise Fail("'-' must be written against the term it negates", token.start)
            self.nest(token)
            item = self.term(leaf)
            self.depth -= 1
            return Not(item, (token.start, item.span[1]))
        if token.kind == "(":
            self.take()
            self.nest(token)
            inner = self.expression(leaf)
            close = self.expect(")", "')'")
            self.depth -= 1
            return replace(inner, span=(token.start, close.end))
        return leaf()

    def restriction(self) -> Expr:
        """A comparison, or a value or function call standing alone."""
        left = self.operand()
        if self.peek().kind == "op":
            op = self.take().text
            if isinstance(left, Value):
                if left.kind == "number":
                    raise Fail(f"a number cannot be compared: {left.text}", left.span[0])
                left = Field((left.text,), left.span)
            if not isinstance(left, Field | Call):
                raise Fail("expected a field name or a function", left.span[0])
            right = self.argument(op)
            return Comparison(left, op, right, (left.span[0], right.span[1]))
        return Restriction(self.plain(left), left.span)

    def argument(self, op: str) -> Expr:
        """The right-hand side of a comparison."""
        token = self.peek()
        if token.kind == "*":
            if op != ":":
                raise Fail(f"'*' can only follow ':', not {op!r}", token.start)
            self.take()
            return Value("*", "any", (token.start, token.end))
        if token.kind == "(":
            return self.term(self.value)
        return self.value()

    def value(self) -> Value | Call:
        token = self.peek()
        if token.kind == "-":
            self.take()
            number = self.take()
            if number.kind != "number" or number.start != token.end:
                raise Fail("a value starting with '-' must be double-quoted", token.start)
            return Value(f"-{number.text}", "number", (token.start, number.end))
        return self.plain(self.operand())

    def plain(self, operand: Value | Field | Call) -> Value | Call:
        if isinstance(operand, Field):
            raise Fail("unquoted text cannot contain '.': double-quote it", operand.span[0])
        return operand

    def operand(self) -> Value | Field | Call:
        """A word, string or number, a dotted field path, or a function call."""
        token = self.take()
        if token.kind == "number":
            return Value(token.text, "number", (token.start, token.end))
        if token.kind not in ("word", "string"):
            raise Fail(f"expected a term, found {describe(token)}", token.start)
        if token.kind == "word" and self.peek().kind == "(" and self.peek().start == token.end:
            return self.call(token)
        parts = [token]
        while self.peek().kind == "." and self.peek().start == parts[-1].end:
            dot = self.take()
            part = self.take()
            if part.kind not in ("word", "string") or part.start != dot.end:
                raise Fail("expected a field name after '.'", dot.start)
            parts.append(part)
        span = (token.start, parts[-1].end)
        if len(parts) > 1:
            return Field(tuple(p.text for p in parts), span)
        return Value(token.text, "string" if token.kind == "string" else "word", span)

    def call(self, name: Token) -> Call:
        if not name.text.replace("_", "a").isalnum() or name.text[0].isdigit():
            raise Fail(f"{name.text!r} is not a function name", name.start)
        self.nest(self.take())
        args: list[Expr] = []
        while self.peek().kind != ")":
            if args:
                self.expect(",", "',' or ')'")
            args.append(self.term(self.value) if self.peek().kind == "(" else self.call_arg())
        close = self.take()
        self.depth -= 1
        return Call(name.text, tuple(args), (name.start, close.end))

    def call_arg(self) -> Expr:
        """A value, a field name or a function call."""
        if self.peek().kind == "-":
            return self.value()
        return self.operand()


def _joined(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    """One node for a chain, nested chains of the same operator spliced in."""
    if len(items) == 1:
        return items[0]
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat), (items[0].span[0], items[-1].span[1]))
