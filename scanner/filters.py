"""The value-filter language of rules.yaml (``where:`` and ``assert:``), after Cloud Custodian.

A filter is validated completely when rules.yaml is loaded (every problem is reported with its
line and a fix) and evaluated later against each resource document.

Forms
  - a list of filters: all must hold (implicit ``and``);
  - ``{and: [f, ...]}``, ``{or: [f, ...]}`` (non-empty lists), ``{not: f}``, or
    ``{not: [f, ...]}`` meaning ``not (f and ...)``;
  - a condition ``{key: <jmespath>, op: <op>, value: <v>}``; ``op`` defaults to ``eq``; use
    ``param: <name>`` instead of ``value`` to compare with a rules parameter (exactly one of
    the two); ``value_type: age|size`` is optional;
  - shorthand: a mapping with one field that is not a reserved word (key, op, value, param,
    value_type, and, or, not) means ``eq``: ``{IsMultiRegionTrail: true}``.

Keys are JMESPath expressions (https://jmespath.org), e.g. ``Status.IsLogging`` or
``EventSelectors[0].ReadWriteType``; quote names with dashes: ``'"log-group"'``. A missing
field and an explicit null are the same: the value is *absent* (null), so ``ne`` and ``not-in``
hold for it, ``eq``/``in``/``contains``/``glob``/``regex`` and ordering fail.

Operators (``eq ne gt ge lt le in not-in contains glob regex``) are the rows of
``logwarden.scanner.operators.OPERATORS``: each row says what the operator tests, what its
``value`` must be, and which observed values it can hold for; docs/rules.md is the reference.

Special values (only with ``op: eq`` or no op, never with ``param``): ``present`` (not
absent), ``absent`` (missing or null), ``empty`` (absent, ``""``, ``[]`` or ``{}``),
``not-empty``. A parameter whose value is the string ``present`` is compared literally.

value_type (``age``, ``size``: the rows of ``logwarden.scanner.operators.VALUE_TYPES``)
  measures the observed value before the comparison: the age in days of a timestamp
  (``{key: Status.LatestDeliveryTime, value_type: age, op: le, value: 1}``) or the size of a
  list, string or mapping. Each value_type combines with some operators only.

Evaluation never raises on odd data: mismatched types make the condition fail with a reason
such as ``retentionInDays is "abc" (cannot compare with 365)``. Values in reasons are compact
JSON (strings in double quotes), see ``logwarden.scanner.filter_ops``. ``params["__now__"]`` (an aware
datetime) replaces the clock for ``age``; a ``param`` missing from ``params`` at evaluation
raises MissingParameter (a caller bug: compile_filter already checked ``known_params``).
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import get_close_matches
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from logwarden.scanner.errors import Problem
from logwarden.scanner.filter_ops import (
    SPECIAL_VALUES,
    AllOf,
    AnyOf,
    Condition,
    Filter,
    MissingParameter,
    Not,
    Verdict,
    value_problem,
)
from logwarden.scanner.operators import OPERATORS, VALUE_TYPES, kind, render
from logwarden.scanner.yamlsrc import line_of

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "Filter",
    "MissingParameter",
    "Not",
    "Verdict",
    "compile_filter",
]

LEAF_FIELDS = ("key", "op", "value", "param", "value_type")
BOOLEANS = ("and", "or", "not")
RESERVED = LEAF_FIELDS + BOOLEANS
_EXAMPLE = "`{key: <jmespath>, op: eq, value: <expected>}` or `{<Field>: <expected>}`"


def compile_filter(
    node: Any, *, file: str, line: int, known_params: Collection[str], problems: list[Problem]
) -> Filter | None:
    """Validate a filter node from rules.yaml and compile it.

    ``node`` is a SourceMap/SourceList (or plain dict/list; their line is then ``line``).
    Every problem found is appended to ``problems``; None is returned if there was any.
    """
    before = len(problems)
    compiled = _Compiler(file, known_params, problems).node(node, line_of(node) or line)
    if len(problems) == before:
        return compiled
    problems[before:] = sorted(problems[before:], key=lambda p: p.line or 0)  # file order
    return None


def plain(value: Any) -> Any:
    """Copy a SourceMap/SourceList tree into plain dicts and lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return [plain(v) for v in value] if isinstance(value, list) else value


