"""The GCP sandbox: the compliant standard organization, and the fakes that serve it.

The standard organization ``example.com`` (``organizations/1000000001``) satisfies every GCP
control of the catalogue:

- audit config at the organization: ADMIN_READ, DATA_READ, DATA_WRITE for ``allServices``;
- folders Platform (``folders/2000000001``) and Workloads (``folders/2000000002``);
- projects ``lw-logging`` and ``lw-shared`` in Platform, ``lw-app-1`` and ``lw-app-2`` in
  Workloads (numbers 3000000001..4); each has the built-in ``_Required`` / ``_Default`` sinks
  and buckets (``_Default`` keeps 30 days, as in Google Cloud);
- the organization sink ``org-audit`` (includeChildren, ``logName:"cloudaudit.googleapis.com"``)
  writes to the log bucket ``org-audit`` of ``lw-logging`` (365 days, locked);
- the Platform folder's sink ``platform-archive`` (includeChildren) writes to the Cloud
  Storage bucket ``lw-audit-archive`` of ``lw-logging`` (retention 365 days, locked).

:func:`start_gcp_sandbox` serves it (with named defects, see ``gcp_defects.DEFECTS``) on
127.0.0.1 and returns what a scan of it needs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from logwarden_sandbox import gcp_defects, gcp_monitoring_world, gcp_resources
from logwarden_sandbox.gcp_world import (
    AuditConfigSpec,
    FolderSpec,
    GcpOrg,
    LogBucketSpec,
    ProjectSpec,
    SinkSpec,
    StorageBucketSpec,
    World,
    log_bucket_destination,
)

#: The environment a scan of the sandbox runs with: Google's libraries must never probe the
#: metadata server or pick up the user's own credentials. Also unset
#: ``GOOGLE_APPLICATION_CREDENTIALS`` and ``CLOUDSDK_CONFIG`` (see :data:`UNSET_ENV`).
SANDBOX_ENV = {
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
    "NO_GCE_CHECK": "True",
    "GOOGLE_API_USE_CLIENT_CERTIFICATE": "false",
    "GOOGLE_API_USE_MTLS_ENDPOINT": "never",
}
UNSET_ENV = ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "STORAGE_EMULATOR_HOST")
#: Defects of ``logwarden demo``: the issue's standard zone.
DEMO_DEFECTS = (
    "folder_exempts_member",
    "project_sink_short_retention",
    "log_bucket_unlocked",
    "alert_policy_missing",
    "outside_log_reader",
)


def standard_org(defects: Collection[str] = ()) -> World:
    """The compliant standard organization with the named defects applied.

    Raises ValueError for unknown or conflicting defects.
    """
    org = GcpOrg(
        audit_configs=[AuditConfigSpec()],
        sinks=[
            SinkSpec(
                "org-audit",
                log_bucket_destination("lw-logging", "org-audit"),
                include_children=True,
            )
        ],
        folders=[
            FolderSpec(
                "platform",
                "Platform",
                sinks=[
                    SinkSpec(
                        "platform-archive",
                        "storage.googleapis.com/lw-audit-archive",
                        include_children=True,
                    )
                ],
            ),
            FolderSpec("workloads", "Workloads"),
        ],
        projects=[
            ProjectSpec(
                "lw-logging",
                "platform",
                "Central logging",
                log_buckets=[LogBucketSpec("org-audit")],
                storage_buckets=[StorageBucketSpec("lw-audit-archive")],
            ),
            ProjectSpec("lw-shared", "platform", "Shared services"),
            ProjectSpec("lw-app-1", "workloads", "Application 1"),
            ProjectSpec("lw-app-2", "workloads", "Application 2"),
        ],
    )
    gcp_monitoring_world.seed(org)
    gcp_resources.seed(org)  # networks, backend services, Cloud SQL instances
    infos = gcp_defects.apply(org, defects)
    return World(org=org, defects=infos)


class GcpServers:
    """The two fakes of one sandbox, sharing one state (see ``gcp_state.FakeGcp``)."""

    def __init__(self, world: World) -> None:
        from logwarden_sandbox.gcp_grpc import GrpcFake
        from logwarden_sandbox.gcp_rest import RestFake
        from logwarden_sandbox.gcp_state import FakeGcp

        self.state = FakeGcp(world.org)
        self.rest = RestFake(self.state).start()
        self.grpc = GrpcFake(self.state).start()

    @property
    def faults(self) -> Any:
        """``faults.add(project, code, api="*")`` / ``faults.clear()`` (``gcp_state.Faults``)."""
        return self.state.faults

    def load(self, world: World) -> None:
        """Serve another world from now on (faults and call counts are reset)."""
        self.state.load(world.org)

    def config(self, world: World, **overrides: Any) -> dict[str, Any]:
        """The ``clouds.gcp`` section that scans ``world`` on these fakes (an override of
        ``None`` removes the key)."""
        section: dict[str, Any] = {
            "mode": "organization",
            "organization": world.org.org_number,
            "credentials": "anonymous",
            "resource_manager_endpoint": self.rest.endpoint,
            "logging_endpoint": self.grpc.endpoint,
            "storage_endpoint": self.rest.endpoint,
            "compute_endpoint": self.rest.endpoint,
            "dns_endpoint": self.rest.endpoint,
            "sqladmin_endpoint": self.rest.endpoint,
            "timeout": 10,
            "retry_deadline": 0,
        }
        section.update(overrides)
        return {k: v for k, v in section.items() if v is not None}

    def sandbox(self, world: World) -> GcpSandbox:
        """Serve ``world`` from now on, as a :class:`GcpSandbox` (its config and env)."""
        self.load(world)
        return GcpSandbox(self, world, self.config(world), dict(SANDBOX_ENV))

    def stop(self) -> None:
        """Stop both fakes."""
        self.rest.stop()
        self.grpc.stop()


@dataclass
class GcpSandbox:
    """What :func:`start_gcp_sandbox` returns; unpacks as
    ``servers, world, config_section, env = start_gcp_sandbox(...)``."""

    servers: GcpServers
    world: World
    config_section: dict[str, Any]
    env: dict[str, str]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.servers, self.world, self.config_section, self.env))

    def __enter__(self) -> GcpSandbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.servers.stop()


def start_gcp_sandbox(defects: Collection[str] = DEMO_DEFECTS) -> GcpSandbox:
    """Serve the standard organization with ``defects`` on 127.0.0.1 (free ports).

    Returns the servers (call ``stop()``; or use the result as a context manager), the
    :class:`World` (expected rows per defect), the ``clouds.gcp`` config section for it, and
    the environment variables to set for the scan (and :data:`UNSET_ENV` to remove).
    """
    world = standard_org(defects)
    return GcpServers(world).sandbox(world)
