"""Changes to a running GCP sandbox, each recorded in its Admin Activity audit log.

Call them between two scans of ``start_gcp_sandbox(...)``'s sandbox (or of a
:class:`GcpSandbox` around a test's own servers and world): each changes what the fakes serve
(and the declarative world, so a later ``load`` serves the same), then writes the entry Google
would write (``gcp_auditlog``) in the log of the changed resource, for ListLogEntries to serve.
Each returns that entry as ``gcloud logging read --format=json`` shows it: ``insertId``,
``logName``, ``timestamp``, ``protoPayload`` (``methodName``, ``resourceName``,
``authenticationInfo.principalEmail``, ``requestMetadata.callerIp``, ``status`` when the call
failed, ...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from google.cloud.logging_v2.types import LogEntry
from google.cloud.logging_v2.types import logging_config as lc
from google.iam.v1 import policy_pb2
from google.protobuf import json_format

from logwarden_sandbox.gcp_auditlog import admin_activity, policy_delta
from logwarden_sandbox.gcp_state import iam_policy
from logwarden_sandbox.gcp_world import AuditConfigSpec, FolderSpec, GcpOrg
from logwarden_sandbox.gcp_zone import GcpSandbox

RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"
LOGGING = "logging.googleapis.com"
DATA_ACCESS = ("DATA_READ", "DATA_WRITE")
SET_IAM_POLICY = "type.googleapis.com/google.iam.v1.SetIamPolicyRequest"
UPDATE_BUCKET = "google.logging.v2.ConfigServiceV2.UpdateBucket"
CENTRAL_BUCKET = "projects/lw-logging/locations/global/buckets/org-audit"
_BUCKET = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/(?P<loc>[^/]+)/buckets/(?P<id>[^/]+)$"
)


def record_activity(
    box: GcpSandbox,
    parent: str,
    *,
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
) -> dict[str, Any]:
    """Write one Admin Activity entry in ``parent``'s log (``projects/ID``, ``folders/N``,
    ``organizations/N``) without changing anything else; returns the entry's document."""
    state = box.servers.state
    entry = admin_activity(
        parent,
        insert_id=f"-lwsandbox{state.serial():06d}",
        service=service,
        method=method,
        resource=resource,
        principal=principal,
        source_ip=source_ip,
        permission=permission,
        request=request,
        delta=delta,
        status=status,
        message=message,
        at=at,
    )
    state.record(entry)
    doc: dict[str, Any] = json_format.MessageToDict(LogEntry.pb(entry))
    return doc


