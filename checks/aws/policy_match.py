"""Low-level helpers for IAM-style policies: glob matching, parsing and statement accessors.

Patterns and targets are compared as *sets of strings*: a target that itself contains
wildcards (``s3:DeleteBucket*``, ``arn:aws:s3:::bucket/*``) is covered only when the pattern
matches every string the target stands for. For a concrete target that is plain glob matching.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

# Token kinds besides literal characters (which are 1-char str tokens).
_STAR = 0  # '*': any sequence, including empty
_ONE = 1  # '?': exactly one character
_VAR = 2  # '${aws:username}' and friends: a value unknown until request time

Token = str | int


@lru_cache(maxsize=4096)
def _tokens(text: str, variables: bool) -> tuple[Token, ...]:
    out: list[Token] = []
    i = 0
    while i < len(text):
        if variables and text.startswith("${", i) and (end := text.find("}", i + 2)) != -1:
            inner = text[i + 2 : end]
            # ${*}, ${?} and ${$} are IAM's escapes for the literal characters.
            out.append(inner if inner in ("*", "?", "$") else _VAR)
            i = end + 1
            continue
        c = text[i]
        out.append(_STAR if c == "*" else _ONE if c == "?" else c)
        i += 1
    return tuple(out)


@lru_cache(maxsize=4096)
def _covers(p: tuple[Token, ...], t: tuple[Token, ...]) -> bool:
    """True when every string of ``t`` is matched by ``p`` (conservative for wildcard targets).

    A variable in the pattern covers nothing (its value is unknown); one in the target is
    treated like '*'.
    """
    m, n = len(p), len(t)
    nxt = [False] * (n + 1)  # row i+1 of the DP table: p[i+1:] covers t[j:]
    nxt[n] = True
    for i in range(m - 1, -1, -1):
        cur = [False] * (n + 1)
        for j in range(n, -1, -1):
            pi = p[i]
            if pi == _STAR:
                cur[j] = nxt[j] or (j < n and cur[j + 1])
            elif j < n:
                tj = t[j]
                ok = tj not in (_STAR, _VAR) if pi == _ONE else isinstance(pi, str) and pi == tj
                cur[j] = ok and nxt[j + 1]
        nxt = cur
    return nxt[0]


@lru_cache(maxsize=4096)
def _overlaps(p: tuple[Token, ...], q: tuple[Token, ...]) -> bool:
    """True when some string is matched by both ``p`` and ``q`` (variables count as '*')."""
    m, n = len(p), len(q)
    dp = [[False] * (n + 1) for _ in range(m + 1)]
    dp[m][n] = True
    for i in range(m, -1, -1):
        for j in range(n, -1, -1):
            if i == m and j == n:
                continue
            ps = i < m and p[i] in (_STAR, _VAR)
            qs = j < n and q[j] in (_STAR, _VAR)
            if ps or qs:
                dp[i][j] = (ps and (dp[i + 1][j] or (j < n and dp[i][j + 1]))) or (
                    qs and (dp[i][j + 1] or (i < m and dp[i + 1][j]))
                )
            elif i < m and j < n:
                same = p[i] == _ONE or q[j] == _ONE or p[i] == q[j]
                dp[i][j] = same and dp[i + 1][j + 1]
    return dp[0][0]


def action_matches(pattern: str, action: str) -> bool:
    """Whether the IAM action glob ``pattern`` matches ``action`` ("service:Name").

    Case-insensitive; '*' and '?' are wildcards and "*" alone matches every action. If
    ``action`` itself contains wildcards, the pattern must match every action it stands for.
    """
    return _covers(_tokens(pattern.casefold(), False), _tokens(action.casefold(), False))


def resource_matches(pattern: str, arn: str) -> bool:
    """Whether the IAM resource glob ``pattern`` matches ``arn`` (case-sensitive, as ARNs are).

    '*' and '?' are wildcards, "*" matches everything; a policy variable such as
    ``${aws:username}`` is unknown at analysis time and so matches nothing.
    """
    return _covers(_tokens(pattern, True), _tokens(arn, True))


def action_overlaps(pattern: str, action: str) -> bool:
    """Whether ``pattern`` matches at least one action that ``action`` stands for."""
    return _overlaps(_tokens(pattern.casefold(), False), _tokens(action.casefold(), False))


def resource_overlaps(pattern: str, arn: str) -> bool:
    """Whether ``pattern`` may match at least one ARN that ``arn`` stands for."""
    return _overlaps(_tokens(pattern, True), _tokens(arn, True))


def as_list(value: Any) -> list[Any]:
    """A policy element that may be a scalar or a list, as a list (absent -> [])."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def as_strings(value: Any) -> list[str]:
    """Condition / pattern values as strings; JSON booleans become "true" / "false"."""
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(value)]


