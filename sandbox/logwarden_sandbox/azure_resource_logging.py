"""The emulator's resource-logging APIs: providers, the filtered resource list, a resource's
diagnostic settings, and the single documents read by id (SQL auditing policy, PostgreSQL and
MySQL flexible server configurations).

Shapes and api-versions as in azure-rest-api-specs: ``Providers_List`` and ``Resources_List``
(Microsoft.Resources 2025-04-01, paged through ``nextLink``), ``DiagnosticSettings_List``
(Microsoft.Insights 2021-05-01-preview, one page), ``ServerBlobAuditingPolicies_Get``
(Microsoft.Sql 2021-11-01), ``Configurations_Get`` (Microsoft.DBforPostgreSQL 2024-08-01,
Microsoft.DBforMySQL 2023-12-30). A request with another api-version answers ARM's 400
``InvalidApiVersionParameter``; a ``$filter`` other than ``resourceType eq '...'`` terms joined
by ``or`` answers 400 ``InvalidFilterInQueryString``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from logwarden_sandbox import azure_network
from logwarden_sandbox.azure_resource_specs import DiagSpec, ResourceSpec, default_storage_logging
from logwarden_sandbox.azure_resources import diagnostic_setting
from logwarden_sandbox.azure_tenant import SubscriptionSpec, TenantSpec, storage_id, workspace_id

if TYPE_CHECKING:
    from logwarden_sandbox.azure_routes import Answer, Router

CENTRAL_WORKSPACE = "law-central"
SERVICES = ("blobServices", "queueServices", "tableServices", "fileServices")
SERVICES_BY_KIND = {
    "storagev2": SERVICES,
    "storage": SERVICES,
    "blobstorage": ("blobServices",),
    "blockblobstorage": ("blobServices",),
    "filestorage": ("fileServices",),
}
# Namespaces every subscription is offered (registered unless the spec says otherwise).
NAMESPACES = (
    "Microsoft.Automation",
    "Microsoft.Batch",
    "Microsoft.CognitiveServices",
    "Microsoft.Compute",
    "Microsoft.ContainerRegistry",
    "Microsoft.ContainerService",
    "Microsoft.DBforMySQL",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.EventHub",
    "microsoft.insights",
    "Microsoft.KeyVault",
    "Microsoft.Network",
    "Microsoft.OperationalInsights",
    "Microsoft.Sql",
    "Microsoft.Storage",
    "Microsoft.Web",
)
RESOURCES_VERSIONS = frozenset({"2021-04-01", "2022-09-01", "2024-03-01", "2025-04-01"})
VERSIONS: dict[str, frozenset[str]] = {
    "settings": frozenset({"2017-05-01-preview", "2021-05-01-preview"}),
    "auditingsettings": frozenset({"2021-11-01", "2023-08-01"}),
    "microsoft.dbforpostgresql": frozenset({"2022-12-01", "2023-06-01-preview", "2024-08-01"}),
    "microsoft.dbformysql": frozenset({"2023-06-30", "2023-12-30"}),
}
SUB = r"^/subscriptions/([^/]+)"
SETTINGS = re.compile(rf"{SUB}/resourcegroups/.+/providers/microsoft\.insights/diagnosticsettings$")
TERM = re.compile(r"^\s*resourcetype\s+eq\s+'([^']+)'\s*$", re.IGNORECASE)


def _rid(sub: SubscriptionSpec, spec: ResourceSpec) -> str:
    provider, kind = spec.type.split("/", 1)
    if spec.parent:
        parent_kind, child_kind = kind.split("/", 1)
        return (
            f"/subscriptions/{sub.id}/resourceGroups/{spec.resource_group}/providers/{provider}/"
            f"{parent_kind}/{spec.parent}/{child_kind}/{spec.name}"
        )
    return (
        f"/subscriptions/{sub.id}/resourceGroups/{spec.resource_group}/providers/"
        f"{provider}/{kind}/{spec.name}"
    )


def listed_resources(tenant: TenantSpec, sub: SubscriptionSpec) -> list[dict[str, Any]]:
    """The subscription's resources as ``Resources_List`` returns them."""
    out = [
        {
            "id": storage_id(tenant, acct.name),
            "name": acct.name,
            "type": "Microsoft.Storage/storageAccounts",
            "kind": "StorageV2",
            "location": acct.location,
            "sku": {"name": "Standard_GRS", "tier": "Standard"},
            "tags": {},
        }
        for acct in sub.storage_accounts
        if acct.exists
    ]
    out += azure_network.listed(tenant, sub)
    for spec in sub.services.resources:
        doc: dict[str, Any] = {
            "id": _rid(sub, spec),
            "name": f"{spec.parent}/{spec.name}" if spec.parent else spec.name,
            "type": spec.type,
            "location": spec.location,
            "tags": {},
        }
        if spec.kind:
            doc["kind"] = spec.kind
        out.append(doc)
    return sorted(out, key=lambda d: d["id"].lower())


def _setting(tenant: TenantSpec, uri: str, spec: DiagSpec) -> dict[str, Any]:
    logs: list[dict[str, Any]] = [
        {"category": c, "categoryGroup": None, "enabled": True, "retentionPolicy": _off()}
        for c in spec.categories
    ]
    logs += [
        {"category": c, "categoryGroup": None, "enabled": False, "retentionPolicy": _off()}
        for c in spec.disabled
    ]
    logs += [
        {"category": None, "categoryGroup": g, "enabled": True, "retentionPolicy": _off()}
        for g in spec.groups
    ]
    props: dict[str, Any] = {
        "logs": logs,
        "metrics": [{"category": "AllMetrics", "enabled": False, "retentionPolicy": _off()}],
        "logAnalyticsDestinationType": None,
    }
    return diagnostic_setting(
        uri,
        spec.name,
        props,
        workspace=workspace_id(tenant, CENTRAL_WORKSPACE) if spec.workspace else None,
        storage=storage_id(tenant, spec.storage) if spec.storage else None,
        event_hub_rule=spec.event_hub_rule,
        partner=spec.partner,
    )


