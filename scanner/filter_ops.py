"""Runtime of the value-filter language: failure sentences and the compiled filter tree.

``logwarden.scanner.filters`` documents the language, validates rules.yaml and builds these objects
(import them from there). Evaluation never raises on odd data: a comparison that cannot be
made (a string against a number, an absent value against ``>=``) fails with a reason.

The operators themselves are the rows of ``logwarden.scanner.operators.OPERATORS``.
Rendering (``operators.render``, used in every reason and in ``Filter.describe``): values are compact JSON, so
strings are double-quoted (``"abc"``), booleans/null are ``true``/``false``/``null``, lists
and mappings are ``["a","b"]`` / ``{"k":1}``; renderings longer than 120 characters are
cut to 117 characters plus ``...``. A missing or null observed value reads ``absent``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from jmespath.exceptions import JMESPathError

from logwarden.scanner.operators import OPERATORS, VALUE_TYPES, is_number, kind, render

SPECIAL_VALUES = ("present", "absent", "empty", "not-empty")


def value_problem(op: str, value_type: str | None, value: Any) -> tuple[str, str] | None:
    """Load-time check of a fixed ``value`` for an operator: (message, fix), or None if fine."""
    if value_type:
        if not is_number(value):
            unit = VALUE_TYPES[value_type].unit
            return (
                f"value_type '{value_type}' needs a number value, got {kind(value)} {render(value)}",
                f"write a number of {unit}, e.g. `value: 1`",
            )
        return None
    return OPERATORS[op].value_problem(value)


def _shown(value: Any) -> str:
    return "absent" if value is None else render(value)


def _number_text(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def expectation(op: str, expected: str) -> str:
    """The ``expected ...`` phrase for an operator and an already rendered value."""
    return OPERATORS[op].expectation(expected)


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
    prepared: Any = None,
) -> str | None:
    """Decide one condition; return None when it holds, else one human sentence why not."""
    if value_type == "age":
        return _check_age(op, key, observed, expected, now or datetime.now(UTC))
    if value_type == "size":
        return _check_size(op, key, observed, expected)
    return _compare(op, key, observed, expected, prepared)


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
    ok = OPERATORS[op].decide(days, expected)
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
    return None if OPERATORS[op].decide(size, expected) else f"{key} has size {size} ({want})"


def _compare(op: str, key: str, observed: Any, expected: Any, prepared: Any) -> str | None:
    operator = OPERATORS[op]
    verdict = operator.decide(observed, expected, prepared)
    if verdict is None:
        return _cannot(key, observed, expected)
    if isinstance(verdict, str):
        return f"{key} is {_shown(observed)} ({verdict})"
    if verdict:
        return None
    return f"{key} is {_shown(observed)} (expected {operator.expectation(render(expected))})"


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
    prepared: Any = None  # the value as the operator uses it (a compiled regex), from load

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
                prepared=self.prepared,
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
