"""Named defects of the GCP sandbox's monitoring (``gcp_monitoring_world``): one per control of
CIS GCP 2.4-2.11, plus the tricky pass of a metric filter written another way.

Each entry is ``(description, apply, rows)`` like ``gcp_defects.Defect``, which wraps them.
"""

from __future__ import annotations

from collections.abc import Callable

from logwarden.checks.gcp.metric_alerts import CONTROLS
from logwarden_sandbox.gcp_monitoring_world import (
    ALL_ENTRIES_SINK,
    ARCHIVE_BUCKET,
    CENTRAL_PROJECT,
    METRIC_NAMES,
    AlertPolicySpec,
    ChannelSpec,
    MetricSpec,
    ProjectMonitoring,
)
from logwarden_sandbox.gcp_world import Expectation, GcpOrg

Rows = Callable[[GcpOrg], list[Expectation]]
Entry = tuple[str, Callable[[GcpOrg], None], Rows]
BY_CIS = {cis: control for control, cis in CONTROLS.items()}
OTHER_PROJECT = "lw-shared"
ASSET_PROJECT = "lw-app-1"
ALL_ENTRIES = "gcp.logging.all_entries_sink"
CLOUD_ASSET = "gcp.serviceusage.cloud_asset_api_enabled"
ACCESS_APPROVAL = "gcp.accessapproval.enabled"
SERVICE_ID = "//serviceusage.googleapis.com/projects/{}/services/cloudasset.googleapis.com"
#: CIS 2.5 written with other spacing, order and redundant parentheses: still qualifies.
REORDERED_2_5 = (
    "( protoPayload.serviceData.policyDelta.auditConfigDeltas:*   )\n"
    'AND ((protoPayload.methodName = "SetIamPolicy"))'
)
#: CIS 2.6 without DeleteRole: a role deleted goes unnoticed.
MISSING_METHOD_2_6 = (
    'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" '
    'OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")'
)


def _central(org: GcpOrg) -> ProjectMonitoring:
    return org.monitoring.project(CENTRAL_PROJECT)


def _metric(org: GcpOrg, cis: str) -> MetricSpec:
    return next(m for m in _central(org).metrics if m.name == METRIC_NAMES[cis])


def _policy(org: GcpOrg, cis: str) -> AlertPolicySpec:
    return next(p for p in _central(org).policies if p.metric == METRIC_NAMES[cis])


def _every_project(cis: str, status: str = "FAIL", but: str = "") -> Rows:
    def rows(org: GcpOrg) -> list[Expectation]:
        return [
            Expectation(BY_CIS[cis], p.project_id, p.project_id, status)
            for p in org.projects
            if p.project_id != but
        ]

    return rows


def _drop_policy(org: GcpOrg) -> None:
    _central(org).policies.remove(_policy(org, "2.4"))


def _disabled_channel(org: GcpOrg) -> None:
    _central(org).channels.append(ChannelSpec("muted-pager", enabled=False))
    _policy(org, "2.7").channels = ("muted-pager",)


def _move_to_unscoped_project(org: GcpOrg) -> None:
    metric, policy = _metric(org, "2.10"), _policy(org, "2.10")
    _central(org).metrics.remove(metric)
    _central(org).policies.remove(policy)
    other = org.monitoring.project(OTHER_PROJECT)
    other.channels.append(ChannelSpec("shared-email"))
    other.metrics.append(metric)
    other.policies.append(AlertPolicySpec(policy.key, policy.metric, ("shared-email",)))


def _set_metric(cis: str, **changes: object) -> Callable[[GcpOrg], None]:
    def apply(org: GcpOrg) -> None:
        for name, value in changes.items():
            setattr(_metric(org, cis), name, value)

    return apply


def _drop_metric(org: GcpOrg) -> None:
    _central(org).metrics.remove(_metric(org, "2.11"))


def _disable_policy(org: GcpOrg) -> None:
    _policy(org, "2.8").enabled = False


