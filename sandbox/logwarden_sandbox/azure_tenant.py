"""The data of the Azure sandbox: a declarative tenant, and what the emulator then holds.

A :class:`TenantSpec` says *what* exists (management groups, subscriptions, workspaces,
storage accounts, Activity Log diagnostic settings, policy assignments and their compliance)
by name. Ids are derived from the names (stable UUIDs), so a test can compute every resource
id before the emulator starts; :class:`World` lists them, with the expected rows per defect.
Workspaces and storage accounts are referred to by name from any subscription: a setting of
one subscription may send to a workspace owned by another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from logwarden_sandbox.azure_monitoring_spec import MonitoringSpec
from logwarden_sandbox.azure_resource_specs import ServicesSpec

NAMESPACE = uuid.UUID("6f1c7a52-3b4e-4d0a-9c58-2b8e1f6d9a10")
ACTIVITY_LOG_POLICY = "2465583e-4e78-4c15-b6be-a36cbc7c8b0f"
ALLOWED_LOCATIONS_POLICY = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
ALL_CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)


def stable_id(kind: str, name: str) -> str:
    """A UUID derived from a name: the same tenant description always gets the same ids."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


@dataclass
class WorkspaceSpec:
    """A Log Analytics workspace and the retention of its AzureActivity table."""

    name: str
    resource_group: str = "rg-logging"
    location: str = "westeurope"
    retention_days: int = 90  # the workspace default (interactive)
    activity_total_days: int | None = 730  # the AzureActivity table's total; None = default
    exists: bool = True  # False: settings may name it, the emulator answers 404


@dataclass
class StorageSpec:
    """A storage account that may receive Activity Logs (container insights-activity-logs)."""

    name: str
    resource_group: str = "rg-logging"
    location: str = "westeurope"
    allow_blob_public_access: bool | None = False  # None = the property is absent
    allow_shared_key_access: bool | None = False  # None = the property is absent (allowed)
    container_public_access: str = "None"
    key_source: str = "Microsoft.Keyvault"
    container: bool = True  # the insights-activity-logs container exists
    immutability_days: int | None = 365  # container policy; None = none
    immutability_state: str = "Locked"
    lifecycle_delete_days: int | None = 2555  # None = no lifecycle policy at all
    exists: bool = True  # False: settings may name it, the emulator answers 404


@dataclass
class EventHubSpec:
    """An Event Hubs namespace and the authorization rule diagnostic settings send with."""

    namespace: str
    resource_group: str = "rg-logging"
    location: str = "westeurope"
    rule: str = "RootManageSharedAccessKey"
    exists: bool = True  # False: settings may name it, the emulator answers 404


@dataclass
class SettingSpec:
    """A subscription Activity Log diagnostic setting; destinations by name."""

    name: str = "activity-to-central"
    workspace: str | None = "law-central"
    storage: str | None = None
    event_hub: str | None = None  # an EventHubSpec namespace
    partner: str | None = None  # a marketplace partner resource id (never served)
    categories: tuple[str, ...] = ()  # enabled categories, each listed with enabled: true
    groups: tuple[str, ...] = ("allLogs",)  # enabled category groups
    disabled: tuple[str, ...] = ()  # categories listed with enabled: false


@dataclass
class SubscriptionSpec:
    """A subscription: its management group, settings, owned resources, policy compliance."""

    name: str
    management_group: str
    settings: list[SettingSpec] = field(default_factory=list)
    workspaces: list[WorkspaceSpec] = field(default_factory=list)
    storage_accounts: list[StorageSpec] = field(default_factory=list)
    event_hubs: list[EventHubSpec] = field(default_factory=list)
    # Latest Policy Insights state of every activity-log assignment applying here; None =
    # no state yet (a new assignment not evaluated).
    compliance: str | None = "Compliant"
    state: str = "Enabled"
    services: ServicesSpec = field(default_factory=ServicesSpec)  # azure_resource_specs

    @property
    def id(self) -> str:
        """The subscription id (a stable UUID)."""
        return stable_id("subscription", self.name)


@dataclass
class AssignmentSpec:
    """A policy assignment at a management group (``scope``) or subscription (``sub:NAME``).

    ``policy`` is a built-in definition name, or ``set:NAME`` for a policy set of
    :attr:`TenantSpec.policy_sets`; ``not_scopes`` name subscriptions (``sub:NAME``) or
    management groups.
    """

    name: str
    scope: str
    policy: str = ACTIVITY_LOG_POLICY
    enforcement: str = "Default"
    not_scopes: list[str] = field(default_factory=list)
    workspace: str = "law-central"  # the policy's logAnalytics parameter


