"""Tokens of the Cloud Logging query language (see :mod:`logging_query` for the grammar).

Strings are double-quoted; ``\\"``, ``\\\\``, ``\\n``, ``\\t``, ``\\r`` and octal ``\\NNN``
escapes are decoded, any other backslash sequence is kept as written (it is meant for a regular
expression). ``--`` outside a string starts a comment to the end of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 20_000  # Google's limit on a query
COMPARATORS = ("=~", "!~", "!=", "<=", ">=", "=", "<", ">", ":")
KEYWORDS = ("AND", "OR", "NOT")
_PUNCTUATION = "()-,.*"
_DELIMITERS = frozenset(' \t\r\n\f\v"()=:<>!~,*\\')
_WORD = re.compile(r'[^\s"()=:<>!~,*.\\]+')
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_OCTAL = re.compile(r"[0-7]{1,3}")


class Fail(Exception):
    """A syntax error inside the parser; :func:`logging_query.parse` turns it into a value."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    """``kind``: ``string``, ``word``, ``number``, ``op`` (a comparator), a keyword (``AND``,
    ``OR``, ``NOT``), a punctuation character, or ``end``. ``text``: the decoded string, or the
    token as written."""

    kind: str
    text: str
    start: int
    end: int


def describe(token: Token) -> str:
    """A token as a parse error names it."""
    return "the end of the query" if token.kind == "end" else repr(token.text)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; raises :class:`Fail`."""
    tokens: list[Token] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif text.startswith("--", pos):
            newline = text.find("\n", pos)
            pos = size if newline < 0 else newline
        elif char == '"':
            value, end = _string(text, pos)
            tokens.append(Token("string", value, pos, end))
            pos = end
        else:
            token = _token(text, pos)
            tokens.append(token)
            pos = token.end
    tokens.append(Token("end", "", size, size))
    return tokens


def _token(text: str, pos: int) -> Token:
    op = next((op for op in COMPARATORS if text.startswith(op, pos)), None)
    if op is not None:
        return Token("op", op, pos, pos + len(op))
    char = text[pos]
    if char in _PUNCTUATION:
        return Token(char, char, pos, pos + 1)
    number = _NUMBER.match(text, pos)
    if number and (number.end() == len(text) or text[number.end()] in _DELIMITERS):
        return Token("number", number.group(), pos, number.end())
    word = _WORD.match(text, pos)
    if word is None:
        raise Fail(f"unexpected {char!r}", pos)
    if char == "+":
        raise Fail("a value starting with '+' must be double-quoted", pos)
    kind = word.group() if word.group() in KEYWORDS else "word"
    return Token(kind, word.group(), pos, word.end())


def _string(text: str, start: int) -> tuple[str, int]:
    """The decoded string that starts with the quote at ``start``, and the offset after it."""
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char != "\\" or pos + 1 == len(text):
            out.append(char)
            pos += 1
            continue
        following = text[pos + 1]
        octal = _OCTAL.match(text, pos + 1)
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            pos += 2
        elif octal:
            out.append(chr(int(octal.group(), 8)))
            pos = octal.end()
        else:
            out.append(char + following)
            pos += 2
    raise Fail("unterminated string: a '\"' is missing", start)
