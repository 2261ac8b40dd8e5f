"""azure.monitor.activity_log_exported: the Activity Log reaches a Log Analytics workspace.

Python because the expected workspace is optional (``expected_workspace_id: null`` means
"any workspace") and ARM resource ids compare without case; the filter language has neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.declarative import subject_id
from scanner.models import CheckContext, Outcome, Resource, Status

SETTING = "azure.monitor.activity_log_setting"


def same_id(a: Any, b: Any) -> bool:
    """ARM ids are case-insensitive; a trailing slash does not matter."""
    return (
        isinstance(a, str)
        and isinstance(b, str)
        and bool(a)
        and a.rstrip("/").lower() == b.rstrip("/").lower()
    )


def _name(setting: Resource) -> str:
    return str(setting.data.get("Name") or setting.id)


def activity_log_exported(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per subscription: which setting sends the Activity Log to which workspace."""
    expected = ctx.param("expected_workspace_id")
    settings = list(ctx.resources(SETTING))
    evidence: dict[str, Any] = {
        "ExpectedWorkspaceId": expected,
        "Settings": {
            _name(s): {
                "WorkspaceId": s.data.get("WorkspaceId"),
                "Destinations": s.data.get("Destinations") or [],
                "EnabledCategories": s.data.get("EnabledCategories") or [],
            }
            for s in settings
        },
    }
    subject = subject_id(ctx)
    to_workspace = [s for s in settings if s.data.get("WorkspaceId")]
    sending = [s for s in to_workspace if s.data.get("EnabledCategories")]
    good = [s for s in sending if expected is None or same_id(s.data["WorkspaceId"], expected)]
    if good:
        first = good[0]
        message = (
            f"diagnostic setting {_name(first)} sends the Activity Log to workspace "
            f"{first.data['WorkspaceId']}"
        )
        yield Outcome(Status.PASS, message, subject, evidence=evidence)
        return
    if not settings:
        message = "no diagnostic setting exports the Activity Log of this subscription"
    elif not to_workspace:
        where = "; ".join(
            f"{_name(s)} -> {', '.join(s.data.get('Destinations') or []) or 'nowhere'}"
            for s in settings
        )
        message = (
            f"no diagnostic setting sends the Activity Log to a Log Analytics workspace ({where})"
        )
    elif not sending:
        names = ", ".join(_name(s) for s in to_workspace)
        message = f"diagnostic setting(s) {names} name a workspace but enable no log category"
    else:
        seen = ", ".join(sorted({str(s.data["WorkspaceId"]) for s in sending}))
        message = (
            f"the Activity Log goes to workspace(s) {seen}, not to the expected workspace "
            f"{expected}"
        )
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)
