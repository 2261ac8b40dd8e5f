"""Waivers: accepted exceptions that mute matching failures until they expire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from fnmatch import fnmatchcase

from logwarden.scanner.models import CheckResult, Status, Waiver


def is_expired(waiver: Waiver, today: dt.date) -> bool:
    """A waiver is valid through its ``expires`` date, inclusive."""
    return dt.date.fromisoformat(waiver.expires) < today


def matches(waiver: Waiver, result: CheckResult) -> bool:
    """Whether ``waiver`` names this result (check glob, tenant globs, resource globs)."""
    if not fnmatchcase(result.check_id, waiver.checks):
        return False
    if waiver.tenants and not any(
        fnmatchcase(result.tenant_id, t) or fnmatchcase(result.tenant_name, t)
        for t in waiver.tenants
    ):
        return False
    return not waiver.resources or any(fnmatchcase(result.resource_id, r) for r in waiver.resources)


def apply_waivers(
    results: Iterable[CheckResult], waivers: list[Waiver], today: dt.date
) -> tuple[list[CheckResult], list[Waiver]]:
    """The rows with their waiver marks, and every expired waiver, to be reported.

    Failures named by a valid waiver are muted. Only FAIL rows are muted: an ERROR means we
    do not know, and a waiver cannot make up for missing evidence. Muted rows stay in the
    report, marked with their waiver; a failure named only by an expired waiver carries it,
    unmuted. The rows given are not changed: a marked row is a new row.
    """
    valid = [w for w in waivers if not is_expired(w, today)]
    expired = [w for w in waivers if is_expired(w, today)]
    return [_marked(r, valid, expired) for r in results], expired


def _marked(result: CheckResult, valid: list[Waiver], expired: list[Waiver]) -> CheckResult:
    if result.status is not Status.FAIL:
        return result
    waiver = next((w for w in valid if matches(w, result)), None)
    if waiver is not None:
        return replace(result, muted=True, waiver=waiver)
    stale = next((w for w in expired if matches(w, result)), None)
    if stale is not None:
        return replace(result, waiver=stale)  # shown as "waiver expired", still a finding
    return result


def stale(
    waivers: Iterable[Waiver],
    results: Iterable[CheckResult],
    check_ids: Iterable[str],
    today: dt.date,
) -> list[Waiver]:
    """Valid waivers that muted nothing although the scan evaluated a control they name: the
    failure they accepted is gone (fixed, or the resource removed), so the waiver can go.

    A waiver whose controls this scan did not evaluate (another cloud, a ``--checks``
    selection) is not stale: the scan says nothing about it.
    """
    used = {r.waiver for r in results if r.muted and r.waiver is not None}
    evaluated = list(check_ids)
    return [
        w
        for w in waivers
        if not is_expired(w, today)
        and w not in used
        and any(fnmatchcase(c, w.checks) for c in evaluated)
    ]
