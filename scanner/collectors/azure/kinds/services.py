"""Resource logs of the services CIS names, and of every type of ``resource_log_types``.

Each document is a listed resource (``azure.resources.resource``) with the summary of its
diagnostic settings (``resource_logs.summarise``); one diagnostic-settings read per resource
and scan, shared by every kind here.

- ``azure.keyvault.vault``: Key Vaults (CIS 6.1.4: ``AuditEvent`` to a destination that keeps it);
- ``azure.appservice.site``: App Service apps (CIS 6.1.6: ``AppServiceHTTPLogs``);
- ``azure.storage.service``: the blob, queue and table services of every storage account (CIS
  4.12-4.14: ``StorageRead``, ``StorageWrite``, ``StorageDelete``), each where the account's
  kind offers it (queue and table: ``Storage`` and ``StorageV2`` only; blob: not
  ``FileStorage``);
- ``azure.insights.component``: Application Insights components (CIS 6.3.1), as listed;
- ``azure.monitor.resource_log``: every resource of ``resource_log_types`` (CIS 6.4).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    NAME,
)
from logwarden.scanner.collectors.azure.kinds.resources import (
    PROVIDER,
    RESOURCE,
    STORAGE_ACCOUNTS,
    Expanded,
    expanded,
    log_types,
    typed_kind,
)
from logwarden.scanner.collectors.azure.resource_logs import (
    STORAGE_CATEGORIES,
    categories_sent,
    read_settings,
    summarise,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

VAULT = "azure.keyvault.vault"
SITE = "azure.appservice.site"
STORAGE_SERVICE = "azure.storage.service"
COMPONENT = "azure.insights.component"
RESOURCE_LOG = "azure.monitor.resource_log"
HTTP_LOGS = "AppServiceHTTPLogs"
# Which services an account kind offers (lower case kind -> services).
SERVICES_BY_KIND = {
    "storagev2": ("blobServices", "queueServices", "tableServices", "fileServices"),
    "storage": ("blobServices", "queueServices", "tableServices", "fileServices"),
    "blobstorage": ("blobServices",),
    "blockblobstorage": ("blobServices",),
    "filestorage": ("fileServices",),
}
CIS_SERVICES = ("blobServices", "queueServices", "tableServices")


def logged(pool: SessionPool, rid: str, resource_type: str) -> dict[str, Any]:
    """A resource's diagnostic-settings summary (raises Azure errors)."""
    return summarise(read_settings(pool, rid), resource_type)


def _plain(pool: SessionPool, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(doc["id"], logged(pool, doc["id"], doc["ResourceType"]))]


def _site(pool: SessionPool, doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    summary = logged(pool, doc["id"], doc["ResourceType"])
    kind = str(doc.get("kind") or "").lower()
    app = (
        "functionapp"
        if "functionapp" in kind
        else "workflowapp"
        if "workflowapp" in kind
        else "app"
    )
    sent = categories_sent(summary, (HTTP_LOGS,))[HTTP_LOGS]
    return [(doc["id"], {**summary, "AppKind": app, "HttpLogDestinations": sent})]


def storage_services(
    pool: SessionPool, doc: dict[str, Any], services: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """The documents of the account's ``services`` that its kind offers."""
    offered = SERVICES_BY_KIND.get(str(doc.get("kind") or "").lower(), CIS_SERVICES)
    out = []
    for service in (s for s in services if s in offered):
        rid = f"{doc['id']}/{service}/default"
        resource_type = f"{STORAGE_ACCOUNTS}/{service.lower()}"
        summary = logged(pool, rid, resource_type)
        sent = categories_sent(summary, STORAGE_CATEGORIES)
        data = {
            **summary,
            "Name": f"{doc.get('name')}/{service.removesuffix('Services')}",
            "ResourceType": resource_type,
            "Service": service.removesuffix("Services"),
            "AccountId": doc["id"],
            "AccountKind": doc.get("kind"),
            "CategoryDestinationsRequired": sent,
            "ReadWriteDeleteLogged": all(sent.values()),
        }
        out.append((rid, data))
    return out


def collect_resource_logs(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every resource of ``resource_log_types`` with its diagnostic-settings summary."""
    types = log_types(inv)
    canonical = {s.lower(): s for s in SERVICES_BY_KIND["storagev2"]}
    services = tuple(
        canonical.get(t.rsplit("/", 1)[1], t.rsplit("/", 1)[1])
        for t in types
        if t.startswith(f"{STORAGE_ACCOUNTS}/")
    )

    def pick(pool: SessionPool, doc: dict[str, Any]) -> Expanded:
        if doc["ResourceType"] == STORAGE_ACCOUNTS and services:
            return storage_services(pool, doc, services)
        return _plain(pool, doc) if doc["ResourceType"] in types else None

    yield from expanded(inv, RESOURCE_LOG, pick)


KINDS = [
    typed_kind(
        VAULT,
        "Key Vaults and where their AuditEvent logs go.",
        ("microsoft.keyvault/vaults",),
        _plain,
    ),
    typed_kind(
        SITE, "App Service apps and where their HTTP logs go.", ("microsoft.web/sites",), _site
    ),
    typed_kind(
        STORAGE_SERVICE,
        "Blob, queue and table services of every storage account and their resource logs.",
        (STORAGE_ACCOUNTS,),
        lambda pool, doc: storage_services(pool, doc, CIS_SERVICES),
    ),
    typed_kind(COMPONENT, "Application Insights components.", ("microsoft.insights/components",)),
    ResourceKind(
        name=RESOURCE_LOG,
        reads=(PROVIDER, RESOURCE),
        cloud=NAME,
        description="Every resource of resource_log_types and where its audit logs go.",
        collect=collect_resource_logs,
    ),
]
