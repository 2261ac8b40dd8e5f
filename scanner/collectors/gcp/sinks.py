"""Log sinks: destinations and whether a sink exports audit logs (pure functions).

Whether a filter "includes audit logs" is decided by a small reading of the Logging query
language: a filter exports audit logs when it is empty, or when it mentions
``cloudaudit.googleapis.com`` (or the ``google.cloud.audit.AuditLog`` payload type) in a term
that is not negated (``NOT term``, ``-term``, or inside ``NOT ( ... )``). It is a heuristic that
errs towards "exports": it does not evaluate narrowing terms that are ANDed to the audit term.
An enabled exclusion of the sink whose filter mentions audit logs makes the sink not export
them completely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

BUILT_IN_SINKS = ("_Default", "_Required")
AUDIT_MARKERS = ("cloudaudit.googleapis.com", "google.cloud.audit.auditlog")
LOG_BUCKET_DEST = re.compile(
    r"^logging\.googleapis\.com/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/buckets/(?P<bucket>[^/]+)$"
)
STORAGE_DEST = re.compile(r"^storage\.googleapis\.com/(?P<bucket>[^/]+)$")
OTHER_DESTS = (
    ("bigquery", re.compile(r"^bigquery\.googleapis\.com/projects/(?P<project>[^/]+)/datasets/")),
    ("pubsub", re.compile(r"^pubsub\.googleapis\.com/projects/(?P<project>[^/]+)/topics/")),
    ("project", re.compile(r"^logging\.googleapis\.com/projects/(?P<project>[^/]+)$")),
)
_CHUNK = re.compile(
    r'[A-Za-z_][\w.]*\((?:"(?:[^"\\]|\\.)*"?|[^)"])*\)?'  # a function call: LOG_ID("...")
    r"|\(|\)"
    r'|(?:"(?:[^"\\]|\\.)*"?|[^\s()"])+'
)
_OPERATOR_CHARS = ":=<>~!"


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


def _terms(text: str) -> list[str]:
    """Whitespace-separated chunks of a filter, with ``field : value`` glued into one term."""
    out: list[str] = []
    for chunk in _CHUNK.findall(text):
        glue = out and out[-1] not in ("(", ")") and chunk not in ("(", ")")
        if glue and (out[-1][-1] in _OPERATOR_CHARS or chunk[0] in _OPERATOR_CHARS):
            out[-1] += chunk
        else:
            out.append(chunk)
    return out


def _negated(prefix: str) -> bool:
    """Whether the term that continues after ``prefix`` is negated."""
    terms = _terms(prefix)
    in_term = bool(terms) and not prefix[-1].isspace() and terms[-1] not in ("(", ")")
    current = terms.pop() if in_term else ""
    groups = [False]
    pending = False
    for term in terms:
        word = term.upper()
        if term == "(":
            groups.append(groups[-1] ^ pending)
            pending = False
        elif term == ")":
            if len(groups) > 1:
                groups.pop()
            pending = False
        elif word == "NOT" or term == "-":
            pending = not pending
        else:  # AND, OR, or a complete term: a pending NOT applied to it (or to nothing)
            pending = False
    return groups[-1] ^ pending ^ current.startswith("-")


def mentions_audit_logs(text: str) -> bool:
    """Whether a filter selects audit logs in some non-negated term."""
    lowered = text.lower()
    for marker in AUDIT_MARKERS:
        start = 0
        while (index := lowered.find(marker, start)) >= 0:
            if not _negated(text[:index]):
                return True
            start = index + len(marker)
    return False


def exports_audit_logs(sink: Mapping[str, Any]) -> tuple[bool, bool]:
    """``(filter includes audit logs, an enabled exclusion removes some of them)``."""
    text = str(sink.get("filter") or "").strip()
    includes = not text or mentions_audit_logs(text)
    excluded = any(
        not ex.get("disabled") and mentions_audit_logs(str(ex.get("filter") or ""))
        for ex in sink.get("exclusions") or ()
    )
    return includes, excluded


def sink_doc(sink: Mapping[str, Any], parent: str) -> dict[str, Any]:
    """A normalised ``LogSink`` plus the fields logwarden derives (see docs/gcp.md)."""
    includes, excluded = exports_audit_logs(sink)
    dest = destination(str(sink.get("destination") or ""))
    return {
        **sink,
        "Parent": parent,
        "Level": {"organizations": "organization", "folders": "folder"}.get(
            parent.split("/", 1)[0], "project"
        ),
        "BuiltIn": str(sink.get("name")) in BUILT_IN_SINKS,
        "FilterIncludesAuditLogs": includes,
        "ExcludesAuditLogs": excluded,
        "ExportsAuditLogs": includes and not excluded,
        "DestinationType": dest["Type"],
        "DestinationParts": dest,
    }
