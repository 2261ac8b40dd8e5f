"""A scan state as rows of the history tables, and back (scanner/history_sql.py has them).

Writing: ``insert_state`` adds every row of one scan on an open transaction. Reading:
``read_state`` fills a ``ScanState`` from them, and ``read_attributions`` merges what the
scans of an interval recorded about who made their drift.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from logwarden.scanner.audit_events import Attribution
from logwarden.scanner.doc_file import DocFile, document_text
from logwarden.scanner.drift import ResourceState, ResultRow, ScanState
from logwarden.scanner.field_diff import canonical
from logwarden.scanner.history_sql import attributions_t, causes_t, resources_t, results_t

# Resource rows fetched at a time when a scan is read back (a server-side cursor on PostgreSQL,
# so a big scan's documents are never all in memory at once).
READ_BATCH = 1000
# Columns of ``results`` in ResultRow field order (the table adds scan_id).
RESULT_FIELDS = tuple(ResultRow.__dataclass_fields__)


def insert_state(conn: Connection, scan_id: int, state: ScanState) -> None:
    """Insert the result, resource and attribution rows of one scan."""
    results = [
        {**r.__dict__, "scan_id": scan_id, "muted": int(r.muted)} for r in state.results.values()
    ]
    resources = [
        {
            "scan_id": scan_id,
            "kind": r.kind,
            "resource_id": r.id,
            "tenant_id": r.tenant_id,
            "region": r.region,
            "digest": r.digest,
            "data": document_text(r.data),
        }
        for r in state.resources.values()
    ]
    attributions = [
        {"scan_id": scan_id, "kind": k, "resource_id": i, "doc": canonical(a.to_doc())}
        for (k, i), a in state.attributions.items()
    ]
    causes = [
        {"scan_id": scan_id, "fingerprint": fp, "kind": k, "resource_id": i}
        for fp, keys in state.causes.items()
        for k, i in dict.fromkeys(keys)
    ]
    for table, rows in (
        (results_t, results),
        (resources_t, resources),
        (attributions_t, attributions),
        (causes_t, causes),
    ):
        if rows:
            conn.execute(sa.insert(table), rows)


def read_state(conn: Connection, scan_id: int, state: ScanState) -> None:
    """Fill ``state`` with the rows of scan ``scan_id``."""
    cols = [results_t.c[name] for name in RESULT_FIELDS]
    for r in conn.execute(sa.select(*cols).where(results_t.c.scan_id == scan_id)):
        values = dict(zip(RESULT_FIELDS, r, strict=True))
        values["muted"] = bool(values["muted"])
        state.results[values["fingerprint"]] = ResultRow(**values)
    rs = resources_t.c
    docs = DocFile()  # the documents stay on disk; only changed ones are read (doc_file.py)
    query = (
        sa.select(rs.kind, rs.resource_id, rs.tenant_id, rs.region, rs.digest, rs.data)
        .where(rs.scan_id == scan_id)
        .order_by(rs.kind, rs.resource_id)
        .execution_options(yield_per=READ_BATCH)
    )
    for kind, rid, tenant, region, dig, data in conn.execute(query):
        state.resources[(kind, rid)] = ResourceState(kind, rid, tenant, region, dig, docs.add(data))
    state.attributions, state.causes = read_attributions(conn, [scan_id])


def read_attributions(
    conn: Connection, scan_ids: Sequence[int]
) -> tuple[dict[tuple[str, str], Attribution], dict[str, list[tuple[str, str]]]]:
    """What the scans ``scan_ids`` recorded about who made their drift, merged (events of a
    resource from every scan, deduplicated; causes of a regression from every scan)."""
    found: dict[tuple[str, str], Attribution] = {}
    a = attributions_t.c
    for kind, rid, doc in conn.execute(
        sa.select(a.kind, a.resource_id, a.doc)
        .where(a.scan_id.in_(list(scan_ids)))
        .order_by(a.scan_id, a.kind, a.resource_id)
    ):
        new = Attribution.from_doc(json.loads(doc))
        seen = found.get((kind, rid))
        found[(kind, rid)] = new if seen is None else seen.merged(new)
    causes: dict[str, list[tuple[str, str]]] = {}
    c = causes_t.c
    for fp, kind, rid in conn.execute(
        sa.select(c.fingerprint, c.kind, c.resource_id)
        .where(c.scan_id.in_(list(scan_ids)))
        .order_by(c.scan_id, c.fingerprint, c.kind, c.resource_id)
    ):
        keys = causes.setdefault(fp, [])
        if (kind, rid) not in keys:
            keys.append((kind, rid))
    return dict(sorted(found.items())), causes
