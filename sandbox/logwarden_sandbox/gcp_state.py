"""What the GCP fakes serve: a :class:`GcpOrg` turned into the Google libraries' own messages,
plus the faults in force (``gcp_faults``) and a count of every call.

Both fakes (Resource Manager and Cloud Storage over REST, the Logging config and log-entry
services over gRPC) read one :class:`FakeGcp`; :meth:`FakeGcp.load` swaps the organization
atomically, so a test can re-seed the running servers. The Admin Activity audit log
(:attr:`FakeGcp.audit_log`) is empty after a load: the changes of ``gcp_changes`` write to it.
"""

from __future__ import annotations

import itertools
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from google.cloud.logging_v2.types import LogEntry
from google.cloud.logging_v2.types import logging_config as lc
from google.cloud.resourcemanager_v3 import types as rm
from google.iam.v1 import policy_pb2
from google.protobuf import timestamp_pb2

from logwarden_sandbox import gcp_monitoring_state
from logwarden_sandbox.gcp_faults import FakeError, Fault, Faults
from logwarden_sandbox.gcp_world import AuditConfigSpec, GcpOrg, SinkSpec

CREATED = timestamp_pb2.Timestamp(seconds=1_700_000_000)
SERVICE_NAMES = {
    "resourcemanager": "cloudresourcemanager.googleapis.com",
    "logging": "logging.googleapis.com",
    "storage": "storage.googleapis.com",
    "monitoring": "monitoring.googleapis.com",
    "serviceusage": "serviceusage.googleapis.com",
    "accessapproval": "accessapproval.googleapis.com",
    "compute": "compute.googleapis.com",
    "dns": "dns.googleapis.com",
    "sqladmin": "sqladmin.googleapis.com",
}


def iam_policy(configs: list[AuditConfigSpec]) -> policy_pb2.Policy:
    """The IAM policy the fakes serve for a node with ``configs`` (one owner binding)."""
    policy = policy_pb2.Policy(version=1, etag=b"BwXlogwarden")
    policy.bindings.add(role="roles/owner", members=["group:admins@example.com"])
    for spec in configs:
        config = policy.audit_configs.add(service=spec.service)
        for log_type in spec.log_types:
            config.audit_log_configs.add(
                log_type=policy_pb2.AuditLogConfig.LogType.Value(log_type),
                exempted_members=list(spec.exempted.get(log_type, ())),
            )
    return policy


def _sink(spec: SinkSpec, parent: str) -> lc.LogSink:
    number = zlib.crc32(parent.encode()) % 10**9
    identity = f"serviceAccount:service-{number}@gcp-sa-logging.iam.gserviceaccount.com"
    return lc.LogSink(
        name=spec.name,
        destination=spec.destination,
        filter=spec.filter,
        disabled=spec.disabled,
        include_children=spec.include_children,
        writer_identity=identity,
        exclusions=[lc.LogExclusion(name=n, filter=f) for n, f in spec.exclusions],
        create_time=CREATED,
    )


@dataclass
class Snapshot:
    """One loaded organization, as messages (projects keyed by number in resource names)."""

    organization: rm.Organization
    folders: dict[str, rm.Folder] = field(default_factory=dict)
    projects: dict[str, rm.Project] = field(default_factory=dict)  # number -> project
    numbers: dict[str, str] = field(default_factory=dict)  # project id -> number
    policies: dict[str, policy_pb2.Policy] = field(default_factory=dict)
    sinks: dict[str, list[lc.LogSink]] = field(default_factory=dict)
    log_buckets: dict[str, lc.LogBucket] = field(default_factory=dict)
    storage: dict[str, dict[str, Any]] = field(default_factory=dict)
    monitoring: gcp_monitoring_state.MonitoringSnapshot = field(
        default_factory=gcp_monitoring_state.MonitoringSnapshot
    )
    resources: dict[str, Any] = field(default_factory=dict)  # project id -> gcp_resources


def build(org: GcpOrg) -> Snapshot:
    """The messages for ``org``: every project gets the built-in sinks and buckets."""
    snap = Snapshot(
        organization=rm.Organization(
            name=org.org_name,
            display_name=org.display_name,
            directory_customer_id="C0logwarden",
            state=rm.Organization.State.ACTIVE,
            create_time=CREATED,
        )
    )
    snap.policies[org.org_name] = iam_policy(org.audit_configs)
    snap.resources = dict(org.resources)
    snap.sinks[org.org_name] = [_sink(s, org.org_name) for s in org.sinks]
    for spec in org.folders:
        name = org.folder_name(spec.key)
        snap.folders[name] = rm.Folder(
            name=name,
            parent=org.parent_name(spec.parent),
            display_name=spec.display_name,
            state=rm.Folder.State.ACTIVE,
            create_time=CREATED,
        )
        snap.policies[name] = iam_policy(spec.audit_configs)
        snap.sinks[name] = [_sink(s, name) for s in spec.sinks]
    for project in org.projects:
        number = org.project_number(project.project_id)
        name = f"projects/{number}"
        snap.numbers[project.project_id] = number
        snap.projects[number] = rm.Project(
            name=name,
            parent=org.parent_name(project.parent),
            project_id=project.project_id,
            display_name=project.display_name or project.project_id,
            state=getattr(rm.Project.State, project.state),
            create_time=CREATED,
            labels={"env": "sandbox"},
        )
        snap.policies[name] = iam_policy(project.audit_configs)
        builtin = [
            SinkSpec(
                "_Required",
                f"logging.googleapis.com/projects/{project.project_id}/locations/global/buckets/_Required",
                'LOG_ID("cloudaudit.googleapis.com/activity") OR LOG_ID("cloudaudit.googleapis.com/system_event")',
            ),
            SinkSpec(
                "_Default",
                f"logging.googleapis.com/projects/{project.project_id}/locations/global/buckets/_Default",
                'NOT LOG_ID("cloudaudit.googleapis.com/activity") AND NOT LOG_ID("cloudaudit.googleapis.com/system_event")',
            ),
        ]
        snap.sinks[name] = [_sink(s, name) for s in (*builtin, *project.sinks)]
        buckets = [
            ("_Required", "global", 400, True),
            ("_Default", "global", project.default_retention_days, False),
        ]
        buckets += [
            (b.bucket_id, b.location, b.retention_days, b.locked) for b in project.log_buckets
        ]
        for bucket_id, location, days, locked in buckets:
            full = f"{name}/locations/{location}/buckets/{bucket_id}"
            snap.log_buckets[full] = lc.LogBucket(
                name=f"projects/{project.project_id}/locations/{location}/buckets/{bucket_id}",
                retention_days=days,
                locked=locked,
                lifecycle_state=lc.LifecycleState.ACTIVE,
                create_time=CREATED,
                update_time=CREATED,
            )
        for sb in project.storage_buckets:
            snap.storage[sb.name] = _storage_bucket(
                sb.name, number, sb.location, sb.retention_days, sb.locked
            )
    snap.monitoring = gcp_monitoring_state.build(org, snap)
    return snap


