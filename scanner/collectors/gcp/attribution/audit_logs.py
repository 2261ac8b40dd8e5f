"""Who changed it, from Cloud Audit Logs: the GCP cloud's ``attribute``.

For the drifted resources of one scan (the subjects), :func:`attribute` plans what to read
(``audit_targets.target_for``: a project's effective audit config needs the logs of the
project and of every folder and organization above it), reads each Admin Activity log once
for the window (``LoggingServiceV2.ListLogEntries`` over gRPC, all pages, oldest first,
only the services some subject there needs), and gives each subject the entries that changed
it, oldest first. A log that cannot be read is an ``error`` on the subjects that needed it
(``PERMISSION_DENIED: ...``); it never raises for a Google error. Data Access logs are not
read: every change is an Admin Activity entry, and those are always written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.collectors.gcp.attribution.records import AuditRecord, event_of, record_of
from logwarden.scanner.collectors.gcp.attribution.targets import Hierarchy, Target, target_for
from logwarden.scanner.collectors.gcp.common import (
    EFFECTIVE_AUDIT,
    FOLDER,
    GCP_ERRORS,
    PROJECT,
    error_code,
    session_of,
)
from logwarden.scanner.collectors.gcp.session import GcpSession
from logwarden.scanner.inventory import Inventory

ACTIVITY = "cloudaudit.googleapis.com%2Factivity"
PAGE_SIZE = 1000  # the API's maximum


@dataclass
class LogRead:
    """One activity log, read for the window: its records, or why it could not be read."""

    parent: str
    records: list[AuditRecord] = field(default_factory=list)
    error: str = ""


def activity_log(parent: str) -> str:
    """The Admin Activity log of ``parent`` (``organizations/N``, ``folders/N``, ``projects/ID``)."""
    return f"{parent}/logs/{ACTIVITY}"


def _utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def rfc3339(moment: dt.datetime) -> str:
    """A time as the Logging query language wants it (UTC, ``Z``)."""
    return moment.isoformat().replace("+00:00", "Z")


def log_filter(parent: str, start: str, end: str, services: Iterable[str] | None = None) -> str:
    """``logName="..." AND timestamp>"start" AND timestamp<="end"`` (and the services).

    An ``end`` given to the second (the engine's "now") covers that whole second:
    ``timestamp<"end + 1 s"``, so a change made in the second the scan ends is not missed.
    """
    low, high = _utc(start), _utc(end)
    upper = (
        f'timestamp<"{rfc3339(high + dt.timedelta(seconds=1))}"'
        if high.microsecond == 0
        else f'timestamp<="{rfc3339(high)}"'
    )
    terms = [f'logName="{activity_log(parent)}"', f'timestamp>"{rfc3339(low)}"', upper]
    names = sorted(set(services or ()))
    if len(names) == 1:
        terms.append(f'protoPayload.serviceName="{names[0]}"')
    elif names:
        terms.append("protoPayload.serviceName=(" + " OR ".join(f'"{n}"' for n in names) + ")")
    return " AND ".join(terms)


def read_log(
    session: GcpSession, parent: str, start: str, end: str, services: Iterable[str] | None
) -> LogRead:
    """Every audit record of ``parent``'s activity log in ``(start, end]``, oldest first
    (see :func:`log_filter` for the end)."""
    request = {
        "resource_names": [parent],
        "filter": log_filter(parent, start, end, services),
        "order_by": "timestamp asc",
        "page_size": PAGE_SIZE,
    }
    try:
        pages = session.client("logging").list_log_entries(
            request=request, **session.call_options()
        )
        records = [r for r in map(record_of, pages) if r is not None]
    except GCP_ERRORS as exc:
        code, message = error_code(exc)
        return LogRead(parent, error=f"{code}: cannot read {activity_log(parent)}: {message}")
    return LogRead(parent, records)


def hierarchy_of(inventories: Sequence[Inventory]) -> Hierarchy:
    """Ancestors and project numbers from what the scan already holds (no Google call):
    discovery's ``Tenant.parents``, the collected effective configs' ``Hierarchy``, the
    collected folders' ``Path`` and projects' ``name``."""
    ancestors: dict[str, tuple[str, ...]] = {}
    numbers: dict[str, str] = {}
    for inv in inventories:
        collected = inv.collected()
        tenant = inv.tenant
        if tenant is not None:
            if tenant.parents:
                ancestors[f"projects/{tenant.id}"] = tuple(tenant.parents)
            number = str(tenant.attributes.get("number") or "")
            if number:
                numbers[number] = tenant.id
        for kind in (EFFECTIVE_AUDIT, FOLDER, PROJECT):
            found = collected.get(kind)
            for res in found.resources if found is not None else ():
                data = res.data
                if kind == EFFECTIVE_AUDIT:
                    chain = [str(n) for n in data.get("Hierarchy") or ()]
                    if chain and chain[-1] == data.get("name"):
                        ancestors.setdefault(chain[-1], tuple(chain[:-1]))
                elif kind == FOLDER:
                    ancestors.setdefault(str(data.get("name")), tuple(data.get("Path") or ()))
                elif data.get("projectId") and data.get("name"):
                    numbers[str(data["name"]).removeprefix("projects/")] = str(data["projectId"])
    return Hierarchy(ancestors, numbers)


def plan(targets: Sequence[Target]) -> dict[str, frozenset[str] | None]:
    """Each log to read once, with the services its subjects need (None: every service)."""
    out: dict[str, frozenset[str] | None] = {}
    for target in targets:
        for parent in target.logs:
            if parent in out and out[parent] is None:
                continue
            if target.services is None:
                out[parent] = None
            else:
                out[parent] = frozenset((out.get(parent) or frozenset()) | target.services)
    return out


def _unique(reads: Iterable[LogRead]) -> list[AuditRecord]:
    """Every record once, oldest first; a long-running operation's entries count once."""
    seen: dict[tuple[str, str], AuditRecord] = {}
    for read in reads:
        for record in read.records:
            key = (
                ("op", record.operation)
                if record.operation
                else (record.log_name, record.insert_id)
            )
            if key not in seen or record.time < seen[key].time:
                seen[key] = record
    return sorted(seen.values(), key=lambda r: (r.time, r.insert_id))


def attribute(
    subjects: Sequence[Subject], start: str, end: str, inventories: Sequence[Inventory]
) -> list[Attribution]:
    """One attribution per subject: the Admin Activity entries in ``(start, end]`` that
    changed it (oldest first), or why the logs it needs could not be read."""
    if not subjects:
        return []
    if not inventories:
        return [
            Attribution(s, error="no GCP inventory: the scan did not reach Google")
            for s in subjects
        ]
    hierarchy = hierarchy_of(inventories)
    targets = [target_for(s, hierarchy) for s in subjects]
    try:
        session = session_of(inventories[0])
    except GCP_ERRORS as exc:
        code, message = error_code(exc)
        return [Attribution(s, error=f"{code}: {message}") for s in subjects]
    reads = {
        parent: read_log(session, parent, start, end, services)
        for parent, services in plan(targets).items()
    }
    records = _unique(reads.values())
    out = []
    for target in targets:
        events = [event_of(r) for r in records if target.matches(r, hierarchy)]
        errors = list(dict.fromkeys(reads[p].error for p in target.logs if reads[p].error))
        out.append(Attribution(target.subject, events, "; ".join(errors)))
    return out
