"""The data of the GCP sandbox: a declarative organization, and what a seeded world holds.

A :class:`GcpOrg` says *what* exists (folders, projects, audit configs, sinks, log buckets,
Cloud Storage buckets) by short names; ids are deterministic (the fakes assign them, unlike
moto), so :class:`Expectation` rows can name them directly. :func:`logwarden_sandbox.gcp_zone.
standard_org` builds the compliant standard organization; :mod:`logwarden_sandbox.gcp_defects`
names the changes that break one control each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logwarden_sandbox.gcp_resources import ProjectResources

from logwarden_sandbox.gcp_monitoring_world import MonitoringSpec

LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com"'
ORG_NUMBER = "1000000001"
FOLDER_BASE = 2000000001
PROJECT_BASE = 3000000001
RM = "//cloudresourcemanager.googleapis.com/"
LOGGING = "//logging.googleapis.com/"
STORAGE = "//storage.googleapis.com/projects/_/buckets/"


def log_bucket_destination(project: str, bucket: str, location: str = "global") -> str:
    """The sink destination of a log bucket."""
    return f"logging.googleapis.com/projects/{project}/locations/{location}/buckets/{bucket}"


def log_bucket_id(project: str, bucket: str, location: str = "global") -> str:
    """The logwarden resource id of a log bucket (``gcp.logging.bucket``)."""
    return f"{LOGGING}projects/{project}/locations/{location}/buckets/{bucket}"


def storage_bucket_id(name: str) -> str:
    """The logwarden resource id of a Cloud Storage bucket (``gcp.storage.bucket``)."""
    return f"{STORAGE}{name}"


@dataclass
class AuditConfigSpec:
    """One ``auditConfigs`` entry of an IAM policy."""

    service: str = "allServices"
    log_types: tuple[str, ...] = LOG_TYPES
    exempted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # log type -> members


@dataclass
class SinkSpec:
    """A log sink; ``destination`` is the full destination string."""

    name: str
    destination: str
    filter: str = AUDIT_FILTER
    include_children: bool = False
    disabled: bool = False
    exclusions: tuple[tuple[str, str], ...] = ()  # (name, filter)


@dataclass
class LogBucketSpec:
    """A user-defined log bucket of a project (``_Default`` and ``_Required`` are automatic)."""

    bucket_id: str
    location: str = "global"
    retention_days: int = 365
    locked: bool = True


@dataclass
class StorageBucketSpec:
    """A Cloud Storage bucket of a project; ``retention_days=None``: no retention policy."""

    name: str
    location: str = "EU"
    retention_days: int | None = 365
    locked: bool = True


@dataclass
class FolderSpec:
    """A folder; ``parent`` is another folder's key, or ``None`` for the organization."""

    key: str
    display_name: str
    parent: str | None = None
    audit_configs: list[AuditConfigSpec] = field(default_factory=list)
    sinks: list[SinkSpec] = field(default_factory=list)


@dataclass
class ProjectSpec:
    """A project; ``parent`` is a folder key, or ``None`` for the organization."""

    project_id: str
    parent: str | None
    display_name: str = ""
    state: str = "ACTIVE"
    audit_configs: list[AuditConfigSpec] = field(default_factory=list)
    sinks: list[SinkSpec] = field(default_factory=list)
    log_buckets: list[LogBucketSpec] = field(default_factory=list)
    storage_buckets: list[StorageBucketSpec] = field(default_factory=list)
    default_retention_days: int = 30  # the built-in _Default bucket


@dataclass
class GcpOrg:
    """Everything the sandbox organization holds."""

    display_name: str = "example.com"
    org_number: str = ORG_NUMBER
    audit_configs: list[AuditConfigSpec] = field(default_factory=list)
    sinks: list[SinkSpec] = field(default_factory=list)
    folders: list[FolderSpec] = field(default_factory=list)
    projects: list[ProjectSpec] = field(default_factory=list)
    defects: tuple[str, ...] = ()
    monitoring: MonitoringSpec = field(default_factory=MonitoringSpec)
    resources: dict[str, ProjectResources] = field(default_factory=dict)  # gcp_resources

    @property
    def org_name(self) -> str:
        """``organizations/N``: also the scope (``Organization.id``) of an organization scan."""
        return f"organizations/{self.org_number}"

    def folder(self, key: str) -> FolderSpec:
        """The folder spec with ``key`` (KeyError if none)."""
        for spec in self.folders:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def project(self, project_id: str) -> ProjectSpec:
        """The project spec with ``project_id`` (KeyError if none)."""
        for spec in self.projects:
            if spec.project_id == project_id:
                return spec
        raise KeyError(project_id)

    def folder_name(self, key: str) -> str:
        """``folders/N`` of a folder key (ids follow the order of ``folders``)."""
        index = [f.key for f in self.folders].index(key)
        return f"folders/{FOLDER_BASE + index}"

    def project_number(self, project_id: str) -> str:
        """The project number (numbers follow the order of ``projects``)."""
        index = [p.project_id for p in self.projects].index(project_id)
        return str(PROJECT_BASE + index)

    def parent_name(self, parent: str | None) -> str:
        """The resource name of a parent key (``None`` = the organization)."""
        return self.org_name if parent is None else self.folder_name(parent)


@dataclass(frozen=True)
class Expectation:
    """One result row a defect causes: ``check_id`` gets ``status`` for ``tenant_id`` (a
    project id, or the scope id for organization rows) on ``resource_id``."""

    check_id: str
    tenant_id: str
    resource_id: str
    status: str = "FAIL"


@dataclass(frozen=True)
class DefectInfo:
    """What a named defect changed and which rows it causes (first = the one it is for)."""

    name: str
    description: str
    rows: tuple[Expectation, ...]


@dataclass
class World:
    """What the sandbox serves: the organization and the rows its defects must produce."""

    org: GcpOrg
    defects: dict[str, DefectInfo] = field(default_factory=dict)

    @property
    def scope_id(self) -> str:
        """The ``Organization.id`` of an organization scan."""
        return self.org.org_name

    @property
    def project_ids(self) -> list[str]:
        """The ACTIVE projects (the tenants of an organization scan)."""
        return [p.project_id for p in self.org.projects if p.state == "ACTIVE"]

    def expected(self, status: str = "FAIL") -> set[tuple[str, str, str]]:
        """``(check_id, tenant_id, resource_id)`` of every expected row with ``status``."""
        return {
            (e.check_id, e.tenant_id, e.resource_id)
            for info in self.defects.values()
            for e in info.rows
            if e.status == status
        }
