"""Character scanner for CloudWatch Logs JSON filter patterns (grammar in :mod:`filter_pattern`).

The language is context-sensitive: an unquoted value may hold spaces and dots
(``Failed authentication``, ``delivery.logs.amazonaws.com``), so the parser asks for what it
expects next (a selector, an operator, a value, a keyword) instead of reading a token stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 1024  # PutMetricFilter's limit on filterPattern
OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_INDEX = re.compile(r"\[(\d+)\]")
_KEYWORD = re.compile(r"[A-Z]+")
# An unquoted value ends at a parenthesis, an && / ||, the closing brace or the end; these
# characters inside one mean a missing quote or operator.
_UNQUOTED_FORBIDDEN = frozenset('$=<>!"{%')


class Fail(Exception):
    """A syntax error inside the parser; :func:`filter_pattern.parse` turns it into a value."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class RawValue:
    """A value as written: ``kind`` is ``quoted`` (escapes decoded), ``unquoted`` (trimmed) or
    ``regex`` (the text between the ``%`` signs)."""

    text: str
    kind: str
    position: int


class Scanner:
    """A cursor over the pattern text with one reader per kind of thing the grammar expects."""

    def __init__(self, text: str, start: int = 0) -> None:
        self.text = text
        self.pos = start

    def skip_space(self) -> None:
        """Move past whitespace."""
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, literal: str) -> bool:
        """Whether ``literal`` comes next (after whitespace)."""
        self.skip_space()
        return self.text.startswith(literal, self.pos)

    def take(self, literal: str) -> bool:
        """Consume ``literal`` if it comes next."""
        if self.peek(literal):
            self.pos += len(literal)
            return True
        return False

    def at_end(self) -> bool:
        """Whether only whitespace is left."""
        self.skip_space()
        return self.pos >= len(self.text)

    def describe_next(self) -> str:
        """A short quote of what comes next, for error messages."""
        self.skip_space()
        rest = self.text[self.pos : self.pos + 12]
        return repr(rest) if rest else "the end of the pattern"

    def selector(self) -> tuple[str | int, ...]:
        """``$.name``, ``$.a.b``, ``$.list[0].id``: the path after ``$`` (names and indexes)."""
        self.skip_space()
        start = self.pos
        if not self.text.startswith("$", self.pos):
            raise Fail(
                f"expected a property selector such as $.eventName, found {self.describe_next()}",
                start,
            )
        self.pos += 1
        path: list[str | int] = []
        while True:
            if self.text.startswith(".", self.pos):
                name = _NAME.match(self.text, self.pos + 1)
                if not name:
                    raise Fail(
                        "a '.' in a selector must be followed by a property name", self.pos + 1
                    )
                path.append(name.group())
                self.pos = name.end()
            elif index := _INDEX.match(self.text, self.pos):
                if not path:
                    raise Fail("an array index must follow a property name", self.pos)
                path.append(int(index.group(1)))
                self.pos = index.end()
            else:
                break
        if not path:
            raise Fail("a selector needs a property after '$', such as $.eventName", start)
        return tuple(path)

    def operator(self) -> str | None:
        """One of ``OPERATORS`` if it comes next."""
        self.skip_space()
        for op in OPERATORS:
            if self.text.startswith(op, self.pos):
                if op == "=" and self.text.startswith("==", self.pos):
                    raise Fail("'==' is not an operator of filter patterns; use '='", self.pos)
                self.pos += len(op)
                return op
        return None

    def keyword(self) -> tuple[str, int] | None:
        """An upper-case word (IS, NOT, TRUE, ...) and its position, if one comes next."""
        self.skip_space()
        word = _KEYWORD.match(self.text, self.pos)
        if not word or (word.end() < len(self.text) and self.text[word.end()].isalnum()):
            return None
        self.pos = word.end()
        return word.group(), word.start()

    def value(self) -> RawValue:
        """A quoted string, a ``%regex%`` or an unquoted value (which may contain spaces)."""
        self.skip_space()
        start = self.pos
        if start >= len(self.text):
            raise Fail("expected a value after the operator", start)
        first = self.text[start]
        if first == '"':
            return self._quoted(start)
        if first == "%":
            end = self.text.find("%", start + 1)
            if end == -1:
                raise Fail("regular expression not closed with '%'", start)
            self.pos = end + 1
            return RawValue(self.text[start + 1 : end], "regex", start)
        end = start
        while end < len(self.text):
            if self.text[end] in "()}" or self.text.startswith(("&&", "||"), end):
                break
            if self.text[end] in _UNQUOTED_FORBIDDEN:
                raise Fail(
                    f"unexpected {self.text[end]!r} in an unquoted value; quote the value", end
                )
            end += 1
        raw = self.text[start:end].strip()
        if not raw:
            raise Fail("expected a value after the operator", start)
        self.pos = end
        return RawValue(raw, "unquoted", start)

    def _quoted(self, start: int) -> RawValue:
        out: list[str] = []
        i = start + 1
        while i < len(self.text):
            c = self.text[i]
            if c == "\\" and i + 1 < len(self.text):
                out.append(self.text[i + 1])
                i += 2
                continue
            if c == '"':
                self.pos = i + 1
                return RawValue("".join(out), "quoted", start)
            out.append(c)
            i += 1
        raise Fail("string not closed with '\"'", start)