def _storage_bucket(
    name: str, number: str, location: str, days: int | None, locked: bool
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "storage#bucket",
        "id": name,
        "name": name,
        "projectNumber": number,
        "metageneration": "1",
        "location": location,
        "locationType": "multi-region",
        "storageClass": "STANDARD",
        "timeCreated": "2023-11-14T22:13:20.000Z",
        "updated": "2023-11-14T22:13:20.000Z",
        "etag": "CAE=",
        "iamConfiguration": {
            "uniformBucketLevelAccess": {"enabled": True},
            "publicAccessPrevention": "enforced",
        },
    }
    if days is not None:
        doc["retentionPolicy"] = {
            "retentionPeriod": str(days * 86400),
            "effectiveTime": "2023-11-14T22:13:20.000Z",
            "isLocked": locked,
        }
    return doc


class FakeGcp:
    """The state behind both fakes: the loaded organization, faults and call counts."""

    def __init__(self, org: GcpOrg) -> None:
        self.snapshot = build(org)
        self.faults = Faults()
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.audit_log: list[LogEntry] = []  # Admin Activity entries, in the order written
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    def load(self, org: GcpOrg) -> None:
        """Serve ``org`` from now on; counts, faults and the audit log are reset."""
        snapshot = build(org)
        with self._lock:
            self.snapshot = snapshot
            self.calls.clear()
            self.audit_log = []
        self.faults.clear()

    def serial(self) -> int:
        """A number never handed out before by this fake (insert ids, etags)."""
        with self._lock:
            return next(self._serial)

    def record(self, entry: LogEntry) -> None:
        """Append an entry to the Admin Activity audit log that ListLogEntries serves."""
        with self._lock:
            self.audit_log = [*self.audit_log, entry]

    def entries(self) -> list[LogEntry]:
        """The audit log as it stands (a copy)."""
        with self._lock:
            return list(self.audit_log)

    def set_policy(self, node: str, policy: policy_pb2.Policy) -> None:
        """Serve ``policy`` as the IAM policy of ``node`` (canonical: projects by number)."""
        with self._lock:
            if node not in self.snapshot.policies:
                raise KeyError(f"no IAM policy for {node}")
            self.snapshot.policies[node] = policy

    def set_log_bucket(self, name: str, bucket: lc.LogBucket) -> None:
        """Serve ``bucket`` as log bucket ``name`` (``projects/NUMBER/locations/L/buckets/B``)."""
        with self._lock:
            if name not in self.snapshot.log_buckets:
                raise KeyError(f"no log bucket {name}")
            self.snapshot.log_buckets[name] = bucket

    def project_number(self, ref: str) -> str | None:
        """The number of a project given by id or number (None when unknown)."""
        snap = self.snapshot
        return ref if ref in snap.projects else snap.numbers.get(ref)

    def project_id(self, number: str | None) -> str | None:
        """The id of a project number."""
        project = self.snapshot.projects.get(number or "")
        return project.project_id if project is not None else None

    def enter(self, api: str, method: str, resource: str, project: str | None) -> Fault | None:
        """Count a call and raise the error configured for it, if any; return the fault
        that breaks its answer instead (the fake then answers, broken), if any.

        ``project``: the project id or number the call is about (None: not a project call).
        """
        with self._lock:
            self.calls[(api, method, resource)] += 1
        number = self.project_number(project) if project else None
        pid = self.project_id(number) if number else project
        fault = self.faults.match(api, pid, method, resource)
        if fault is None or fault.breaks_answer:
            return fault
        if fault.code == "SERVICE_DISABLED":
            service = SERVICE_NAMES.get(api, api)
            raise FakeError(
                "PERMISSION_DENIED",
                f"{service} has not been used in project {number} before or it is disabled",
                reason="SERVICE_DISABLED",
            )
        about = f"project {pid}" if pid else resource
        raise FakeError(fault.code, f"sandbox fault for {about} on {api}.{method}")
