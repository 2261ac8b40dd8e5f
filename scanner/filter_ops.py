"""Runtime of the value-filter language: operators, failure sentences, the compiled filter tree.

``logwarden.scanner.filters`` documents the language, validates rules.yaml and builds these objects
(import them from there). Evaluation never raises on odd data: a comparison that cannot be
made (a string against a number, an absent value against ``>=``) fails with a reason.

Rendering (used in every reason and in ``Filter.describe``): values are compact JSON, so
strings are double-quoted (``"abc"``), booleans/null are ``true``/``false``/``null``, lists
and mappings are ``["a","b"]`` / ``{"k":1}``; renderings longer than 120 characters are
cut to 117 characters plus ``...``. A missing or null observed value reads ``absent``.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from operator import eq, ge, gt, le, lt, ne
from typing import Any

from jmespath.exceptions import JMESPathError

OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not-in", "contains", "glob", "regex")
ORDERING = ("gt", "ge", "lt", "le")
SPECIAL_VALUES = ("present", "absent", "empty", "not-empty")
VALUE_TYPES = ("age", "size")
# Operators each value_type accepts.
VALUE_TYPE_OPS = {"age": ORDERING, "size": ("eq", "ne", *ORDERING)}

_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_MAX_RENDER = 120


def render(value: Any) -> str:
    """Render a value compactly as JSON (see the module docstring)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_RENDER else text[: _MAX_RENDER - 3] + "..."


def kind(value: Any) -> str:
    """The YAML/JSON type name of a value, for messages."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "boolean"
    if isinstance(value, str | int | float):
        return "string" if isinstance(value, str) else "number"
    return "list" if isinstance(value, list) else "mapping"


def value_problem(op: str, value_type: str | None, value: Any) -> tuple[str, str] | None:
    """Load-time check of a fixed ``value`` for an operator: (message, fix), or None if fine."""
    got = f"{kind(value)} {render(value)}"
    if value_type:
        if not is_number(value):
            unit = "days" if value_type == "age" else "items or characters"
            return (
                f"value_type '{value_type}' needs a number value, got {got}",
                f"write a number of {unit}, e.g. `value: 1`",
            )
    elif op in ("in", "not-in") and not isinstance(value, list):
        return (
            f"operator '{op}' needs a list value, got {got}",
            "write a list, e.g. `value: [a, b]`",
        )
    elif op in ORDERING and not is_number(value):
        return (
            f"operator '{op}' needs a number value, got {got}",
            "write a number, e.g. `value: 365`, or use `value_type: age` / `size`",
        )
    elif op in ("glob", "regex") and not isinstance(value, str):
        return (
            f"operator '{op}' needs a string value, got {got}",
            'write a quoted pattern, e.g. `value: "arn:aws:*"`',
        )
    elif op == "regex":
        try:
            re.compile(value)
        except re.error as exc:
            return (
                f"invalid regex {value!r}: {exc}",
                "fix the regular expression (Python `re` syntax; it must match the whole value)",
            )
    return None


def _shown(value: Any) -> str:
    return "absent" if value is None else render(value)


def _number_text(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def is_number(value: Any) -> bool:
    """True for int/float but not bool (``true`` is never the number 1)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def same(a: Any, b: Any) -> bool:
    """Deep equality where booleans never equal numbers (``True`` vs ``1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if is_number(a) and is_number(b):
        return bool(a == b)
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    return bool(a == b)


_NUMERIC = {"gt": gt, "ge": ge, "lt": lt, "le": le, "eq": eq, "ne": ne}


def _ordered(op: str, left: float, right: float) -> bool:
    return bool(_NUMERIC[op](left, right))


def expectation(op: str, expected: str) -> str:
    """The ``expected ...`` phrase for an operator and an already rendered value."""
    if op in _SYMBOLS:
        return f"{_SYMBOLS[op]} {expected}"
    return {
        "eq": expected,
        "ne": f"not {expected}",
        "in": f"one of {expected}",
        "not-in": f"none of {expected}",
        "contains": f"to contain {expected}",
        "glob": f"to match glob {expected}",
        "regex": f"to match regex {expected}",
    }[op]


def check_special(special: str, key: str, observed: Any) -> str | None:
    """Check a special value (present/absent/empty/not-empty); return the reason if it fails."""
    empty = observed is None or (isinstance(observed, str | list | dict) and len(observed) == 0)
    ok = {"present": observed is not None, "absent": observed is None, "empty": empty}.get(
        special, not empty
    )
    return None if ok else f"{key} is {_shown(observed)} (expected {special.replace('-', ' ')})"


def parse_timestamp(value: Any) -> datetime | None:
    """Parse an ISO-8601 string (or take a datetime/date); naive times are UTC. None if not one."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def check(
    op: str,
    key: str,
    observed: Any,
    expected: Any,
    *,
    value_type: str | None = None,
    now: datetime | None = None,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    """Decide one condition; return None when it holds, else one human sentence why not."""
    if value_type == "age":
        return _check_age(op, key, observed, expected, now or datetime.now(UTC))
    if value_type == "size":
        return _check_size(op, key, observed, expected)
    return _compare(op, key, observed, expected, pattern)