def parse_policy(content: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Parse a policy document (JSON text, URL-encoded JSON or a mapping) into a new dict.

    ``Statement`` is always a list of dicts. Returns None for None, blank text, ``null`` or an
    empty object; raises ValueError when the text is not JSON or the document is malformed.
    """
    if content is None:
        return None
    if isinstance(content, str | bytes):
        text = content.decode() if isinstance(content, bytes) else content
        text = text.strip()
        if text.startswith("%7B"):  # IAM APIs return URL-encoded documents
            text = unquote(text)
        if not text:
            return None
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"policy is not valid JSON: {exc}") from exc
    else:
        loaded = content
    if loaded is None:
        return None
    if not isinstance(loaded, Mapping):
        raise ValueError(f"policy must be a JSON object, got {type(loaded).__name__}")
    if not loaded:
        return None
    doc = copy.deepcopy(dict(loaded))
    statements = as_list(doc.get("Statement"))
    for index, stmt in enumerate(statements):
        if not isinstance(stmt, Mapping):
            raise ValueError(f"policy statement #{index} is not a JSON object")
    doc["Statement"] = [dict(s) for s in statements]
    return doc


def effect_is(stmt: Mapping[str, Any], effect: str) -> bool:
    """Case-insensitive test of a statement's Effect."""
    return str(stmt.get("Effect", "")).casefold() == effect.casefold()


def statement_matches_action(stmt: Mapping[str, Any], action: str) -> bool:
    """Whether the statement's Action (or NotAction) applies to every action ``action`` names."""
    if "Action" in stmt:
        return any(action_matches(str(p), action) for p in as_list(stmt["Action"]))
    if "NotAction" in stmt:
        return not any(action_overlaps(str(p), action) for p in as_list(stmt["NotAction"]))
    return False


def resource_gap(stmt: Mapping[str, Any], arns: Sequence[str]) -> str | None:
    """Why the statement does not apply to every ARN in ``arns``, or None when it does.

    An absent Resource and NotResource means "*" (as in SCPs); an empty ``arns`` means "*".
    """
    targets = list(arns) or ["*"]
    if "Resource" in stmt and "NotResource" in stmt:
        return "it uses both Resource and NotResource"
    if "NotResource" in stmt:
        excluded = [str(p) for p in as_list(stmt["NotResource"])]
        for arn in targets:
            for pattern in excluded:
                if resource_overlaps(pattern, arn):
                    return f"NotResource {pattern} excludes {arn}"
        return None
    patterns = [str(p) for p in as_list(stmt.get("Resource", "*"))]
    for arn in targets:
        if not any(resource_matches(p, arn) for p in patterns):
            return f"Resource {', '.join(patterns) or '[]'} does not include {arn}"
    return None


def principal_is_everyone(principal: Any) -> bool:
    """``"*"``, ``{"AWS": "*"}`` (or a list containing it) or ``{"CanonicalUser": "*"}``."""
    if isinstance(principal, str):
        return principal.strip() == "*"
    if isinstance(principal, Mapping):
        return any(
            "*" in [v.strip() for v in as_strings(principal.get(kind))]
            for kind in ("AWS", "CanonicalUser")
        )
    return False


def is_wildcard_only(value: str) -> bool:
    """A pattern made only of wildcards ("*", "?*", ...) matches (nearly) anything."""
    return bool(value) and set(value) <= {"*", "?"}
