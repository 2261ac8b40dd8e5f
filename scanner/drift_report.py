"""The drift as documents: the ``drift`` section of report.json and the text summary."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.audit_events import Attribution
from logwarden.scanner.drift import Drift, ResourceState, ResultRow
from logwarden.scanner.field_diff import ABSENT
from logwarden.scanner.printable import printable as p


def to_doc(drift: Drift) -> dict[str, Any]:
    """The ``drift`` section of report.json and of ``logwarden drift --format json``."""

    def who(found: list[Attribution]) -> dict[str, Any]:
        events = sorted(
            {e.event_id or str(e): e for a in found for e in a.events}.values(),
            key=lambda e: (e.time, e.event_id),
        )
        errors = sorted({a.error for a in found if a.error})
        return {"who": [e.to_doc() for e in events], "who_error": "; ".join(errors)}

    def row(r: ResultRow) -> dict[str, Any]:
        doc = dict(r.__dict__)
        if drift.attributions:
            doc["caused_by"] = [
                {"kind": k, "resource_id": i} for k, i in drift.causes.get(r.fingerprint, [])
            ]
            doc.update(who(drift.who(r.fingerprint)))
        return doc

    def change_who(kind: str, resource_id: str) -> dict[str, Any]:
        found = drift.attributions.get((kind, resource_id))
        return who([found]) if found is not None else {}

    def resource(r: ResourceState) -> dict[str, Any]:
        return {"kind": r.kind, "id": r.id, "tenant_id": r.tenant_id, "region": r.region}

    def value(v: Any) -> Any:
        return None if v is ABSENT else v

    return {
        "against": drift.against,
        "before": {"id": drift.before_id, "time": drift.before_time},
        "after": {"id": drift.after_id, "time": drift.after_time},
        "counts": {
            "regressions": len(drift.regressions),
            "resolved": len(drift.resolved),
            "still_failing": len(drift.still_failing),
            "new_resources": len(drift.new_resources),
            "removed_resources": len(drift.removed_resources),
            "changes": len(drift.changes),
        },
        "window": ({"start": drift.window[0], "end": drift.window[1]} if drift.window else None),
        "regressions": [row(r) for r in drift.regressions],
        "resolved": [dict(r.__dict__) for r in drift.resolved],
        "still_failing": [row(r) for r in drift.still_failing],
        "new_resources": [resource(r) for r in drift.new_resources],
        "removed_resources": [
            {**resource(r), **change_who(r.kind, r.id)} for r in drift.removed_resources
        ],
        "changes": [
            {
                "kind": c.kind,
                "resource_id": c.resource_id,
                "tenant_id": c.tenant_id,
                "path": c.path,
                "change": "added"
                if c.old is ABSENT
                else "removed"
                if c.new is ABSENT
                else "modified",
                "old": value(c.old),
                "new": value(c.new),
                **change_who(c.kind, c.resource_id),
            }
            for c in drift.changes
        ],
    }


def render_text(drift: Drift, limit: int = 40) -> list[str]:
    """The drift as lines for a terminal or CI log (shown first in the console summary).

    Every value from the clouds (names, messages, changed values, who made a change) is
    escaped (:mod:`logwarden.scanner.printable`): a line of this text is never forged by the data.
    """
    what = "scan" if drift.against == "history" else drift.against  # a recorded scan's id
    since = f"{what} {p(drift.before_id or '-')} ({p(drift.before_time or 'nothing recorded')})"
    out = [f"Drift since {since}:"]
    if drift.empty:
        return [*out, "  no change"]
    # One reason for every unknown author (a saved inventory, no permission anywhere): say it
    # once rather than under each of hundreds of items.
    reasons = {a.error for a in drift.attributions.values() if not a.events}
    shared = (
        reasons.pop()
        if len(reasons) == 1 and all(not a.events for a in drift.attributions.values())
        else ""
    )
    if shared:
        out.append(f"  Who made it: unknown: {p(shared)}")

    def section(title: str, items: list[str]) -> None:
        if not items:
            return
        out.append(f"  {title} ({len(items)}):")
        out.extend(f"    {line}" for line in items[:limit])
        if len(items) > limit:
            out.append(f"    ... and {len(items) - limit} more")

    def by(found: list[Attribution]) -> str:
        if shared:
            return ""
        lines = list(dict.fromkeys(p(a.summary) for a in found))
        return "".join(f"\n      by {line}" for line in lines)

    section(
        "New failures",
        [
            f"[{r.severity.upper()}] {p(r.check_id)}  {p(r.tenant_id)}  {p(r.message)}"
            + by(drift.who(r.fingerprint))
            for r in drift.regressions
        ],
    )
    section(
        "Resolved",
        [f"{p(r.check_id)}  {p(r.tenant_id)}  {p(r.resource_id)}" for r in drift.resolved],
    )
    changed: dict[tuple[str, str], list[str]] = {}
    for c in drift.changes:
        changed.setdefault((c.kind, c.resource_id), []).append(p(str(c)))
    section(
        "Configuration changes",
        [
            f"{p(kind)} {p(rid)}  {'; '.join(paths)}" + by(_found(drift, (kind, rid)))
            for (kind, rid), paths in changed.items()
        ],
    )
    section("New resources", [f"{p(r.kind)} {p(r.id)}" for r in drift.new_resources])
    section(
        "Removed resources",
        [
            f"{p(r.kind)} {p(r.id)}" + by(_found(drift, (r.kind, r.id)))
            for r in drift.removed_resources
        ],
    )
    section(
        "Still failing",
        [
            f"{p(r.check_id)}  {p(r.tenant_id)}  since {p(r.first_seen or '?')}"
            for r in drift.still_failing
        ],
    )
    return out


def _found(drift: Drift, key: tuple[str, str]) -> list[Attribution]:
    found = drift.attributions.get(key)
    return [found] if found is not None else []
