"""Which audit log types a sink exports completely: its filter and exclusions, per type.

For each audit log type (activity, data_access, system_event, policy) a query is evaluated in
three-valued (Kleene) logic over every entry of that type written below the sink: TRUE when it
admits every such entry, FALSE when it admits none, UNKNOWN when the answer depends on anything
else. Decided exactly: ``logName`` with ``:``, ``=``, ``!=``, ``:*`` and simple regular
expressions (:mod:`log_names`), ``log_id(...)``, and ``protoPayload."@type"`` (every audit log
entry carries a ``google.cloud.audit.AuditLog`` payload). UNKNOWN: a term on any other field, a
log name of some projects only, a value whose reading is not documented (a log id with ``/``
where log names hold ``%2F``, or with other letter case in ``log_id``), other functions, global
restrictions. A sink exports a type when ``filter AND NOT exclusion ...`` (its enabled
exclusions) is TRUE; a filter that does not parse exports nothing for certain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from logwarden.scanner.collectors.gcp import log_names
from logwarden.scanner.collectors.gcp.log_names import AUDIT_LOG_TYPES, AUDIT_SERVICE, Tri
from logwarden.scanner.collectors.gcp.logging_query import (
    And,
    Call,
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

AUDIT_PAYLOAD = "type.googleapis.com/google.cloud.audit.AuditLog"
SHOWN = 80  # characters of a term quoted in a reason


@dataclass(frozen=True)
class Verdict:
    """A truth value and, when it is not TRUE, the terms that make it so (with why)."""

    value: Tri
    causes: tuple[str, ...] = ()


TRUE = Verdict(Tri.TRUE)


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene AND: FALSE if any is FALSE, else UNKNOWN if any is, else TRUE."""
    found = list(verdicts)
    for value in (Tri.FALSE, Tri.UNKNOWN):
        if any(v.value is value for v in found):
            causes = [c for v in found if v.value is value for c in v.causes]
            return Verdict(value, tuple(dict.fromkeys(causes)))
    return TRUE


