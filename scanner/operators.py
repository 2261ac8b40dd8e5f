"""The operators and value types of the rules language, each in one table.

One row per operator holds everything about it: what it tests (``holds``), what the rules file
must give as ``value:`` or parameter (``value``), which observed values it can hold for
(``observed``), the words of its failure reasons (``phrase``), the ``value_type`` it combines
with, and the description and example of the reference (docs/rules.md, checked against this
table by a test). Validation at load (:meth:`Operator.value_problem`) and evaluation
(:meth:`Operator.decide`) read the same row, as Cloud Custodian's value filter reads its
``OPERATORS`` for both.

Values are compared the JSON way: booleans are never numbers (``true`` is not ``1``), an int
equals the same float, lists and mappings compare deeply. A missing field and an explicit null
are the same *absent* value (None).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from operator import ge, gt, le, lt
from typing import Any

_MAX_RENDER = 120


def render(value: Any) -> str:
    """A value as compact JSON, cut to 120 characters (see ``logwarden.scanner.filter_ops``)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= _MAX_RENDER else text[: _MAX_RENDER - 3] + "..."


def kind(value: Any) -> str:
    """The YAML/JSON type name of a value, for messages."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "boolean"
    if isinstance(value, str | int | float):
        return "string" if isinstance(value, str) else "number"
    return "list" if isinstance(value, list) else "mapping"


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


@dataclass(frozen=True)
class Shape:
    """What an operator needs as its ``value`` (or the parameter it names)."""

    noun: str  # "number": "operator 'ge' needs a number value"
    accepts: Callable[[Any], bool]
    fix: str  # how to write one, for the load-time error


ANY = Shape("any", lambda value: True, "")
NUMBER = Shape(
    "number", is_number, "write a number, e.g. `value: 365`, or use `value_type: age` / `size`"
)
LIST = Shape("list", lambda value: isinstance(value, list), "write a list, e.g. `value: [a, b]`")
STRING = Shape(
    "string",
    lambda value: isinstance(value, str),
    'write a quoted pattern, e.g. `value: "arn:aws:*"`',
)

Holds = Callable[[Any, Any], bool | None]  # (observed, prepared value) -> holds; None: cannot


@dataclass(frozen=True)
class Operator:
    """One operator of the rules language (a row of :data:`OPERATORS`)."""

    name: str
    summary: str  # what holds, for the reference
    value: Shape  # what ``value:`` / the parameter must be
    observed: tuple[str, ...]  # JSON types of observed values it can hold for ("any": all)
    phrase: str  # the expectation in a failure reason; {} is the rendered value
    holds: Holds
    example: str  # one filter in YAML flow style, for the reference
    value_types: tuple[str, ...] = ()  # the value_type it combines with
    prepare: Callable[[Any], Any] | None = None  # turns a valid value into what holds takes
    prepare_fix: str = ""  # how to fix a value that prepare refuses

    def expectation(self, rendered: str) -> str:
        """The ``expected ...`` phrase for an already rendered value."""
        return self.phrase.format(rendered)

    def value_problem(self, value: Any) -> tuple[str, str] | None:
        """Load-time check of a fixed ``value``: (message, fix), or None when it is usable."""
        if not self.value.accepts(value):
            got = f"{kind(value)} {render(value)}"
            return (
                f"operator '{self.name}' needs a {self.value.noun} value, got {got}",
                self.value.fix,
            )
        if self.prepare is not None:
            try:
                self.prepare(value)
            except re.error as exc:
                return f"invalid {self.name} {value!r}: {exc}", self.prepare_fix
        return None

    def prepared(self, value: Any) -> Any:
        """A valid value as ``holds`` takes it (a regex compiled), or None when it is used as is."""
        return self.prepare(value) if self.prepare is not None else None

    def decide(self, observed: Any, expected: Any, prepared: Any = None) -> bool | str | None:
        """Whether the operator holds: True/False, None when the two cannot be compared, or
        the reason text when ``expected`` cannot be prepared (an invalid pattern from a
        parameter). ``prepared`` is ``expected`` already prepared at load, if it was."""
        if not self.value.accepts(expected):
            return None
        if self.prepare is not None and prepared is None:
            try:
                prepared = self.prepare(expected)
            except re.error as exc:
                return f"invalid {self.name} {render(expected)}: {exc}"
        return self.holds(observed, expected if self.prepare is None else prepared)


def _ordering(compare: Callable[[Any, Any], Any]) -> Holds:
    """Numbers only: a non-number observed value cannot be compared; an absent one fails."""

    def holds(observed: Any, expected: Any) -> bool | None:
        if observed is None:
            return False
        return bool(compare(observed, expected)) if is_number(observed) else None

    return holds


def _contains(observed: Any, expected: Any) -> bool:
    if isinstance(observed, list):
        return any(same(item, expected) for item in observed)
    return isinstance(observed, str) and isinstance(expected, str) and expected in observed


_NUMERIC_TYPES = ("age", "size")
_REGEX_FIX = "fix the regular expression (Python `re` syntax; it must match the whole value)"

OPERATORS: Mapping[str, Operator] = {
    op.name: op
    for op in (
        Operator(
            "eq",
            "equal to the value (deep equality; case-sensitive; `true` never equals `1`)",
            ANY,
            ("any",),
            "{}",
            same,
            "{key: IsMultiRegionTrail, op: eq, value: true}",
            value_types=("size",),
        ),
        Operator(
            "ne",
            "not equal to the value; an absent field is not equal to anything but `null`",
            ANY,
            ("any",),
            "not {}",
            lambda observed, expected: not same(observed, expected),
            "{key: Status.lastStatus, op: ne, value: FAILURE}",
            value_types=("size",),
        ),
        Operator(
            "gt",
            "greater than the number",
            NUMBER,
            ("number",),
            "> {}",
            _ordering(gt),
            "{key: retentionInDays, op: gt, value: 90}",
            value_types=_NUMERIC_TYPES,
        ),
        Operator(
            "ge",
            "greater than or equal to the number",
            NUMBER,
            ("number",),
            ">= {}",
            _ordering(ge),
            "{key: retentionInDays, op: ge, param: log_retention_days}",
            value_types=_NUMERIC_TYPES,
        ),
        Operator(
            "lt",
            "less than the number",
            NUMBER,
            ("number",),
            "< {}",
            _ordering(lt),
            "{key: Status.LatestDeliveryTime, value_type: age, op: lt, value: 2}",
            value_types=_NUMERIC_TYPES,
        ),
        Operator(
            "le",
            "less than or equal to the number",
            NUMBER,
            ("number",),
            "<= {}",
            _ordering(le),
            "{key: LogLifecycle.ArchiveAfterDays, op: le, param: archive_after_days}",
            value_types=_NUMERIC_TYPES,
        ),
        Operator(
            "in",
            "one of the items of the list",
            LIST,
            ("any",),
            "one of {}",
            lambda observed, expected: any(same(observed, item) for item in expected),
            '{key: DefaultSSEAlgorithm, op: in, value: ["aws:kms", "aws:kms:dsse"]}',
        ),
        Operator(
            "not-in",
            "none of the items of the list; an absent field is none of them",
            LIST,
            ("any",),
            "none of {}",
            lambda observed, expected: not any(same(observed, item) for item in expected),
            "{key: EnforcementMode, op: not-in, value: [DoNotEnforce]}",
        ),
        Operator(
            "contains",
            "the observed list has the value as an item, or the observed string has it as a "
            "substring",
            ANY,
            ("list", "string"),
            "to contain {}",
            _contains,
            "{key: EnabledCategories, op: contains, value: Administrative}",
        ),
        Operator(
            "glob",
            "the observed string matches the shell-style pattern as a whole (`*`, `?`, "
            "`[...]`), case-sensitive",
            STRING,
            ("string",),
            "to match glob {}",
            lambda observed, expected: (
                isinstance(observed, str) and fnmatchcase(observed, expected)
            ),
            '{key: S3BucketName, op: glob, value: "org-trail-*"}',
        ),
        Operator(
            "regex",
            "the observed string matches the Python regular expression as a whole (`re.fullmatch`)",
            STRING,
            ("string",),
            "to match regex {}",
            lambda observed, pattern: (
                isinstance(observed, str) and pattern.fullmatch(observed) is not None
            ),
            '{key: Name, op: regex, value: "org-trail-[0-9]+"}',
            prepare=re.compile,
            prepare_fix=_REGEX_FIX,
        ),
    )
}
ORDERING = tuple(name for name, op in OPERATORS.items() if op.value is NUMBER)


@dataclass(frozen=True)
class ValueType:
    """A ``value_type``: what is measured from the observed value before the comparison."""

    name: str
    summary: str  # for the reference
    unit: str  # of the number compared: "a number of days"
    example: str

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators it combines with, in table order."""
        return tuple(name for name, op in OPERATORS.items() if self.name in op.value_types)


VALUE_TYPES: Mapping[str, ValueType] = {
    vt.name: vt
    for vt in (
        ValueType(
            "age",
            "the observed value is an ISO-8601 timestamp (a naive one is UTC); its age in days "
            "(a fraction) is compared; an absent or unparsable timestamp fails",
            "days",
            "{key: Status.LatestDeliveryTime, value_type: age, op: le, value: 1}",
        ),
        ValueType(
            "size",
            "the length of the observed list, string or mapping is compared (absent counts "
            "as 0; a number or boolean has no size and fails)",
            "items or characters",
            "{key: Destinations, value_type: size, op: ge, value: 1}",
        ),
    )
}
