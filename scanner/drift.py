"""Drift: a pure comparison of two scan states (two recorded scans, or a baseline and a scan).

A ``ScanState`` is what a scan leaves behind for comparison: its result rows keyed by
fingerprint and its in-scope resources keyed by (kind, resource id), each with a canonical
digest of its normalized data. ``compare`` reports regressions (unwaived failures that were
not failing before), resolved failures, failures still there (with ``first_seen``), new and
removed resources, and field-level configuration changes (``field_diff``: messages,
timestamps, etags and the order of list items never count). No I/O here but the temporary
file the resource documents are kept in (``doc_file.py``): history.py and baseline.py build
the states.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from logwarden.scanner.audit_events import Attribution
from logwarden.scanner.doc_file import DocFile, document_text, plain
from logwarden.scanner.field_diff import diff, digest, show, without
from logwarden.scanner.models import CheckResult, Organization, ScanReport, Status

if TYPE_CHECKING:
    from logwarden.scanner.engine import ScanInput
    from logwarden.scanner.inventory import Inventory
    from logwarden.scanner.report import ScanOutcome
    from logwarden.scanner.spill import InventorySpill

_CLEARED = frozenset({Status.PASS.value, Status.SKIPPED.value})


@dataclass(frozen=True)
class ResultRow:
    """One result as history and baselines keep it (no remediation or evidence)."""

    fingerprint: str
    check_id: str
    status: str
    severity: str
    cloud: str
    tenant_id: str
    region: str
    resource_id: str
    message: str
    muted: bool = False
    first_seen: str | None = None

    @property
    def is_finding(self) -> bool:
        return self.status == Status.FAIL.value and not self.muted


@dataclass(frozen=True)
class ResourceState:
    """One in-scope resource: its identity, owner, canonical digest and normalized data."""

    kind: str
    id: str
    tenant_id: str
    region: str
    digest: str
    data: Mapping[str, Any]


@dataclass
class ScanState:
    """What a scan (or a baseline) says, ready to compare."""

    id: str
    time: str
    clouds: tuple[str, ...]
    scope: str
    results: dict[str, ResultRow] = field(default_factory=dict)
    resources: dict[tuple[str, str], ResourceState] = field(default_factory=dict)
    # Who made the drift this scan saw against the one before it (history only).
    attributions: dict[tuple[str, str], Attribution] = field(default_factory=dict)
    causes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One field of one resource that changed: ``path: old -> new``."""

    kind: str
    resource_id: str
    tenant_id: str
    path: str
    old: Any
    new: Any
    region: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {show(self.old)} -> {show(self.new)}"


@dataclass
class Drift:
    """The difference between ``before`` (None: nothing recorded yet) and ``after``."""

    before_id: str | None
    before_time: str | None
    after_id: str
    after_time: str
    against: str  # "history" or "baseline"
    regressions: list[ResultRow] = field(default_factory=list)
    resolved: list[ResultRow] = field(default_factory=list)
    still_failing: list[ResultRow] = field(default_factory=list)
    new_resources: list[ResourceState] = field(default_factory=list)
    removed_resources: list[ResourceState] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # Who made it (scanner/attribution.py): audit-log findings per drifted resource, the
    # drifted resources that explain each regression (by fingerprint), the searched window.
    attributions: dict[tuple[str, str], Attribution] = field(default_factory=dict)
    causes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    window: tuple[str, str] | None = None

    def who(self, fingerprint: str) -> list[Attribution]:
        """The attributions of the drifted resources linked to a regression."""
        return [
            self.attributions[k] for k in self.causes.get(fingerprint, []) if k in self.attributions
        ]

    @property
    def empty(self) -> bool:
        return not (
            self.regressions
            or self.resolved
            or self.new_resources
            or self.removed_resources
            or self.changes
        )


def scope_key(clouds: Iterable[str], organization_ids: Iterable[str]) -> str:
    """Scans of the same scope are compared: sorted clouds + sorted organization ids."""
    return ",".join(sorted(set(clouds))) + "|" + ",".join(sorted(set(organization_ids)))


def row_of(r: CheckResult) -> ResultRow:
    return ResultRow(
        fingerprint=r.fingerprint,
        check_id=r.check_id,
        status=r.status.value,
        severity=r.severity.value,
        cloud=r.cloud,
        tenant_id=r.tenant_id,
        region=r.region,
        resource_id=r.resource_id,
        message=r.message,
        muted=r.muted,
        first_seen=r.first_seen,
    )


def _worst(a: ResultRow, b: ResultRow) -> ResultRow:
    """Two rows with one fingerprint (one per region): keep the one that matters most."""
    order = {"FAIL": 3, "ERROR": 2, "PASS": 1, "SKIPPED": 0}
    return max((a, b), key=lambda r: (r.is_finding, order.get(r.status, 0), r.region))


def index_rows(rows: Iterable[ResultRow]) -> dict[str, ResultRow]:
    out: dict[str, ResultRow] = {}
    for row in rows:
        seen = out.get(row.fingerprint)
        out[row.fingerprint] = row if seen is None else _worst(seen, row)
    return out


