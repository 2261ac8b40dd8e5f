"""Named defects of ``azure_monitoring``: each breaks one of lz-corp's alert rules in its own
way, so each fails exactly one ``azure.monitor.alert_*`` control for lz-corp (the tricky cases
of ``checks/azure/activity_alerts``: a management-group or resource-group scope, a condition
that narrows, an action group that delivers to no one).

``azure_defects`` adds :func:`defects` to its registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from logwarden_sandbox.azure_monitoring_dns import network_id
from logwarden_sandbox.azure_monitoring_spec import ActionGroupSpec, RoleAssignmentSpec
from logwarden_sandbox.azure_monitoring_zone import CORP, OPERATIONS, OUTSIDER, PLATFORM, rule_name
from logwarden_sandbox.azure_tenant import Expectation, TenantSpec, storage_id, workspace_id

if TYPE_CHECKING:
    from logwarden_sandbox.azure_defects import Defect

Change = Callable[[TenantSpec], None]


def _remove(key: str) -> Change:
    def apply(t: TenantSpec) -> None:
        t.monitoring.alerts.remove(t.monitoring.alert(rule_name(key), CORP))

    return apply


def _edit(key: str, **changes: object) -> Change:
    def apply(t: TenantSpec) -> None:
        rule = t.monitoring.alert(rule_name(key), CORP)
        for field, value in changes.items():
            setattr(rule, field, value)

    return apply


def _silent_group(key: str) -> Change:
    """The rule notifies a group of lz-corp whose only email receiver is Disabled."""

    def apply(t: TenantSpec) -> None:
        group = ActionGroupSpec("ag-corp-unsubscribed", CORP, emails={"ops": "Disabled"})
        t.monitoring.action_groups.append(group)
        _edit(key, action_groups=(group.name,))(t)

    return apply


# name -> (requirement key, description, change)
CASES: dict[str, tuple[str, str, Change]] = {
    "alert_policy_write_missing": (
        "create_policy_assignment",
        "lz-corp has no activity log alert on policy assignment writes",
        _remove("create_policy_assignment"),
    ),
    "alert_policy_delete_disabled": (
        "delete_policy_assignment",
        "lz-corp's alert on policy assignment deletes is disabled",
        _edit("delete_policy_assignment", enabled=False),
    ),
    "alert_nsg_write_group_scope": (
        "create_update_nsg",
        "lz-corp's alert on NSG writes is scoped to its management group, not the subscription",
        _edit("create_update_nsg", scopes=("mg-landingzones",)),
    ),
    "alert_nsg_delete_resource_group_scope": (
        "delete_nsg",
        "lz-corp's alert on NSG deletes is scoped to one resource group",
        _edit("delete_nsg", scopes=("rg:rg-network",)),
    ),
    "alert_security_write_wrong_category": (
        "create_update_security_solution",
        "lz-corp's alert on security solution writes asks for category Security",
        _edit("create_update_security_solution", category="Security"),
    ),
    "alert_security_delete_level_filter": (
        "delete_security_solution",
        "lz-corp's alert on security solution deletes fires only at level Critical",
        _edit("delete_security_solution", extra=(("level", "Critical"),)),
    ),
    "alert_sql_rule_write_receiver_disabled": (
        "create_update_sql_firewall_rule",
        "lz-corp's alert on SQL firewall rule writes notifies a group whose receiver is Disabled",
        _silent_group("create_update_sql_firewall_rule"),
    ),
    "alert_sql_rule_delete_group_missing": (
        "delete_sql_firewall_rule",
        "lz-corp's alert on SQL firewall rule deletes notifies an action group that is gone",
        _edit("delete_sql_firewall_rule", action_groups=("missing:ag-deleted",)),
    ),
    "alert_public_ip_write_status_filter": (
        "create_update_public_ip",
        "lz-corp's alert on public IP writes fires only for status Succeeded",
        _edit("create_update_public_ip", extra=(("status", "Succeeded"),)),
    ),
    "alert_public_ip_delete_no_action_group": (
        "delete_public_ip",
        "lz-corp's alert on public IP deletes notifies no action group",
        _edit("delete_public_ip", action_groups=()),
    ),
}
assert {key for key, _, _ in CASES.values()} == set(OPERATIONS)


def _rows(key: str) -> Callable[[TenantSpec], list[Expectation]]:
    def rows(t: TenantSpec) -> list[Expectation]:
        sub = t.subscription(CORP).id
        return [Expectation(f"azure.monitor.alert_{key}", sub, sub)]

    return rows


ROOT_GROUP = "mg-contoso"  # the scanned group: the organization of tenant-wide rows
ENTRA = "azure.entra.tenant_logs_exported"


def _entra_without_sign_ins(t: TenantSpec) -> None:
    [setting] = t.monitoring.entra_settings
    setting.categories = tuple(c for c in setting.categories if c != "SignInLogs")


def _tenant_row(check: str) -> Callable[[TenantSpec], list[Expectation]]:
    return lambda t: [Expectation(check, ROOT_GROUP, ROOT_GROUP)]


# name -> (description, change, failing control): the tenant-wide defects
TENANT_CASES: dict[str, tuple[str, Change, str]] = {
    "entra_sign_ins_not_exported": (
        "the Entra ID tenant's diagnostic setting exports no SignInLogs",
        _entra_without_sign_ins,
        ENTRA,
    ),
}


READERS = "azure.authorization.log_readers_allowed"


def _grant(role: str, scope: str, principal_type: str) -> Change:
    def apply(t: TenantSpec) -> None:
        t.monitoring.role_assignments.append(
            RoleAssignmentSpec(role, OUTSIDER, scope, principal_type)
        )

    return apply


def _destination_row(check: str, kind: str) -> Callable[[TenantSpec], list[Expectation]]:
    def rows(t: TenantSpec) -> list[Expectation]:
        rid = workspace_id(t, "law-central") if kind == "workspace" else None
        rid = rid or storage_id(t, "stactivitylogs01")
        return [Expectation(check, t.subscription(PLATFORM).id, rid)]

    return rows


# name -> (description, change, failing control, destination): who can read the logs
ACCESS_CASES: dict[str, tuple[str, Change, str, str]] = {
    "log_reader_outside_workspace": (
        "a user outside the allow-list holds Log Analytics Reader on the central workspace's "
        "resource group (inherited)",
        _grant("Log Analytics Reader", f"rg:{PLATFORM}/rg-logging", "User"),
        READERS,
        "workspace",
    ),
    "log_reader_outside_storage": (
        "a service principal outside the allow-list holds Storage Blob Data Reader at the "
        "platform management group, above the Activity Log storage account",
        _grant("Storage Blob Data Reader", "mg:mg-platform", "ServicePrincipal"),
        READERS,
        "storage",
    ),
}


DNS = "azure.dns.query_logging"


def _online_policy_unlogged(t: TenantSpec) -> None:
    [policy] = [p for p in t.monitoring.dns_policies if p.name == "dnspol-online"]
    policy.workspace = None


def _network_row(check: str, sub: str, name: str) -> Callable[[TenantSpec], list[Expectation]]:
    def rows(t: TenantSpec) -> list[Expectation]:
        [net] = [
            n for n in t.monitoring.virtual_networks if (n.subscription, n.name) == (sub, name)
        ]
        return [Expectation(check, t.subscription(sub).id, network_id(t, net))]

    return rows


# name -> (description, change, rows): DNS query logging
DNS_CASES: dict[str, tuple[str, Change, Callable[[TenantSpec], list[Expectation]]]] = {
    "dns_policy_not_logged": (
        "lz-online's DNS security policy has no diagnostic setting: its queries reach no workspace",
        _online_policy_unlogged,
        _network_row(DNS, "lz-online", "vnet-online"),
    ),
}


def defects() -> dict[str, Defect]:
    """The defects of this module, for ``azure_defects.DEFECTS``."""
    from logwarden_sandbox.azure_defects import Defect  # it imports this module

    out = {
        name: Defect(description, change, _rows(key))
        for name, (key, description, change) in CASES.items()
    }
    for name, (description, change, check) in TENANT_CASES.items():
        out[name] = Defect(description, change, _tenant_row(check))
    for name, (description, change, check, kind) in ACCESS_CASES.items():
        out[name] = Defect(description, change, _destination_row(check, kind))
    for name, (description, change, rows) in DNS_CASES.items():
        out[name] = Defect(description, change, rows)
    return out
