"""Whether a log-based metric's filter counts every log entry a CIS GCP 2.4-2.11 filter selects.

A metric filter F qualifies for a requirement C when every entry that matches C matches F: F may
be written with other spacing, order or parentheses, or add disjuncts that only widen it, but
must not drop a case of C nor add a condition that C does not imply. Both filters are parsed
(:mod:`logging_query`) and normalised to Boolean formulas over atomic tests: a value list
``f = ("a" OR "b")`` becomes ``f = "a" OR f = "b"``, a quoted and an unquoted word are the same
value, ``-`` is ``NOT``. C is put in disjunctive normal form; under each of its conjunctions K,
F is evaluated in three-valued (Kleene) logic where a test is TRUE when K implies it, FALSE when
K excludes it, UNKNOWN otherwise; an UNKNOWN answer is retried under every truth assignment of
F's undecided tests (up to :data:`MAX_SPLIT` of them). F qualifies when it is TRUE under every K.

What K implies, from Google's reference
(https://cloud.google.com/logging/docs/view/logging-query-language: ``:`` is "has", a
substring test, and string comparisons are not case-sensitive):

- the same test: same field path, operator and value, or the same term written the same way;
- ``f:"w"`` from ``f="v"`` or ``f:"v"`` when w is part of v, ignoring case;
- ``f:*`` (the field is present) from a test that a value of f, or of a field below f, passes;
- on the single-valued fields of :data:`SINGLE_VALUED` only, ``f="v"`` excludes ``f="w"`` and
  ``f:"w"`` when w is not v (not part of v) even ignoring case, and decides ``f!="w"`` as their
  negation. Nothing is excluded on other fields (``bindingDeltas`` is a list).

Everything else (another field, an ordering, a regular expression, a function, a global
restriction other than the same word, a ``NOT`` inside a value list) is UNKNOWN: a filter whose
answer depends on it does not qualify, and the reason names the term.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache

from logwarden.checks.gcp.cis_metric_filters import MetricRequirement
from logwarden.scanner.collectors.gcp.audit_filter import TRUE as CERTAIN
from logwarden.scanner.collectors.gcp.audit_filter import Verdict as Kleene
from logwarden.scanner.collectors.gcp.audit_filter import all_of, any_of, negation, quoted
from logwarden.scanner.collectors.gcp.log_names import Tri
from logwarden.scanner.collectors.gcp.logging_query import (
    And,
    Comparison,
    Expr,
    Field,
    Not,
    Or,
    ParseError,
    Restriction,
    Value,
    parse,
    source_of,
)

SINGLE_VALUED = frozenset(
    {("resource", "type"), ("protoPayload", "methodName"), ("protoPayload", "serviceName")}
)
MAX_SPLIT = 6  # undecided tests tried under every assignment: 2**6 evaluations at most
SHOWN_CASES = 3
SHOWN_CAUSES = 5
NOT_IMPLIED = "not implied by the CIS filter"


@dataclass(frozen=True)
class Verdict:
    """Whether a metric filter qualifies for a requirement, and why (or why not)."""

    ok: bool
    reason: str


@dataclass(frozen=True)
class Term:
    """An atomic test: ``path op value`` when a field is compared with one plain value (kind
    ``text``, ``number`` or ``any`` for ``*``); any other term is kept whole in ``node`` and
    is only known to equal itself. ``written`` is for messages and plays no part in equality."""

    path: tuple[str, ...] = ()
    op: str = ""
    value: str = ""
    kind: str = ""
    node: Expr | None = None
    written: str = field(default="", compare=False)


@dataclass(frozen=True)
class AllOf:
    """Every item holds."""

    items: tuple[Formula, ...]


@dataclass(frozen=True)
class AnyOf:
    """Some item holds."""

    items: tuple[Formula, ...]


@dataclass(frozen=True)
class Negated:
    """The item does not hold (``NOT`` or ``-``, as ``written``)."""

    item: Formula
    written: str = field(default="", compare=False)


Formula = AllOf | AnyOf | Negated | Term
Literal = tuple[Term, bool]  # a test and whether it holds (False: it is negated)
Case = tuple[Literal, ...]  # a conjunction of C's disjunctive normal form


def qualifies(filter_text: str, requirement: MetricRequirement) -> Verdict:
    """Whether every log entry matching the requirement's CIS filter matches ``filter_text``.
    Never raises; a filter that does not parse does not qualify."""
    label = f"CIS {requirement.cis_id} ({requirement.title})"
    tree = parse(filter_text)
    if isinstance(tree, ParseError):
        return Verdict(False, f"the filter does not parse: {tree}")
    formula = normalise(tree, filter_text)
    cases = _cases(requirement)
    misses = [(case, why) for case in cases if (why := _holds(formula, case)).value is not Tri.TRUE]
    if not misses:
        return Verdict(True, f"the filter matches every entry that {label} counts")
    if len(misses) == len(cases):
        which = "any entry"
    else:
        which = "the entries with " + "; ".join(_conjunction(c) for c, _ in misses[:SHOWN_CASES])
        if len(misses) > SHOWN_CASES:
            which += f" (and {len(misses) - SHOWN_CASES} more cases)"
    by_term: dict[str, str] = {}  # one cause per term ("TERM (why)"), an exclusion first
    for _, why in sorted(misses, key=lambda miss: miss[1].value is not Tri.FALSE):
        for cause in why.causes:
            by_term.setdefault(cause.rsplit(" (", 1)[0], cause)
    causes = list(by_term.values())
    if len(causes) > SHOWN_CAUSES:
        causes[SHOWN_CAUSES:] = [f"{len(causes) - SHOWN_CAUSES} more"]
    return Verdict(False, f"may miss {which} that {label} counts: {', '.join(causes)}")


def normalise(tree: Expr, text: str) -> Formula:
    """``tree`` (parsed from ``text``) over atomic tests, value lists expanded."""
    if isinstance(tree, And):
        return AllOf(tuple(normalise(item, text) for item in tree.items))
    if isinstance(tree, Or):
        return AnyOf(tuple(normalise(item, text) for item in tree.items))
    if isinstance(tree, Not):
        return Negated(normalise(tree.item, text), source_of(text, tree))
    written = _written(tree, text)
    if isinstance(tree, Comparison) and isinstance(tree.left, Field):
        expanded = _expanded(tree.left.path, tree.op, tree.right)
        if isinstance(expanded, Term):  # one value: name it as written
            return replace(expanded, written=written)
        if expanded is not None:
            return expanded
    return Term(node=tree, written=written)


def _written(tree: Expr, text: str) -> str:
    """A term as written, without the parentheses around it."""
    if isinstance(tree, Comparison):
        start, end = tree.left.span[0], tree.right.span[1]
    elif isinstance(tree, Restriction):
        start, end = tree.value.span
    else:
        start, end = tree.span
    return " ".join(text[start:end].split())


def _expanded(path: tuple[str, ...], op: str, right: Expr) -> Formula | None:
    """``path op`` applied to each value of ``right``; None when a value is not plain."""
    if isinstance(right, Value):
        kind = "text" if right.kind in ("string", "word") else right.kind
        return Term(path, op, right.text, kind, written=_render(path, op, right))
    if not isinstance(right, And | Or):
        return None
    items = []
    for item in right.items:
        expanded = _expanded(path, op, item)
        if expanded is None:
            return None
        items.append(expanded)
    return AllOf(tuple(items)) if isinstance(right, And) else AnyOf(tuple(items))


def _render(path: tuple[str, ...], op: str, value: Value) -> str:
    name = ".".join(p if p.replace("_", "a").isalnum() else json.dumps(p) for p in path)
    shown = json.dumps(value.text, ensure_ascii=False) if value.kind == "string" else value.text
    return f"{name}{op}{shown}"


@cache
def _cases(requirement: MetricRequirement) -> tuple[Case, ...]:
    """The requirement's filter in disjunctive normal form."""
    tree = parse(requirement.filter)
    if isinstance(tree, ParseError):  # the catalogue's own data: a test guards it
        raise ValueError(f"the CIS {requirement.cis_id} filter does not parse: {tree}")
    return tuple(_dnf(normalise(tree, requirement.filter), True))


