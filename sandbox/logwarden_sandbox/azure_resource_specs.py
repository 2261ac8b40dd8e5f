"""What a subscription of the Azure sandbox holds beyond its Activity Log: resources whose own
logs the resource-level controls judge (Key Vaults, apps, storage services, databases,
Application Insights), their diagnostic settings, and which resource providers are registered.

Plain data, by name: ``azure_resource_logging`` turns it into ARM documents, and
``azure_resource_zone`` seeds the standard tenant and its defects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DiagSpec:
    """A resource's diagnostic setting. Destinations: the tenant's central workspace
    (``law-central``), a storage account of the tenant by name, an event hub rule id."""

    name: str = "audit-to-central"
    categories: tuple[str, ...] = ()  # enabled categories
    groups: tuple[str, ...] = ("audit",)  # enabled category groups
    disabled: tuple[str, ...] = ()  # categories listed with enabled: false
    workspace: bool = True
    storage: str | None = None
    event_hub_rule: str | None = None
    partner: str | None = None  # a marketplace partner resource id


@dataclass
class ResourceSpec:
    """One resource: ``type`` as ARM spells it (``Microsoft.KeyVault/vaults``), its settings,
    and sub-documents read by id (path suffix -> ``properties``), e.g.
    ``auditingSettings/default`` or ``configurations/log_checkpoints``."""

    type: str
    name: str
    resource_group: str = "rg-workload"
    location: str = "westeurope"
    kind: str | None = None
    settings: list[DiagSpec] = field(default_factory=list)
    children: dict[str, dict[str, Any]] = field(default_factory=dict)
    parent: str | None = None  # a child resource (a SQL database): its server's name


@dataclass
class FlowLogSpec:
    """A flow log of the subscription's Network Watcher in ``region``; ``target``:
    ``nsg:<name>`` or ``vnet:<name>``."""

    name: str
    target: str
    region: str = "westeurope"
    enabled: bool = True
    retention_days: int = 365
    retention_enabled: bool = True
    traffic_analytics: bool = True


@dataclass
class NetworkSpec:
    """Virtual networks (name -> region), network security groups (name -> the subnet they
    are attached to, ``vnet/subnet``, or None), the regions with a Network Watcher, flow logs."""

    virtual_networks: dict[str, str] = field(default_factory=dict)
    security_groups: dict[str, str | None] = field(default_factory=dict)
    watchers: tuple[str, ...] = ()
    flow_logs: list[FlowLogSpec] = field(default_factory=list)


@dataclass
class ServicesSpec:
    """A subscription's resources, the storage-service settings of its storage accounts
    (account name -> service (``blobServices``...) -> settings; an account not named here gets
    :func:`default_storage_logging` on every service), and its unregistered providers."""

    resources: list[ResourceSpec] = field(default_factory=list)
    storage_logging: dict[str, dict[str, list[DiagSpec]]] = field(default_factory=dict)
    unregistered: tuple[str, ...] = ()  # provider namespaces, as ARM spells them
    network: NetworkSpec = field(default_factory=NetworkSpec)
    nsg_logging: dict[str, list[DiagSpec]] = field(default_factory=dict)  # NSG name -> settings

    def find(self, name: str) -> ResourceSpec:
        """The resource called ``name`` (KeyError if none)."""
        for spec in self.resources:
            if spec.name == name:
                return spec
        raise KeyError(name)


def default_storage_logging() -> list[DiagSpec]:
    """The compliant setting of a storage service: read, write and delete to the workspace."""
    return [
        DiagSpec(
            "storage-logs", categories=("StorageRead", "StorageWrite", "StorageDelete"), groups=()
        )
    ]
