"""Baseline files: the accepted state as canonical, review-friendly JSON.

Sorted keys, one result or resource per line (a review diff shows exactly the rows that
changed). A baseline that cannot be read, is malformed, or has a newer schema is an
InputError (exit 2): it is never treated as empty, which would accept everything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.drift import ResourceState, ResultRow, ScanState, index_rows
from scanner.errors import fail
from scanner.field_diff import canonical, digest

SCHEMA = "logwarden.baseline/1"
_SCHEMA = re.compile(r"^logwarden\.baseline/(\d+)$")
FIX = "write it again with: logwarden baseline save FILE --history URL"


def dumps(state: ScanState) -> str:
    """``state`` as a baseline document."""
    results = sorted(state.results.values(), key=lambda r: r.fingerprint)
    resources = [
        {"kind": r.kind, "id": r.id, "tenant_id": r.tenant_id, "region": r.region, "data": r.data}
        for r in state.resources.values()
    ]
    meta = {"id": state.id, "time": state.time, "clouds": list(state.clouds), "scope": state.scope}
    lines = [
        "{",
        f'"schema": {canonical(SCHEMA)},',
        f'"scan": {canonical(meta)},',
        '"results": [',
        ",\n".join(canonical(r.__dict__) for r in results),
        "],",
        '"resources": [',
        ",\n".join(canonical(r) for r in resources),
        "]",
        "}",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def load(path: str | Path) -> ScanState:
    """Read a baseline; every problem is an InputError naming the file and the fix."""
    name = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(name, None, "baseline file not found", "check the --baseline path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(name, None, f"cannot read the baseline: {exc}", FIX) from None
    except json.JSONDecodeError as exc:
        raise fail(name, exc.lineno, f"corrupt baseline (malformed JSON: {exc.msg})", FIX) from None
    found = doc.get("schema") if isinstance(doc, dict) else None
    match = _SCHEMA.match(found) if isinstance(found, str) else None
    if match is None:
        raise fail(name, None, f"not a logwarden baseline (schema {found!r})", FIX)
    if int(match.group(1)) > 1:
        raise fail(
            name,
            None,
            f"baseline schema {found} is newer than this logwarden supports ({SCHEMA})",
            "upgrade logwarden, or write the baseline again with this version",
        )
    try:
        scan: dict[str, Any] = doc["scan"]
        state = ScanState(
            id=str(scan["id"]),
            time=str(scan["time"]),
            clouds=tuple(scan["clouds"]),
            scope=str(scan["scope"]),
        )
        state.results = index_rows(ResultRow(**row) for row in doc["results"])
        for r in doc["resources"]:
            state.resources[(r["kind"], r["id"])] = ResourceState(
                r["kind"], r["id"], r["tenant_id"], r["region"], digest(r["data"]), r["data"]
            )
    except (KeyError, TypeError, AttributeError) as exc:
        raise fail(name, None, f"corrupt baseline (missing or wrong field: {exc})", FIX) from None
    return state
