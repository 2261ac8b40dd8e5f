"""How deep a parsed document nests, measured without recursion.

Configuration from any cloud stays below 20 levels (IAM policies inside bucket policies
inside a resource inside a saved inventory); a document far deeper is no input logwarden
was meant to read, and would exhaust Python's recursion later (filters, diffs, reports).
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 100


def too_deep(doc: Any, limit: int = MAX_DEPTH) -> tuple[str, Any] | None:
    """(path, container) of the first container nested deeper than ``limit``, or None.

    The path reads ``organizations[0].tenants`` (``$`` for the root).
    """
    # (node, depth, link to the parent's link, key); the path is spelled out only when found
    stack: list[tuple[Any, int, Any, str | int]] = [(doc, 0, None, "$")]
    while stack:
        node, depth, parent, key = stack.pop()
        link = (parent, key)
        if depth > limit:
            return _path(link), node
        # only containers are followed: a scalar cannot be deeper than the one holding it
        if isinstance(node, dict):
            stack.extend(
                (v, depth + 1, link, k) for k, v in node.items() if isinstance(v, dict | list)
            )
        elif isinstance(node, list):
            stack.extend(
                (v, depth + 1, link, i) for i, v in enumerate(node) if isinstance(v, dict | list)
            )
    return None


def _path(link: Any) -> str:
    parts = []
    while link is not None and link[0] is not None:
        link, key = link
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    text = "".join(reversed(parts)).removeprefix(".") or "$"
    return text if len(text) <= 160 else text[:80] + "…" + text[-80:]