@dataclass
class TenantSpec:
    """Everything the emulated tenant holds, by name."""

    name: str = "contoso"
    # management group -> parent ("" = the tenant root group, whose id is the tenant id)
    management_groups: dict[str, str] = field(default_factory=dict)
    subscriptions: list[SubscriptionSpec] = field(default_factory=list)
    assignments: list[AssignmentSpec] = field(default_factory=list)
    # policy sets: name -> (where defined, definition names); defined at a management group
    # (its name), at a subscription (``sub:NAME``), or built in (``builtin``)
    policy_sets: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    defects: tuple[str, ...] = ()
    monitoring: MonitoringSpec = field(default_factory=MonitoringSpec)  # azure_monitoring_spec

    @property
    def tenant_id(self) -> str:
        """The Entra ID tenant id (also the root management group's id)."""
        return stable_id("tenant", self.name)

    def subscription(self, name: str) -> SubscriptionSpec:
        """The subscription spec called ``name`` (KeyError if none)."""
        for spec in self.subscriptions:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def assignment(self, name: str) -> AssignmentSpec:
        """The assignment spec called ``name`` (KeyError if none)."""
        for spec in self.assignments:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def setting(self, subscription: str, index: int = 0) -> SettingSpec:
        """A diagnostic setting of a subscription."""
        return self.subscription(subscription).settings[index]

    def workspace(self, name: str) -> tuple[SubscriptionSpec, WorkspaceSpec]:
        """The workspace called ``name`` and its owner (KeyError if none)."""
        for sub in self.subscriptions:
            for ws in sub.workspaces:
                if ws.name == name:
                    return sub, ws
        raise KeyError(name)

    def storage(self, name: str) -> tuple[SubscriptionSpec, StorageSpec]:
        """The storage account called ``name`` and its owner (KeyError if none)."""
        for sub in self.subscriptions:
            for acct in sub.storage_accounts:
                if acct.name == name:
                    return sub, acct
        raise KeyError(name)

    def event_hub(self, namespace: str) -> tuple[SubscriptionSpec, EventHubSpec]:
        """The Event Hubs namespace called ``namespace`` and its owner (KeyError if none)."""
        for sub in self.subscriptions:
            for hub in sub.event_hubs:
                if hub.namespace == namespace:
                    return sub, hub
        raise KeyError(namespace)

    def ancestors(self, group: str) -> list[str]:
        """Management groups from the root (tenant id) down to ``group``."""
        chain = [group]
        while chain[-1] and self.management_groups.get(chain[-1], "") != "":
            chain.append(self.management_groups[chain[-1]])
        return [self.tenant_id, *reversed(chain)]


def workspace_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of a workspace of the tenant."""
    sub, ws = tenant.workspace(name)
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{ws.resource_group}/providers/"
        f"Microsoft.OperationalInsights/workspaces/{ws.name}"
    )


def storage_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of a storage account of the tenant."""
    sub, acct = tenant.storage(name)
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{acct.resource_group}/providers/"
        f"Microsoft.Storage/storageAccounts/{acct.name}"
    )


def event_hub_rule_id(tenant: TenantSpec, namespace: str) -> str:
    """The ARM id of the authorization rule of an Event Hubs namespace of the tenant."""
    sub, hub = tenant.event_hub(namespace)
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{hub.resource_group}/providers/"
        f"Microsoft.EventHub/namespaces/{hub.namespace}/authorizationRules/{hub.rule}"
    )


def group_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of a management group ("" or the tenant id = the root group)."""
    return f"/providers/Microsoft.Management/managementGroups/{name or tenant.tenant_id}"


def scope_id(tenant: TenantSpec, scope: str) -> str:
    """The ARM id of an assignment scope (``sub:NAME`` or a management group name)."""
    if scope.startswith("sub:"):
        return f"/subscriptions/{tenant.subscription(scope[4:]).id}"
    return group_id(tenant, scope)


def policy_set_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of a policy set of the tenant (see :attr:`TenantSpec.policy_sets`)."""
    where = tenant.policy_sets[name][0]
    scope = "" if where == "builtin" else scope_id(tenant, where)
    return f"{scope}/providers/Microsoft.Authorization/policySetDefinitions/{name}"


def assignment_id(tenant: TenantSpec, name: str) -> str:
    """The ARM id of a policy assignment of the tenant."""
    spec = tenant.assignment(name)
    return (
        f"{scope_id(tenant, spec.scope)}/providers/Microsoft.Authorization/policyAssignments/{name}"
    )


@dataclass(frozen=True)
class Expectation:
    """One result row a defect causes: ``check_id`` gets ``status`` for ``subscription_id``
    on ``resource_id`` (the subscription id for tenant-scope checks, the ARM id of the
    workspace or storage account for resource-scope checks)."""

    check_id: str
    subscription_id: str
    resource_id: str
    status: str = "FAIL"


@dataclass(frozen=True)
class DefectInfo:
    """What a named defect flipped and which rows it causes (first = the one it is for)."""

    name: str
    description: str
    rows: tuple[Expectation, ...]


@dataclass
class World:
    """What the emulator serves: ids the tests, the demo and benchmarks need."""

    base_url: str
    ca_path: str
    tenant_id: str
    subscriptions: dict[str, str]  # name -> id
    management_groups: dict[str, str]  # name -> parent ("" = root)
    workspaces: dict[str, str]  # name -> ARM id
    storage_accounts: dict[str, str]  # name -> ARM id
    assignments: dict[str, str]  # name -> ARM id
    defects: dict[str, DefectInfo] = field(default_factory=dict)

    def expected(self, status: str = "FAIL") -> set[tuple[str, str, str]]:
        """(check, subscription, resource) of every defect row with ``status``."""
        return {
            (e.check_id, e.subscription_id, e.resource_id)
            for info in self.defects.values()
            for e in info.rows
            if e.status == status
        }
