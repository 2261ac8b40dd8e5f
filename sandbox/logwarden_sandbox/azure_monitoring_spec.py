"""What the Azure sandbox holds beyond the Activity Log export: activity log alert rules and
their action groups, role assignments on the log destinations, the Entra ID (tenant)
diagnostic settings, virtual networks and DNS security policies.

Plain data, by name, held in ``TenantSpec.monitoring``; ``azure_monitoring`` turns it into ARM
documents and ``azure_monitoring_zone`` seeds the standard tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ActionGroupSpec:
    """An action group (``Microsoft.Insights/actionGroups``) with email receivers."""

    name: str
    subscription: str  # the owner's name
    resource_group: str = "rg-monitor"
    enabled: bool = True
    emails: dict[str, str] = field(default_factory=lambda: {"secops": "Enabled"})  # name -> status
    webhooks: tuple[str, ...] = ()  # receiver names (no status in the API)


@dataclass
class AlertSpec:
    """An activity log alert rule (``Microsoft.Insights/activityLogAlerts``).

    ``operations``: one name gives ``operationName equals``; several give an ``anyOf`` of them.
    ``scopes``: ``sub`` (the owner), ``sub:NAME``, ``rg:NAME`` (a resource group of the owner)
    or a management group name. ``extra``: more ``allOf`` leaves, as (field, value).
    ``action_groups``: names of :class:`ActionGroupSpec`, or ``missing:NAME`` for an id that
    names no group.
    """

    name: str
    subscription: str
    operations: tuple[str, ...]
    category: str = "Administrative"
    scopes: tuple[str, ...] = ("sub",)
    extra: tuple[tuple[str, str], ...] = ()
    enabled: bool = True
    action_groups: tuple[str, ...] = ("ag-secops",)
    resource_group: str = "rg-monitor"


@dataclass
class EntraSettingSpec:
    """A diagnostic setting of the Entra ID tenant (``microsoft.aadiam/diagnosticSettings``).

    ``workspace`` / ``storage``: names of the tenant's workspace / storage account (None: not
    that destination); ``categories``: the log categories it enables."""

    name: str
    categories: tuple[str, ...]
    workspace: str | None = "law-central"
    storage: str | None = None


@dataclass
class RoleAssignmentSpec:
    """A role assignment: a built-in role (``azure_monitoring_roles.ROLES``) for a principal at
    ``scope``: ``mg:NAME``, ``sub:NAME``, ``rg:SUBSCRIPTION/GROUP``, ``workspace:NAME``,
    ``storage:NAME`` or ``container:STORAGE`` (its insights-activity-logs container)."""

    role: str
    principal_id: str
    scope: str
    principal_type: str = "Group"


@dataclass
class VirtualNetworkSpec:
    """A virtual network of a subscription (by name)."""

    name: str
    subscription: str
    resource_group: str = "rg-network"
    location: str = "westeurope"


@dataclass
class DnsPolicySpec:
    """A DNS security policy (``Microsoft.Network/dnsResolverPolicies``) of a subscription,
    linked to virtual networks (``(subscription, name)``), whose diagnostic setting sends the
    ``categories`` of its query logs to ``workspace`` (None: no diagnostic setting)."""

    name: str
    subscription: str
    links: tuple[tuple[str, str], ...]
    workspace: str | None = "law-central"
    categories: tuple[str, ...] = ("DnsResponse",)
    resource_group: str = "rg-network"
    location: str = "westeurope"


@dataclass
class MonitoringSpec:
    """Everything of this module in one tenant."""

    action_groups: list[ActionGroupSpec] = field(default_factory=list)
    alerts: list[AlertSpec] = field(default_factory=list)
    entra_settings: list[EntraSettingSpec] = field(default_factory=list)
    role_assignments: list[RoleAssignmentSpec] = field(default_factory=list)
    virtual_networks: list[VirtualNetworkSpec] = field(default_factory=list)
    dns_policies: list[DnsPolicySpec] = field(default_factory=list)

    def alert(self, name: str, subscription: str) -> AlertSpec:
        """The alert rule ``name`` of ``subscription`` (KeyError if none)."""
        for spec in self.alerts:
            if (spec.name, spec.subscription) == (name, subscription):
                return spec
        raise KeyError((name, subscription))

    def action_group(self, name: str) -> ActionGroupSpec:
        """The action group called ``name`` (KeyError if none)."""
        for spec in self.action_groups:
            if spec.name == name:
                return spec
        raise KeyError(name)
