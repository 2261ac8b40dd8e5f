"""The fields an API answer must carry, checked before any collector reads it.

Each cloud declares, per API call, the fields its collectors need (``properties.logs``,
``value[].properties``, ``[].destination``); :func:`problems` says which of them an answer
lacks. A path is dotted keys; a key ending in ``[]`` names a list whose every element the rest
of the path applies to (a lone ``[]`` is the answer itself). A field is missing when it is
absent or null; a list must be a list and a step into a key must be an object. An empty list
satisfies any path below it: a listing with nothing in it is a valid answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def problems(answer: Any, paths: Iterable[str]) -> list[str]:
    """What ``answer`` lacks of ``paths``, one phrase each (``value[0].properties is
    missing``); empty when it has every field."""
    out: list[str] = []
    for path in paths:
        out.extend(_walk(answer, path.split("."), ""))
    return out


def summary(found: list[str], most: int = 3) -> str:
    """The first ``most`` problems, and how many more there are."""
    text = "; ".join(found[:most])
    return f"{text} (and {len(found) - most} more)" if len(found) > most else text


def _walk(value: Any, steps: list[str], where: str) -> Iterator[str]:
    if not steps:
        return
    step, rest = steps[0], steps[1:]
    key, each = (step[:-2], True) if step.endswith("[]") else (step, False)
    if key:
        if not isinstance(value, Mapping):
            yield f"{where or 'the answer'} is not an object"
            return
        where = f"{where}.{key}" if where else key
        value = value.get(key)
        if value is None:
            yield f"{where} is missing"
            return
    if not each:
        yield from _walk(value, rest, where)
        return
    if not isinstance(value, list):
        yield f"{where or 'the answer'} is not a list"
        return
    for index, item in enumerate(value):
        yield from _walk(item, rest, f"{where}[{index}]")
