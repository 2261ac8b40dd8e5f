"""EventBridge event patterns, read into the conditions of :mod:`event_conditions`.

Follows "Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event
patterns" and "Comparison operators for use in event patterns"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
.../eb-event-patterns-content-based-filtering.html, .../eb-create-pattern-operators.html):

- A pattern is a JSON object. Keys name event fields, nested objects nested fields; every key
  must match (AND). A leaf is a non-empty array of alternatives, any of which may match (OR).
- An alternative is a string, number, ``true``/``false``/``null`` (exact match), or an object
  with one filter: ``prefix`` / ``suffix`` (a string, or ``{"equals-ignore-case": s}``),
  ``equals-ignore-case``, ``wildcard`` (``*`` any run, ``\\*`` a star), ``anything-but`` (a
  value, a list of values, or ``{prefix|suffix|wildcard|equals-ignore-case: ...}``),
  ``exists``, ``numeric``, ``cidr``.
- ``"$or": [pattern, ...]`` at any level ORs sub-patterns, ANDed with the keys beside it.

``detail`` holds the CloudTrail record: ``detail.eventName`` is the record's ``$.eventName``.
Every other top-level key (``source``, ``detail-type``, ``account``, ``region``, ...) is an
envelope field, on the path ``(ENVELOPE, key)``.

:func:`parse_event_pattern` never raises: a pattern it cannot read is an
:class:`EventPatternError` naming the place, as a JSON path, where it broke.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from logwarden.checks.aws.event_conditions import (
    ENVELOPE,
    AllOf,
    AnyOf,
    Cond,
    Flag,
    Match,
    Number,
    Opaque,
    Path,
    Presence,
)
from logwarden.checks.aws.string_sets import Glob

MAX_LENGTH = 4096  # PutRule's limit on EventPattern
MAX_DEPTH = 32  # nested objects and $or: a bound, not a recursion error
_EB = "events"


@dataclass(frozen=True)
class EventPatternError:
    """Why the event pattern could not be read, and where (a JSON path)."""

    message: str
    where: str

    def __str__(self) -> str:
        return f"{self.message} (at {self.where})"


class _Bad(Exception):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def parse_event_pattern(pattern: str | None) -> Cond | EventPatternError:
    """Read an EventBridge event pattern (JSON text); never raises."""
    if not isinstance(pattern, str):
        return EventPatternError("the rule has no event pattern (a scheduled rule?)", "top")
    if len(pattern) > MAX_LENGTH:
        return EventPatternError(f"an event pattern has at most {MAX_LENGTH} characters", "top")
    try:
        document = json.loads(pattern)
    except RecursionError:
        return EventPatternError(f"nests deeper than {MAX_DEPTH} levels", "top")
    except ValueError as exc:
        where = f"character {exc.pos + 1}" if isinstance(exc, json.JSONDecodeError) else "top"
        return EventPatternError(f"not valid JSON: {exc}", where)
    try:
        if not isinstance(document, dict) or not document:
            raise _Bad("an event pattern must be a non-empty JSON object", "top")
        return _object(document, ())
    except _Bad as bad:
        return EventPatternError(bad.message, bad.where)


def _where(keys: tuple[str, ...]) -> str:
    return ".".join(keys) or "top"


def _all(items: list[Cond]) -> Cond:
    """The AND of ``items``, nested ANDs flattened (nested objects are ANDs of their keys)."""
    flat = [part for item in items for part in (item.items if isinstance(item, AllOf) else (item,))]
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def _object(obj: dict[str, Any], keys: tuple[str, ...], depth: int = 0) -> Cond:
    if depth >= MAX_DEPTH:
        raise _Bad(f"nests deeper than {MAX_DEPTH} levels", _where(keys))
    items: list[Cond] = []
    for key, value in obj.items():
        here = (*keys, key)
        if key == "$or":
            if not isinstance(value, list) or not value:
                raise _Bad('"$or" takes a non-empty array of patterns', _where(here))
            subs = []
            for index, sub in enumerate(value):
                if not isinstance(sub, dict) or not sub:
                    raise _Bad(
                        "each pattern in $or must be a non-empty object", f"{_where(here)}[{index}]"
                    )
                subs.append(_object(sub, keys, depth + 1))
            items.append(AnyOf(tuple(subs)))
        elif isinstance(value, dict) and value:
            items.append(_object(value, here, depth + 1))
        elif isinstance(value, list):
            items.append(_leaf(value, here))
        else:
            raise _Bad("a field must match an array of values or a non-empty object", _where(here))
    return _all(items)


def _path(keys: tuple[str, ...]) -> Path:
    if keys[0] == "detail":
        if len(keys) == 1:
            raise _Bad('"detail" must be an object naming the record fields to match', "detail")
        return keys[1:]
    return (ENVELOPE, *keys)


def _leaf(values: list[Any], keys: tuple[str, ...]) -> Cond:
    if not values:
        raise _Bad("an empty array of values matches nothing", _where(keys))
    path = _path(keys)
    alts = [_alternative(value, path, f"{_where(keys)}[{i}]") for i, value in enumerate(values)]
    return alts[0] if len(alts) == 1 else AnyOf(tuple(alts))


def _alternative(value: Any, path: Path, where: str) -> Cond:
    if isinstance(value, bool) or value is None:
        return Flag(path, json.dumps(value), _EB)
    if isinstance(value, str):
        return Match(path, Glob.exact(value), dialect=_EB)
    if isinstance(value, int | float):
        return Number(path, "=", Decimal(str(value)), _EB)
    if not isinstance(value, dict) or len(value) != 1:
        raise _Bad("a value must be a string, number, boolean, null or a one-key filter", where)
    ((name, arg),) = value.items()
    if name in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        return Match(path, _string_filter(name, arg, where), dialect=_EB)
    if name == "anything-but":
        return _anything_but(arg, path, where)
    if name == "exists":
        if not isinstance(arg, bool):
            raise _Bad('"exists" takes true or false', where)
        return Presence(path, arg, _EB)
    if name in ("numeric", "cidr"):
        return Opaque(path, f"{where}: {json.dumps(value)}", _EB)
    raise _Bad(f"unknown filter {name!r}", where)


def _string_filter(name: str, arg: Any, where: str) -> Glob:
    """The strings a prefix / suffix / equals-ignore-case / wildcard filter accepts."""
    fold = False
    if name in ("prefix", "suffix") and isinstance(arg, dict):
        if list(arg) != ["equals-ignore-case"]:
            raise _Bad(f'"{name}" takes a string or {{"equals-ignore-case": string}}', where)
        arg, fold = arg["equals-ignore-case"], True
    if not isinstance(arg, str):
        raise _Bad(f'"{name}" takes a string', where)
    if name == "prefix":
        return Glob.prefix(arg, fold)
    if name == "suffix":
        return Glob.suffix(arg, fold)
    if name == "equals-ignore-case":
        return Glob.exact(arg, True)
    return _wildcard(arg)


def _wildcard(text: str) -> Glob:
    segments, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            i += 2
            continue
        if text[i] == "*":
            segments.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    return Glob((*segments, "".join(current)))


def _anything_but(arg: Any, path: Path, where: str) -> Cond:
    if isinstance(arg, str):
        return Match(path, Glob.exact(arg), negated=True, dialect=_EB)
    if isinstance(arg, list) and arg and all(isinstance(v, str) for v in arg):
        return _all([Match(path, Glob.exact(v), negated=True, dialect=_EB) for v in arg])
    if isinstance(arg, dict) and len(arg) == 1:
        ((name, inner),) = arg.items()
        if name in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
            values = inner if isinstance(inner, list) and name != "prefix" else [inner]
            globs = [_string_filter(name, v, where) for v in values] if values else []
            if globs:
                return _all([Match(path, g, negated=True, dialect=_EB) for g in globs])
    if isinstance(arg, int | float) or (isinstance(arg, list) and arg):
        return Opaque(path, f'{where}: {{"anything-but": {json.dumps(arg)}}}', _EB)
    raise _Bad('"anything-but" takes a value, a list of values or one string filter', where)