def any_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene OR: TRUE if any is TRUE, else UNKNOWN if any is, else FALSE."""
    found = list(verdicts)
    if any(v.value is Tri.TRUE for v in found):
        return TRUE
    value = Tri.UNKNOWN if any(v.value is Tri.UNKNOWN for v in found) else Tri.FALSE
    causes = [c for v in found if v.value is value for c in v.causes]
    return Verdict(value, tuple(dict.fromkeys(causes)))


def negation(verdict: Verdict, cause: str) -> Verdict:
    """Kleene NOT; ``cause`` explains a FALSE that comes from negating a TRUE."""
    if verdict.value is Tri.TRUE:
        return Verdict(Tri.FALSE, (cause,))
    return TRUE if verdict.value is Tri.FALSE else verdict


def quoted(text: str) -> str:
    """A term as a reason quotes it: on one line, shortened."""
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


@dataclass(frozen=True)
class _Scope:
    log_type: str
    kinds: tuple[str, ...]
    source: str

    def term(self, node: Expr) -> str:
        return quoted(source_of(self.source, node))

    def leaf(self, node: Expr, value: Tri, why: str = "") -> Verdict:
        """A verdict on one term; FALSE and UNKNOWN say which term and why."""
        if value is Tri.TRUE:
            return TRUE
        why = why or "matches none of them"
        return Verdict(value, (f"{self.term(node)} ({why})",))


def evaluate(
    tree: Expr, log_type: str, source: str, kinds: Sequence[str] = log_names.PARENT_KINDS
) -> Verdict:
    """Whether the query ``tree`` (parsed from ``source``) admits every (TRUE), no (FALSE)
    entry of ``log_type`` from parents of ``kinds``, or cannot be decided (UNKNOWN)."""
    scope = _Scope(log_type, tuple(kinds), source)
    return _combine(tree, scope.term, lambda node: _term(node, scope))


def _combine(
    node: Expr, term_of: Callable[[Expr], str], leaf: Callable[[Expr], Verdict]
) -> Verdict:
    """Kleene logic over And/Or/Not down to the leaves (terms, or the values of one term)."""
    if isinstance(node, And):
        return all_of(_combine(item, term_of, leaf) for item in node.items)
    if isinstance(node, Or):
        return any_of(_combine(item, term_of, leaf) for item in node.items)
    if isinstance(node, Not):
        inner = _combine(node.item, term_of, leaf)
        return negation(inner, f"{term_of(node)} (excludes them)")
    return leaf(node)


def _term(node: Expr, scope: _Scope) -> Verdict:
    if isinstance(node, Comparison):
        return _comparison(node, scope)
    if isinstance(node, Restriction) and isinstance(node.value, Call):
        return _function(node, node.value, scope)
    return scope.leaf(node, Tri.UNKNOWN, "a global restriction: a value searched in every field")


def _comparison(node: Comparison, scope: _Scope) -> Verdict:
    if isinstance(node.left, Call):
        return scope.leaf(node, Tri.UNKNOWN, f"function {node.left.name}() is not decided")
    path = tuple(part.casefold() for part in node.left.path)
    if path == ("logname",):
        decide = _log_name
    elif path == ("protopayload", "@type"):
        decide = _payload_type
    else:
        return scope.leaf(node, Tri.UNKNOWN, f"a term on {'.'.join(node.left.path)}")

    def leaf(value: Expr) -> Verdict:
        if not isinstance(value, Value):
            return scope.leaf(node, Tri.UNKNOWN, "a value logwarden does not decide")
        result, why = decide(node.op, value, scope)
        return scope.leaf(node, result, why)

    whole = scope.term(node)
    return _combine(node.right, lambda _: whole, leaf)


def _log_name(op: str, value: Value, scope: _Scope) -> tuple[Tri, str]:
    if value.kind == "any":
        return Tri.TRUE, ""
    if op in (":", "=", "!="):
        text = value.text.casefold()
        readings = {text, text.replace(f"{AUDIT_SERVICE}/", f"{AUDIT_SERVICE}%2f")}
        found = {
            log_names.coverage(
                log_names.literal(reading, whole=op != ":"),
                scope.log_type,
                scope.kinds,
                fold=True,
            )
            for reading in readings
        }
        if len(found) > 1:
            return Tri.UNKNOWN, (
                "the log id is written with '/' where log names hold '%2F'; "
                "whether Cloud Logging matches it is not documented"
            )
        result = found.pop()
    elif op in ("=~", "!~"):
        alternatives = log_names.regex(value.text)
        if alternatives is None:
            return Tri.UNKNOWN, "a regular expression logwarden does not decide"
        coverages = [
            log_names.coverage(p, scope.log_type, scope.kinds, fold=False) for p in alternatives
        ]
        result = any_of(Verdict(c) for c in coverages).value
    else:
        return Tri.UNKNOWN, f"an ordering comparison ({op}) on logName"
    if op in ("!=", "!~"):
        result = negation(Verdict(result), "").value
    if result is Tri.UNKNOWN:
        return result, "matches the log names of some projects, folders or organizations only"
    return result, "excludes them" if op in ("!=", "!~") else ""


def _payload_type(op: str, value: Value, scope: _Scope) -> tuple[Tri, str]:
    if value.kind == "any":
        return Tri.TRUE, ""
    if op not in (":", "=", "!="):
        return Tri.UNKNOWN, f"{op} on protoPayload.@type is not decided"
    text, payload = value.text.casefold(), AUDIT_PAYLOAD.casefold()
    hit = text in payload if op == ":" else text == payload
    if op == "!=":
        hit = not hit
    why = f"every audit log entry has protoPayload.@type {AUDIT_PAYLOAD}"
    return (Tri.TRUE, "") if hit else (Tri.FALSE, why)


def _function(node: Restriction, call: Call, scope: _Scope) -> Verdict:
    if call.name.casefold() != "log_id":
        return scope.leaf(node, Tri.UNKNOWN, f"function {call.name}() is not decided")
    arg = call.args[0] if len(call.args) == 1 else None
    if not isinstance(arg, Value) or arg.kind == "any":
        return scope.leaf(node, Tri.UNKNOWN, "log_id() with an argument logwarden does not read")
    wanted = f"{AUDIT_SERVICE}/{scope.log_type}"
    readings = {arg.text, unquote(arg.text)}
    found = {r == wanted for r in readings} | {r.casefold() == wanted for r in readings}
    if len(found) > 1:
        why = "differs from the log id in letter case or URL-encoding only; not documented"
        return scope.leaf(node, Tri.UNKNOWN, why)
    return scope.leaf(node, Tri.TRUE if found.pop() else Tri.FALSE)


def kinds_below(parent: str) -> tuple[str, ...]:
    """The parents whose logs a sink at ``parent`` (``organizations/N``, ``folders/N``,
    ``projects/P``) routes when it includes its children."""
    kinds = log_names.PARENT_KINDS
    for index, kind in enumerate(kinds):
        if parent.startswith(f"{kind}/"):
            return kinds[index:]
    return kinds


def sink_verdicts(
    sink_filter: str, exclusions: Sequence[Mapping[str, Any]], kinds: Sequence[str]
) -> dict[str, Verdict]:
    """Per audit log type, whether the sink exports every entry: ``filter AND NOT exclusion``
    for each enabled exclusion."""
    parts: list[tuple[str, str, Expr | ParseError]] = [("", sink_filter, parse(sink_filter))]
    for exclusion in exclusions:
        if exclusion.get("disabled") is not True:
            text = str(exclusion.get("filter") or "")
            parts.append((str(exclusion.get("name") or "?"), text, parse(text)))
    out = {}
    for log_type in AUDIT_LOG_TYPES:
        verdicts = []
        for name, text, tree in parts:
            label = f"exclusion {name}" if name else "the filter"
            if isinstance(tree, ParseError):
                verdict = Verdict(Tri.UNKNOWN, (f"{label} does not parse: {tree}",))
            else:
                verdict = evaluate(tree, log_type, text, kinds)
                if name:
                    causes = tuple(f"{label}: {cause}" for cause in verdict.causes)
                    verdict = Verdict(verdict.value, causes)
            if name:
                verdict = negation(verdict, f"{label} ({quoted(text) or 'empty'}) drops them")
            verdicts.append(verdict)
        out[log_type] = all_of(verdicts)
    return out


def names_audit_logs(tree: Expr, negated: bool = False) -> bool:
    """Whether a query selects audit logs by name in a term that is not negated (a
    log name, log id or payload type that mentions them)."""
    if isinstance(tree, And | Or):
        return any(names_audit_logs(item, negated) for item in tree.items)
    if isinstance(tree, Not):
        return names_audit_logs(tree.item, not negated)
    if isinstance(tree, Comparison):
        flip = tree.op in ("!=", "!~")
        return isinstance(tree.left, Field) and names_audit_logs(tree.right, negated ^ flip)
    if isinstance(tree, Restriction):
        return names_audit_logs(tree.value, negated)
    if isinstance(tree, Call):
        return tree.name.casefold() == "log_id" and any(
            names_audit_logs(a, negated) for a in tree.args
        )
    text = tree.text.casefold() if isinstance(tree, Value) else ""
    return not negated and (AUDIT_SERVICE in text or "google.cloud.audit.auditlog" in text)
