"""The standard tenant's alerting (``azure_zone.standard_tenant`` calls :func:`seed`): every
subscription is alerted on the ten CIS operations, three ways.

- ``platform-management``: one rule per operation (``alert-<key>``), as the CIS benchmark
  shows it, notifying the central action group ``ag-secops`` (email receiver, Enabled);
- ``lz-corp``: the same ten rules of its own (each defect of ``azure_monitoring_defects``
  breaks one of them), also notifying ``ag-secops`` in the platform subscription;
- ``lz-online``: a rule for the two policy operations (``operationName`` in an ``anyOf``) and
  one for the other eight, notifying its own ``ag-online`` (a webhook receiver), plus a rule
  scoped to its management group, which covers nothing and changes nothing;
- every other subscription (``lz-app-N``): one rule with all ten operations in an ``anyOf``.

The Entra ID tenant sends every log category to the central workspace (``entra-to-central``).
The role assignments on and above the log destinations grant no read of the logs. Each of
the three first subscriptions has a virtual network whose DNS queries a DNS security policy logs
to the central workspace (lz-corp's through the platform's hub policy).
"""

from __future__ import annotations

from logwarden_sandbox.azure_monitoring import ENTRA_CATEGORIES
from logwarden_sandbox.azure_monitoring_spec import (
    ActionGroupSpec,
    AlertSpec,
    DnsPolicySpec,
    EntraSettingSpec,
    RoleAssignmentSpec,
    VirtualNetworkSpec,
)
from logwarden_sandbox.azure_tenant import TenantSpec

PLATFORM, CORP, ONLINE = "platform-management", "lz-corp", "lz-online"
CENTRAL_GROUP = "ag-secops"
# The CIS operations (checks/azure/alert_requirements.py), by requirement key.
OPERATIONS = {
    "create_policy_assignment": "Microsoft.Authorization/policyAssignments/write",
    "delete_policy_assignment": "Microsoft.Authorization/policyAssignments/delete",
    "create_update_nsg": "Microsoft.Network/networkSecurityGroups/write",
    "delete_nsg": "Microsoft.Network/networkSecurityGroups/delete",
    "create_update_security_solution": "Microsoft.Security/securitySolutions/write",
    "delete_security_solution": "Microsoft.Security/securitySolutions/delete",
    "create_update_sql_firewall_rule": "Microsoft.Sql/servers/firewallRules/write",
    "delete_sql_firewall_rule": "Microsoft.Sql/servers/firewallRules/delete",
    "create_update_public_ip": "Microsoft.Network/publicIPAddresses/write",
    "delete_public_ip": "Microsoft.Network/publicIPAddresses/delete",
}


# principals (Entra ID object ids) of the role assignments
NETOPS = "5b0c2f1e-0000-4000-8000-00000000a001"
SECOPS = "5b0c2f1e-0000-4000-8000-00000000a002"
APPTEAM = "5b0c2f1e-0000-4000-8000-00000000a003"
OUTSIDER = "5b0c2f1e-0000-4000-8000-00000000a0ff"


def rule_name(key: str) -> str:
    """The name of the one-operation rule of requirement ``key``."""
    return f"alert-{key.replace('_', '-')}"


def _one_per_operation(subscription: str) -> list[AlertSpec]:
    return [AlertSpec(rule_name(k), subscription, (op,)) for k, op in OPERATIONS.items()]


def seed(tenant: TenantSpec) -> None:
    """Add the action groups and alert rules of every subscription of ``tenant``."""
    spec = tenant.monitoring
    names = [s.name for s in tenant.subscriptions]
    if PLATFORM not in names:
        return
    spec.action_groups.append(ActionGroupSpec(CENTRAL_GROUP, PLATFORM))
    # the Entra ID tenant's logs: every category to the central workspace
    spec.entra_settings.append(EntraSettingSpec("entra-to-central", ENTRA_CATEGORIES))
    # roles above and on the log destinations that read no log (three above each, so their
    # lists page): network admins up to the logs' resource group, Reader (no key listing) on
    # the log storage account, a blob reader in another subscription
    spec.role_assignments += [
        RoleAssignmentSpec("Network Contributor", NETOPS, "mg:mg-contoso"),
        RoleAssignmentSpec("Network Contributor", APPTEAM, "mg:mg-platform"),
        RoleAssignmentSpec("Network Contributor", SECOPS, f"rg:{PLATFORM}/rg-logging"),
        RoleAssignmentSpec("Reader", SECOPS, "storage:stactivitylogs01"),
        RoleAssignmentSpec("Storage Blob Data Reader", APPTEAM, f"sub:{CORP}"),
    ]
    # DNS query logs: the hub policy (platform) covers the hub and lz-corp's network, lz-online
    # has its own policy; both send DnsResponse to the central workspace
    spec.virtual_networks += [
        VirtualNetworkSpec("vnet-hub", PLATFORM),
        VirtualNetworkSpec("vnet-corp", CORP),
        VirtualNetworkSpec("vnet-online", ONLINE),
    ]
    spec.dns_policies += [
        DnsPolicySpec("dnspol-hub", PLATFORM, ((PLATFORM, "vnet-hub"), (CORP, "vnet-corp"))),
        DnsPolicySpec("dnspol-online", ONLINE, ((ONLINE, "vnet-online"),)),
    ]
    ops = tuple(OPERATIONS.values())
    for name in names:
        if name in (PLATFORM, CORP):
            spec.alerts += _one_per_operation(name)
        elif name == ONLINE:
            spec.action_groups.append(
                ActionGroupSpec("ag-online", ONLINE, emails={}, webhooks=("pager",))
            )
            spec.alerts += [
                AlertSpec("alert-policy", ONLINE, ops[:2], action_groups=("ag-online",)),
                AlertSpec("alert-network-security-sql", ONLINE, ops[2:]),
                AlertSpec("alert-from-group", ONLINE, ops, scopes=("mg-landingzones",)),
            ]
        else:
            spec.alerts.append(AlertSpec("alert-cis-operations", name, ops))
