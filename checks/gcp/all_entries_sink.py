"""gcp.logging.all_entries_sink (CIS GCP 2.2 as CIS states it): some sink exports every log
entry of the project: an empty filter, no enabled exclusion, enabled, and a destination that
exists. The project's own sinks count, and so do the organization and folder sinks above it
with ``includeChildren`` (``gcp.logging.exporting_sinks``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status

KIND = "gcp.logging.exporting_sinks"
SHOWN = 3


def why_not(sink: Mapping[str, Any]) -> list[str]:
    """Why a sink does not export every entry (empty: it does)."""
    reasons = []
    if str(sink.get("filter") or "").strip():
        reasons.append("its filter is not empty")
    if sink.get("disabled") is True:
        reasons.append("it is disabled")
    excluded = [
        e.get("name") for e in sink.get("exclusions") or () if e.get("disabled") is not True
    ]
    if excluded:
        reasons.append(f"exclusions {', '.join(map(str, excluded))} drop entries")
    exists = sink.get("DestinationExists")
    if exists is False:
        reasons.append(f"destination {sink.get('destination')} does not exist")
    elif exists is None and not reasons:
        reasons.append(
            f"destination type {sink.get('DestinationType')} is not verified by logwarden"
        )
    return reasons


def all_entries_sink(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per project."""
    subject = subject_id(ctx)
    docs = ctx.resources(KIND)
    if not docs:
        yield Outcome(Status.ERROR, "the sinks that export the project were not collected", subject)
        return
    sinks = list(docs[0].data.get("Sinks") or ())
    verdicts = {str(s.get("Id")): why_not(s) for s in sinks}
    evidence: dict[str, Any] = {
        "sinks": {sid: reasons or ["exports every entry"] for sid, reasons in verdicts.items()}
    }
    exporting = [sid for sid, reasons in verdicts.items() if not reasons]
    if exporting:
        evidence["exported_by"] = exporting
        yield Outcome(
            Status.PASS, f"{exporting[0]} exports every log entry", subject, evidence=evidence
        )
        return
    found = "; ".join(f"{sid}: {', '.join(r)}" for sid, r in list(verdicts.items())[:SHOWN])
    message = "no sink with an empty filter exports every log entry of the project"
    message += f" (sinks: {found})" if found else " (no sink of the project or above it)"
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)
