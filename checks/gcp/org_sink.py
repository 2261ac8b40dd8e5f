"""gcp.logging.org_sink: an aggregated sink exports the audit logs of every project in scope.

Covered: a qualifying sink (``includeChildren``, enabled, a filter and exclusions that
certainly export every entry of the four audit log types -- activity, data_access,
system_event, policy: ``AuditLogTypes`` in docs/gcp.md -- and a destination that exists) at
the scanned organization (or folder) or above it; otherwise every child folder is covered
(recursively) and no project sits directly under an uncovered node. A project-level sink never
covers anything: the project's owners can delete it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status

AUDIT_LOG_TYPES = ("activity", "data_access", "system_event", "policy")
ORG_SINK = "gcp.logging.org_sink"
ORGANIZATION = "gcp.resourcemanager.organization"
FOLDER = "gcp.resourcemanager.folder"
SHOWN = 3
NOT_EVALUATED = "its filter was not evaluated per audit log type (an older inventory)"


def why_not(sink: Mapping[str, Any]) -> list[str]:
    """Why a sink does not count as an aggregated audit-log export (empty: it counts)."""
    reasons: list[str] = []
    if sink.get("includeChildren") is not True:
        reasons.append("includeChildren is false")
    if sink.get("disabled") is True:
        reasons.append("the sink is disabled")
    reasons.extend(audit_log_gaps(sink))
    exists = sink.get("DestinationExists")
    if exists is False:
        reasons.append(f"destination {sink.get('destination')} does not exist")
    elif exists is None:
        reasons.append(
            f"destination type {sink.get('DestinationType')} is not verified by logwarden "
            "(export to a log bucket or a Cloud Storage bucket)"
        )
    return reasons


def audit_log_gaps(sink: Mapping[str, Any]) -> list[str]:
    """One reason per explanation shared by the audit log types the sink does not certainly
    export (``AuditLogTypes[type].Reason``), naming those types."""
    types = sink.get("AuditLogTypes")
    if not isinstance(types, Mapping):
        return [NOT_EVALUATED]
    gaps: dict[str, list[str]] = {}
    for log_type in AUDIT_LOG_TYPES:
        entry = types.get(log_type)
        if not isinstance(entry, Mapping) or entry.get("Exported") is not True:
            reason = entry.get("Reason") if isinstance(entry, Mapping) else None
            gaps.setdefault(str(reason or "not evaluated"), []).append(log_type)
    return [f"{', '.join(names)} audit logs {reason}" for reason, names in gaps.items()]


def audit_log_evidence(sink: Mapping[str, Any]) -> dict[str, str]:
    """Per audit log type: exported or not, and why."""
    types = sink.get("AuditLogTypes")
    types = types if isinstance(types, Mapping) else {}
    return {t: str((types.get(t) or {}).get("Reason") or "not evaluated") for t in AUDIT_LOG_TYPES}


def _uncovered(
    node: str, nodes: Mapping[str, Mapping[str, Any]], covered: Mapping[str, list[str]]
) -> list[str]:
    if covered.get(node):
        return []
    doc = nodes.get(node)
    if doc is None:
        return [f"{node} (not read)"]
    out = [f"project {p} (directly under {node})" for p in doc.get("Projects") or ()]
    for child in doc.get("Folders") or ():
        out.extend(_uncovered(child, nodes, covered))
    return out


def org_sink(ctx: CheckContext) -> Iterator[Outcome]:
    """One row for the organization (or the scanned folder)."""
    subject = subject_id(ctx)
    nodes = {
        str(r.data.get("name")): r.data
        for kind in (ORGANIZATION, FOLDER)
        for r in ctx.resources(kind)
    }
    covered: dict[str, list[str]] = {}
    verdicts: dict[str, list[str]] = {}
    audit_logs: dict[str, dict[str, str]] = {}
    for sink in ctx.resources(ORG_SINK):
        if sink.data.get("BuiltIn"):
            continue
        reasons = why_not(sink.data)
        verdicts[sink.id] = reasons
        audit_logs[sink.id] = audit_log_evidence(sink.data)
        if not reasons:
            covered.setdefault(str(sink.data.get("Parent")), []).append(sink.id)
    root = nodes.get(subject, {})
    chain = [*(root.get("Path") or ()), subject]
    covering = [sid for node in chain for sid in covered.get(node, [])]
    evidence: dict[str, Any] = {
        "sinks": {sid: reasons or ["qualifies"] for sid, reasons in verdicts.items()},
        "audit_log_types": audit_logs,
    }
    if covering:
        evidence["covered_by"] = covering
        yield Outcome(
            Status.PASS,
            f"every project below {subject} is exported by {covering[0]}",
            subject,
            evidence=evidence,
        )
        return
    has_children = bool(root.get("Folders") or root.get("Projects"))
    uncovered = _uncovered(subject, nodes, covered) if has_children else [subject]
    if not uncovered:
        evidence["covered_by"] = sorted(sid for ids in covered.values() for sid in ids)
        yield Outcome(
            Status.PASS,
            f"no sink at {subject}, but every folder below it is covered by its own aggregated sink",
            subject,
            evidence=evidence,
        )
        return
    evidence["uncovered"] = uncovered
    unread = [sid for sid, reasons in verdicts.items() if NOT_EVALUATED in reasons]
    if unread:
        message = (
            f"cannot tell whether {', '.join(unread[:SHOWN])} export the audit logs: the "
            "inventory was saved by an older logwarden without per-type audit log verdicts; "
            "scan again"
        )
        yield Outcome(Status.ERROR, message, subject, evidence=evidence)
        return
    more = f" (and {len(uncovered) - SHOWN} more)" if len(uncovered) > SHOWN else ""
    candidates = "; ".join(
        f"{sid.rsplit('/', 1)[-1]} at {sid.split('/sinks/')[0].removeprefix('//logging.googleapis.com/')}: {', '.join(r)}"
        for sid, r in list(verdicts.items())[:SHOWN]
        if r
    )
    message = (
        f"no aggregated sink exports the audit logs of {', '.join(uncovered[:SHOWN])}{more}"
        + (f"; sinks found: {candidates}" if candidates else "; no organization or folder sink")
    )
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)
