"""Baseline files: the accepted state as canonical, review-friendly JSON.

Sorted keys, one result or resource per line (a review diff shows exactly the rows that
changed). A baseline that cannot be read, is malformed, or has a newer schema is an
InputError (exit 2): it is never treated as empty, which would accept everything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from logwarden.scanner import json_input
from logwarden.scanner.doc_file import plain
from logwarden.scanner.drift import ResourceState, ResultRow, ScanState, index_rows
from logwarden.scanner.errors import fail
from logwarden.scanner.field_diff import canonical, digest
from logwarden.scanner.json_input import NONE, Shape, Spec
from logwarden.scanner.models import Severity, Status

SCHEMA = "logwarden.baseline/1"
_SCHEMA = re.compile(r"^logwarden\.baseline/(\d+)$")
FIX = "write it again with: logwarden baseline save FILE --history URL"


def dumps(state: ScanState) -> str:
    """``state`` as a baseline document."""
    results = sorted(state.results.values(), key=lambda r: r.fingerprint)
    resources = [
        {
            "kind": r.kind,
            "id": r.id,
            "tenant_id": r.tenant_id,
            "region": r.region,
            "data": plain(r.data),
        }
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


DOCUMENT_FIELDS: Spec = {
    "schema": ((str,), True),
    "scan": ((dict,), True),
    "results": ((list,), True),
    "resources": ((list,), True),
}
SCAN_FIELDS: Spec = {
    "id": ((str,), True),
    "time": ((str,), True),
    "clouds": ((list,), True),
    "scope": ((str,), True),
}
RESULT_FIELDS: Spec = {
    **{name: ((str,), True) for name in ResultRow.__dataclass_fields__},
    "muted": ((bool,), False),
    "first_seen": ((str, NONE), False),
}
RESOURCE_FIELDS: Spec = {
    **{name: ((str,), True) for name in ("kind", "id", "tenant_id", "region")},
    "data": ((dict,), True),
}
_STATUSES = {s.value for s in Status}
_SEVERITIES = {s.value for s in Severity}


def load(path: str | Path) -> ScanState:
    """Read a baseline; every problem is an InputError naming the file and the fix."""
    name = str(path)
    doc = json_input.read(path, label="baseline file", option="--baseline", fix=FIX)
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
    _check_shape(doc, name)
    scan: dict[str, Any] = doc["scan"]
    state = ScanState(
        id=scan["id"], time=scan["time"], clouds=tuple(scan["clouds"]), scope=scan["scope"]
    )
    state.results = index_rows(ResultRow(**row) for row in doc["results"])
    for r in doc["resources"]:
        state.resources[(r["kind"], r["id"])] = ResourceState(
            r["kind"], r["id"], r["tenant_id"], r["region"], digest(r["data"]), r["data"]
        )
    return state


def _check_shape(doc: dict[str, Any], file: str) -> None:
    shape = Shape(file, FIX, what="corrupt baseline (missing or wrong field) at ")
    if shape.fields(doc, DOCUMENT_FIELDS, "$"):
        if shape.fields(doc["scan"], SCAN_FIELDS, "scan"):
            shape.strings(doc["scan"]["clouds"], "scan.clouds")
        for index, row in enumerate(doc["results"]):
            where = f"results[{index}]"
            if not shape.fields(row, RESULT_FIELDS, where):
                continue
            if row["status"] not in _STATUSES:
                shape.add(f"{where}.status", f"unknown status {row['status']!r}")
            if row["severity"] not in _SEVERITIES:
                shape.add(f"{where}.severity", f"unknown severity {row['severity']!r}")
        shape.each(doc["resources"], RESOURCE_FIELDS, "resources")
    shape.raise_problems()
