"""The ARM calls of the resource-level kinds (``kinds/resources``, ``services``,
``databases``), as rows of the declared table ``responses.OPERATIONS``: (operation id, method,
path template, fields read)."""

from __future__ import annotations

SUB = "/subscriptions/{subscriptionId}"
RG = f"{SUB}/resourceGroups/{{resourceGroupName}}/providers"
DIAGNOSTIC_SETTINGS = "providers/Microsoft.Insights/diagnosticSettings"
# what is read of a resource's diagnostic settings that send to a workspace only (a DNS
# security policy's), and of every other resource's, which may send anywhere
WORKSPACE_SETTING_FIELDS = (
    "value[].name:str",
    "value[].properties:object",
    "value[].properties.logs[]?.enabled:bool",
    "value[].properties.logs[]?.category?:str",
    "value[].properties.logs[]?.categoryGroup?:str",
    "value[].properties.workspaceId?:str",
)
SETTING_FIELDS = (
    *WORKSPACE_SETTING_FIELDS,
    "value[].properties.storageAccountId?:str",
    "value[].properties.eventHubAuthorizationRuleId?:str",
    "value[].properties.marketplacePartnerId?:str",
)
TOP = f"{RG}/{{resourceProviderNamespace}}/{{resourceType}}/{{resourceName}}"
CHILD = f"{TOP}/{{childResourceType}}/{{childResourceName}}"
SQL = f"{RG}/Microsoft.Sql/servers/{{serverName}}"
POSTGRESQL = f"{RG}/Microsoft.DBforPostgreSQL/flexibleServers/{{serverName}}"
MYSQL = f"{RG}/Microsoft.DBforMySQL/flexibleServers/{{serverName}}"
CONFIGURATION = ("properties.value:str",)
NETWORK = f"{SUB}/providers/Microsoft.Network"
ANALYTICS = (
    "value[].properties.flowAnalyticsConfiguration?.networkWatcherFlowAnalyticsConfiguration?"
)

RESOURCE_CALLS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Providers_List",
        "GET",
        f"{SUB}/providers",
        ("value[].namespace:str", "value[].registrationState?:str"),
    ),
    (
        "Resources_List",
        "GET",
        f"{SUB}/resources",
        ("value[].id:str", "value[].type:str", "value[].location?:str", "value[].kind?:str"),
    ),
    ("DiagnosticSettings_List", "GET", f"{TOP}/{DIAGNOSTIC_SETTINGS}", SETTING_FIELDS),
    ("DiagnosticSettings_ListForChild", "GET", f"{CHILD}/{DIAGNOSTIC_SETTINGS}", SETTING_FIELDS),
    (
        "ServerBlobAuditingPolicies_Get",
        "GET",
        f"{SQL}/auditingSettings/{{blobAuditingPolicyName}}",
        ("properties.state:str", "properties.retentionDays?:int"),
    ),
    (
        "PostgreSqlConfigurations_Get",
        "GET",
        f"{POSTGRESQL}/configurations/{{configurationName}}",
        CONFIGURATION,
    ),
    (
        "MySqlConfigurations_Get",
        "GET",
        f"{MYSQL}/configurations/{{configurationName}}",
        CONFIGURATION,
    ),
    (
        "NetworkWatchers_ListAll",
        "GET",
        f"{NETWORK}/networkWatchers",
        (
            "value[].id:str",
            "value[].name:str",
            "value[].location:str",
            "value[].properties.provisioningState?:str",
        ),
    ),
    (
        "FlowLogs_List",
        "GET",
        f"{RG}/Microsoft.Network/networkWatchers/{{networkWatcherName}}/flowLogs",
        (
            "value[].id:str",
            "value[].properties.targetResourceId:str",
            "value[].properties.enabled?:bool",
            "value[].properties.retentionPolicy?.days?:int",
            "value[].properties.retentionPolicy?.enabled?:bool",
            f"{ANALYTICS}.enabled?:bool",
            f"{ANALYTICS}.workspaceResourceId?:str",
        ),
    ),
    (
        "NetworkSecurityGroups_ListAll",
        "GET",
        f"{NETWORK}/networkSecurityGroups",
        ("value[].id:str", "value[].properties.subnets[]?.id:str"),
    ),
)
