"""azure.monitor.activity_log_exported: the Activity Log reaches a Log Analytics workspace.

Python because the expected workspace is optional (``expected_workspace_id: null`` means
"any workspace"), ARM resource ids compare without case, and the workspace must exist: a
setting that names a deleted workspace sends nothing anywhere (FAIL), and one whose workspace
could not be read proves nothing (ERROR, in the subscription whose setting points there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.checks.azure.destinations import AUDIT_NOTE, SETTING, Destinations, Target, name_of
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Resource, Status


def same_id(a: Any, b: Any) -> bool:
    """ARM ids are case-insensitive; a trailing slash does not matter."""
    return (
        isinstance(a, str)
        and isinstance(b, str)
        and bool(a)
        and a.rstrip("/").lower() == b.rstrip("/").lower()
    )


def activity_log_exported(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per subscription: which setting sends the Activity Log to which workspace."""
    expected = ctx.param("expected_workspace_id")
    settings = list(ctx.resources(SETTING))
    destinations = Destinations(ctx)
    workspace: dict[str, Target] = {}
    for s in settings:
        for target in destinations.targets(s, ["workspace"]):
            workspace[s.id] = target
    evidence: dict[str, Any] = {
        "ExpectedWorkspaceId": expected,
        "Settings": {
            name_of(s): {
                "WorkspaceId": workspace[s.id].id if s.id in workspace else None,
                "WorkspaceState": workspace[s.id].state if s.id in workspace else None,
                "Destinations": s.data.get("Destinations") or [],
                "EnabledCategories": s.data.get("EnabledCategories") or [],
            }
            for s in settings
        },
    }
    subject = subject_id(ctx)
    to_workspace = [s for s in settings if s.id in workspace]
    sending = [s for s in to_workspace if _sends(s)]
    matching = [s for s in sending if expected is None or same_id(workspace[s.id].id, expected)]
    good = [s for s in matching if workspace[s.id].counts]
    if good:
        first = good[0]
        message = (
            f"diagnostic setting {name_of(first)} sends the Activity Log to workspace "
            f"{workspace[first.id].id}"
        )
        yield Outcome(Status.PASS, message, subject, evidence=evidence)
        return
    unknown = [s for s in matching if workspace[s.id].unknown]
    if unknown:
        reasons = "; ".join(f"{name_of(s)}: {workspace[s.id].reason}" for s in unknown)
        message = (
            "could not be evaluated: the Activity Log goes to a workspace that could not be "
            f"read, so whether it exists is unknown ({reasons})"
        )
        yield Outcome(Status.ERROR, message, subject, evidence=evidence)
        return
    message = _failure(settings, to_workspace, sending, matching, expected, workspace)
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)


def _sends(setting: Resource) -> bool:
    # Only categories count: what the audit group holds is not documented (categories.py).
    return bool(setting.data.get("EnabledCategories"))


def _failure(
    settings: list[Resource],
    to_workspace: list[Resource],
    sending: list[Resource],
    matching: list[Resource],
    expected: Any,
    workspace: dict[str, Target],
) -> str:
    if matching:  # every one of them names a workspace that does not exist
        gone = "; ".join(f"{name_of(s)}: {workspace[s.id].reason}" for s in matching)
        return (
            "the Activity Log is sent to a workspace that does not exist, so it reaches no "
            f"workspace ({gone})"
        )
    if not settings:
        return "no diagnostic setting exports the Activity Log of this subscription"
    if not to_workspace:
        where = "; ".join(
            f"{name_of(s)} -> {', '.join(s.data.get('Destinations') or []) or 'nowhere'}"
            for s in settings
        )
        return (
            f"no diagnostic setting sends the Activity Log to a Log Analytics workspace ({where})"
        )
    if not sending:
        names = ", ".join(name_of(s) for s in to_workspace)
        groups = {
            str(g).lower() for s in to_workspace for g in s.data.get("EnabledCategoryGroups") or []
        }
        note = f" ({AUDIT_NOTE})" if "audit" in groups else ""
        return f"diagnostic setting(s) {names} name a workspace but enable no log category{note}"
    seen = ", ".join(sorted({workspace[s.id].id for s in sending}))
    return f"the Activity Log goes to workspace(s) {seen}, not to the expected workspace {expected}"
