"""Admin Activity audit-log entries as Google writes them, for the GCP sandbox.

:func:`admin_activity` builds one ``google.logging.v2.LogEntry`` (the logging library's own
message) whose ``protoPayload`` is an ``Any`` holding a ``google.cloud.audit.AuditLog``:
service and method, the resource, the caller (``authenticationInfo.principalEmail``,
``requestMetadata.callerIp``), the request, and for ``SetIamPolicy`` the IAM ``policyDelta``
in ``serviceData`` (``google.iam.v1.logging.AuditData``), as Resource Manager logs it.
:func:`policy_delta` computes that delta from two policies. No I/O: the caller records the
entry in the fake (``FakeGcp.record``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from google.api import monitored_resource_pb2
from google.cloud.audit import audit_log_pb2
from google.cloud.logging_v2.types import LogEntry
from google.iam.v1 import policy_pb2
from google.iam.v1.logging import audit_data_pb2
from google.logging.type import log_severity_pb2
from google.protobuf import any_pb2, json_format, struct_pb2
from google.rpc import code_pb2, status_pb2

ACTIVITY = "cloudaudit.googleapis.com%2Factivity"
USER_AGENT = "google-cloud-sdk gcloud/500.0.0 command/gcloud.sandbox"


def activity_log_name(parent: str) -> str:
    """``<parent>/logs/cloudaudit.googleapis.com%2Factivity``: where Admin Activity goes."""
    return f"{parent}/logs/{ACTIVITY}"


def monitored_resource(parent: str) -> monitored_resource_pb2.MonitoredResource:
    """The monitored resource of an entry written in ``parent``'s log."""
    collection, _, ref = parent.partition("/")
    kind = {"organizations": "organization", "folders": "folder", "projects": "project"}
    label = {"organizations": "organization_id", "folders": "folder_id", "projects": "project_id"}
    return monitored_resource_pb2.MonitoredResource(
        type=kind[collection], labels={label[collection]: ref}
    )


def policy_delta(before: policy_pb2.Policy, after: policy_pb2.Policy) -> policy_pb2.PolicyDelta:
    """The binding and audit-config deltas from ``before`` to ``after`` (one per member)."""
    delta = policy_pb2.PolicyDelta()

    def members(policy: policy_pb2.Policy) -> set[tuple[str, str]]:
        return {(b.role, m) for b in policy.bindings for m in b.members}

    def audit(policy: policy_pb2.Policy) -> set[tuple[str, str, str]]:
        out: set[tuple[str, str, str]] = set()
        for config in policy.audit_configs:
            for log_config in config.audit_log_configs:
                log_type = policy_pb2.AuditLogConfig.LogType.Name(log_config.log_type)
                out.add((config.service, log_type, ""))
                out.update((config.service, log_type, m) for m in log_config.exempted_members)
        return out

    binding = policy_pb2.BindingDelta.Action
    for action, pairs in (
        (binding.ADD, members(after) - members(before)),
        (binding.REMOVE, members(before) - members(after)),
    ):
        delta.binding_deltas.extend(
            policy_pb2.BindingDelta(action=action, role=r, member=m) for r, m in sorted(pairs)
        )
    config = policy_pb2.AuditConfigDelta.Action
    for action, items in (
        (config.ADD, audit(after) - audit(before)),
        (config.REMOVE, audit(before) - audit(after)),
    ):
        delta.audit_config_deltas.extend(
            policy_pb2.AuditConfigDelta(
                action=action, service=service, log_type=log_type, exempted_member=member
            )
            for service, log_type, member in sorted(items)
        )
    return delta


def _struct(doc: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(doc), struct_pb2.Struct())


def admin_activity(
    parent: str,
    *,
    insert_id: str,
    service: str,
    method: str,
    resource: str,
    principal: str,
    source_ip: str,
    permission: str = "",
    request: Mapping[str, Any] | None = None,
    delta: policy_pb2.PolicyDelta | None = None,
    status: str = "OK",
    message: str = "",
    at: dt.datetime | None = None,
) -> LogEntry:
    """One Admin Activity entry of ``parent``'s log (``organizations/N``, ``folders/N``,
    ``projects/ID``); ``status`` other than ``OK`` is a call that failed (logged all the
    same, with ``protoPayload.status``)."""
    when = at or dt.datetime.now(dt.UTC)
    audit = audit_log_pb2.AuditLog(
        service_name=service,
        method_name=method,
        resource_name=resource,
        authentication_info=audit_log_pb2.AuthenticationInfo(principal_email=principal),
        request_metadata=audit_log_pb2.RequestMetadata(
            caller_ip=source_ip, caller_supplied_user_agent=USER_AGENT
        ),
        authorization_info=[
            audit_log_pb2.AuthorizationInfo(
                resource=resource, permission=permission, granted=status != "PERMISSION_DENIED"
            )
        ],
    )
    if status != "OK":
        audit.status.CopyFrom(status_pb2.Status(code=code_pb2.Code.Value(status), message=message))
    if request is not None:
        audit.request.CopyFrom(_struct(request))
    if delta is not None:
        audit.service_data.Pack(audit_data_pb2.AuditData(policy_delta=delta))
    payload = any_pb2.Any()
    payload.Pack(audit)
    return LogEntry(
        log_name=activity_log_name(parent),
        resource=monitored_resource(parent),
        proto_payload=payload,
        timestamp=when,
        receive_timestamp=when + dt.timedelta(milliseconds=180),
        severity=log_severity_pb2.NOTICE if status == "OK" else log_severity_pb2.ERROR,
        insert_id=insert_id,
    )
