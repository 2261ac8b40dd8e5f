"""A small, compliant Azure tenant as normalized documents (docs/azure.md).

Tests take ``compliant_world()``, change one field, and evaluate the real catalogue over it
offline (``tests.offline.scan_documents``): the Azure checks are pure functions of these
documents. The destination documents (``azure.monitor.activity_log_destination``) follow the
settings at scan time: every destination exists unless ``World.states`` says otherwise. Three subscriptions: the platform one owns the central workspace and storage
account; the two landing zones send there (a workspace in another subscription) and get the
activity-log policy from their management group.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.models import KindCollection, Organization, Resource, ScanReport, Tenant
from tests.offline import scan_documents

TENANT = "11111111-1111-4111-8111-111111111111"
PLATFORM = "aaaaaaaa-0000-4000-8000-000000000001"
CORP = "aaaaaaaa-0000-4000-8000-000000000002"
ONLINE = "aaaaaaaa-0000-4000-8000-000000000003"
NAMES = {PLATFORM: "platform-management", CORP: "lz-corp", ONLINE: "lz-online"}
PARENTS = {
    PLATFORM: ("mg-contoso", "mg-platform"),
    CORP: ("mg-contoso", "mg-landingzones"),
    ONLINE: ("mg-contoso", "mg-landingzones"),
}
POLICY = "2465583e-4e78-4c15-b6be-a36cbc7c8b0f"
POLICY_ID = f"/providers/Microsoft.Authorization/policyDefinitions/{POLICY}"
MG = "/providers/Microsoft.Management/managementGroups/"
WORKSPACE = (
    f"/subscriptions/{PLATFORM}/resourceGroups/rg-logging/providers/"
    "Microsoft.OperationalInsights/workspaces/law-central"
)
STORAGE = (
    f"/subscriptions/{PLATFORM}/resourceGroups/rg-logging/providers/"
    "Microsoft.Storage/storageAccounts/stactivitylogs01"
)
EVENT_HUB = (
    f"/subscriptions/{PLATFORM}/resourceGroups/rg-logging/providers/Microsoft.EventHub/"
    "namespaces/evhns-logging/authorizationRules/RootManageSharedAccessKey"
)
PARTNER = (
    f"/subscriptions/{PLATFORM}/resourceGroups/rg-logging/providers/Microsoft.Datadog/monitors/dd"
)
ALL = [
    "Administrative",
    "Alert",
    "Autoscale",
    "Policy",
    "Recommendation",
    "ResourceHealth",
    "Security",
    "ServiceHealth",
]
AUDIT = ["Administrative", "Alert", "Policy", "Security"]

SETTING = "azure.monitor.activity_log_setting"
ASSIGNMENT = "azure.policy.assignment"
COMPLIANCE = "azure.policy.activity_log_compliance"
WORKSPACES = "azure.loganalytics.workspace"
ACCOUNTS = "azure.storage.log_account"
DESTINATION = "azure.monitor.activity_log_destination"
FIELDS = (
    ("workspace", "workspaceId"),
    ("storage", "storageAccountId"),
    ("eventhub", "eventHubAuthorizationRuleId"),
    ("partner", "marketplacePartnerId"),
)


def setting_doc(
    sub: str, categories: list[str], groups: list[str], *, to: str = "workspace", name: str = ""
) -> dict[str, Any]:
    """A diagnostic setting document (raw ARM fields plus the derived ones); ``to``: some of
    workspace, storage, eventhub, partner (comma-separated), or a destination id per type as
    ``type=id``."""
    defaults = {
        "workspace": WORKSPACE,
        "storage": STORAGE,
        "eventhub": EVENT_HUB,
        "partner": PARTNER,
    }
    chosen: dict[str, str] = {}
    for item in filter(None, to.split(",")):
        kind, _, rid = item.partition("=")
        chosen[kind] = rid or defaults[kind]
    name = name or "activity"
    props: dict[str, Any] = {"logs": [{"categoryGroup": g, "enabled": True} for g in groups]}
    doc: dict[str, Any] = {
        "id": f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/{name}",
        "name": name,
        "properties": props,
        "Name": name,
        "EnabledCategories": sorted(categories),
        "EnabledCategoryGroups": groups,
        "Destinations": sorted(chosen, key=list(defaults).index),
    }
    for kind, key in FIELDS:
        if kind in chosen:
            props[key] = chosen[kind]
    if "workspace" in chosen:
        doc["WorkspaceId"] = chosen["workspace"]
    if "storage" in chosen:
        doc["StorageAccountId"] = chosen["storage"]
    return doc


def assignment_doc(sub: str, name: str, scope: str, *, activity: bool = True) -> dict[str, Any]:
    """A policy assignment as the subscription sees it (``scope``: MG name or "sub")."""
    scope_id = f"/subscriptions/{sub}" if scope == "sub" else f"{MG}{scope}"
    definition = POLICY_ID if activity else "/providers/x/policyDefinitions/allowed-locations"
    return {
        "id": f"{scope_id}/providers/Microsoft.Authorization/policyAssignments/{name}",
        "name": name,
        "properties": {"policyDefinitionId": definition, "scope": scope_id},
        "Name": name,
        "PolicyDefinitionId": definition,
        "PolicyDefinitionIds": [definition],
        "IncludesActivityLogPolicy": activity,
        "Scope": scope_id,
        "ScopeType": "subscription" if scope == "sub" else "managementGroup",
        "Inherited": scope != "sub",
        "EnforcementMode": "Default",
        "ExcludedBy": [],
        "AppliesToSubscription": True,
    }


def workspace_doc() -> dict[str, Any]:
    return {
        "id": WORKSPACE,
        "name": "law-central",
        "location": "westeurope",
        "properties": {"retentionInDays": 90},
        "Name": "law-central",
        "RetentionInDays": 90,
        "ActivityLogRetention": {
            "Source": "table",
            "InteractiveDays": 90,
            "TotalDays": 730,
            "ArchiveDays": 640,
        },
        "ActivityLogTotalRetentionDays": 730,
        "ReceivesActivityLogsFrom": sorted(NAMES),
    }


def storage_doc() -> dict[str, Any]:
    return {
        "id": STORAGE,
        "name": "stactivitylogs01",
        "location": "westeurope",
        "properties": {
            "allowBlobPublicAccess": False,
            "allowSharedKeyAccess": False,
            "encryption": {"keySource": "Microsoft.Keyvault"},
        },
        "ActivityLogContainer": {"properties": {"publicAccess": "None"}},
        "Name": "stactivitylogs01",
        "AllowBlobPublicAccess": False,
        "KeySource": "Microsoft.Keyvault",
        "CustomerManagedKey": True,
        "Immutability": {"ContainerPolicy": {"Days": 365, "State": "Locked"}},
        "ImmutabilityLocked": True,
        "ImmutabilityDays": 365,
        "LogLifecycle": {"Rules": ["activity-logs"], "DeleteAfterDays": 2555},
        "ReceivesActivityLogsFrom": [CORP, PLATFORM],
    }


@dataclass
class World:
    """Documents per subscription and kind."""

    docs: dict[str, dict[str, list[Resource]]] = field(default_factory=dict)
    errors: dict[tuple[str, str], KindCollection] = field(default_factory=dict)
    # destination id (lower case) -> {"State": ..., "Reason": ...}; absent: it exists
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    # the organization's kinds (the Entra ID tenant's settings)
    org: dict[str, KindCollection] = field(default_factory=dict)

    def doc(self, sub: str, kind: str, index: int = 0) -> dict[str, Any]:
        """The mutable data of one resource."""
        return self.docs[sub][kind][index].data  # type: ignore[return-value]

    def set(self, sub: str, kind: str, *datas: dict[str, Any]) -> None:
        """Replace a subscription's resources of ``kind``."""
        self.docs[sub][kind] = [_res(kind, sub, d) for d in datas]