def _cannot(key: str, observed: Any, expected: Any) -> str:
    return f"{key} is {_shown(observed)} (cannot compare with {render(expected)})"


def _check_age(op: str, key: str, observed: Any, expected: Any, now: datetime) -> str | None:
    want = f"expected age {expectation(op, render(expected))} days"
    if observed is None:
        return f"{key} is absent ({want})"
    stamp = parse_timestamp(observed)
    if stamp is None:
        return f"{key} is {render(observed)}, not a timestamp ({want})"
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    days = (now - stamp).total_seconds() / 86400
    if not is_number(expected):
        return f"{key} is {_number_text(days)} days old (cannot compare with {render(expected)})"
    ok = _ordered(op, days, expected)
    return None if ok else f"{key} is {_number_text(days)} days old ({want})"


def _check_size(op: str, key: str, observed: Any, expected: Any) -> str | None:
    want = f"expected size {expectation(op, render(expected))}"
    if observed is None:
        size = 0
    elif isinstance(observed, str | list | dict):
        size = len(observed)
    else:
        return f"{key} is {render(observed)}, which has no size ({want})"
    if not is_number(expected):
        return f"{key} has size {size} (cannot compare with {render(expected)})"
    return None if _ordered(op, size, expected) else f"{key} has size {size} ({want})"


def _compare(
    op: str, key: str, observed: Any, expected: Any, pattern: re.Pattern[str] | None
) -> str | None:
    if op in ORDERING:
        if not is_number(expected) or (observed is not None and not is_number(observed)):
            return _cannot(key, observed, expected)
        ok = observed is not None and _ordered(op, observed, expected)
    elif op in ("eq", "ne"):
        ok = same(observed, expected) == (op == "eq")
    elif op in ("in", "not-in"):
        if not isinstance(expected, list):
            return _cannot(key, observed, expected)
        ok = any(same(observed, item) for item in expected) == (op == "in")
    elif op == "contains":
        if isinstance(observed, list):
            ok = any(same(item, expected) for item in observed)
        else:
            ok = isinstance(observed, str) and isinstance(expected, str) and expected in observed
    elif op == "glob":
        if not isinstance(expected, str):
            return _cannot(key, observed, expected)
        ok = isinstance(observed, str) and fnmatchcase(observed, expected)
    else:  # regex
        if pattern is None:
            if not isinstance(expected, str):
                return _cannot(key, observed, expected)
            try:
                pattern = re.compile(expected)
            except re.error as exc:
                return f"{key} is {_shown(observed)} (invalid regex {render(expected)}: {exc})"
        ok = isinstance(observed, str) and pattern.fullmatch(observed) is not None
    if ok:
        return None
    return f"{key} is {_shown(observed)} (expected {expectation(op, render(expected))})"


class MissingParameter(LookupError):
    """A filter uses ``param: name`` but evaluate() was given no value for it (a caller bug)."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of a filter on one document."""

    ok: bool
    observed: dict[str, Any]  # every key read -> the value found (None when absent)
    reasons: tuple[str, ...]  # when not ok: one sentence per failed condition


@dataclass(frozen=True)
class _Context:
    params: Mapping[str, Any]
    now: datetime


