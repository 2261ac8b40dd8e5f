"""Attribution: ask each cloud who made the drift (``Cloud.attribute``), then link it to the
regressions.

Subjects are the resources with configuration changes and the resources that disappeared.
Each regression is linked to the subjects that explain it: the drifted resource itself
(resource-scope rows), else drifted resources of the check's kinds named in the row's
evidence, else those of the same tenant, else those of the check's kinds anywhere in the
organization (an organization trail that stopped uncovers every member account). The window
is from the earlier scan to now, at most ``MAX_WINDOW_DAYS`` (cloud audit logs keep 90 days
of management events at least). A reader's failure becomes an error on its subjects, never an
exception: attribution informs, it does not gate.
"""

from __future__ import annotations

import datetime as dt
import json
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.cloud import Attribute, Cloud
from logwarden.scanner.drift import Drift, ResultRow
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Check, CheckResult

MAX_WINDOW_DAYS = 90


def subjects_of(drift: Drift) -> dict[tuple[str, str], Subject]:
    """One subject per drifted resource: its changed paths, or removed."""
    paths: dict[tuple[str, str], list[str]] = {}
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for change in drift.changes:
        key = (change.kind, change.resource_id)
        paths.setdefault(key, []).append(change.path)
        owners[key] = (change.tenant_id, change.region)
    out = {
        key: Subject(
            cloud=key[0].split(".", 1)[0],
            kind=key[0],
            resource_id=key[1],
            tenant_id=owners[key][0],
            region=owners[key][1],
            paths=tuple(dict.fromkeys(p)),
        )
        for key, p in paths.items()
    }
    for res in drift.removed_resources:
        out[(res.kind, res.id)] = Subject(
            cloud=res.kind.split(".", 1)[0],
            kind=res.kind,
            resource_id=res.id,
            tenant_id=res.tenant_id,
            region=res.region,
            removed=True,
        )
    return out


def link_causes(
    regressions: Iterable[ResultRow],
    subjects: Mapping[tuple[str, str], Subject],
    checks: Mapping[str, Check],
    evidence: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """For each regression fingerprint, the keys of the subjects that explain it."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in regressions:
        check = checks.get(row.check_id)
        kinds = set(check.kinds) if check is not None else set()
        direct = [k for k, s in subjects.items() if s.resource_id == row.resource_id]
        of_kind = [k for k, s in subjects.items() if s.kind in kinds and s.cloud == row.cloud]
        seen = json.dumps((evidence or {}).get(row.fingerprint, {}), default=str)
        named = [k for k in of_kind if k[1] in seen]
        same_tenant = [k for k in of_kind if subjects[k].tenant_id == row.tenant_id]
        found = direct or named or same_tenant or of_kind
        if found:
            out[row.fingerprint] = sorted(found)
    return out


def window_start(before_time: str, now: dt.datetime) -> str:
    """The start of the search window: the earlier scan, at most MAX_WINDOW_DAYS back."""
    floor = now - dt.timedelta(days=MAX_WINDOW_DAYS)
    try:
        start = dt.datetime.fromisoformat(before_time)
    except ValueError:
        start = floor
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return max(start, floor).astimezone(dt.UTC).isoformat(timespec="seconds")


def attribute(
    drift: Drift,
    clouds: Mapping[str, Cloud],
    inventories: Mapping[str, Sequence[Inventory]],
    checks: Sequence[Check],
    results: Sequence[CheckResult] = (),
    now: dt.datetime | None = None,
) -> None:
    """Fill ``drift.attributions`` and ``drift.causes`` from the clouds' audit logs.

    :param clouds: the registered clouds; each reads its own audit log (``Cloud.attribute``).
    :param inventories: the scan's inventories by cloud (organization ones first), whose
        sessions the readers use; a cloud without inventories gets an error per subject.
    """
    if drift.before_time is None:
        return  # nothing recorded before: no window to search
    subjects = subjects_of(drift)
    if not subjects:
        return
    moment = now or dt.datetime.now(dt.UTC)
    start = window_start(drift.before_time, moment)
    # Rounded up to the second: a change made in the second the scan ends is inside.
    end_time = moment.astimezone(dt.UTC).replace(microsecond=0)
    if end_time < moment:
        end_time += dt.timedelta(seconds=1)
    end = end_time.isoformat(timespec="seconds")
    by_cloud: dict[str, list[Subject]] = {}
    for subject in subjects.values():
        by_cloud.setdefault(subject.cloud, []).append(subject)
    found: dict[tuple[str, str], Attribution] = {}
    for cloud, group in sorted(by_cloud.items()):
        reader = clouds.get(cloud)
        attribute = reader.attribute if reader is not None else None
        for answer in _ask(attribute, group, start, end, inventories.get(cloud, ())):
            known = found.get(answer.subject.key)
            found[answer.subject.key] = known.merged(answer) if known else answer
        for subject in group:
            found.setdefault(
                subject.key,
                Attribution(subject, error=f"no audit-log reader for {cloud} answered"),
            )
    drift.attributions = dict(sorted(found.items()))
    evidence = {r.fingerprint: r.evidence for r in results}
    drift.causes = link_causes(drift.regressions, subjects, {c.id: c for c in checks}, evidence)
    drift.window = (start, end)


def _ask(
    attribute: Attribute | None,
    subjects: list[Subject],
    start: str,
    end: str,
    inventories: Sequence[Inventory],
) -> list[Attribution]:
    if not inventories:
        return [
            Attribution(s, error="the clouds were not scanned live (saved inventory)")
            for s in subjects
        ]
    if attribute is None:
        return []
    try:
        return list(attribute(subjects, start, end, list(inventories)))
    except Exception as exc:  # a reader's bug must not lose the scan's reports
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return [Attribution(s, error=f"attribution failed: {detail}") for s in subjects]
