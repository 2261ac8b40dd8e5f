"""Conditions on one JSON event, and when one condition guarantees another.

CloudWatch Logs filter patterns and EventBridge event patterns both reduce to and/or trees
(:class:`AllOf`, :class:`AnyOf`) of atoms, each a test on one field: :class:`Match` (the value
is, or is not, in a set of strings), :class:`Number`, :class:`Presence`, :class:`Flag` (true,
false, null) and :class:`Opaque` (a construct logwarden does not reason about: regular
expressions, a '*' inside a CloudWatch value, EventBridge numeric ranges and CIDR blocks).

:func:`implies` decides, soundly, whether an event passing atom C always passes atom F. What it
relies on, from AWS's documentation:

- CloudWatch: "The SELECTOR must point to a value node (string or number) ... If it points to an
  array or object, the filter will not be applied", for ``=`` and ``!=`` alike. So
  ``$.f != "x"`` holds only for an event whose ``f`` holds a value other than "x"; an event
  without ``f`` does not pass it. Only a leading or trailing '*' is a wildcard ("Ev*ent will only
  match the actual string Ev*ent"); a value with '*' inside is opaque, since the older and newer
  pages differ.
- EventBridge: ``anything-but`` and ``exists: true`` need the field; whether ``anything-but``
  passes an event without the field is not relied on (an EventBridge negation is implied only
  by a condition that guarantees the field holds a value).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from logwarden.checks.aws.filter_pattern import Comparison, Junction, Node
from logwarden.checks.aws.string_sets import Glob, disjoint, within

Path = tuple[str | int, ...]
ENVELOPE = "@event"  # first step of the path of an EventBridge envelope field (source, ...)


@dataclass(frozen=True)
class Match:
    """The field holds a string in ``glob`` (``negated``: holds a value not in it).

    ``dialect`` is ``logs`` (CloudWatch: a negation needs the field to hold a value) or
    ``events`` (EventBridge)."""

    path: Path
    glob: Glob
    negated: bool = False
    dialect: str = "logs"


@dataclass(frozen=True)
class Number:
    """The field holds a number ``op`` ``value`` (``op`` one of ``= != < > <= >=``)."""

    path: Path
    op: str
    value: Decimal
    dialect: str = "logs"


@dataclass(frozen=True)
class Presence:
    """The field exists (``present``) or does not."""

    path: Path
    present: bool
    dialect: str = "logs"


@dataclass(frozen=True)
class Flag:
    """The field holds ``true``, ``false`` or ``null``."""

    path: Path
    value: str
    dialect: str = "logs"


@dataclass(frozen=True)
class Opaque:
    """A test logwarden does not reason about; ``text`` shows it as written."""

    path: Path
    text: str
    dialect: str = "logs"


Atom = Match | Number | Presence | Flag | Opaque


@dataclass(frozen=True)
class AllOf:
    """Every item holds."""

    items: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Cond, ...]


Cond = Atom | AllOf | AnyOf


def implies(given: Atom, wanted: Atom) -> bool:
    """Whether every event passing ``given`` passes ``wanted`` (False when not sure)."""
    if given.path != wanted.path:
        return False
    if given == wanted:
        return True
    if isinstance(wanted, Presence):
        if wanted.present:
            return _holds_value(given)
        return isinstance(given, Presence) and not given.present
    if isinstance(wanted, Flag):
        return isinstance(given, Flag) and given.value == wanted.value
    if isinstance(wanted, Match) and isinstance(given, Match):
        if not wanted.negated:
            if given.negated:
                return _holds_value(given) and wanted.glob.is_everything()
            return within(given.glob, wanted.glob)
        if not given.negated:
            return disjoint(given.glob, wanted.glob)
        same_absence = given.dialect == wanted.dialect or _holds_value(given)
        return same_absence and within(wanted.glob, given.glob)
    if isinstance(wanted, Number) and isinstance(given, Number):
        return given.dialect == wanted.dialect and _number_implies(given, wanted)
    return False


def _holds_value(atom: Atom) -> bool:
    """Whether an event passing ``atom`` has the field, holding a value."""
    if isinstance(atom, Match):
        return not atom.negated or atom.dialect == "logs"
    if isinstance(atom, Flag):
        return atom.value != "null"
    return isinstance(atom, Number) or (isinstance(atom, Presence) and atom.present)


def _number_implies(given: Number, wanted: Number) -> bool:
    a, b = given.value, wanted.value
    if wanted.op == "!=":
        inside = {"=": a == b, "!=": a != b, "<": b < a, "<=": b <= a, ">": b > a, ">=": b >= a}
        return not inside[given.op]
    if wanted.op == "=":
        return given.op == "=" and a == b
    bounds = {
        "<": {"=": a < b, "<": a <= b, "<=": a < b},
        "<=": {"=": a <= b, "<": a <= b, "<=": a <= b},
        ">": {"=": a > b, ">": a >= b, ">=": a > b},
        ">=": {"=": a >= b, ">": a >= b, ">=": a >= b},
    }
    return bounds[wanted.op].get(given.op, False)


def logs_glob(value: str) -> Glob | None:
    """What a CloudWatch string value stands for; None when a '*' sits inside it."""
    core = value.strip("*")
    if "*" in core:
        return None
    if not core and value:
        return Glob(("", ""))
    return Glob(("",) * value.startswith("*") + (core,) + ("",) * value.endswith("*"))


def from_filter(node: Node) -> Cond:
    """The condition a parsed CloudWatch JSON filter pattern states."""
    if isinstance(node, Junction):
        items = tuple(from_filter(item) for item in node.items)
        return AllOf(items) if node.op == "&&" else AnyOf(items)
    return _comparison(node)


def _comparison(node: Comparison) -> Atom:
    path = node.selector
    if node.kind == "test":
        if node.op == "NOT EXISTS":
            return Presence(path, False)
        return Flag(path, node.op.removeprefix("IS ").lower())
    if node.kind == "number":
        return Number(path, node.op, Decimal(node.value))
    shown = f"{path_text(path)} {node.op} "
    if node.kind == "regex":
        return Opaque(path, f"{shown}%{node.value}%")
    glob = logs_glob(node.value)
    if glob is None:
        return Opaque(path, f"{shown}{json.dumps(node.value)} ('*' inside a value)")
    return Match(path, glob, node.op == "!=")


def path_text(path: Path, dialect: str = "logs") -> str:
    """``$.a.b[0]`` for CloudWatch, ``detail.a.b`` for EventBridge, ``source`` for the envelope."""
    if path and path[0] == ENVELOPE:
        return ".".join(str(step) for step in path[1:])
    steps = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return f"detail{steps}" if dialect == "events" else f"${steps}"


def describe(cond: Cond) -> str:
    """A condition written out, CloudWatch-style (``$.eventName = "X" && ...``)."""
    if isinstance(cond, AllOf | AnyOf):
        joiner = " && " if isinstance(cond, AllOf) else " || "
        return joiner.join(
            f"({describe(item)})" if isinstance(item, AllOf | AnyOf) else describe(item)
            for item in cond.items
        )
    field = path_text(cond.path, cond.dialect)
    if isinstance(cond, Match):
        return f"{field} {'!=' if cond.negated else '='} {cond.glob}"
    if isinstance(cond, Number):
        return f"{field} {cond.op} {cond.value}"
    if isinstance(cond, Presence):
        return f"{field} {'EXISTS' if cond.present else 'NOT EXISTS'}"
    if isinstance(cond, Flag):
        return f"{field} IS {cond.value.upper()}"
    return cond.text


def alternatives(cond: Cond, limit: int = 4096) -> tuple[tuple[Atom, ...], ...] | None:
    """The condition as an OR of ANDs of atoms (None past ``limit`` conjunctions)."""
    if isinstance(cond, AnyOf):
        out: list[tuple[Atom, ...]] = []
        for item in cond.items:
            part = alternatives(item, limit)
            if part is None or len(out) + len(part) > limit:
                return None
            out.extend(part)
        return tuple(out)
    if isinstance(cond, AllOf):
        product: tuple[tuple[Atom, ...], ...] = ((),)
        for item in cond.items:
            part = alternatives(item, limit)
            if part is None or len(product) * len(part) > limit:
                return None
            product = tuple(left + right for left in product for right in part)
        return product
    return ((cond,),)


def entailed(cond: Cond, facts: tuple[Atom, ...]) -> tuple[bool, frozenset[Opaque]]:
    """Whether the ``facts`` (an AND of atoms) guarantee ``cond``; when not, the opaque atoms
    that could not be decided on the way."""
    if isinstance(cond, AllOf | AnyOf):
        results = [entailed(item, facts) for item in cond.items]
        ok = all(r[0] for r in results) if isinstance(cond, AllOf) else any(r[0] for r in results)
        if ok:
            return True, frozenset()
        return False, frozenset().union(*(r[1] for r in results if not r[0]))
    ok = any(implies(fact, cond) for fact in facts)
    return ok, frozenset({cond}) if not ok and isinstance(cond, Opaque) else frozenset()
