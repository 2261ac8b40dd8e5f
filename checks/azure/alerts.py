"""azure.monitor.alert_*: CIS Azure v3.0.0 6.2.1-6.2.10, one control per operation.

Python because a rule's verdict depends on its condition, scope, state and the action groups it
notifies (``activity_alerts.covers``), and the subscription's answer on all its rules
(``activity_alerts.combine``): one covering rule passes; otherwise a rule that could not be
judged (an unreadable action group, an undocumented condition field) makes the row an ERROR,
never a PASS; otherwise the row FAILs and names the near misses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.checks.azure.action_groups import Verdict
from logwarden.checks.azure.activity_alerts import combine, covers
from logwarden.checks.azure.alert_requirements import REQUIREMENTS, AlertRequirement
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, CheckFunction, Outcome, PythonCheck, Status

ALERT = "azure.monitor.activity_log_alert"
ACTION_GROUP = "azure.monitor.action_group"
STATUS = {Verdict.YES: Status.PASS, Verdict.NO: Status.FAIL, Verdict.UNKNOWN: Status.ERROR}


def control_id(requirement: AlertRequirement) -> str:
    """The control of one requirement: ``azure.monitor.alert_<key>``."""
    return f"azure.monitor.alert_{requirement.key}"


def action_groups(ctx: CheckContext) -> dict[str, Mapping[str, Any] | None]:
    """Action group id -> its resource (None: it does not exist); unread groups are left out,
    so a rule that depends on one is undecided."""
    out: dict[str, Mapping[str, Any] | None] = {}
    for doc in ctx.resources(ACTION_GROUP):
        state = doc.data.get("State")
        if state == "Exists":
            out[doc.id] = doc.data
        elif state == "NotFound":
            out[doc.id] = None
    return out


def _ancestry(ctx: CheckContext) -> tuple[str, ...]:
    tenant = ctx.tenant
    if tenant is None:
        return ()
    chain = tenant.attributes.get("management_group_chain") or tenant.parents
    return tuple(str(g) for g in chain)


def alert_check(requirement: AlertRequirement) -> CheckFunction:
    """The check function of one requirement: one row per subscription."""

    def check(ctx: CheckContext) -> Iterator[Outcome]:
        subject = subject_id(ctx)
        groups = action_groups(ctx)
        ancestry = _ancestry(ctx)
        verdicts = [
            covers(a.data, requirement, subject, ancestry, groups) for a in ctx.resources(ALERT)
        ]
        answer = combine(requirement, subject, verdicts)
        unreadable = {
            g.id: str(g.data.get("Reason") or "")
            for g in ctx.resources(ACTION_GROUP)
            if g.data.get("State") not in ("Exists", "NotFound")
        }
        evidence: dict[str, Any] = {
            "Operation": requirement.operation,
            "Rules": {
                v.alert: {"Verdict": v.verdict.value, "Reason": v.reason}
                for v in verdicts
                if v.relevant
            },
            "OtherRules": sorted(v.alert for v in verdicts if not v.relevant),
            "Unreadable": unreadable,
        }
        message = answer.reason
        if answer.verdict is Verdict.UNKNOWN and unreadable:
            # say why a group was not read (denied, throttled, a malformed answer)
            message += "; " + "; ".join(r for r in unreadable.values() if r)
        if answer.covered:
            evidence["CoveringRule"] = answer.alert
        yield Outcome(STATUS[answer.verdict], message, subject, evidence=evidence)

    check.__name__ = f"alert_{requirement.key}"
    check.__doc__ = f"CIS: an activity log alert on {requirement.operation}."
    return check


CHECKS: tuple[PythonCheck, ...] = tuple(
    PythonCheck(control_id(r), alert_check(r)) for r in REQUIREMENTS
)
