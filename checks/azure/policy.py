"""azure.policy.activity_log_policy_compliant: Policy Insights says the assignment is compliant.

Python because a missing compliance state is neither a pass nor a failure: Azure Policy has
not evaluated the assignment yet (new assignments take up to about 30 minutes), so the row is
an ERROR that says so and how to trigger an evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status

ASSIGNMENT = "azure.policy.assignment"
COMPLIANCE = "azure.policy.activity_log_compliance"
POLICY = "2465583e-4e78-4c15-b6be-a36cbc7c8b0f"


def activity_log_compliant(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per subscription from the states of every applying assignment of the policy."""
    subject = subject_id(ctx)
    docs = list(ctx.resources(COMPLIANCE))
    if not docs:
        excluded = [
            f"{a.data.get('Name') or a.id} excludes it through notScopes "
            f"{', '.join(str(x) for x in a.data.get('ExcludedBy') or [])}"
            for a in ctx.resources(ASSIGNMENT)
            if a.data.get("IncludesActivityLogPolicy") and a.data.get("ExcludedBy")
        ]
        why = f" ({'; '.join(excluded)})" if excluded else ""
        yield Outcome(
            Status.SKIPPED,
            f"no assignment of the activity-log policy {POLICY} applies to this subscription"
            f"{why}, so there is no compliance to read (azure.policy.activity_log_policy_assigned "
            "reports the missing assignment)",
            subject,
        )
        return
    states: dict[str, Any] = {
        str(d.data.get("Name") or d.id): d.data.get("ComplianceState") for d in docs
    }
    evidence = {
        "ComplianceStates": states,
        "Assignments": [d.id for d in docs],
        "Timestamps": {str(d.data.get("Name") or d.id): d.data.get("Timestamp") for d in docs},
    }
    bad = sorted(n for n, s in states.items() if s is not None and s != "Compliant")
    good = sorted(n for n, s in states.items() if s == "Compliant")
    pending = sorted(n for n, s in states.items() if s is None)
    if bad:
        shown = ", ".join(f"{n} is {states[n]}" for n in bad)
        message = (
            f"Policy Insights reports the activity-log policy assignment(s) not compliant: {shown}"
        )
        yield Outcome(Status.FAIL, message, subject, evidence=evidence)
    elif good:
        more = f" ({', '.join(pending)}: no state yet)" if pending else ""
        message = f"Policy Insights reports assignment {', '.join(good)} compliant{more}"
        yield Outcome(Status.PASS, message, subject, evidence=evidence)
    else:
        message = (
            f"could not be evaluated: Policy Insights has no compliance state yet for "
            f"assignment(s) {', '.join(pending)} of the activity-log policy; Azure Policy "
            "evaluates a new assignment within about 30 minutes (start one now with "
            f"'az policy state trigger-scan --subscription {subject}') and the next scan "
            "will read it"
        )
        yield Outcome(Status.ERROR, message, subject, evidence=evidence)
