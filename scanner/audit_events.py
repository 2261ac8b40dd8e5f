"""Who changed it: the data of drift attribution, shared by the engine, plugins and reports.

A :class:`Subject` is one resource that drifted between two scans (a field changed, or it
disappeared). A cloud's ``attribute`` (see ``logwarden.scanner.cloud.Cloud``) reads its own
audit log for the window between the scans and answers one :class:`Attribution` per subject: the
:class:`AuditEvent` records of the API calls that touched it, or why the log could not be read.
Plain data: no SDK, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Subject:
    """One drifted resource to attribute: what it is, who owns it, what changed in it."""

    cloud: str
    kind: str
    resource_id: str
    tenant_id: str  # the tenant that owns the resource
    region: str
    paths: tuple[str, ...] = ()  # the changed fields ("Status.IsLogging"); () = removed
    removed: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.resource_id)

    def to_doc(self) -> dict[str, Any]:
        return {**self.__dict__, "paths": list(self.paths)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Subject:
        return cls(
            cloud=str(doc["cloud"]),
            kind=str(doc["kind"]),
            resource_id=str(doc["resource_id"]),
            tenant_id=str(doc.get("tenant_id", "")),
            region=str(doc.get("region", "")),
            paths=tuple(str(p) for p in doc.get("paths", ())),
            removed=bool(doc.get("removed", False)),
        )


@dataclass(frozen=True)
class AuditEvent:
    """One API call from a cloud audit log."""

    principal: str  # the caller: IAM ARN, Azure UPN / object id, Google account email
    action: str  # the API call: StopLogging, microsoft.insights/diagnosticSettings/write, ...
    time: str  # ISO 8601, UTC
    source_ip: str  # "" when the log does not say
    source: str  # where it was read: s3://bucket/key, cloudtrail:LookupEvents, activity-log, ...
    event_id: str = ""
    resource: str = ""  # the resource the event names

    def to_doc(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> AuditEvent:
        fields = cls.__dataclass_fields__
        return cls(**{k: str(v) for k, v in doc.items() if k in fields})

    def __str__(self) -> str:
        ip = f" from {self.source_ip}" if self.source_ip else ""
        return f"{self.principal} ({self.action} at {self.time}{ip})"


@dataclass
class Attribution:
    """What the audit log says about one subject: its events (latest last), or an error."""

    subject: Subject
    events: list[AuditEvent] = field(default_factory=list)
    error: str = ""  # why the log could not be read; "" when it was read

    def to_doc(self) -> dict[str, Any]:
        return {
            "subject": self.subject.to_doc(),
            "events": [e.to_doc() for e in self.events],
            "error": self.error,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Attribution:
        return cls(
            Subject.from_doc(doc["subject"]),
            [AuditEvent.from_doc(e) for e in doc.get("events", [])],
            str(doc.get("error", "")),
        )

    def merged(self, other: Attribution) -> Attribution:
        """This attribution with ``other``'s events added (deduplicated), oldest first."""
        events = {e.event_id or str(e): e for e in [*self.events, *other.events]}
        error = (
            self.error
            if self.error == other.error
            else "; ".join(e for e in (self.error, other.error) if e)
        )
        return Attribution(
            other.subject, sorted(events.values(), key=lambda e: (e.time, e.event_id)), error
        )

    @property
    def summary(self) -> str:
        """One line: the latest event, or what is known instead."""
        if self.events:
            more = f" (+{len(self.events) - 1} earlier)" if len(self.events) > 1 else ""
            return f"{self.events[-1]}{more}"
        if self.error:
            return f"unknown: {self.error}"
        return "unknown: no matching audit-log event between the scans"
