"""Cloud Audit Logs entries as plain records: what logwarden reads from one ``LogEntry``.

An Admin Activity entry's ``protoPayload`` is an ``Any`` holding a
``google.cloud.audit.AuditLog``: service, method, the resource, the caller, the request and,
for ``SetIamPolicy``, the IAM ``policyDelta`` (in ``serviceData``, a
``google.iam.v1.logging.AuditData``; some services put it in ``metadata``). :func:`record_of`
unpacks it into an :class:`AuditRecord`; :func:`event_of` turns a record into the engine's
:class:`~logwarden.scanner.audit_events.AuditEvent`. Pure functions, no Google call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.cloud.audit import audit_log_pb2
from google.iam.v1.logging import audit_data_pb2
from google.protobuf import json_format

from logwarden.scanner.audit_events import AuditEvent


@dataclass(frozen=True)
class AuditRecord:
    """One audit-log entry, reduced to what attribution needs."""

    log_name: str  # where it was read: <parent>/logs/cloudaudit.googleapis.com%2Factivity
    insert_id: str
    time: dt.datetime  # the entry timestamp, UTC
    service: str  # protoPayload.serviceName
    method: str  # protoPayload.methodName
    resource: str  # protoPayload.resourceName
    principal: str = ""  # authenticationInfo.principalEmail (or principalSubject)
    source_ip: str = ""  # requestMetadata.callerIp
    status_code: int = 0  # protoPayload.status.code: 0 = the call succeeded
    request: Mapping[str, Any] = field(default_factory=dict)  # {} when not logged
    delta: Mapping[str, Any] | None = None  # the IAM policyDelta; None when not logged
    original: Mapping[str, Any] = field(default_factory=dict)  # resourceOriginalState
    operation: str = ""  # producer/id of a long-running operation ("" otherwise)

    @property
    def verb(self) -> str:
        """The method's last dotted part: ``UpdateSink`` of
        ``google.logging.v2.ConfigServiceV2.UpdateSink``, ``update`` of
        ``storage.buckets.update``."""
        return self.method.rsplit(".", 1)[-1]

    @property
    def succeeded(self) -> bool:
        return self.status_code == 0


def _utc(value: Any) -> dt.datetime:
    """A proto-plus timestamp (a ``datetime``) or a protobuf ``Timestamp``, as UTC."""
    if not isinstance(value, dt.datetime):
        value = value.ToDatetime(tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _doc(message: Any) -> dict[str, Any]:
    return dict(json_format.MessageToDict(message)) if message.ListFields() else {}


def _delta(audit: audit_log_pb2.AuditLog) -> Mapping[str, Any] | None:
    """The IAM policy delta the entry carries, if any (``serviceData``, else ``metadata``)."""
    data = audit_data_pb2.AuditData()
    if (
        audit.HasField("service_data")
        and audit.service_data.Is(data.DESCRIPTOR)
        and audit.service_data.Unpack(data)
        and data.HasField("policy_delta")
    ):
        return _doc(data.policy_delta)
    metadata = _doc(audit.metadata)
    found = metadata.get("policyDelta")
    return found if isinstance(found, Mapping) else None


def record_of(entry: Any) -> AuditRecord | None:
    """The record of a ``google.cloud.logging_v2.types.LogEntry`` (or its protobuf), or
    ``None`` when its payload is not an ``AuditLog``."""
    pb = type(entry).pb(entry) if hasattr(type(entry), "pb") else entry
    audit = audit_log_pb2.AuditLog()
    if not pb.HasField("proto_payload") or not pb.proto_payload.Is(audit.DESCRIPTOR):
        return None
    pb.proto_payload.Unpack(audit)
    auth = audit.authentication_info
    operation = ""
    if pb.HasField("operation") and pb.operation.id:
        operation = f"{pb.operation.producer}/{pb.operation.id}"
    return AuditRecord(
        log_name=pb.log_name,
        insert_id=pb.insert_id,
        time=_utc(pb.timestamp),
        service=audit.service_name,
        method=audit.method_name,
        resource=audit.resource_name,
        principal=auth.principal_email or auth.principal_subject,
        source_ip=audit.request_metadata.caller_ip,
        status_code=audit.status.code,
        request=_doc(audit.request),
        delta=_delta(audit),
        original=_doc(audit.resource_original_state),
        operation=operation,
    )


def iso(value: dt.datetime) -> str:
    """ISO 8601 UTC with milliseconds (fixed width, so the strings sort as the times do)."""
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_of(record: AuditRecord) -> AuditEvent:
    """The engine's event for a record: who, what, when, from where, read where."""
    return AuditEvent(
        principal=record.principal or "(unknown principal)",
        action=record.method,
        time=iso(record.time),
        source_ip=record.source_ip,
        source=record.log_name,
        event_id=record.insert_id,
        resource=record.resource,
    )
