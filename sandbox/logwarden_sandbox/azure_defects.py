"""Named defects of the Azure sandbox: each flips one setting of the compliant standard tenant.

:data:`DEFECTS` maps a name to how it changes a :class:`TenantSpec` and which result rows it
then causes (:class:`Expectation`; ids are stable, so rows are computed from the tenant).
Combinations are allowed except where one defect would hide another's row
(:data:`CONFLICTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from logwarden_sandbox import azure_monitoring_defects
from logwarden_sandbox.azure_resource_zone import RESOURCE_DEFECTS
from logwarden_sandbox.azure_tenant import (
    ALL_CATEGORIES,
    DefectInfo,
    Expectation,
    SettingSpec,
    TenantSpec,
    storage_id,
    workspace_id,
)

PLATFORM = "platform-management"
CORP = "lz-corp"
ONLINE = "lz-online"
WORKSPACE = "law-central"
STORAGE = "stactivitylogs01"
LZ_ASSIGNMENT = "activity-log-lz"

EXPORTED = "azure.monitor.activity_log_exported"
CATEGORIES = "azure.monitor.activity_log_categories"
RETENTION = "azure.loganalytics.retention"
ASSIGNED = "azure.policy.activity_log_policy_assigned"
COMPLIANT = "azure.policy.activity_log_policy_compliant"
PRIVATE = "azure.storage.log_account_private"
CMK = "azure.storage.log_account_cmk"
STORAGE_RETENTION = "azure.storage.log_account_retention"

Rows = Callable[[TenantSpec], list[Expectation]]


@dataclass(frozen=True)
class Defect:
    """How a defect changes the tenant, and the rows it causes."""

    description: str
    apply: Callable[[TenantSpec], None]
    rows: Rows


def _tenant_rows(*pairs: tuple[str, str], status: str = "FAIL") -> Rows:
    """Tenant-scope rows: (check, subscription name)."""

    def rows(t: TenantSpec) -> list[Expectation]:
        out = []
        for check, name in pairs:
            sub = t.subscription(name).id
            out.append(Expectation(check, sub, sub, status))
        return out

    return rows


def _workspace_row(check: str) -> Rows:
    return lambda t: [Expectation(check, t.workspace(WORKSPACE)[0].id, workspace_id(t, WORKSPACE))]


def _storage_row(check: str) -> Rows:
    return lambda t: [Expectation(check, t.storage(STORAGE)[0].id, storage_id(t, STORAGE))]


def _no_security(t: TenantSpec) -> None:
    t.subscription(CORP).settings[0] = SettingSpec(
        storage=STORAGE,
        categories=tuple(c for c in ALL_CATEGORIES if c != "Security"),
        groups=(),
        disabled=("Security",),
    )


def _missing(t: TenantSpec) -> None:
    sub = t.subscription(CORP)
    sub.settings = []
    sub.compliance = "NonCompliant"  # the policy sees the missing setting


def _storage_only(t: TenantSpec) -> None:
    t.setting(ONLINE).workspace = None
    t.setting(ONLINE).storage = STORAGE


def _set_workspace(t: TenantSpec) -> None:
    ws = t.workspace(WORKSPACE)[1]
    ws.retention_days, ws.activity_total_days = 30, None


def _set_storage(**changes: object) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        acct = t.storage(STORAGE)[1]
        for key, value in changes.items():
            setattr(acct, key, value)

    return apply


def _set_assignment(**changes: object) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        spec = t.assignment(LZ_ASSIGNMENT)
        for key, value in changes.items():
            setattr(spec, key, value)

    return apply


def _landing_zone_rows(t: TenantSpec) -> list[Expectation]:
    """The assigned row of every subscription the landing-zone assignment covers."""
    return [
        Expectation(ASSIGNED, s.id, s.id)
        for s in t.subscriptions
        if "mg-landingzones" in t.ancestors(s.management_group)
    ]


def _set_compliance(name: str, state: str | None) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        t.subscription(name).compliance = state

    return apply


def _move(name: str, group: str) -> Callable[[TenantSpec], None]:
    def apply(t: TenantSpec) -> None:
        t.subscription(name).management_group = group

    return apply


DEFECTS: dict[str, Defect] = {
    "activity_log_no_security": Defect(
        "lz-corp's diagnostic setting lists the categories one by one and disables Security",
        _no_security,
        _tenant_rows((CATEGORIES, CORP)),
    ),
    "activity_log_missing": Defect(
        "lz-corp has no Activity Log diagnostic setting (the policy reports it non-compliant)",
        _missing,
        _tenant_rows((EXPORTED, CORP), (CATEGORIES, CORP), (COMPLIANT, CORP)),
    ),
    "activity_log_storage_only": Defect(
        "lz-online's diagnostic setting sends to the storage account only, no workspace",
        _storage_only,
        _tenant_rows((EXPORTED, ONLINE)),
    ),
    "workspace_short_retention": Defect(
        "law-central keeps data 30 days and the AzureActivity table has no longer retention",
        _set_workspace,
        _workspace_row(RETENTION),
    ),
    "policy_not_assigned": Defect(
        "lz-online moves to mg-sandbox, where the activity-log policy is not assigned",
        _move(ONLINE, "mg-sandbox"),
        _tenant_rows((ASSIGNED, ONLINE)),
    ),
    "policy_do_not_enforce": Defect(
        "the landing-zone assignment of the activity-log policy has enforcementMode DoNotEnforce",
        _set_assignment(enforcement="DoNotEnforce"),
        _landing_zone_rows,
    ),
    "policy_excluded": Defect(
        "the landing-zone assignment excludes lz-corp (notScopes)",
        _set_assignment(not_scopes=[f"sub:{CORP}"]),
        _tenant_rows((ASSIGNED, CORP)),
    ),
    "policy_noncompliant": Defect(
        "Policy Insights reports lz-corp non-compliant with the activity-log policy",
        _set_compliance(CORP, "NonCompliant"),
        _tenant_rows((COMPLIANT, CORP)),
    ),
    "policy_no_state": Defect(
        "Policy Insights has no compliance state yet for lz-online (an ERROR row, not a FAIL)",
        _set_compliance(ONLINE, None),
        _tenant_rows((COMPLIANT, ONLINE), status="ERROR"),
    ),
    "storage_public": Defect(
        "stactivitylogs01 allows public blob access and its log container is public",
        _set_storage(allow_blob_public_access=True, container_public_access="Container"),
        _storage_row(PRIVATE),
    ),
    "storage_microsoft_key": Defect(
        "stactivitylogs01 is encrypted with a Microsoft-managed key",
        _set_storage(key_source="Microsoft.Storage"),
        _storage_row(CMK),
    ),
    "storage_short_retention": Defect(
        "stactivitylogs01 has no immutability policy and a lifecycle rule deleting logs at 30 days",
        _set_storage(immutability_days=None, lifecycle_delete_days=30),
        _storage_row(STORAGE_RETENTION),
    ),
    "storage_immutability_unlocked": Defect(
        "stactivitylogs01's immutability policy is still unlocked (365 days, deletable)",
        _set_storage(immutability_state="Unlocked"),
        _storage_row("azure.storage.log_account_immutability_locked"),
    ),
    "storage_shared_key_allowed": Defect(
        "stactivitylogs01 allows shared-key access (allowSharedKeyAccess absent)",
        _set_storage(allow_shared_key_access=None),
        _storage_row("azure.storage.log_account_shared_key_disabled"),
    ),
}

DEFECTS.update(azure_monitoring_defects.defects())
DEFECTS.update({name: Defect(*row) for name, row in RESOURCE_DEFECTS.items()})

CONFLICTS = [
    {"activity_log_no_security", "activity_log_missing"},
    {"activity_log_missing", "policy_noncompliant"},
    {"activity_log_missing", "policy_excluded"},
    {"policy_not_assigned", "policy_no_state"},
    {"policy_excluded", "policy_noncompliant"},
]


def validate(defects: Collection[str]) -> None:
    """ValueError for an unknown defect or a conflicting pair."""
    unknown = sorted(set(defects) - set(DEFECTS))
    if unknown:
        raise ValueError(f"unknown Azure defect(s) {unknown}; known: {sorted(DEFECTS)}")
    for pair in CONFLICTS:
        if pair <= set(defects):
            raise ValueError(f"Azure defects {sorted(pair)} hide each other's rows")


def apply(tenant: TenantSpec, defects: Collection[str]) -> None:
    """Apply the named defects to ``tenant`` (in the order given) and record them."""
    for name in defects:
        DEFECTS[name].apply(tenant)
    tenant.defects = tuple(defects)


def describe(tenant: TenantSpec) -> dict[str, DefectInfo]:
    """The rows each applied defect causes, computed on the final tenant."""
    return {
        name: DefectInfo(name, DEFECTS[name].description, tuple(DEFECTS[name].rows(tenant)))
        for name in tenant.defects
    }