def collected_resources(
    scan: ScanInput, spill: InventorySpill | None = None
) -> dict[tuple[str, str], ResourceState]:
    """Every resource the scan collected, once per (kind, id): the owner's copy wins (a shadow
    trail seen from a member account is the same trail as the home account's). The kind's
    volatile fields are left out of the data and its digest.

    The documents go to a temporary file (``doc_file``): each state's ``data`` reads its own
    back when used. ``spill``: where the scan kept each tenant's collections when it released
    them (``InventorySpill``); they are read back one tenant at a time.
    """
    docs = DocFile()
    out: dict[tuple[str, str], tuple[bool, ResourceState]] = {}
    for scope in scan.scopes:
        for inv in [scope.inventory, *scope.tenants]:
            viewer = inv.tenant.id if inv.tenant is not None else None
            for kind, resources in sorted(_collections(inv, spill).items()):
                known = inv.kinds.get(kind)
                volatile = (*known.volatile, *known.derived) if known is not None else ()
                for rid, owner, region, raw in resources:
                    owned = viewer == owner
                    key = (kind, rid)
                    if key in out and (out[key][0] or not owned):
                        continue
                    data = without(raw, volatile)
                    text = document_text(data)
                    state = ResourceState(kind, rid, owner, region, digest(data), docs.add(text))
                    out[key] = (owned, state)
    return {k: v[1] for k, v in sorted(out.items())}


_Found = tuple[str, str, str, Any]  # resource id, owner tenant, region, data


def _collections(inv: Inventory, spill: InventorySpill | None) -> dict[str, list[_Found]]:
    """What ``inv`` collected, by kind: what its tenant's spill holds (its collections when it
    was evaluated and released), then what it collected since (read by another tenant)."""
    out: dict[str, list[_Found]] = {}
    tenant = inv.tenant
    if spill is not None and tenant is not None and spill.has(tenant):
        for kind, col in json.loads(spill.read(tenant)).items():
            out[kind] = [
                (r["id"], r["tenant_id"], r["region"], r["data"]) for r in col["resources"]
            ]
    for kind, found in inv.collected().items():
        if kind not in out:
            out[kind] = [(r.id, r.tenant_id, r.region, r.data) for r in found.resources]
    return out


def scope_of(organizations: Iterable[Organization]) -> tuple[tuple[str, ...], str]:
    """(clouds, scope key) of a scan of ``organizations``."""
    orgs = list(organizations)
    clouds = tuple(sorted({o.cloud for o in orgs}))
    return clouds, scope_key(clouds, (o.id for o in orgs))


def state_of(
    scanned: ScanOutcome | ScanReport,
    scan: ScanInput | None,
    scan_id: str = "",
    spill: InventorySpill | None = None,
) -> ScanState:
    """The comparable state of an evaluated scan (resources from its inventories, if given,
    and from ``spill``: see ``collected_resources``)."""
    clouds, scope = scope_of(scanned.organizations)
    return ScanState(
        id=scan_id,
        time=scanned.started_at,
        clouds=clouds,
        scope=scope,
        results=index_rows(row_of(r) for r in scanned.results),
        resources=collected_resources(scan, spill) if scan is not None else {},
    )


def carry_first_seen(
    results: Iterable[CheckResult], previous: ScanState | None, now: str
) -> list[CheckResult]:
    """The rows with ``first_seen``: when the row was first seen with its current status
    (kept across scans while the status holds; a failure that comes back starts again)."""
    before = previous.results if previous is not None else {}
    before_time = previous.time if previous is not None else now
    out = []
    for r in results:
        prev = before.get(r.fingerprint)
        if prev is not None and prev.status == r.status.value:
            first = prev.first_seen or before_time
        else:
            first = now
        out.append(replace(r, first_seen=first))
    return out


def compare(before: ScanState | None, after: ScanState, against: str = "history") -> Drift:
    """What changed from ``before`` to ``after``; ``before=None`` is an empty history."""
    old = before or ScanState(id="", time="", clouds=(), scope=after.scope)
    drift = Drift(
        before_id=before.id if before else None,
        before_time=before.time if before else None,
        after_id=after.id,
        after_time=after.time,
        against=against,
    )
    for fp, row in sorted(after.results.items(), key=lambda kv: _row_key(kv[1])):
        prev = old.results.get(fp)
        if row.is_finding and (prev is None or not prev.is_finding):
            drift.regressions.append(row)
        elif row.is_finding and prev is not None:
            first = row.first_seen or prev.first_seen or old.time or None
            drift.still_failing.append(_with_first_seen(row, first))
    for fp, prev in sorted(old.results.items(), key=lambda kv: _row_key(kv[1])):
        now = after.results.get(fp)
        if prev.is_finding and (now is None or now.status in _CLEARED):
            drift.resolved.append(now if now is not None else prev)
    for key, res in after.resources.items():
        was = old.resources.get(key)
        if was is None:
            drift.new_resources.append(res)
        elif was.digest != res.digest:
            drift.changes.extend(
                Change(res.kind, res.id, res.tenant_id, path, a, b, res.region)
                for path, a, b in diff(plain(was.data), plain(res.data))
            )
    drift.removed_resources = [r for k, r in old.resources.items() if k not in after.resources]
    return drift


def _with_first_seen(row: ResultRow, first: str | None) -> ResultRow:
    return row if row.first_seen == first else ResultRow(**{**row.__dict__, "first_seen": first})


def _row_key(row: ResultRow) -> tuple[str, ...]:
    return (row.cloud, row.tenant_id, row.check_id, row.region, row.resource_id)
