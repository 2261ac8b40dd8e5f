"""The drift as every output shows it: the reports, the console and ``logwarden drift``.

Pure functions of a :class:`~logwarden.scanner.drift.Drift` (``ScanReport.drift`` after ``scan
--drift`` or ``--baseline``; two recorded scans for ``logwarden drift``): what changed since
when, who changed it (from the attribution the scan attached), and which result rows are new.
The renderers (HTML, Markdown, JUnit, SARIF, CSV, the ``drift`` section of report.json and
the console text in ``logwarden.reports.console``) only lay this out, so the outputs never
disagree about what counts as new, what changed or who is named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from logwarden.scanner.audit_events import Attribution, AuditEvent
from logwarden.scanner.drift import Drift, ResourceState, ResultRow
from logwarden.scanner.models import CheckResult, Organization, ScanReport, Tenant

NOT_LINKED = "unknown: no changed or removed resource explains it"
COUNT_LABELS = (
    ("regressions", "new failures"),
    ("resolved", "resolved"),
    ("still_failing", "still failing"),
    ("changes", "configuration changes"),
    ("new_resources", "new resources"),
    ("removed_resources", "removed resources"),
)
RESOLVED_AS = {"PASS": "passes now", "SKIPPED": "not applicable now"}


@dataclass(frozen=True)
class Who:
    """One line of "who changed it": an audit-log event, or what is known instead."""

    text: str  # "by <principal> — <action> at <time> from <ip>" or "unknown: <reason>"
    event: AuditEvent | None = None

    @property
    def source(self) -> str:
        """Where the event was read (``s3://bucket/key``, ``activity-log``...), or ""."""
        return self.event.source if self.event is not None else ""


def event_text(e: AuditEvent) -> str:
    ip = f" from {e.source_ip}" if e.source_ip else ""
    return f"by {e.principal} — {e.action} at {e.time}{ip}"


def events(found: Iterable[Attribution]) -> list[AuditEvent]:
    """The distinct audit-log events of ``found``, oldest first."""
    return sorted(
        {e.event_id or str(e): e for a in found for e in a.events}.values(),
        key=lambda e: (e.time, e.event_id),
    )


def who(found: Iterable[Attribution]) -> list[Who]:
    """The distinct events of ``found`` (oldest first), then what could not be known."""
    found = list(found)
    out = [Who(event_text(e), e) for e in events(found)]
    for a in found:
        if not a.events:
            out.append(Who(a.summary))  # "unknown: <why>"
        elif a.error:
            out.append(Who(f"audit log partly unread: {a.error}"))
    return list(dict.fromkeys(out))


def latest(lines: list[Who]) -> AuditEvent | None:
    """The most recent event among ``lines`` (the likeliest cause), or None."""
    events = [w.event for w in lines if w.event is not None]
    return events[-1] if events else None


def brief(lines: list[Who]) -> str:
    """One line for a table cell: the latest event (and how many others), else the reason."""
    known = [w for w in lines if w.event is not None]
    if known:
        more = f" (+{len(known) - 1} earlier)" if len(known) > 1 else ""
        return known[-1].text + more
    return lines[0].text if lines else ""


@dataclass(frozen=True)
class NewFailure:
    row: ResultRow
    who: list[Who]


@dataclass(frozen=True)
class ChangedResource:
    """The configuration changes of one resource (``path: old -> new``) and who made them."""

    kind: str
    resource_id: str
    tenant_id: str
    region: str
    changes: list[str]
    who: list[Who]


@dataclass(frozen=True)
class Removed:
    resource: ResourceState
    who: list[Who]


@dataclass(frozen=True)
class DriftView:
    """Everything a report shows about one drift."""

    drift: Drift
    new_fingerprints: frozenset[str]
    failing_since: Mapping[str, str | None]  # still-failing fingerprint -> first_seen
    changes: Mapping[tuple[str, str], list[str]]  # (kind, id) -> "path: old -> new", in order
    tenant_names: Mapping[tuple[str, str], str]  # (cloud, tenant id) -> name

    @property
    def since(self) -> str:
        """The earlier side's time, "" when nothing was recorded before."""
        return self.drift.before_time or ""

    @property
    def title(self) -> str:
        if self.since:
            return f"Changed since {self.since}"
        return "First recorded scan: every finding is new"

    @property
    def compared(self) -> str:
        """What this scan was compared with, in words."""
        d = self.drift
        if d.before_time is None:
            return "nothing recorded before for this scope"
        what = "the baseline" if d.against == "baseline" else "the previous scan"
        ident = f" {d.before_id}" if d.before_id else ""
        return f"{what}{ident} of {d.before_time}"

    @property
    def attributed(self) -> bool:
        """Whether the audit logs were asked who made the drift."""
        return bool(self.drift.attributions)

    def tenant(self, cloud: str, tenant_id: str) -> str:
        """``name (id)`` of a tenant or organization (drift rows carry only the id)."""
        name = self.tenant_names.get((cloud, tenant_id), "")
        return f"{name} ({tenant_id})" if name and name != tenant_id else tenant_id

    def counts(self) -> list[tuple[str, str, int]]:
        """(key, label, count); the keys are those of report.json's ``drift.counts``."""
        return [(key, label, len(getattr(self.drift, key))) for key, label in COUNT_LABELS]

    def is_new(self, r: CheckResult) -> bool:
        """A row that is a regression: an unwaived failure that was not failing before."""
        return r.is_finding and r.fingerprint in self.new_fingerprints

    def who_for(self, fingerprint: str) -> list[Who]:
        """Who caused a regression ([] when the audit logs were not asked)."""
        if not self.attributed:
            return []
        return who(self.drift.who(fingerprint)) or [Who(NOT_LINKED)]

    def causes(self, fingerprint: str) -> list[str]:
        """The drifted resources linked to a regression: ``kind id: path: old -> new; ...``."""
        out = []
        for kind, rid in self.drift.causes.get(fingerprint, []):
            what = "; ".join(self.changes.get((kind, rid), [])) or "removed"
            out.append(f"{kind} {rid}: {what}")
        return out

    def attributions_of(self, kind: str, resource_id: str) -> list[Attribution]:
        """What the audit logs said about one drifted resource ([] when not asked)."""
        found = self.drift.attributions.get((kind, resource_id))
        return [found] if found is not None else []

    def who_changed(self, kind: str, resource_id: str) -> list[Who]:
        return who(self.attributions_of(kind, resource_id))

    def new_failures(self) -> list[NewFailure]:
        return [NewFailure(r, self.who_for(r.fingerprint)) for r in self.drift.regressions]

    def changed(self) -> list[ChangedResource]:
        """The changes grouped per resource, in the drift's order."""
        owner: dict[tuple[str, str], tuple[str, str]] = {}
        for c in self.drift.changes:
            owner.setdefault((c.kind, c.resource_id), (c.tenant_id, c.region))
        return [
            ChangedResource(kind, rid, *owner[(kind, rid)], lines, self.who_changed(kind, rid))
            for (kind, rid), lines in self.changes.items()
        ]

    def removed(self) -> list[Removed]:
        return [Removed(r, self.who_changed(r.kind, r.id)) for r in self.drift.removed_resources]


def resolved_as(row: ResultRow) -> str:
    """How a resolved failure ended: it passes, does not apply, or is no longer reported."""
    return RESOLVED_AS.get(row.status, "no longer reported")


def of(
    drift: Drift, organizations: Sequence[Organization] = (), tenants: Sequence[Tenant] = ()
) -> DriftView:
    """The view of ``drift``; the organizations and tenants name the ids its rows carry."""
    changes: dict[tuple[str, str], list[str]] = {}
    shown: set[tuple[str, str]] = set()
    for c in drift.changes:
        # one resource seen as two kinds (an organization trail is also a trail): its change
        # is shown once, under the first kind
        line = str(c)
        if (c.resource_id, line) in shown:
            continue
        shown.add((c.resource_id, line))
        changes.setdefault((c.kind, c.resource_id), []).append(line)
    names = {(o.cloud, o.id): o.name for o in organizations}
    names |= {(t.cloud, t.id): t.name for t in tenants}
    return DriftView(
        drift,
        frozenset(r.fingerprint for r in drift.regressions),
        {r.fingerprint: r.first_seen for r in drift.still_failing},
        changes,
        names,
    )


def view(report: ScanReport) -> DriftView | None:
    """The drift view of a report, None when the scan was not compared."""
    if report.drift is None:
        return None
    return of(report.drift, report.organizations, report.tenants)


def history_on(report: ScanReport) -> bool:
    """Rows carry ``first_seen`` (the scan used a history store)."""
    return any(r.first_seen for r in report.results)