DEFECTS: dict[str, Entry] = {
    "alert_policy_missing": (
        "the central project has no alert policy on its CIS 2.4 (project ownership) metric",
        _drop_policy,
        _every_project("2.4"),
    ),
    "metric_filter_reordered": (
        "the CIS 2.5 metric's filter is written with other spacing, order and parentheses "
        "(still PASS)",
        _set_metric("2.5", filter=REORDERED_2_5),
        _every_project("2.5", "PASS"),
    ),
    "metric_filter_missing_method": (
        "the CIS 2.6 metric's filter leaves out google.iam.admin.v1.DeleteRole",
        _set_metric("2.6", filter=MISSING_METHOD_2_6),
        _every_project("2.6"),
    ),
    "alert_channel_disabled": (
        "the CIS 2.7 alert policy notifies only a disabled channel",
        _disabled_channel,
        _every_project("2.7"),
    ),
    "alert_policy_disabled": (
        "the CIS 2.8 alert policy is disabled",
        _disable_policy,
        _every_project("2.8"),
    ),
    "log_metric_disabled": (
        "the CIS 2.9 metric is disabled",
        _set_metric("2.9", disabled=True),
        _every_project("2.9"),
    ),
    "metric_in_unscoped_project": (
        "the CIS 2.10 metric and its alert policy live in lw-shared, whose metrics scope "
        "includes no other project and which receives no sink (PASS for lw-shared only)",
        _move_to_unscoped_project,
        _every_project("2.10", but=OTHER_PROJECT),
    ),
    "log_metric_missing": (
        "the central project has no CIS 2.11 (SQL instance changes) metric",
        _drop_metric,
        _every_project("2.11"),
    ),
}


def _filter_all_entries(org: GcpOrg) -> None:
    sink = next(s for s in org.sinks if s.name == ALL_ENTRIES_SINK)
    sink.filter = 'severity>="WARNING"'


def _each(check: str) -> Rows:
    return lambda org: [Expectation(check, p.project_id, p.project_id) for p in org.projects]


DEFECTS |= {
    "all_entries_sink_filtered": (
        "the organization's all-entries sink keeps only entries of severity WARNING and above",
        _filter_all_entries,
        _each(ALL_ENTRIES),
    ),
    "cloud_asset_api_disabled": (
        f"the Cloud Asset API is not enabled in {ASSET_PROJECT}",
        lambda org: org.monitoring.cloud_asset_disabled.add(ASSET_PROJECT),
        lambda org: [Expectation(CLOUD_ASSET, ASSET_PROJECT, SERVICE_ID.format(ASSET_PROJECT))],
    ),
    "access_approval_off": (
        "the organization enrolls no service in Access Approval",
        lambda org: setattr(org.monitoring, "access_approval", ()),
        lambda org: [Expectation(ACCESS_APPROVAL, org.org_name, org.org_name)],
    ),
}
READERS = "gcp.logging.log_readers_restricted"
WRITERS = "gcp.logging.sink_writer_least_privilege"
CMEK = "gcp.logging.bucket_cmek"
OUTSIDE_READER = "user:contractor@gmail.com"
CENTRAL_BUCKET = (
    f"//logging.googleapis.com/projects/{CENTRAL_PROJECT}/locations/global/buckets/org-audit"
)
ARCHIVE = f"//storage.googleapis.com/projects/_/buckets/{ARCHIVE_BUCKET}"


def _bind(project: str, role: str, member: str) -> Callable[[GcpOrg], None]:
    return lambda org: org.monitoring.project_bindings.setdefault(project, []).append(
        (role, member)
    )


def _public_archive(org: GcpOrg) -> None:
    org.monitoring.bucket_bindings[ARCHIVE_BUCKET].append(
        ("roles/storage.objectViewer", "allUsers")
    )


def _row(check: str, rid: str, status: str = "FAIL") -> Rows:
    return lambda org: [Expectation(check, CENTRAL_PROJECT, rid, status)]


DEFECTS |= {
    "outside_log_reader": (
        f"{OUTSIDE_READER} holds roles/logging.viewer on the central logging project",
        _bind(CENTRAL_PROJECT, "roles/logging.viewer", OUTSIDE_READER),
        _row(READERS, f"{CENTRAL_BUCKET}/access"),
    ),
    "public_archive_reader": (
        f"allUsers can read the objects of {ARCHIVE_BUCKET} (a binding on the bucket)",
        _public_archive,
        _row(READERS, f"{ARCHIVE}/access"),
    ),
    "sink_writer_overprivileged": (
        "the organization sink's writer identity also holds roles/logging.configWriter on the "
        "central logging project",
        _bind(CENTRAL_PROJECT, "roles/logging.configWriter", "writer:org-audit"),
        _row(WRITERS, f"{CENTRAL_BUCKET}/access"),
    ),
    "log_bucket_without_cmek": (
        "the central log bucket has no customer-managed key (a FAIL when the parameter "
        "require_log_bucket_cmek is true; SKIPPED by default)",
        lambda org: org.monitoring.cmek_buckets.clear(),
        _row(CMEK, CENTRAL_BUCKET, "SKIPPED"),
    ),
}
CONFLICTS: tuple[tuple[str, str], ...] = ()
