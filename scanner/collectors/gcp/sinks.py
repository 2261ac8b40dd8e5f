"""Log sinks: destinations and which audit logs a sink exports (pure functions).

A sink's filter and enabled exclusions are read with the Logging query language parser
(:mod:`logging_query`) and evaluated per audit log type (:mod:`audit_filter`): a type counts as
exported only when every entry of it below the sink is certainly admitted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from logwarden.scanner.collectors.gcp.audit_filter import (
    Tri,
    kinds_below,
    names_audit_logs,
    sink_verdicts,
)
from logwarden.scanner.collectors.gcp.log_names import AUDIT_LOG_TYPES
from logwarden.scanner.collectors.gcp.logging_query import And, ParseError, parse

BUILT_IN_SINKS = ("_Default", "_Required")
LOG_BUCKET_DEST = re.compile(
    r"^logging\.googleapis\.com/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/buckets/(?P<bucket>[^/]+)$"
)
STORAGE_DEST = re.compile(r"^storage\.googleapis\.com/(?P<bucket>[^/]+)$")
OTHER_DESTS = (
    ("bigquery", re.compile(r"^bigquery\.googleapis\.com/projects/(?P<project>[^/]+)/datasets/")),
    ("pubsub", re.compile(r"^pubsub\.googleapis\.com/projects/(?P<project>[^/]+)/topics/")),
    ("project", re.compile(r"^logging\.googleapis\.com/projects/(?P<project>[^/]+)$")),
)
VERDICT_WORDS = {
    Tri.TRUE: "every entry is exported",
    Tri.FALSE: "not exported",
    Tri.UNKNOWN: "not decided",
}


def destination(dest: str) -> dict[str, str]:
    """The parts of a sink destination: ``Type`` (logging-bucket, storage, bigquery, pubsub,
    project, other) and, where the name says them, ``Project``, ``Location``, ``Bucket``."""
    found = LOG_BUCKET_DEST.match(dest)
    if found:
        return {
            "Type": "logging-bucket",
            "Project": found["project"],
            "Location": found["location"],
            "Bucket": found["bucket"],
        }
    found = STORAGE_DEST.match(dest)
    if found:
        return {"Type": "storage", "Bucket": found["bucket"]}
    for name, pattern in OTHER_DESTS:
        found = pattern.match(dest)
        if found:
            return {"Type": name, "Project": found["project"]}
    return {"Type": "other"}


def audit_log_fields(sink: Mapping[str, Any], parent: str) -> dict[str, Any]:
    """The derived audit-log fields of a sink at ``parent`` (see docs/gcp.md):
    ``AuditLogTypes`` (per type: ``Exported``, ``Verdict``, ``Reason``),
    ``ExportedAuditLogTypes``, ``ExportsAuditLogs`` (all four) and ``RoutesAuditLogs`` (the
    destination receives audit logs: the filter selects them by name, or is empty, and some
    type is not certainly left out)."""
    text = str(sink.get("filter") or "")
    verdicts = sink_verdicts(text, list(sink.get("exclusions") or ()), kinds_below(parent))
    types = {
        log_type: {
            "Exported": verdict.value is Tri.TRUE,
            "Verdict": verdict.value.value,
            "Reason": ": ".join(
                [VERDICT_WORDS[verdict.value], "; ".join(verdict.causes)][
                    : 1 + bool(verdict.causes)
                ]
            ),
        }
        for log_type, verdict in verdicts.items()
    }
    exported = [t for t in AUDIT_LOG_TYPES if types[t]["Exported"]]
    tree = parse(text)
    named = isinstance(tree, And) and not tree.items
    named = named or (not isinstance(tree, ParseError) and names_audit_logs(tree))
    return {
        "AuditLogTypes": types,
        "ExportedAuditLogTypes": exported,
        "ExportsAuditLogs": len(exported) == len(AUDIT_LOG_TYPES),
        "RoutesAuditLogs": named and any(v.value is not Tri.FALSE for v in verdicts.values()),
    }


def sink_doc(sink: Mapping[str, Any], parent: str) -> dict[str, Any]:
    """A normalised ``LogSink`` plus the fields logwarden derives (see docs/gcp.md)."""
    dest = destination(str(sink.get("destination") or ""))
    return {
        **sink,
        "Parent": parent,
        "Level": {"organizations": "organization", "folders": "folder"}.get(
            parent.split("/", 1)[0], "project"
        ),
        "BuiltIn": str(sink.get("name")) in BUILT_IN_SINKS,
        **audit_log_fields(sink, parent),
        "DestinationType": dest["Type"],
        "DestinationParts": dest,
    }
