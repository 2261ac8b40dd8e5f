"""Field-level comparison of normalized resource documents: canonical JSON, its digest, the
differences between two documents as dotted paths, and how a value is shown in drift text.

What never counts as a difference: the order of list items, timestamps (ISO date-times on
both sides) and version tokens (``etag``); a kind's volatile fields are dropped before the
digest (:func:`without`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "(absent)"})()
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(data: Any) -> str:
    """The sha256 of the canonical JSON of ``data`` (hex)."""
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def without(data: Any, paths: Iterable[str]) -> Any:
    """``data`` without the fields at the dotted ``paths`` (a copy; ``data`` is untouched)."""
    for path in paths:
        head, _, rest = path.partition(".")
        if isinstance(data, Mapping) and head in data:
            data = dict(data)
            if rest:
                data[head] = without(data[head], (rest,))
            else:
                del data[head]
    return data


def diff(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Field-level differences as (path, old, new); ABSENT marks an added or removed field.

    List order, timestamps (ISO date-times on both sides) and version tokens (fields named
    ``etag`` or ``...Etag``) are not differences.
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if _is_version_token(key):
                continue
            sub = f"{path}.{key}" if path else str(key)
            yield from diff(old.get(key, ABSENT), new.get(key, ABSENT), sub)
    elif isinstance(old, list) and isinstance(new, list):
        if sorted(map(canonical, old)) == sorted(map(canonical, new)):
            return
        if len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                yield from diff(a, b, f"{path}[{index}]")
        else:
            yield path, old, new
    elif old is ABSENT or new is ABSENT:
        if old is not new:
            yield path, old, new
    elif canonical(old) != canonical(new) and not _both_timestamps(old, new):
        yield path, old, new


def _is_version_token(key: Any) -> bool:
    # An etag changes with every write to the object, also with writes that change nothing
    # the controls look at (a role granted on a folder): the fields that matter show those.
    return str(key).lower().endswith("etag")


def _both_timestamps(a: Any, b: Any) -> bool:
    return all(isinstance(v, str) and _TIMESTAMP.match(v) for v in (a, b))


def show(value: Any) -> str:
    """A value as the drift text shows it: strings bare (the empty one quoted), JSON otherwise."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value or '""'
    return canonical(value)
