"""The ten CIS Azure activity-log-alert requirements (v3.0.0 6.2.1-6.2.10, v2.1.0 5.2.1-5.2.10)
as data: the operation each must alert on.

The operation names agree in CIS's audit text (as quoted in Prowler's ``cis_3.0_azure.json``),
Prowler's checks, Steampipe's queries and Microsoft's built-in policies. Prowler and Steampipe
also accept ``Microsoft.ClassicNetwork/networkSecurityGroups/delete`` for 6.2.4: that is the
classic NSG, another resource, not accepted here; Steampipe asks ``category = Security`` for
6.2.5 / 6.2.6, which no ARM write of a security solution carries (NO here).

Sources:
- CIS audit text ("Category='Administrative', Operation name=..., does not filter on Level,
  Status or Caller"), as quoted by Prowler:
  https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/azure/cis_3.0_azure.json
- Prowler's checks:
  https://github.com/prowler-cloud/prowler/tree/master/prowler/providers/azure/services/monitor
- Steampipe's queries:
  https://github.com/turbot/steampipe-mod-azure-compliance/blob/main/regulatory_compliance/monitor.pp
- Microsoft's built-in policies that CIS cites (c5447c04, b954148f, 3b980d31):
  https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Monitoring/ActivityLog_PolicyOperations_Audit.json
  https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Monitoring/ActivityLog_AdministrativeOperations_Audit.json
  https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Monitoring/ActivityLog_SecurityOperations_Audit.json
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertRequirement:
    """One CIS requirement: an alert on every event of ``operation``."""

    key: str
    title: str
    operation: str

    def fixed_value(self, field: str) -> str | None:
        """The value ``field`` (lower case) has in every event of the operation, or None."""
        provider = self.operation.split("/", 1)[0]
        resource_type = self.operation.rsplit("/", 1)[0]
        return {
            "category": "Administrative",
            "operationname": self.operation,
            "resourceprovider": provider,
            "resourcetype": resource_type,
        }.get(field)


REQUIREMENTS: tuple[AlertRequirement, ...] = tuple(
    AlertRequirement(key, title, operation)
    for key, title, operation in (
        ("create_policy_assignment", "Create Policy Assignment", "Microsoft.Authorization/policyAssignments/write"),
        ("delete_policy_assignment", "Delete Policy Assignment", "Microsoft.Authorization/policyAssignments/delete"),
        ("create_update_nsg", "Create or Update Network Security Group", "Microsoft.Network/networkSecurityGroups/write"),
        ("delete_nsg", "Delete Network Security Group", "Microsoft.Network/networkSecurityGroups/delete"),
        ("create_update_security_solution", "Create or Update Security Solution", "Microsoft.Security/securitySolutions/write"),
        ("delete_security_solution", "Delete Security Solution", "Microsoft.Security/securitySolutions/delete"),
        ("create_update_sql_firewall_rule", "Create or Update SQL Server Firewall Rule", "Microsoft.Sql/servers/firewallRules/write"),
        ("delete_sql_firewall_rule", "Delete SQL Server Firewall Rule", "Microsoft.Sql/servers/firewallRules/delete"),
        ("create_update_public_ip", "Create or Update Public IP Address", "Microsoft.Network/publicIPAddresses/write"),
        ("delete_public_ip", "Delete Public IP Address", "Microsoft.Network/publicIPAddresses/delete"),
    )
)  # fmt: skip
BY_KEY = {r.key: r for r in REQUIREMENTS}
