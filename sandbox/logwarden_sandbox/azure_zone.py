"""The standard Azure sandbox tenant: a small landing zone that satisfies every Azure control.

- management groups: tenant root > ``mg-contoso`` > ``mg-platform``, ``mg-landingzones``,
  ``mg-sandbox`` (empty, where a defect moves a subscription out of the policy's reach);
- ``platform-management`` (mg-platform) owns the central workspace ``law-central`` (90 days
  interactive, AzureActivity table 730 days total) and the storage account
  ``stactivitylogs01`` (private, customer-managed key, insights-activity-logs container with a
  Locked 365-day immutability policy, lifecycle delete after 2555 days); its setting lists the
  eight categories one by one and sends to both; the activity-log policy reaches it through
  the custom initiative ``logging-baseline`` (defined at mg-contoso) assigned at the
  subscription;
- ``lz-corp`` and ``lz-online`` (mg-landingzones) send to ``law-central`` in the other
  subscription, with ``categoryGroup: allLogs`` (corp, also to the storage account) and the
  four audit categories listed one by one (online; the ``audit`` group would not count, see
  docs/azure.md); the policy is assigned at mg-landingzones (inherited);
- ``landing_zones`` more subscriptions ``lz-app-N`` like lz-corp (for fault scenarios);
- an unrelated ``allowed-locations`` assignment at the root; every compliance is Compliant.
"""

from __future__ import annotations

from collections.abc import Collection

from logwarden_sandbox import azure_defects, azure_monitoring_zone, azure_resource_zone
from logwarden_sandbox.azure_defects import CORP, ONLINE, PLATFORM, STORAGE, WORKSPACE
from logwarden_sandbox.azure_tenant import (
    ACTIVITY_LOG_POLICY,
    ALL_CATEGORIES,
    ALLOWED_LOCATIONS_POLICY,
    AssignmentSpec,
    SettingSpec,
    StorageSpec,
    SubscriptionSpec,
    TenantSpec,
    WorkspaceSpec,
)

# The categories azure.monitor.activity_log_categories requires, in the order Azure lists them.
AUDIT = ("Administrative", "Security", "Alert", "Policy")

__all__ = ["CORP", "ONLINE", "PLATFORM", "STORAGE", "WORKSPACE", "standard_tenant"]


def standard_tenant(*, landing_zones: int = 0, defects: Collection[str] = ()) -> TenantSpec:
    """The compliant tenant with ``landing_zones`` extra subscriptions and the named defects
    (see :data:`logwarden_sandbox.azure_defects.DEFECTS`); ValueError for unknown or
    conflicting defects."""
    if landing_zones < 0:
        raise ValueError("landing_zones must be >= 0")
    azure_defects.validate(defects)
    tenant = TenantSpec(
        management_groups={
            "mg-contoso": "",
            "mg-platform": "mg-contoso",
            "mg-landingzones": "mg-contoso",
            "mg-sandbox": "mg-contoso",
        },
        policy_sets={
            "logging-baseline": (
                "mg-contoso",
                (ACTIVITY_LOG_POLICY, ALLOWED_LOCATIONS_POLICY),
            )
        },
    )
    tenant.subscriptions = [
        SubscriptionSpec(
            PLATFORM,
            "mg-platform",
            settings=[SettingSpec(storage=STORAGE, categories=ALL_CATEGORIES, groups=())],
            workspaces=[WorkspaceSpec(WORKSPACE)],
            storage_accounts=[StorageSpec(STORAGE)],
        ),
        SubscriptionSpec(CORP, "mg-landingzones", settings=[SettingSpec(storage=STORAGE)]),
        SubscriptionSpec(
            ONLINE, "mg-landingzones", settings=[SettingSpec(categories=AUDIT, groups=())]
        ),
    ]
    tenant.subscriptions += [
        SubscriptionSpec(f"lz-app-{n}", "mg-landingzones", settings=[SettingSpec()])
        for n in range(1, landing_zones + 1)
    ]
    tenant.assignments = [
        AssignmentSpec("allowed-locations", "", policy=ALLOWED_LOCATIONS_POLICY),
        AssignmentSpec("logging-baseline", f"sub:{PLATFORM}", policy="set:logging-baseline"),
        AssignmentSpec("activity-log-lz", "mg-landingzones"),
    ]
    azure_monitoring_zone.seed(tenant)
    azure_resource_zone.seed(tenant)  # workloads whose resource logs are judged
    azure_defects.apply(tenant, defects)
    return tenant