def _dnf(formula: Formula, holds: bool) -> list[Case]:
    if isinstance(formula, Negated):
        return _dnf(formula.item, not holds)
    if isinstance(formula, Term):
        return [((formula, holds),)]
    parts = [_dnf(item, holds) for item in formula.items]
    if isinstance(formula, AnyOf) == holds:  # a disjunction (or a negated conjunction)
        return [case for part in parts for case in part]
    return [tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*parts)]


def _conjunction(case: Case) -> str:
    return " AND ".join(t.written if holds else f"NOT {t.written}" for t, holds in case)


def _holds(formula: Formula, case: Case) -> Kleene:
    """Whether ``formula`` holds for every entry of ``case``, with the terms that keep it from
    being certain."""

    def leaf(term: Term) -> Kleene:
        value, why = _decide(term, case)
        return CERTAIN if value is Tri.TRUE else Kleene(value, (f"{quoted(term.written)} ({why})",))

    verdict = _evaluate(formula, leaf)
    if verdict.value is not Tri.UNKNOWN:
        return verdict
    undecided = list(
        dict.fromkeys(t for t in _terms(formula) if _decide(t, case)[0] is Tri.UNKNOWN)
    )
    if len(undecided) > MAX_SPLIT:
        return verdict
    for values in itertools.product((Tri.TRUE, Tri.FALSE), repeat=len(undecided)):
        assumed = _assuming(dict(zip(undecided, values, strict=True)), leaf)
        if _evaluate(formula, assumed).value is not Tri.TRUE:
            return verdict
    return CERTAIN