def _res(kind: str, sub: str, data: dict[str, Any]) -> Resource:
    region = str(data.get("location") or "")
    return Resource(kind, str(data["id"]), sub, region, data)


def compliance_doc(sub: str, assignment: dict[str, Any], state: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": assignment["id"],
        "Name": assignment["name"],
        "PolicyAssignmentId": assignment["id"],
        "EnforcementMode": "Default",
        "States": [] if state is None else [{"complianceState": state, "resourceId": sub}],
    }
    if state is not None:
        doc["ComplianceState"] = state
        doc["Timestamp"] = "2026-11-20T06:00:00Z"
    return doc


def compliant_world() -> World:
    """Every Azure control passes."""
    w = World()
    settings = {
        PLATFORM: setting_doc(PLATFORM, ALL, [], to="workspace,storage"),
        CORP: setting_doc(CORP, ALL, ["allLogs"], to="workspace,storage"),
        ONLINE: setting_doc(ONLINE, AUDIT, []),
    }
    for sub in NAMES:
        activity = (
            assignment_doc(sub, "logging-baseline", "sub")
            if sub == PLATFORM
            else assignment_doc(sub, "activity-log-lz", "mg-landingzones")
        )
        other = assignment_doc(sub, "allowed-locations", TENANT, activity=False)
        w.docs[sub] = {
            SETTING: [_res(SETTING, sub, settings[sub])],
            ASSIGNMENT: [_res(ASSIGNMENT, sub, other), _res(ASSIGNMENT, sub, activity)],
            COMPLIANCE: [_res(COMPLIANCE, sub, compliance_doc(sub, activity, "Compliant"))],
            WORKSPACES: [],
            ACCOUNTS: [],
        }
    w.set(PLATFORM, WORKSPACES, workspace_doc())
    w.set(PLATFORM, ACCOUNTS, storage_doc())
    from tests import azure_alert_docs, azure_resource_docs  # they import this module

    azure_alert_docs.seed(w)
    azure_resource_docs.seed(w)  # the workloads
    return w


def organization() -> Organization:
    return Organization(cloud="azure", id="mg-contoso", name="Azure management group mg-contoso")


def tenants() -> list[Tenant]:
    return [
        Tenant(cloud="azure", id=s, name=n, organization_id="mg-contoso", parents=PARENTS[s])
        for s, n in NAMES.items()
    ]


def destination_docs(world: World, sub: str) -> list[Resource]:
    """The destination documents of ``sub``'s settings, as the collector makes them."""
    named: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for setting in world.docs[sub].get(SETTING, []):
        props = setting.data.get("properties") or {}
        for kind, key in FIELDS:
            if props.get(key):
                rid = str(props[key])
                named.setdefault((kind, rid.lower()), (rid, []))[1].append(setting.data["Name"])
    out = []
    for (kind, low), (rid, names) in sorted(named.items()):
        state = world.states.get(low, {"State": "Exists"})
        data = {"id": rid, "Type": kind, "Settings": sorted(names), **state}
        out.append(Resource(DESTINATION, rid, sub, "", data))
    return out


def scan(world: World, **parameters: Any) -> ScanReport:
    """Evaluate the built-in catalogue over ``world``."""
    docs = {
        sub: {DESTINATION: destination_docs(world, sub), **kinds}
        for sub, kinds in world.docs.items()
    }
    return scan_documents(
        "azure",
        organization(),
        tenants(),
        docs,
        errors=world.errors,
        org_documents=world.org,
        **parameters,
    )


def copy_world(world: World) -> World:
    return copy.deepcopy(world)
