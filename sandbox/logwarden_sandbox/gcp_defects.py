"""Named defects of the GCP sandbox: each changes the compliant standard organization so that
one control fails (or, for the tricky cases marked PASS, still passes).

:data:`DEFECTS` maps a name to how it changes a :class:`GcpOrg` and which result rows it then
causes (:class:`Expectation`). Ids are deterministic, so the rows are computed from the org.
Combinations are allowed except where one defect would hide another (:data:`CONFLICTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from logwarden_sandbox import gcp_defects_monitoring, gcp_defects_resources
from logwarden_sandbox.gcp_world import (
    AuditConfigSpec,
    DefectInfo,
    Expectation,
    GcpOrg,
    LogBucketSpec,
    SinkSpec,
    log_bucket_destination,
    log_bucket_id,
    storage_bucket_id,
)

DATA_ACCESS = "gcp.audit.data_access_logs"
ORG_SINK = "gcp.logging.org_sink"
RETENTION = "gcp.logging.bucket_retention"
LOCKED = "gcp.logging.bucket_locked"
STORAGE_LOCKED = "gcp.storage.sink_bucket_locked"

LOGGING_PROJECT = "lw-logging"
SHARED_PROJECT = "lw-shared"
APP_1, APP_2 = "lw-app-1", "lw-app-2"
CENTRAL_BUCKET = "org-audit"
ARCHIVE_BUCKET = "lw-audit-archive"
EXEMPTED = "serviceAccount:etl@lw-app-1.iam.gserviceaccount.com"
DROPS_DATA_ACCESS = (
    'logName:"cloudaudit.googleapis.com" AND NOT logName:"cloudaudit.googleapis.com%2Fdata_access"'
)

Rows = Callable[[GcpOrg], list[Expectation]]


@dataclass(frozen=True)
class Defect:
    """How a defect changes the organization, and the rows it causes."""

    description: str
    apply: Callable[[GcpOrg], None]
    rows: Rows


def _org_sink(org: GcpOrg) -> SinkSpec:
    return next(s for s in org.sinks if s.name == "org-audit")


def _each_project(check: str, status: str = "FAIL", under: str | None = None) -> Rows:
    def rows(org: GcpOrg) -> list[Expectation]:
        return [
            Expectation(check, p.project_id, p.project_id, status)
            for p in org.projects
            if under is None or p.parent == under
        ]

    return rows


def _org_row(status: str = "FAIL") -> Rows:
    return lambda org: [Expectation(ORG_SINK, org.org_name, org.org_name, status)]


def _central(*checks: str, bucket: str = CENTRAL_BUCKET) -> Rows:
    rid = log_bucket_id(LOGGING_PROJECT, bucket)
    return lambda org: [Expectation(c, LOGGING_PROJECT, rid) for c in checks]


def _exempt(org: GcpOrg) -> None:
    org.folder("workloads").audit_configs.append(
        AuditConfigSpec(log_types=("DATA_READ",), exempted={"DATA_READ": (EXEMPTED,)})
    )


def _configs_at_folders(org: GcpOrg) -> None:
    configs, org.audit_configs = org.audit_configs, []
    for folder in org.folders:
        if folder.parent is None:
            folder.audit_configs.extend(AuditConfigSpec(c.service, c.log_types) for c in configs)


def _service_specific(org: GcpOrg) -> None:
    org.audit_configs = [AuditConfigSpec(service="storage.googleapis.com")]


def _project_sink_only(org: GcpOrg) -> None:
    org.sinks.remove(_org_sink(org))
    org.project(SHARED_PROJECT).sinks.append(
        SinkSpec("shared-audit", log_bucket_destination(LOGGING_PROJECT, CENTRAL_BUCKET))
    )


def _folder_sinks_only(org: GcpOrg) -> None:
    org.sinks.remove(_org_sink(org))
    org.folder("workloads").sinks.append(
        SinkSpec(
            "workloads-audit",
            log_bucket_destination(LOGGING_PROJECT, CENTRAL_BUCKET),
            include_children=True,
        )
    )


def _app_sink(org: GcpOrg) -> None:
    project = org.project(APP_2)
    project.log_buckets.append(LogBucketSpec("app-audit", retention_days=30, locked=True))
    project.sinks.append(SinkSpec("app-audit", log_bucket_destination(APP_2, "app-audit")))


def _set(target: Callable[[GcpOrg], object], **changes: object) -> Callable[[GcpOrg], None]:
    def apply(org: GcpOrg) -> None:
        obj = target(org)
        for name, value in changes.items():
            setattr(obj, name, value)

    return apply


def _central_bucket(org: GcpOrg) -> LogBucketSpec:
    return next(
        b for b in org.project(LOGGING_PROJECT).log_buckets if b.bucket_id == CENTRAL_BUCKET
    )


def _archive(org: GcpOrg) -> object:
    return next(b for b in org.project(LOGGING_PROJECT).storage_buckets if b.name == ARCHIVE_BUCKET)


DEFECTS: dict[str, Defect] = {
    "folder_exempts_member": Defect(
        f"the Workloads folder exempts {EXEMPTED} from DATA_READ logs",
        _exempt,
        _each_project(DATA_ACCESS, under="workloads"),
    ),
    "no_org_audit_config": Defect(
        "the organization has no audit config (Data Access logs off everywhere)",
        _set(lambda o: o, audit_configs=[]),
        _each_project(DATA_ACCESS),
    ),
    "service_specific_only": Defect(
        "the organization enables the three log types for storage.googleapis.com only",
        _service_specific,
        _each_project(DATA_ACCESS),
    ),
    "audit_config_at_folders": Defect(
        "the audit config moves from the organization to both top folders (still PASS)",
        _configs_at_folders,
        _each_project(DATA_ACCESS, "PASS"),
    ),
    "org_sink_no_children": Defect(
        "the organization sink has includeChildren false",
        lambda o: setattr(_org_sink(o), "include_children", False),
        _org_row(),
    ),
    "org_sink_excludes_audit": Defect(
        "the organization sink's filter excludes cloudaudit.googleapis.com",
        lambda o: setattr(_org_sink(o), "filter", 'NOT logName:"cloudaudit.googleapis.com"'),
        _org_row(),
    ),
    "org_sink_drops_data_access": Defect(
        "the organization sink keeps the audit logs AND NOT the Data Access logs",
        lambda o: setattr(_org_sink(o), "filter", DROPS_DATA_ACCESS),
        _org_row(),
    ),
    "org_sink_destination_missing": Defect(
        "the organization sink writes to a log bucket that does not exist",
        lambda o: setattr(
            _org_sink(o), "destination", log_bucket_destination(LOGGING_PROJECT, "deleted")
        ),
        _org_row(),
    ),
    "project_sink_only": Defect(
        "no organization sink; lw-shared has its own sink to the central bucket",
        _project_sink_only,
        _org_row(),
    ),
    "folder_sinks_only": Defect(
        "no organization sink; every top folder has an aggregated sink (still PASS)",
        _folder_sinks_only,
        _org_row("PASS"),
    ),
    "log_bucket_short_retention": Defect(
        "the central log bucket keeps logs 30 days",
        _set(_central_bucket, retention_days=30),
        _central(RETENTION),
    ),
    "log_bucket_unlocked": Defect(
        "the central log bucket is not locked",
        _set(_central_bucket, locked=False),
        _central(LOCKED),
    ),
    "org_sink_to_default_bucket": Defect(
        "the organization sink writes to lw-logging's _Default bucket (30 days, unlocked)",
        lambda o: setattr(
            _org_sink(o), "destination", log_bucket_destination(LOGGING_PROJECT, "_Default")
        ),
        _central(RETENTION, LOCKED, bucket="_Default"),
    ),
    "project_sink_short_retention": Defect(
        "lw-app-2 exports its audit logs to its own bucket app-audit, which keeps 30 days",
        _app_sink,
        lambda o: [Expectation(RETENTION, APP_2, log_bucket_id(APP_2, "app-audit"))],
    ),
    "storage_bucket_unlocked": Defect(
        "the archive bucket's retention policy is not locked",
        _set(_archive, locked=False),
        lambda o: [Expectation(STORAGE_LOCKED, LOGGING_PROJECT, storage_bucket_id(ARCHIVE_BUCKET))],
    ),
    "storage_bucket_no_retention": Defect(
        "the archive bucket has no retention policy",
        _set(_archive, retention_days=None),
        lambda o: [Expectation(STORAGE_LOCKED, LOGGING_PROJECT, storage_bucket_id(ARCHIVE_BUCKET))],
    ),
}

DEFECTS.update({name: Defect(*entry) for name, entry in gcp_defects_monitoring.DEFECTS.items()})
# project resources (networks, subnets, backend services, Cloud SQL): gcp_defects_resources
DEFECTS.update({name: Defect(*spec) for name, spec in gcp_defects_resources.DEFECTS.items()})

_AUDIT = ("no_org_audit_config", "service_specific_only", "audit_config_at_folders")
_ORG_SINK = (
    "org_sink_no_children",
    "org_sink_excludes_audit",
    "org_sink_drops_data_access",
    "org_sink_destination_missing",
    "project_sink_only",
    "folder_sinks_only",
    "org_sink_to_default_bucket",
)
#: Pairs that cannot be combined: they change the same thing, or the first hides the second.
CONFLICTS: tuple[tuple[str, str], ...] = (
    *((a, b) for i, a in enumerate(_AUDIT) for b in _AUDIT[i + 1 :]),
    ("no_org_audit_config", "folder_exempts_member"),
    ("audit_config_at_folders", "folder_exempts_member"),
    *((a, b) for i, a in enumerate(_ORG_SINK) for b in _ORG_SINK[i + 1 :]),
    *(
        (a, b)
        for a in (
            "org_sink_excludes_audit",
            "org_sink_destination_missing",
            "org_sink_to_default_bucket",
        )
        for b in ("log_bucket_short_retention", "log_bucket_unlocked")
    ),
    ("storage_bucket_unlocked", "storage_bucket_no_retention"),
    *gcp_defects_monitoring.CONFLICTS,
)


def validate(defects: Collection[str]) -> None:
    """Raise ValueError for unknown names and conflicting pairs."""
    unknown = sorted(set(defects) - DEFECTS.keys())
    if unknown:
        raise ValueError(f"unknown GCP defects {unknown}; known: {', '.join(sorted(DEFECTS))}")
    for first, second in CONFLICTS:
        if first in defects and second in defects:
            raise ValueError(f"GCP defects {first!r} and {second!r} cannot be combined")


def apply(org: GcpOrg, defects: Collection[str]) -> dict[str, DefectInfo]:
    """Apply named defects to ``org`` in catalogue order; their expected rows, by name."""
    validate(defects)
    names = tuple(name for name in DEFECTS if name in defects)
    for name in names:
        DEFECTS[name].apply(org)
    org.defects = names
    return {
        name: DefectInfo(name, DEFECTS[name].description, tuple(DEFECTS[name].rows(org)))
        for name in names
    }