def _assuming(fixed: dict[Term, Tri], leaf: Callable[[Term], Kleene]) -> Callable[[Term], Kleene]:
    """``leaf``, but with the truth values of ``fixed`` for its terms."""
    return lambda term: Kleene(fixed[term]) if term in fixed else leaf(term)


def _evaluate(formula: Formula, leaf: Callable[[Term], Kleene]) -> Kleene:
    if isinstance(formula, AllOf):
        return all_of(_evaluate(item, leaf) for item in formula.items)
    if isinstance(formula, AnyOf):
        return any_of(_evaluate(item, leaf) for item in formula.items)
    if isinstance(formula, Negated):
        inner = _evaluate(formula.item, leaf)
        if inner.value is Tri.UNKNOWN and isinstance(formula.item, Term):  # name it as written
            return Kleene(Tri.UNKNOWN, (f"{quoted(formula.written)} ({NOT_IMPLIED})",))
        return negation(inner, f"{quoted(formula.written)} (excludes them)")
    return leaf(formula)


def _terms(formula: Formula) -> Iterator[Term]:
    if isinstance(formula, Term):
        yield formula
    elif isinstance(formula, Negated):
        yield from _terms(formula.item)
    else:
        for item in formula.items:
            yield from _terms(item)


def _decide(term: Term, case: Case) -> tuple[Tri, str]:
    """Whether every entry of ``case`` passes ``term`` (TRUE), none does (FALSE), or it
    cannot be told (UNKNOWN)."""
    for known, holds in case:
        if known == term:
            return (Tri.TRUE, "") if holds else (Tri.FALSE, "excludes them")
    found = {_follows(term, known) for known, holds in case if holds}
    if Tri.TRUE in found:
        return Tri.TRUE, ""
    if Tri.FALSE in found:
        return Tri.FALSE, "excludes them"
    return Tri.UNKNOWN, NOT_IMPLIED


def _follows(term: Term, known: Term) -> Tri:
    """What an entry passing ``known`` does with ``term`` (both not identical)."""
    if term.node is not None or known.node is not None or known.op not in ("=", ":"):
        return Tri.UNKNOWN
    if term.op == ":" and term.kind == "any":
        below = known.path[: len(term.path)] == term.path
        return Tri.TRUE if below and (known.kind == "any" or known.value) else Tri.UNKNOWN
    if term.path != known.path or term.kind != "text" or known.kind != "text":
        return Tri.UNKNOWN
    if term.op == ":" and term.value:
        if term.value.casefold() in known.value.casefold():
            return Tri.TRUE
        return Tri.FALSE if known.op == "=" and term.path in SINGLE_VALUED else Tri.UNKNOWN
    if term.op not in ("=", "!=") or known.op != "=" or term.path not in SINGLE_VALUED:
        return Tri.UNKNOWN
    if term.value == known.value:
        same = Tri.TRUE
    elif term.value.casefold() != known.value.casefold():
        same = Tri.FALSE
    else:  # whether '=' ignores case is not spelled out: only a difference beyond case counts
        return Tri.UNKNOWN
    if term.op == "=":
        return same
    return Tri.FALSE if same is Tri.TRUE else Tri.TRUE
