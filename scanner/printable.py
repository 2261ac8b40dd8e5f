"""Text from cloud data made safe to show to a person or a spreadsheet.

Tenant names, tags, resource names and the messages that quote them come from the clouds,
and so from whoever may name an account or tag a bucket. Written as they are, a newline
forges a line of the console summary or a row of a table, an escape sequence drives the
terminal, and a bidirectional override reorders what the reader sees. Every writer for a
person or a spreadsheet (console summary, drift text, progress line, error messages,
Markdown, CSV, SARIF message text) passes such text through :func:`printable`; the JSON
report keeps the raw values.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls and DEL; the line and paragraph separators; the bidirectional controls
# (LRM, RLM, ALM, embeddings, overrides, isolates); lone surrogates, which no UTF-8 stream
# can even encode.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as a visible escape.

    ``\\n``, ``\\r`` and ``\\t`` by name, the others as ``\\x1b`` or ``\\u202e``: one line,
    nothing a terminal or a spreadsheet acts on, and what was there stays visible.
    """
    return _UNSAFE.sub(_escape, text)
