"""Start the Azure sandbox: the standard tenant (with defects) served by the ARM emulator.

:func:`start_azure_sandbox` is what the demo, the end-to-end tests and benchmarks call::

    with start_azure_sandbox(defects=DEMO_DEFECTS) as box:
        server, world, section, env = box
        # write {"clouds": {"azure": section}} into the scan config, and run the scan with
        # ``env`` added to the environment (the static bearer token the emulator accepts)

The config section uses ``credential: static-token``: the SDK clients talk HTTPS to
``arm_endpoint`` trusting ``ca_bundle``; no Azure credential chain (and no instance-metadata
probe) is ever involved.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from logwarden_sandbox import azure_defects
from logwarden_sandbox.azure_server import ArmServer
from logwarden_sandbox.azure_tenant import (
    TenantSpec,
    World,
    assignment_id,
    storage_id,
    workspace_id,
)
from logwarden_sandbox.azure_zone import standard_tenant

TOKEN_ENV = "LOGWARDEN_AZURE_SANDBOX_TOKEN"
# The demo's tenant: one compliant subscription, one whose setting lacks Security, one
# without the activity-log policy.
DEMO_DEFECTS = (
    "activity_log_no_security",
    "policy_not_assigned",
    "alert_nsg_write_group_scope",
    "log_reader_outside_workspace",
)
ROOT_GROUP = "mg-contoso"


@dataclass
class AzureSandbox:
    """A running emulator and how to scan it. Unpacks as ``(server, world, config, env)``."""

    server: ArmServer
    world: World
    config: dict[str, Any]  # the clouds.azure section of a scan config
    env: dict[str, str]  # environment variables the scan needs

    def __iter__(self) -> Iterator[Any]:
        return iter((self.server, self.world, self.config, self.env))

    def stop(self) -> None:
        """Stop the emulator and remove its TLS files."""
        self.server.stop()

    def __enter__(self) -> AzureSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def world_of(tenant: TenantSpec, server: ArmServer) -> World:
    """The ids of everything ``tenant`` holds, and the rows its defects cause."""
    return World(
        base_url=server.base_url,
        ca_path=server.ca_path,
        tenant_id=tenant.tenant_id,
        subscriptions={s.name: s.id for s in tenant.subscriptions},
        management_groups=dict(tenant.management_groups),
        workspaces={
            w.name: workspace_id(tenant, w.name) for s in tenant.subscriptions for w in s.workspaces
        },
        storage_accounts={
            a.name: storage_id(tenant, a.name)
            for s in tenant.subscriptions
            for a in s.storage_accounts
        },
        assignments={a.name: assignment_id(tenant, a.name) for a in tenant.assignments},
        defects=azure_defects.describe(tenant),
    )


def scan_section(
    server: ArmServer,
    *,
    mode: str = "management-group",
    retry_total: int = 1,
    backoff: float = 0.01,
) -> dict[str, Any]:
    """The ``clouds.azure`` section that scans ``server`` (small retry back-offs)."""
    section: dict[str, Any] = {
        "mode": mode,
        "credential": "static-token",
        "token_env": TOKEN_ENV,
        "arm_endpoint": server.base_url,
        "ca_bundle": server.ca_path,
        "retry_total": retry_total,
        "retry_backoff_factor": backoff,
        "retry_backoff_max": max(backoff * 4, 0.05),
    }
    if mode == "management-group":
        section["management_group_id"] = ROOT_GROUP
    return section


def start_azure_sandbox(
    defects: Collection[str] = (),
    *,
    landing_zones: int = 0,
    tenant: TenantSpec | None = None,
    mode: str = "management-group",
    retry_total: int = 1,
    backoff: float = 0.01,
    page_size: int = 2,
) -> AzureSandbox:
    """Serve the standard tenant (``landing_zones`` extra subscriptions, ``defects`` applied;
    or the given ``tenant``) on 127.0.0.1 and return how to scan it.

    ``mode``: ``management-group`` (``mg-contoso``, every subscription with its chain) or
    ``subscriptions-visible``. Raises ValueError for unknown or conflicting defects.
    """
    spec = tenant or standard_tenant(landing_zones=landing_zones, defects=defects)
    server = ArmServer(spec, page_size=page_size).start()
    section = scan_section(server, mode=mode, retry_total=retry_total, backoff=backoff)
    return AzureSandbox(server, world_of(spec, server), section, {TOKEN_ENV: server.token})
