"""Who changed it on AWS: drifted resources attributed from CloudTrail (the AWS cloud's
``attribute``).

Subjects are grouped by where their events are logged (account, region: see
:func:`logwarden.scanner.collectors.aws.attribution.match.target_of`). For each group:

1. the **archive**: the first trail of the scan that logs that account and region to S3 (the
   organization trail first), read with the session of the account that owns its bucket (the
   collected ``aws.s3.bucket``'s tenant; the management account when the bucket was not
   collected). If that archive cannot be read (AccessDenied, KMS, no such bucket), the next
   trail's is tried;
2. **event history** (``cloudtrail:LookupEvents`` in that account and region) for every subject
   when no archive could be read, and for the subjects the archive had no event for (an event
   made after the trail stopped logging, or not delivered yet).

Errors are values: an unreadable archive with a working event history is not an error; both
failing names both failures. See docs/attribution-aws.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from logwarden.scanner.audit_events import Attribution, AuditEvent, Subject
from logwarden.scanner.collectors.aws.attribution.archive import (
    MAX_FILES,
    READ_WORKERS,
    Archive,
    ArchiveRead,
    read_archive,
)
from logwarden.scanner.collectors.aws.attribution.lookup import (
    MAX_LOOKUP_CALLS,
    lookup,
    source_name,
)
from logwarden.scanner.collectors.aws.attribution.match import (
    Target,
    Window,
    event_key,
    oldest_first,
    target_of,
    to_event,
)
from logwarden.scanner.collectors.aws.attribution.match import match as match_record
from logwarden.scanner.collectors.aws.attribution.scope import ScanScope
from logwarden.scanner.collectors.aws.common import AWS_ERRORS, error_code


@dataclass(frozen=True)
class Limits:
    """Bounds on the work of one attribution run, per account and region searched."""

    max_files: int = MAX_FILES  # archive log files read
    max_lookup_calls: int = MAX_LOOKUP_CALLS  # LookupEvents requests
    workers: int = READ_WORKERS  # log files fetched in parallel


@dataclass
class _Found:
    """The events and error notes of one target."""

    target: Target
    events: dict[str, AuditEvent] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, record: dict[str, object], source: str, name: str) -> None:
        self.events.setdefault(event_key(record), to_event(record, source, name))


def attribute(
    subjects: Sequence[Subject],
    start: str,
    end: str,
    inventories: Sequence[object],
    *,
    limits: Limits | None = None,
) -> list[Attribution]:
    """One :class:`Attribution` per subject, in order (see the module docstring)."""
    try:
        window = Window.parse(start, end)
    except ValueError as exc:
        return [
            Attribution(s, error=f"bad search window {start!r}..{end!r}: {exc}") for s in subjects
        ]
    scope = ScanScope.of(inventories)
    limits = limits or Limits()
    out: dict[tuple[str, str], Attribution] = {}
    groups: dict[tuple[str, str], list[_Found]] = {}
    for subject in subjects:
        target = target_of(subject, scope.management, scope.extra_names(subject))
        if target is None:
            out[subject.key] = Attribution(
                subject,
                error=f"logwarden does not know which CloudTrail events change {subject.kind}",
            )
            continue
        groups.setdefault(target.location, []).append(_Found(target))
    for location, group in sorted(groups.items()):
        _search(scope, location, group, window, limits)
        for found in group:
            notes = "; ".join(dict.fromkeys(found.notes))
            out[found.target.subject.key] = Attribution(
                found.target.subject, oldest_first(found.events), notes
            )
    return [out[s.key] for s in subjects]


def _failure(where: str, exc: BaseException) -> str:
    code, message = error_code(exc)
    return f"{where}: {code}: {message}"


def _covered(archive: Archive, found: _Found) -> bool:
    return not any(fnmatchcase(found.target.rule.source, p) for p in archive.excluded)


def _read_archive(
    scope: ScanScope,
    location: tuple[str, str],
    group: list[_Found],
    window: Window,
    limits: Limits,
) -> tuple[Archive | None, list[str]]:
    """Search the first readable archive; (the archive read or None, the failures met)."""
    account, region = location
    failures: list[str] = []
    for archive in scope.archives(account, region):
        where = archive.url(archive.base(account, region))
        covered = [f for f in group if _covered(archive, f)]
        try:
            hits, read = _search_archive(scope, archive, location, covered, window, limits)
        except AWS_ERRORS as exc:
            failures.append(_failure(where, exc))
            continue
        for f in covered:
            f.events.update(hits[id(f)])
            if read.truncated:
                f.notes.append(
                    f"archive search truncated: read the newest {read.files} log files under "
                    f"{where} (limit {limits.max_files}); older events of the window were not read"
                )
            if read.bad:
                f.notes.append(f"unreadable log files: {', '.join(read.bad[:3])}")
        return archive, failures
    return None, failures


def _search_archive(
    scope: ScanScope,
    archive: Archive,
    location: tuple[str, str],
    covered: list[_Found],
    window: Window,
    limits: Limits,
) -> tuple[dict[int, dict[str, AuditEvent]], ArchiveRead]:
    """The events of ``covered`` in one archive; raises the AWS error that stopped it."""
    hits: dict[int, dict[str, AuditEvent]] = {id(f): {} for f in covered}

    def visit(record: dict[str, object], url: str) -> None:
        for f in covered:
            name = match_record(record, f.target, window)
            if name is not None:
                hits[id(f)].setdefault(event_key(record), to_event(record, url, name))

    session = scope.session(archive.owner or scope.management)
    read = read_archive(
        session.client("s3", archive.region or None),
        archive,
        *location,
        (window.start, window.end),
        visit,
        max_files=limits.max_files,
        workers=limits.workers,
    )
    return hits, read


def _search(
    scope: ScanScope,
    location: tuple[str, str],
    group: list[_Found],
    window: Window,
    limits: Limits,
) -> None:
    account, region = location
    archive, failures = _read_archive(scope, location, group, window, limits)
    if archive is None:
        pending = group
        why = "; ".join(failures) or (
            f"no trail of the scan delivers the log of account {account} in {region} to S3"
        )
    else:
        pending = [f for f in group if not f.events]  # incl. sources the trail excludes
        why = f"no matching event in {archive.url(archive.base(account, region))}"
    if not pending:
        return
    by_target = {id(f.target): f for f in pending}
    source = source_name(account, region)
    try:
        client = scope.session(account).client("cloudtrail", region)
        read = lookup(
            client,
            [f.target for f in pending],
            window,
            lambda t, record, name: by_target[id(t)].add(record, source, name),
            max_calls=limits.max_lookup_calls,
        )
    except AWS_ERRORS as exc:
        failed = _failure(source, exc)
        for f in pending:  # events found before the failure stay: they did happen
            f.notes.append(f"{why}; {failed}")
        return
    if read.truncated:
        for f in pending:
            f.notes.append(
                f"{source}: stopped after {read.calls} requests (limit "
                f"{limits.max_lookup_calls}); events may be missing"
            )
