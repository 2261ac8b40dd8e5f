"""What the GCP fakes serve for monitoring (``gcp_monitoring_world``), as the Google libraries'
own messages: ``LogMetric``, ``AlertPolicy``, ``NotificationChannel``, ``MetricsScope``,
Service Usage's ``Service`` and ``AccessApprovalSettings``.

Names follow the APIs: metric ids as given, alert policies and channels under
``projects/<id>``, metrics scopes under ``locations/global/metricsScopes/<number>`` (monitored
projects by number too), services under ``projects/<number>``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.cloud.accessapproval_v1 import types as aa
from google.cloud.logging_v2.types import logging_config as lc
from google.cloud.logging_v2.types import logging_metrics as lm
from google.cloud.monitoring_metrics_scope_v1 import types as ms
from google.cloud.monitoring_v3 import types as mon
from google.cloud.service_usage_v1 import types as su
from google.protobuf import duration_pb2, timestamp_pb2

if TYPE_CHECKING:
    from logwarden_sandbox.gcp_state import Snapshot
    from logwarden_sandbox.gcp_world import GcpOrg

CREATED = timestamp_pb2.Timestamp(seconds=1_700_000_000)
CLOUD_ASSET = "cloudasset.googleapis.com"


@dataclass
class MonitoringSnapshot:
    """The monitoring messages of one loaded organization (projects keyed by number)."""

    metrics: dict[str, list[lm.LogMetric]] = field(default_factory=dict)
    policies: dict[str, list[mon.AlertPolicy]] = field(default_factory=dict)
    channels: dict[str, list[mon.NotificationChannel]] = field(default_factory=dict)
    scopes: dict[str, list[ms.MetricsScope]] = field(default_factory=dict)  # by monitored
    services: dict[str, su.Service] = field(default_factory=dict)  # cloudasset, by number
    access_approval: dict[str, aa.AccessApprovalSettings] = field(default_factory=dict)
    bucket_iam: dict[str, dict[str, Any]] = field(default_factory=dict)  # storage JSON policies


def _id(key: str) -> str:
    return str(zlib.crc32(key.encode()) % 10**12)


def _bindings(pairs: list[tuple[str, str]], writers: dict[str, str]) -> list[dict[str, Any]]:
    """Bindings by role; ``writer:SINK`` is that sink's writer identity (left out when a
    defect removed the sink)."""
    by_role: dict[str, list[str]] = {}
    for role, member in pairs:
        if member.startswith("writer:"):
            identity = writers.get(member.removeprefix("writer:"))
            if identity is None:
                continue
            member = identity
        by_role.setdefault(role, []).append(member)
    return [{"role": role, "members": members} for role, members in by_role.items()]


def build(org: GcpOrg, base: Snapshot) -> MonitoringSnapshot:
    """The messages for ``org.monitoring`` (every project gets its Cloud Asset API state); the
    extra IAM bindings and CMEK settings are applied to ``base`` (``gcp_state``'s snapshot)."""
    spec = org.monitoring
    snap = MonitoringSnapshot()
    writers = {
        sink.name: sink.writer_identity
        for node, sinks in base.sinks.items()
        if not node.startswith("projects/")
        for sink in sinks
    }
    for project_id, pairs in spec.project_bindings.items():
        policy = base.policies[f"projects/{org.project_number(project_id)}"]
        for binding in _bindings(pairs, writers):
            policy.bindings.add(role=binding["role"], members=binding["members"])
    for name, pairs in spec.bucket_bindings.items():
        snap.bucket_iam[name] = {
            "kind": "storage#policy",
            "resourceId": f"projects/_/buckets/{name}",
            "version": 1,
            "etag": "CAE=",
            "bindings": _bindings(pairs, writers),
        }
    for where, key in spec.cmek_buckets.items():
        project_id, bucket_id = where.split("/")
        full = f"projects/{org.project_number(project_id)}/locations/global/buckets/{bucket_id}"
        if full in base.log_buckets:
            base.log_buckets[full].cmek_settings = lc.CmekSettings(
                name=f"projects/{project_id}/cmekSettings", kms_key_name=key
            )
    numbers = {p.project_id: org.project_number(p.project_id) for p in org.projects}
    for project_id, number in numbers.items():
        facts = spec.projects.get(project_id)
        snap.metrics[number] = [
            lm.LogMetric(
                name=m.name,
                filter=m.filter,
                disabled=m.disabled,
                bucket_name=m.bucket_name,
                create_time=CREATED,
                update_time=CREATED,
            )
            for m in (facts.metrics if facts else ())
        ]
        snap.channels[number] = [
            mon.NotificationChannel(
                type_=c.type,
                name=f"projects/{project_id}/notificationChannels/{_id(c.key)}",
                display_name=c.key,
                labels={"email_address": f"{c.key}@example.com"},
                enabled=c.enabled,
                verification_status=mon.NotificationChannel.VerificationStatus.VERIFIED,
            )
            for c in (facts.channels if facts else ())
        ]
        snap.policies[number] = [
            mon.AlertPolicy(
                name=f"projects/{project_id}/alertPolicies/{_id(p.key)}",
                display_name=p.key,
                combiner=mon.AlertPolicy.ConditionCombinerType.OR,
                enabled=p.enabled,
                notification_channels=[
                    f"projects/{project_id}/notificationChannels/{_id(c)}" for c in p.channels
                ],
                conditions=[
                    mon.AlertPolicy.Condition(
                        name=f"projects/{project_id}/alertPolicies/{_id(p.key)}/conditions/1",
                        display_name=p.metric,
                        condition_threshold=mon.AlertPolicy.Condition.MetricThreshold(
                            filter=(
                                f'metric.type="logging.googleapis.com/user/{p.metric}" '
                                'AND resource.type="global"'
                            ),
                            comparison=mon.ComparisonType.COMPARISON_GT,
                            threshold_value=0,
                            duration=duration_pb2.Duration(seconds=0),
                        ),
                    )
                ],
            )
            for p in (facts.policies if facts else ())
        ]
        state = su.State.DISABLED if project_id in spec.cloud_asset_disabled else su.State.ENABLED
        snap.services[number] = su.Service(
            name=f"projects/{number}/services/{CLOUD_ASSET}",
            parent=f"projects/{number}",
            config=su.ServiceConfig(name=CLOUD_ASSET, title="Cloud Asset API"),
            state=state,
        )
    for scoping, monitored in spec.scopes.items():
        number = numbers[scoping]
        scope_name = f"locations/global/metricsScopes/{number}"
        scope = ms.MetricsScope(
            name=scope_name,
            create_time=CREATED,
            update_time=CREATED,
            monitored_projects=[
                ms.MonitoredProject(name=f"{scope_name}/projects/{numbers[p]}", create_time=CREATED)
                for p in monitored
            ],
        )
        for project_id in monitored:
            snap.scopes.setdefault(numbers[project_id], []).append(scope)
    snap.access_approval[org.org_name] = aa.AccessApprovalSettings(
        name=f"{org.org_name}/accessApprovalSettings",
        notification_emails=["security@example.com"] if spec.access_approval else [],
        enrolled_services=[
            aa.EnrolledService(cloud_product=p, enrollment_level=aa.EnrollmentLevel.BLOCK_ALL)
            for p in spec.access_approval
        ],
    )
    return snap