def _off() -> dict[str, Any]:
    return {"enabled": False, "days": 0}


def diagnostic_settings(tenant: TenantSpec) -> dict[str, list[dict[str, Any]]]:
    """Every resource's diagnostic settings, by lower-cased resource uri."""
    out: dict[str, list[dict[str, Any]]] = {}
    for sub in tenant.subscriptions:
        for spec in sub.services.resources:
            uri = _rid(sub, spec)
            out[uri.lower()] = [_setting(tenant, uri, s) for s in spec.settings]
        for uri in azure_network.resource_uris(sub):
            name = uri.rsplit("/", 1)[1]
            nsg = sub.services.nsg_logging.get(name, [azure_network.NSG_LOGS])
            out[uri.lower()] = [_setting(tenant, uri, s) for s in nsg]
        accounts = [(storage_id(tenant, a.name), a.name, "storagev2") for a in sub.storage_accounts]
        accounts += [
            (_rid(sub, s), s.name, (s.kind or "StorageV2").lower())
            for s in sub.services.resources
            if s.type.lower() == "microsoft.storage/storageaccounts"
        ]
        for account, name, kind in accounts:
            chosen = sub.services.storage_logging.get(name, {})
            for service in SERVICES_BY_KIND.get(kind, SERVICES):
                uri = f"{account}/{service}/default"
                settings = chosen.get(service, default_storage_logging())
                out[uri.lower()] = [_setting(tenant, uri, s) for s in settings]
    return out


def child_documents(tenant: TenantSpec) -> dict[str, dict[str, Any]]:
    """The sub-documents read by id (auditing policies, server parameters), by lower-cased path."""
    out: dict[str, dict[str, Any]] = {}
    for sub in tenant.subscriptions:
        for spec in sub.services.resources:
            rid = _rid(sub, spec)
            for suffix, props in spec.children.items():
                kind, name = suffix.rsplit("/", 1)
                out[f"{rid}/{suffix}".lower()] = {
                    "id": f"{rid}/{suffix}",
                    "name": name,
                    "type": f"{spec.type}/{kind}",
                    "properties": props,
                }
    return out


def providers(sub: SubscriptionSpec) -> list[dict[str, Any]]:
    """``Providers_List``: every offered namespace and its registration state."""
    unregistered = {n.lower() for n in sub.services.unregistered}
    return [
        {
            "id": f"/subscriptions/{sub.id}/providers/{name}",
            "namespace": name,
            "registrationState": "NotRegistered" if name.lower() in unregistered else "Registered",
            "registrationPolicy": "RegistrationRequired",
            "resourceTypes": [],
        }
        for name in NAMESPACES
    ]


def route(router: Router, method: str, low: str, query: dict[str, list[str]]) -> Answer | None:
    """The answer of a resource-logging request, or None when it is none of them."""
    from logwarden_sandbox.azure_routes import Answer

    if method != "GET":
        return None
    if (network := azure_network.route(router, method, low, query)) is not None:
        return network
    sub_match = re.match(rf"{SUB}/(providers|resources)$", low)
    family = ""
    if sub_match:
        family = "resources"
    elif SETTINGS.match(low) and _settings_uri(low) in router.state.resource_settings:
        family = "settings"  # others' (a DNS security policy's) are azure_monitoring_routes'
    elif "/auditingsettings/" in low:
        family = "auditingsettings"
    elif "/flexibleservers/" in low and "/configurations/" in low:
        family = "microsoft.dbforpostgresql" if "dbforpostgresql" in low else "microsoft.dbformysql"
    if not family:
        return None
    accepted = RESOURCES_VERSIONS if family == "resources" else VERSIONS[family]
    refused = azure_network.version_error(query, accepted)
    if refused is not None:
        return refused
    state = router.state
    if sub_match:
        sub = router._subscription(sub_match.group(1))
        if sub is None:
            return router._not_found(low)
        if sub_match.group(2) == "providers":
            return router._page(low, query, providers(sub))
        return _resources(router, low, query, state.tenant, sub)
    if family == "settings":
        # the API does not page these
        return Answer(200, {"value": state.resource_settings[_settings_uri(low)]})
    doc = state.objects.get(low)
    return Answer(200, doc) if doc is not None else router._not_found(low)


def _settings_uri(low: str) -> str:
    """The resource whose diagnostic settings ``low`` lists."""
    return low.removesuffix("/providers/microsoft.insights/diagnosticsettings")


def _resources(
    router: Router, low: str, query: dict[str, list[str]], tenant: TenantSpec, sub: SubscriptionSpec
) -> Answer:
    from logwarden_sandbox.azure_routes import arm_error

    text = (query.get("$filter") or [""])[0]
    wanted: set[str] = set()
    for term in re.split(r"\s+or\s+", text, flags=re.IGNORECASE) if text else []:
        match = TERM.match(term)
        if match is None:
            return arm_error(
                400,
                "InvalidFilterInQueryString",
                f"the sandbox supports only \"resourceType eq '<type>'\" terms joined by or: {text}",
            )
        wanted.add(match.group(1).lower())
    items = [d for d in listed_resources(tenant, sub) if not wanted or d["type"].lower() in wanted]
    return router._page(low, query, items)