def _hint(word: Any, choices: Collection[str]) -> str:
    close = get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


class _Compiler:
    def __init__(self, file: str, known_params: Collection[str], problems: list[Problem]) -> None:
        self.file, self.known, self.problems = file, sorted(known_params), problems

    def problem(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.file, line, message, fix))

    def node(self, node: Any, line: int) -> Filter | None:
        if isinstance(node, dict):
            return self.mapping(node, line)
        if isinstance(node, list) and node:
            children = self.children(node, line)
            if children is None:
                return None
            return children[0] if len(children) == 1 else AllOf(children)
        got = "an empty list" if isinstance(node, list) else f"{kind(node)} {render(node)}"
        self.problem(
            line, f"a filter must be a mapping or a list of filters, got {got}", f"write {_EXAMPLE}"
        )
        return None

    def children(self, items: list[Any], line: int) -> tuple[Filter, ...] | None:
        compiled = []
        for index, item in enumerate(items):
            compiled.append(self.node(item, line_of(item) or line_of(items, index) or line))
        return tuple(c for c in compiled if c) if all(compiled) else None

    def mapping(self, node: dict[str, Any], line: int) -> Filter | None:
        words = [field for field in node if field in BOOLEANS]
        if words and len(node) > 1:
            others = ", ".join(f"'{f}'" for f in node if f != words[0])
            self.problem(
                line,
                f"'{words[0]}' cannot be combined with {others} in one filter",
                f"put the other conditions inside '{words[0]}', or make them separate list items",
            )
            for word in words:  # still report the problems inside
                self.boolean(node, word, line)
            return None
        if words:
            return self.boolean(node, words[0], line)
        if any(field in LEAF_FIELDS for field in node):
            return self.condition(node, line)
        if len(node) == 1:
            field, value = next(iter(node.items()))
            return self.shorthand(str(field), value, line_of(node, field) or line)
        fields = ", ".join(f"'{f}'" for f in node)
        self.problem(
            line,
            f"a filter mapping needs 'key' or exactly one field (shorthand), got {fields or 'none'}",
            f"write {_EXAMPLE}, one condition per list item",
        )
        return None

    def boolean(self, node: dict[str, Any], word: str, line: int) -> Filter | None:
        value, word_line = node[word], line_of(node, word) or line
        if word == "not" and isinstance(value, dict):
            inner = self.mapping(value, line_of(value) or word_line)
            return Not(inner) if inner else None
        if not isinstance(value, list) or not value:
            shape = "a filter or a list of filters" if word == "not" else "a list of filters"
            got = "an empty list" if isinstance(value, list) else f"{kind(value)} {render(value)}"
            self.problem(
                word_line,
                f"'{word}' needs {shape}, got {got}",
                f"write '{word}:' followed by one or more filter items (`- ...`)",
            )
            return None
        children = self.children(value, line_of(value) or word_line)
        if children is None:
            return None
        if word == "or":
            return AnyOf(children)
        together = children[0] if len(children) == 1 else AllOf(children)
        return Not(together) if word == "not" else together

    def key(self, key: Any, line: int) -> Any:
        if not isinstance(key, str) or not key.strip():
            got = "an empty string" if isinstance(key, str) else f"{kind(key)} {render(key)}"
            self.problem(
                line,
                f"'key' must be a JMESPath expression, got {got}",
                "write e.g. `key: Status.IsLogging`",
            )
            return None
        try:
            return jmespath.compile(key)
        except JMESPathError as exc:
            detail = str(exc).splitlines()[0].removesuffix(":").removesuffix(", for expression")
            self.problem(
                line,
                f"invalid JMESPath key {key!r}: {detail}",
                "write a valid JMESPath expression (https://jmespath.org), e.g. Status.IsLogging; quote names with dashes: '\"log-group\".name'",
            )
            return None

    def shorthand(self, field: str, value: Any, line: int) -> Filter | None:
        expr = self.key(field, line)
        if expr is None:
            return None
        if isinstance(value, str) and value in SPECIAL_VALUES:
            return Condition(field, expr, special=value)
        return Condition(field, expr, value=plain(value))

    def condition(self, node: dict[str, Any], line: int) -> Filter | None:
        before = len(self.problems)

        def at(field: str) -> int:
            return line_of(node, field) or line

        for field in node:
            if field not in LEAF_FIELDS:
                self.problem(
                    at(field),
                    f"unknown field '{field}' in filter",
                    f"{_hint(field, LEAF_FIELDS)}allowed fields: {', '.join(LEAF_FIELDS)}",
                )
        expr = self.key(node["key"], at("key")) if "key" in node else None
        if "key" not in node:
            self.problem(
                line,
                "filter is missing 'key'",
                "add `key: <JMESPath expression>`, e.g. `key: Status.IsLogging`",
            )
        has_value, has_param = "value" in node, "param" in node
        op, value_type, param = node.get("op", "eq"), node.get("value_type"), node.get("param")
        value = plain(node.get("value"))
        special = value if has_value and not has_param and value in SPECIAL_VALUES else None
        if not isinstance(op, str) or op not in OPERATORS:
            self.problem(
                at("op"),
                f"unknown operator {_quoted(op)} in filter",
                f"{_hint(op, OPERATORS)}use one of: {', '.join(OPERATORS)}",
            )
            op = None
        if "value_type" in node and (
            not isinstance(value_type, str) or value_type not in VALUE_TYPES
        ):
            self.problem(
                at("value_type"),
                f"unknown value_type {_quoted(value_type)}",
                f"use one of: {', '.join(VALUE_TYPES)}",
            )
            op = None  # the operator and value cannot be judged any further
        if special and op not in (None, "eq"):
            self.problem(
                at("op"),
                f"special value '{special}' only works with op eq",
                "remove `op:`; for the opposite use the opposite value "
                "(absent/present, empty/not-empty)",
            )
        if special and "value_type" in node:
            self.problem(
                at("value_type"),
                f"special value '{special}' cannot be combined with value_type",
                "remove `value_type:`",
            )
        elif op and value_type and op not in VALUE_TYPES[value_type].operators:
            self.problem(
                at("op"),
                f"operator '{op}' cannot be used with value_type '{value_type}'",
                f"use one of: {', '.join(VALUE_TYPES[value_type].operators)}",
            )
            op = None
        if has_value and has_param:
            self.problem(
                at("param"),
                "filter has both 'value' and 'param'",
                "keep one: `value:` for a fixed value, `param:` for a rules parameter",
            )
        elif not has_value and not has_param:
            self.problem(
                line,
                "filter is missing 'value' (or 'param')",
                "add `value: <expected value>` or `param: <parameter name>`",
            )
        if has_param and param not in self.known:
            known = ", ".join(self.known)
            self.problem(
                at("param"),
                f"unknown parameter {_quoted(param)}",
                f"{_hint(param, self.known)}use one of: {known}, or define it under `parameters:`"
                if known
                else "define it under `parameters:` (no parameters are defined)",
            )
        prepared = None
        if has_value and not has_param and not special and op:
            found = value_problem(op, value_type, value)
            if found:
                self.problem(at("value"), *found)
            elif not value_type:
                prepared = OPERATORS[op].prepared(value)  # once, at load
        if len(self.problems) > before or expr is None:
            return None
        op = node.get("op", "eq")
        return Condition(node["key"], expr, op, value, param, value_type, special, prepared)


def _quoted(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{kind(value)} {render(value)}"
