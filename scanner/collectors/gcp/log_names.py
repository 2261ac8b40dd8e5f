"""Whether a string test on ``logName`` holds for every, no, or some audit log entry of a type.

An audit log entry of type T written by a project, folder or organization below a sink has the
log name ``KIND/ID/logs/cloudaudit.googleapis.com%2FT``: KIND is ``projects``, ``folders`` or
``organizations``; ID is a folder or organization number, or a project id (lower-case letters,
digits and ``-``; a legacy domain-scoped id adds ``.`` and ``:``, as in
``example.com:my-project``) or number. The log id is URL-encoded, as Cloud Logging stores it
(its regular-expression examples match ``%2F``). A test is a
:class:`Pattern`: one character set per position, anchored at the start, the end, both
(equality) or neither (``:``, "has").

The answers are exact where they commit: TRUE (every name matches) only when the match lies in
the fixed parts of the name whatever ID is, FALSE (none does) only when no ID at all can make it
match; anything else is UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

AUDIT_SERVICE = "cloudaudit.googleapis.com"
AUDIT_LOG_TYPES = ("activity", "data_access", "system_event", "policy")
PARENT_KINDS = ("organizations", "folders", "projects")
_DIGITS = frozenset("0123456789")
ID_CHARACTERS = {
    "organizations": _DIGITS,
    "folders": _DIGITS,
    "projects": _DIGITS | frozenset("abcdefghijklmnopqrstuvwxyz-.:"),
}

Atom = frozenset[str] | None  # the characters one position accepts; None: any character


class Tri(Enum):
    """A Kleene truth value; of a test over many names: TRUE it matches every one, FALSE none,
    UNKNOWN some (or it cannot be told)."""

    TRUE = "TRUE"
    FALSE = "FALSE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Pattern:
    """A string test: ``atoms`` must match consecutive characters of the name."""

    atoms: tuple[Atom, ...]
    at_start: bool = False
    at_end: bool = False


def literal(text: str, *, whole: bool) -> Pattern:
    """``text`` as a substring (``whole=False``) or as the whole name."""
    return Pattern(tuple(frozenset(char) for char in text), whole, whole)


def regex(pattern: str) -> tuple[Pattern, ...] | None:
    """The alternatives of an RE2 pattern made of literal characters, ``\\``-escaped
    punctuation, ``.``, ``^``/``$`` at the ends and top-level ``|``; ``None`` for anything
    else (classes, groups, repetition, flags), which logwarden does not decide."""
    items: list[str | Atom] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if not escaped or escaped.isalnum():
                return None
            items.append(frozenset(escaped))
            index += 2
            continue
        if char in "*+?()[]{}":
            return None
        items.append(None if char == "." else char if char in "^$|" else frozenset(char))
        index += 1
    alternatives: list[list[str | Atom]] = [[]]
    for item in items:
        if item == "|":
            alternatives.append([])
        else:
            alternatives[-1].append(item)
    out = []
    for alternative in alternatives:
        at_start = alternative[:1] == ["^"]
        at_end = alternative[-1:] == ["$"] and len(alternative) > int(at_start)
        body = alternative[int(at_start) : len(alternative) - int(at_end)]
        atoms = [a for a in body if not isinstance(a, str)]
        if len(atoms) != len(body):  # '^' or '$' inside the pattern
            return None
        out.append(Pattern(tuple(atoms), at_start, at_end))
    return tuple(out)


def coverage(
    pattern: Pattern, log_type: str, kinds: Iterable[str] = PARENT_KINDS, *, fold: bool
) -> Tri:
    """Whether every (TRUE), no (FALSE) or some (UNKNOWN) audit log name of ``log_type`` under parents of ``kinds`` ``pattern`` matches
    (``fold``: compare case-insensitively; the pattern is then already case-folded)."""
    found = set()
    for kind in kinds:
        head, tail = f"{kind}/", f"/logs/{AUDIT_SERVICE}%2F{log_type}"
        if fold:
            head, tail = head.casefold(), tail.casefold()
        if _inside(pattern, head, first=True) or _inside(pattern, tail, first=False):
            found.add(Tri.TRUE)
        else:
            possible = _possible(pattern, head, tail, ID_CHARACTERS[kind])
            found.add(Tri.UNKNOWN if possible else Tri.FALSE)
    return found.pop() if len(found) == 1 else Tri.UNKNOWN


def _fits(atoms: tuple[Atom, ...], text: str, pos: int) -> bool:
    if pos < 0 or pos + len(atoms) > len(text):
        return False
    return all(atom is None or text[pos + k] in atom for k, atom in enumerate(atoms))


def _inside(pattern: Pattern, text: str, *, first: bool) -> bool:
    """Whether the pattern matches within ``text``, the first (``head``) or last (``tail``)
    fixed part of every name."""
    size = len(pattern.atoms)
    if (pattern.at_start and not first) or (pattern.at_end and first):
        return False
    if pattern.at_start:
        starts: Iterable[int] = (0,)
    elif pattern.at_end:
        starts = (len(text) - size,)
    else:
        starts = range(len(text) - size + 1)
    return any(_fits(pattern.atoms, text, pos) for pos in starts)


def _possible(pattern: Pattern, head: str, tail: str, id_characters: frozenset[str]) -> bool:
    """Whether some ID (one or more of ``id_characters``) makes the pattern match
    ``head + ID + tail``: the atoms split into a suffix of head, a run inside ID, a prefix of
    tail."""
    atoms, size = pattern.atoms, len(pattern.atoms)
    for i in range(size + 1):
        if (i and not _fits(atoms[:i], head, len(head) - i)) or (
            pattern.at_start and i != len(head)
        ):
            continue
        for j in range(i, size + 1):
            rest = size - j
            if (rest and not _fits(atoms[j:], tail, 0)) or (pattern.at_end and rest != len(tail)):
                continue
            middle = atoms[i:j]
            if not middle and (not i or rest):  # ID is never empty
                continue
            if all(atom is None or atom & id_characters for atom in middle):
                return True
    return False
