"""The monitoring side of the GCP sandbox organization (CIS GCP 2.2, 2.4-2.11, 2.13, 2.15):
log-based metrics, notification channels, alert policies, metrics scopes, the Cloud Asset API
and the organization's Access Approval settings, declared by short names like ``gcp_world``.

:func:`standard_monitoring` is the compliant setup of the standard organization: the central
logging project ``lw-logging`` is also the central monitoring project (its metrics scope
includes every project, and the organization sinks export to it); it holds one metric per CIS
2.4-2.11 filter, each watched by an enabled alert policy with an enabled e-mail channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logwarden.checks.gcp.cis_metric_filters import REQUIREMENTS

if TYPE_CHECKING:
    from logwarden_sandbox.gcp_world import GcpOrg

CENTRAL_PROJECT = "lw-logging"
ALL_ENTRIES_SINK = "org-all-entries"
ARCHIVE_BUCKET = "lw-audit-archive"
LOG_KEY = "projects/lw-logging/locations/global/keyRings/logs/cryptoKeys/audit"
SECURITY_CHANNEL = "security-email"
#: CIS id -> the metric name the standard organization uses for it.
METRIC_NAMES = {
    "2.4": "project-ownership-changes",
    "2.5": "audit-config-changes",
    "2.6": "custom-role-changes",
    "2.7": "firewall-rule-changes",
    "2.8": "route-changes",
    "2.9": "network-changes",
    "2.10": "storage-iam-changes",
    "2.11": "sql-instance-changes",
}


@dataclass
class MetricSpec:
    """A log-based metric (``LogMetric``)."""

    name: str
    filter: str
    disabled: bool = False
    bucket_name: str = ""


@dataclass
class ChannelSpec:
    """A notification channel; ``key`` is its id."""

    key: str
    enabled: bool = True
    type: str = "email"


@dataclass
class AlertPolicySpec:
    """An alert policy with one threshold condition on ``metric`` (a user metric name)."""

    key: str
    metric: str
    channels: tuple[str, ...] = (SECURITY_CHANNEL,)
    enabled: bool = True


@dataclass
class ProjectMonitoring:
    """What one project holds."""

    metrics: list[MetricSpec] = field(default_factory=list)
    channels: list[ChannelSpec] = field(default_factory=list)
    policies: list[AlertPolicySpec] = field(default_factory=list)


@dataclass
class MonitoringSpec:
    """The monitoring facts of an organization (empty: nothing is served)."""

    projects: dict[str, ProjectMonitoring] = field(default_factory=dict)  # by project id
    scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scoping -> monitored
    cloud_asset_disabled: set[str] = field(default_factory=set)  # project ids
    access_approval: tuple[str, ...] = ()  # enrolled cloud products ("all")
    # extra IAM bindings (role, member) of projects' policies, and Cloud Storage buckets' own
    # policies; a member "writer:SINK" stands for that organization or folder sink's identity
    project_bindings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    bucket_bindings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    cmek_buckets: dict[str, str] = field(default_factory=dict)  # "project/bucket" -> key

    def project(self, project_id: str) -> ProjectMonitoring:
        """The project's monitoring facts (created empty when absent)."""
        return self.projects.setdefault(project_id, ProjectMonitoring())


def standard_monitoring(project_ids: list[str]) -> MonitoringSpec:
    """The compliant monitoring of the standard organization with ``project_ids``."""
    central = ProjectMonitoring(channels=[ChannelSpec(SECURITY_CHANNEL)])
    for requirement in REQUIREMENTS:
        name = METRIC_NAMES[requirement.cis_id]
        central.metrics.append(MetricSpec(name, requirement.filter))
        central.policies.append(AlertPolicySpec(f"alert-{name}", name))
    return MonitoringSpec(
        projects={CENTRAL_PROJECT: central},
        scopes={CENTRAL_PROJECT: tuple(project_ids)},
        access_approval=("all",),
        project_bindings={
            CENTRAL_PROJECT: [
                ("roles/logging.bucketWriter", "writer:org-audit"),
                ("roles/logging.viewAccessor", "group:auditors@example.com"),
            ]
        },
        bucket_bindings={
            ARCHIVE_BUCKET: [
                ("roles/storage.legacyBucketOwner", f"projectOwner:{CENTRAL_PROJECT}"),
                ("roles/storage.legacyBucketReader", f"projectViewer:{CENTRAL_PROJECT}"),
                ("roles/storage.objectCreator", "writer:platform-archive"),
                ("roles/storage.objectViewer", "group:auditors@example.com"),
            ]
        },
        # app-audit exists only with the defect project_sink_short_retention
        cmek_buckets={f"{CENTRAL_PROJECT}/org-audit": LOG_KEY, "lw-app-2/app-audit": LOG_KEY},
    )


def seed(org: GcpOrg) -> None:
    """Give the standard organization its compliant monitoring, and the organization sink that
    exports every log entry (CIS 2.2: empty filter) to the central project. Its destination is
    a project, which ``gcp.logging.org_sink`` does not verify, so that control still rests on
    ``org-audit`` alone."""
    from logwarden_sandbox.gcp_world import SinkSpec

    org.monitoring = standard_monitoring([p.project_id for p in org.projects])
    org.sinks.append(
        SinkSpec(
            ALL_ENTRIES_SINK,
            f"logging.googleapis.com/projects/{CENTRAL_PROJECT}",
            filter="",
            include_children=True,
        )
    )
