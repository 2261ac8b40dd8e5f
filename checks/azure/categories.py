"""azure.monitor.activity_log_categories: Administrative, Security, Alert and Policy are exported.

Python because the answer is a union over settings: a subscription may have up to five
diagnostic settings, and two that together export the four categories to destinations that
exist satisfy the control. A setting counts when at least one of its destinations exists; a
setting whose destinations are all gone does not count; one whose destinations could not be
read (or are not verified) makes the row an ERROR when the four categories depend on it.

The ``audit`` category group adds no category: what it holds is not documented for the
subscription Activity Log (see docs/azure.md), so only ``allLogs`` or the categories listed
one by one count.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.checks.azure.destinations import AUDIT_NOTE, SETTING, Destinations, Target, name_of
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Resource, Status

REQUIRED = ("Administrative", "Security", "Alert", "Policy")


def _exported(settings: list[Resource]) -> set[str]:
    return {str(c) for s in settings for c in s.data.get("EnabledCategories") or []}


def _listing(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def activity_log_categories(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per subscription from the union of the settings whose destination exists."""
    subject = subject_id(ctx)
    settings = list(ctx.resources(SETTING))
    destinations = Destinations(ctx)
    targets = {s.id: destinations.targets(s) for s in settings}
    counting = [s for s in settings if any(t.counts for t in targets[s.id])]
    unknown = [s for s in settings if s not in counting and any(t.unknown for t in targets[s.id])]
    exported = _exported(counting)
    missing = [c for c in REQUIRED if c not in exported]
    evidence = _evidence(settings, targets, counting, exported)
    if not missing:
        yield Outcome(Status.PASS, _passed(counting), subject, evidence=evidence)
        return
    if all(c in exported | _exported(unknown) for c in REQUIRED):
        reasons = "; ".join(
            f"{name_of(s)}: {t.reason}" for s in unknown for t in targets[s.id] if t.unknown
        )
        message = (
            f"could not be evaluated: {_listing(missing)} reach only destinations that could "
            f"not be verified ({reasons})"
        )
        yield Outcome(Status.ERROR, message, subject, evidence=evidence)
        return
    message = _failed(settings, targets, counting, missing)
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)


def _passed(counting: list[Resource]) -> str:
    def covered(s: Resource) -> list[str]:
        return [c for c in REQUIRED if c in (s.data.get("EnabledCategories") or [])]

    alone = [s for s in counting if len(covered(s)) == len(REQUIRED)]
    if alone:
        return (
            f"diagnostic setting {name_of(alone[0])} exports {_listing(list(REQUIRED))} to a "
            "destination that exists"
        )
    parts = [f"{name_of(s)} ({', '.join(covered(s))})" for s in counting if covered(s)]
    return (
        f"diagnostic settings {_listing(parts)} together export {_listing(list(REQUIRED))} to "
        "destinations that exist"
    )


def _failed(
    settings: list[Resource],
    targets: dict[str, list[Target]],
    counting: list[Resource],
    missing: list[str],
) -> str:
    if not settings:
        return "no diagnostic setting exports the Activity Log of this subscription"
    notes: list[str] = []
    for s in settings:
        if s in counting:
            shown = ", ".join(s.data.get("EnabledCategories") or []) or "no category"
            notes.append(f"{name_of(s)} exports {shown}")
        elif not targets[s.id]:
            notes.append(f"{name_of(s)} does not count: it has no destination")
        else:
            reasons = "; ".join(t.reason for t in targets[s.id])
            notes.append(f"{name_of(s)} does not count: {reasons}")
    groups = {str(g).lower() for s in settings for g in s.data.get("EnabledCategoryGroups") or []}
    if "audit" in groups:
        notes.append(AUDIT_NOTE)
    return (
        f"{_listing(missing)} {'is' if len(missing) == 1 else 'are'} not exported to a "
        f"destination that exists ({'; '.join(notes)})"
    )


def _evidence(
    settings: list[Resource],
    targets: dict[str, list[Target]],
    counting: list[Resource],
    exported: set[str],
) -> dict[str, Any]:
    return {
        "Required": list(REQUIRED),
        "Exported": sorted(exported),
        "Settings": {
            name_of(s): {
                "EnabledCategories": s.data.get("EnabledCategories") or [],
                "EnabledCategoryGroups": s.data.get("EnabledCategoryGroups") or [],
                "Destinations": {t.type: t.state for t in targets[s.id]},
                "Counts": s in counting,
            }
            for s in settings
        },
    }
