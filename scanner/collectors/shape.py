"""The fields an API answer must carry, checked before any collector reads it.

Each cloud declares, per API call, the fields its collectors read; :func:`problems` says what
an answer lacks. A field is a dotted path with an optional type:

- ``properties.logs``: the key must be present and not null;
- ``value[].name``: ``value`` must be a list, and the rest of the path applies to each of its
  elements (a lone ``[]`` is the answer itself; an empty list satisfies any path below it: a
  listing with nothing in it is a valid answer);
- ``properties.notScopes?``: a key ending in ``?`` may be absent (or null): the rest of the
  path, and the type, apply only when it is there;
- ``:int``, ``:str``, ``:bool``, ``:list``, ``:object`` after the path: the type of the value
  (a bool is not an int); ``:int64`` is an int or a string of digits, as Google's JSON APIs
  write 64-bit integers.

A step into a key needs an object. Problems are phrased with the concrete location
(``value[1].properties is missing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "str": (str,),
    "bool": (bool,),
    "list": (list,),
    "object": (Mapping,),
    "int64": (int, str),
}


def problems(answer: Any, paths: Iterable[str]) -> list[str]:
    """What ``answer`` lacks of ``paths``, one phrase each; empty when it has every field."""
    out: list[str] = []
    for spec in paths:
        path, _, kind = spec.partition(":")
        if kind and kind not in TYPES:
            raise ValueError(f"unknown type {kind!r} in field {spec!r}; use {sorted(TYPES)}")
        out.extend(_walk(answer, path.split("."), "", kind))
    return out


def summary(found: list[str], most: int = 3) -> str:
    """The first ``most`` problems, and how many more there are."""
    text = "; ".join(found[:most])
    return f"{text} (and {len(found) - most} more)" if len(found) > most else text


def _walk(value: Any, steps: list[str], where: str, kind: str) -> Iterator[str]:
    if not steps:
        if kind and not _is(value, kind):
            yield f"{where or 'the answer'} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
        return
    step, rest = steps[0], steps[1:]
    optional = step.endswith("?")
    step = step.rstrip("?")
    key, each = (step[:-2], True) if step.endswith("[]") else (step, False)
    if key:
        if not isinstance(value, Mapping):
            yield f"{where or 'the answer'} is not an object"
            return
        where = f"{where}.{key}" if where else key
        value = value.get(key)
        if value is None:
            if not optional:
                yield f"{where} is missing"
            return
    if not each:
        yield from _walk(value, rest, where, kind)
        return
    if not isinstance(value, list):
        yield f"{where or 'the answer'} is not a list"
        return
    for index, item in enumerate(value):
        yield from _walk(item, rest, f"{where}[{index}]", kind)


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "bool":
        return False
    if kind == "int64" and isinstance(value, str):
        return value.removeprefix("-").isdigit()
    return isinstance(value, TYPES[kind])