def remove_data_access_logs(
    box: GcpSandbox,
    folder: str = "folders/2000000002",
    *,
    principal: str = "carol@example.com",
    source_ip: str = "198.51.100.77",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Remove Data Access logs from ``folder``: one ``SetIamPolicy`` on the folder.

    Audit configs are a union over the hierarchy, so a folder cannot switch off what the
    organization (or a folder above) enables; the change does what a folder admin can:

    - the DATA_READ and DATA_WRITE log types the folder's own audit configs enable are
      removed (with their exemptions); where the world sets them on the folder (defect
      ``audit_config_at_folders``) the projects below now miss them;
    - each DATA_READ / DATA_WRITE type inherited from above is neutralised by exempting
      ``domain:<organization domain>`` (every identity of the organization) from it at the
      folder, for the same service; in the standard organization (types set at the
      organization) the projects below now have exemptions.

    Either way ``gcp.audit.data_access_logs`` FAILs for every project below the folder
    (:func:`projects_below`): a regression for those that passed (all of them in the standard
    organization; in the demo world the Workloads projects already fail through
    ``folder_exempts_member``, so the default folder shows configuration changes there, and
    ``folders/2000000001`` shows regressions). Returns the entry's document (see the module).
    """
    org = box.world.org
    spec = _folder(org, folder)
    kept = []
    for config in spec.audit_configs:
        types = tuple(t for t in config.log_types if t not in DATA_ACCESS)
        if types:
            exempted = {t: m for t, m in config.exempted.items() if t in types}
            kept.append(AuditConfigSpec(config.service, types, exempted))
    inherited: dict[str, list[str]] = {}
    for config in _inherited(org, spec):
        for log_type in config.log_types:
            if log_type in DATA_ACCESS and log_type not in inherited.setdefault(config.service, []):
                inherited[config.service].append(log_type)
    member = f"domain:{org.display_name}" if any(inherited.values()) else ""
    for service, names in inherited.items():
        if names:
            kept.append(AuditConfigSpec(service, tuple(names), {t: (member,) for t in names}))
    spec.audit_configs = kept
    state = box.servers.state
    before = state.snapshot.policies[folder]
    after = policy_pb2.Policy()
    after.CopyFrom(before)
    del after.audit_configs[:]
    after.audit_configs.extend(iam_policy(kept).audit_configs)
    after.etag = f"BwX{state.serial():06d}".encode()
    state.set_policy(folder, after)
    return record_activity(
        box,
        folder,
        service=RESOURCE_MANAGER,
        method="SetIamPolicy",
        resource=folder,
        principal=principal,
        source_ip=source_ip,
        permission="resourcemanager.folders.setIamPolicy",
        request={
            "@type": SET_IAM_POLICY,
            "resource": folder,
            "policy": json_format.MessageToDict(after),
            "updateMask": "auditConfigs,bindings,etag",
        },
        delta=policy_delta(before, after),
        at=at,
    )


def grant_role(
    box: GcpSandbox,
    node: str = "organizations/1000000001",
    role: str = "roles/viewer",
    member: str = "user:erin@example.com",
    *,
    principal: str = "mallory@example.com",
    source_ip: str = "203.0.113.99",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Grant ``role`` to ``member`` on ``node`` (``organizations/N``, ``folders/N``,
    ``projects/ID``): a ``SetIamPolicy`` that changes bindings only (and the etag), so it
    must never be blamed for an audit-config change. Returns the entry's document."""
    state = box.servers.state
    collection, _, ref = node.partition("/")
    canonical = node
    if collection == "projects":
        canonical = f"projects/{box.world.org.project_number(ref)}"
    before = state.snapshot.policies[canonical]
    after = policy_pb2.Policy()
    after.CopyFrom(before)
    after.bindings.add(role=role, members=[member])
    after.etag = f"BwX{state.serial():06d}".encode()
    state.set_policy(canonical, after)
    return record_activity(
        box,
        node,
        service=RESOURCE_MANAGER,
        method="SetIamPolicy",
        resource=node,
        principal=principal,
        source_ip=source_ip,
        permission=f"resourcemanager.{collection}.setIamPolicy",
        request={
            "@type": SET_IAM_POLICY,
            "resource": node,
            "policy": json_format.MessageToDict(after),
        },
        delta=policy_delta(before, after),
        at=at,
    )


def shorten_log_bucket_retention(
    box: GcpSandbox,
    bucket: str = CENTRAL_BUCKET,
    *,
    days: int = 30,
    principal: str = "dave@example.com",
    source_ip: str = "203.0.113.45",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Set log bucket ``bucket`` (``projects/ID/locations/L/buckets/B``) to keep ``days``:
    one ``google.logging.v2.ConfigServiceV2.UpdateBucket`` in the project's log.

    As in Google Cloud, a locked bucket's retention cannot be reduced: the call then fails
    (``status`` ``FAILED_PRECONDITION``, logged all the same) and nothing changes; the
    standard organization's central bucket is locked, the demo world's is not
    (``log_bucket_unlocked``). ``_Required`` cannot be changed at all (ValueError). Returns
    the entry's document (with ``protoPayload.status`` when the call failed).
    """
    found = _BUCKET.match(bucket)
    if not found or found["id"] == "_Required":
        raise ValueError(f"not a log bucket the sandbox can change: {bucket!r}")
    org = box.world.org
    project = org.project(found["project"])
    key = (
        f"projects/{org.project_number(project.project_id)}/locations/{found['loc']}"
        f"/buckets/{found['id']}"
    )
    state = box.servers.state
    current = state.snapshot.log_buckets.get(key)
    if current is None:
        raise ValueError(f"the sandbox has no log bucket {bucket!r}")
    status, message = "OK", ""
    if current.locked and days < current.retention_days:
        status = "FAILED_PRECONDITION"
        message = f"bucket {bucket} is locked: its retention period cannot be reduced"
    else:
        updated = lc.LogBucket.deserialize(lc.LogBucket.serialize(current))
        updated.retention_days = days
        updated.update_time = at or dt.datetime.now(dt.UTC)
        state.set_log_bucket(key, updated)
        if found["id"] == "_Default":
            project.default_retention_days = days
        for spec in project.log_buckets:
            if (spec.bucket_id, spec.location) == (found["id"], found["loc"]):
                spec.retention_days = days
    return record_activity(
        box,
        f"projects/{project.project_id}",
        service=LOGGING,
        method=UPDATE_BUCKET,
        resource=bucket,
        principal=principal,
        source_ip=source_ip,
        permission="logging.buckets.update",
        request={
            "@type": "type.googleapis.com/google.logging.v2.UpdateBucketRequest",
            "name": bucket,
            "bucket": {"name": bucket, "retentionDays": days},
            "updateMask": "retentionDays",
        },
        status=status,
        message=message,
        at=at,
    )


def _folder(org: GcpOrg, name: str) -> FolderSpec:
    for spec in org.folders:
        if org.folder_name(spec.key) == name:
            return spec
    raise ValueError(f"the sandbox organization has no folder {name!r}")


def _inherited(org: GcpOrg, spec: FolderSpec) -> list[AuditConfigSpec]:
    """The audit configs set above ``spec``: the organization's and those of its ancestors."""
    configs = list(org.audit_configs)
    parent = spec.parent
    while parent is not None:
        above = org.folder(parent)
        configs.extend(above.audit_configs)
        parent = above.parent
    return configs


def projects_below(org: GcpOrg, folder: str) -> list[str]:
    """The ACTIVE projects anywhere below ``folder`` (``folders/N``), sorted."""
    key = _folder(org, folder).key
    out = []
    for project in org.projects:
        parent = project.parent
        while parent is not None and parent != key:
            parent = org.folder(parent).parent
        if parent == key and project.state == "ACTIVE":
            out.append(project.project_id)
    return sorted(out)


__all__ = [
    "grant_role",
    "projects_below",
    "record_activity",
    "remove_data_access_logs",
    "shorten_log_bucket_retention",
]
