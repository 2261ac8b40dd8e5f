"""Sets of strings written with '*' wildcards, and the two questions coverage asks of them.

A :class:`Glob` is what one filter value stands for: CloudWatch's ``AccessDenied*``,
EventBridge's ``{"prefix": "Delete"}``, ``{"suffix": ...}``, ``{"wildcard": "a*b"}``,
``{"equals-ignore-case": ...}``. :func:`within` answers "is every string of A in B?" and
:func:`disjoint` "can no string be in both?". Both are sound: they may answer False for sets
that are in fact included / disjoint (only with case-insensitive sets), never True wrongly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_STAR = None  # a token: any run of characters, possibly empty
Token = str | None


@dataclass(frozen=True)
class Glob:
    """Literal ``segments`` joined by '*'. ``("abc",)`` is exactly "abc", ``("a", "")`` is
    "a*", ``("", "")`` every string. ``ignore_case``: also the other casings of those strings."""

    segments: tuple[str, ...]
    ignore_case: bool = False

    @classmethod
    def exact(cls, text: str, ignore_case: bool = False) -> Glob:
        """The set holding just ``text`` (and its other casings when ``ignore_case``)."""
        return cls((text,), ignore_case)

    @classmethod
    def prefix(cls, text: str, ignore_case: bool = False) -> Glob:
        """Every string starting with ``text``."""
        return cls((text, ""), ignore_case)

    @classmethod
    def suffix(cls, text: str, ignore_case: bool = False) -> Glob:
        """Every string ending with ``text``."""
        return cls(("", text), ignore_case)

    def is_everything(self) -> bool:
        """Whether the set holds every string (``*``)."""
        return len(self.segments) > 1 and not any(self.segments)

    def tokens(self, fold: bool) -> tuple[Token, ...]:
        """Characters and stars, lower-cased when ``fold``; runs of stars count once."""
        out: list[Token] = []
        for index, segment in enumerate(self.segments):
            if index and out[-1:] != [_STAR]:
                out.append(_STAR)
            out.extend(segment.lower() if fold else segment)
        return tuple(out)

    def __str__(self) -> str:
        shown = "*".join(s.replace("*", "\\*") for s in self.segments)
        return json.dumps(shown) + (" (ignoring case)" if self.ignore_case else "")


def within(inner: Glob, outer: Glob) -> bool:
    """Whether every string of ``inner`` is in ``outer``.

    ``outer``'s stars may swallow any run of ``inner``'s characters and stars; its characters must
    meet the same characters. A case-insensitive ``inner`` fits only in an ``outer`` holding every
    string (other casings of ``inner``'s letters would be needed otherwise).
    """
    if inner.ignore_case and not outer.ignore_case:
        return outer.is_everything()
    fold = outer.ignore_case
    small, big = inner.tokens(fold), outer.tokens(fold)
    # fits[j]: big[i:] covers small[j:], for the current i, computed from the end.
    fits = [j == len(small) for j in range(len(small) + 1)]
    for i in range(len(big) - 1, -1, -1):
        row = [False] * (len(small) + 1)
        for j in range(len(small), -1, -1):
            if big[i] is _STAR:
                row[j] = fits[j] or (j < len(small) and row[j + 1])
            else:
                row[j] = j < len(small) and small[j] == big[i] and fits[j + 1]
        fits = row
    return fits[0]


def disjoint(first: Glob, second: Glob) -> bool:
    """Whether no string is in both sets (compared lower-cased when either ignores case)."""
    fold = first.ignore_case or second.ignore_case
    a, b = first.tokens(fold), second.tokens(fold)
    # meet[j]: a[i:] and b[j:] share a string, for the current i, computed from the end.
    meet = [all(t is _STAR for t in b[j:]) for j in range(len(b) + 1)]
    for i in range(len(a) - 1, -1, -1):
        row = [False] * (len(b) + 1)
        for j in range(len(b), -1, -1):
            if a[i] is _STAR:
                row[j] = meet[j] or (j < len(b) and row[j + 1])
            elif j < len(b) and b[j] is _STAR:
                row[j] = row[j + 1] or meet[j]
            else:
                row[j] = j < len(b) and a[i] == b[j] and meet[j + 1]
        meet = row
    return not meet[0]