class Filter(ABC):
    """A compiled filter: evaluate it, list the keys it reads, describe it."""

    def evaluate(self, doc: Any, params: Mapping[str, Any]) -> Verdict:
        """Evaluate against one document; ``params`` supplies ``param:`` values and ``__now__``."""
        now = params.get("__now__")
        ctx = _Context(params, now if isinstance(now, datetime) else datetime.now(UTC))
        values = {key: _search(expr, doc) for key, expr in self._exprs()}
        reasons = self._failures(values, ctx)
        return Verdict(not reasons, values, tuple(reasons))

    def keys(self) -> list[str]:
        """Every JMESPath key this filter reads, in order of appearance, without repeats."""
        return list(dict.fromkeys(key for key, _ in self._exprs()))

    @abstractmethod
    def describe(self) -> str:
        """A short human text, e.g. ``LogFileValidationEnabled eq true``."""

    @abstractmethod
    def _exprs(self) -> list[tuple[str, Any]]: ...

    @abstractmethod
    def _failures(self, values: dict[str, Any], ctx: _Context) -> list[str]: ...


def _search(expr: Any, doc: Any) -> Any:
    try:
        return expr.search(doc)
    except JMESPathError:  # e.g. length() of a number: the value is not there
        return None


@dataclass(frozen=True)
class Condition(Filter):
    """One ``key op value`` test."""

    key: str
    expr: Any
    op: str = "eq"
    value: Any = None
    param: str | None = None
    value_type: str | None = None
    special: str | None = None
    pattern: re.Pattern[str] | None = None

    def describe(self) -> str:
        if self.special:
            return f"{self.key} is {self.special.replace('-', ' ')}"
        subject = f"{self.value_type}({self.key})" if self.value_type else self.key
        rhs = f"param:{self.param}" if self.param else render(self.value)
        return f"{subject} {self.op} {rhs}"

    def _exprs(self) -> list[tuple[str, Any]]:
        return [(self.key, self.expr)]

    def _failures(self, values: dict[str, Any], ctx: _Context) -> list[str]:
        observed = values[self.key]
        if self.special:
            reason = check_special(self.special, self.key, observed)
        else:
            if self.param is not None and self.param not in ctx.params:
                raise MissingParameter(f"filter parameter {self.param!r} has no value")
            expected = ctx.params[self.param] if self.param is not None else self.value
            reason = check(
                self.op,
                self.key,
                observed,
                expected,
                value_type=self.value_type,
                now=ctx.now,
                pattern=self.pattern,
            )
        return [reason] if reason else []


@dataclass(frozen=True)
class AllOf(Filter):
    """Every child must hold; the reasons of all failed children are reported."""

    children: tuple[Filter, ...]

    def describe(self) -> str:
        return " and ".join(_wrapped(child) for child in self.children)

    def _exprs(self) -> list[tuple[str, Any]]:
        return [pair for child in self.children for pair in child._exprs()]

    def _failures(self, values: dict[str, Any], ctx: _Context) -> list[str]:
        return [reason for child in self.children for reason in child._failures(values, ctx)]


@dataclass(frozen=True)
class AnyOf(Filter):
    """At least one child must hold."""

    children: tuple[Filter, ...]

    def describe(self) -> str:
        return " or ".join(_wrapped(child) for child in self.children)

    def _exprs(self) -> list[tuple[str, Any]]:
        return [pair for child in self.children for pair in child._exprs()]

    def _failures(self, values: dict[str, Any], ctx: _Context) -> list[str]:
        failed = [child._failures(values, ctx) for child in self.children]
        if not all(failed):
            return []
        return ["none of the alternatives held: " + "; ".join(" and ".join(r) for r in failed)]


@dataclass(frozen=True)
class Not(Filter):
    """The child must not hold."""

    child: Filter

    def describe(self) -> str:
        return f"not {_wrapped(self.child)}"

    def _exprs(self) -> list[tuple[str, Any]]:
        return self.child._exprs()

    def _failures(self, values: dict[str, Any], ctx: _Context) -> list[str]:
        if self.child._failures(values, ctx):
            return []
        return [f"{_wrapped(self.child)} holds (expected it not to)"]


def _wrapped(child: Filter) -> str:
    compound = isinstance(child, AllOf | AnyOf) and len(child.children) > 1
    return f"({child.describe()})" if compound else child.describe()
