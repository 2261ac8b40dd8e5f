"""``azure.resources.*``: the resource providers registered in a subscription and the resources
of the types logwarden's resource-level controls judge; and :func:`typed_kind`, how a service's
kind is built on them.

- ``azure.resources.provider``: one document per provider namespace of those types
  (``providers.list``, ``GET /subscriptions/{id}/providers``, paged), with its
  ``registrationState``. A type whose provider is not registered cannot have resources: its
  controls are SKIPPED, with the reason, not FAILed.
- ``azure.resources.resource``: the subscription's resources of those types
  (``resources.list`` with a ``resourceType eq ... or ...`` filter, ``GET
  /subscriptions/{id}/resources``, paged): id, name, type, location, kind. The types are
  :data:`FIXED_TYPES` plus the parameter ``resource_log_types`` (scan-wide value).

Both with azure-mgmt-resource's ``ResourceManagementClient`` (api-version 2025-04-01), lazily
(stage 0): only a scan whose controls need them makes these calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    failure,
    inherited,
    listed,
    resource,
    session_of,
    subscription_of,
)
from logwarden.scanner.collectors.azure.resource_logs import AUDIT_CATEGORIES
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind

PROVIDER = "azure.resources.provider"
RESOURCE = "azure.resources.resource"
STORAGE_ACCOUNTS = "microsoft.storage/storageaccounts"
# The types the service kinds read, whatever resource_log_types says.
FIXED_TYPES = (
    "microsoft.keyvault/vaults",
    "microsoft.web/sites",
    STORAGE_ACCOUNTS,
    "microsoft.sql/servers",
    "microsoft.dbforpostgresql/flexibleservers",
    "microsoft.dbformysql/flexibleservers",
    "microsoft.insights/components",
    "microsoft.network/virtualnetworks",
)
DEFAULT_LOG_TYPES = tuple(AUDIT_CATEGORIES)
REGISTERED = "registered"


def log_types(inv: Inventory) -> tuple[str, ...]:
    """The resource types of ``resource_log_types`` (lower case; the default when unset)."""
    value = inv.parameters.get("resource_log_types")
    if not isinstance(value, list | tuple):
        return DEFAULT_LOG_TYPES
    return tuple(dict.fromkeys(str(t).strip("/").lower() for t in value if str(t).strip()))


def listed_type(resource_type: str) -> str:
    """The type ``resources.list`` lists for ``resource_type`` (a storage service is read
    from its account)."""
    low = resource_type.lower()
    return STORAGE_ACCOUNTS if low.startswith(f"{STORAGE_ACCOUNTS}/") else low


def wanted_types(inv: Inventory) -> list[str]:
    """Every type the resource list asks for."""
    return sorted({*FIXED_TYPES, *(listed_type(t) for t in log_types(inv))})


def namespace(resource_type: str) -> str:
    """The provider namespace of a resource type (lower case)."""
    return resource_type.split("/", 1)[0].lower()


def collect_providers(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The registration state of the namespaces of the wanted types."""
    sub = subscription_of(inv)
    wanted = {namespace(t) for t in wanted_types(inv)}
    found = listed(
        inv,
        PROVIDER,
        "listing resource providers",
        lambda session: session.client("resources").providers.list(),
    )
    if isinstance(found, CollectionError):
        yield found
        return
    for doc in found:
        name = str(doc.get("namespace") or "")
        if name.lower() not in wanted:
            continue
        state = str(doc.get("registrationState") or "")
        rid = f"/subscriptions/{sub}/providers/{name}"
        data = {
            "id": rid,
            "Namespace": name,
            "RegistrationState": state,
            "Registered": state.lower() == REGISTERED,
        }
        yield resource(PROVIDER, rid, sub, "", data)


def collect_resources(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The subscription's resources of the wanted types (one filtered, paged list)."""
    sub = subscription_of(inv)
    types = wanted_types(inv)
    query = " or ".join(f"resourceType eq '{t}'" for t in types)
    found = listed(
        inv,
        RESOURCE,
        "listing resources",
        lambda session: session.client("resources").resources.list(filter=query),
    )
    if isinstance(found, CollectionError):
        yield found
        return
    for doc in found:
        rid = str(doc.get("id") or "")
        data = {
            **doc,
            "Name": doc.get("name"),
            "ResourceType": str(doc.get("type") or "").lower(),
        }
        yield resource(RESOURCE, rid, sub, str(doc.get("location") or ""), data)


# A service's reader: from one listed resource, the documents of the kind (id, data); raises
# Azure errors.
Expand = Callable[[SessionPool, dict[str, Any]], list[tuple[str, dict[str, Any]]]]
Expanded = list[tuple[str, dict[str, Any]]] | None


def unregistered_reason(inv: Inventory, types: tuple[str, ...]) -> str | None:
    """Why no resource of ``types`` can exist here (every namespace unregistered), or None.

    Raises nothing: the caller checks the provider kind's errors first."""
    states = {r.data["Namespace"].lower(): r.data for r in inv.get(PROVIDER).resources}
    names = sorted({namespace(t) for t in types})
    missing = [n for n in names if not (states.get(n) or {}).get("Registered")]
    if len(missing) < len(names):
        return None
    shown = ", ".join(
        f"{(states.get(n) or {}).get('Namespace', n)} "
        f"({(states.get(n) or {}).get('RegistrationState') or 'not offered'})"
        for n in missing
    )
    return f"resource provider {shown} is not registered in this subscription, so it has none"


def upstream_errors(inv: Inventory, kind: str) -> list[CollectionError]:
    """The provider and resource listing errors, as errors of ``kind``."""
    return [
        *inherited(inv, PROVIDER, kind, "resource providers"),
        *inherited(inv, RESOURCE, kind, "resources"),
    ]


def expanded(
    inv: Inventory, name: str, pick: Callable[[SessionPool, dict[str, Any]], Expanded]
) -> Iterator[Resource | CollectionError]:
    """The documents of kind ``name``: ``pick`` turns each listed resource into its documents
    (None: not one of this kind's); a resource whose read fails is an error of that resource,
    the listing's errors are the kind's errors."""
    sub = subscription_of(inv)
    errors = upstream_errors(inv, name)
    if errors:
        yield from errors
        return
    pool = session_of(inv).pool
    for base in inv.get(RESOURCE).resources:
        try:
            docs = pick(pool, dict(base.data))
        except AZURE_ERRORS as exc:
            yield failure(sub, name, exc, base.id, base.region)
            continue
        for rid, data in docs or ():
            yield resource(name, rid, sub, base.region, {**base.data, **data, "id": rid})


def typed_kind(
    name: str, description: str, types: tuple[str, ...], expand: Expand | None = None
) -> ResourceKind:
    """A kind whose documents are the listed resources of ``types``, each expanded by
    ``expand`` (default: the listed document itself). ``NotApplicable`` when the providers of
    all ``types`` are unregistered."""

    def pick(pool: SessionPool, doc: dict[str, Any]) -> Expanded:
        if doc["ResourceType"] not in types:
            return None
        return expand(pool, doc) if expand else [(doc["id"], {})]

    def collect(inv: Inventory) -> Iterator[Resource | CollectionError]:
        if not inv.get(PROVIDER).errors:
            reason = unregistered_reason(inv, types)
            if reason is not None:
                raise NotApplicable(reason)
        yield from expanded(inv, name, pick)

    return ResourceKind(
        name=name,
        reads=(PROVIDER, RESOURCE),
        cloud=NAME,
        description=description,
        collect=collect,
    )


KINDS = [
    ResourceKind(
        name=PROVIDER,
        reads=(),
        cloud=NAME,
        description="Registration state of the resource providers of the judged types.",
        collect=collect_providers,
    ),
    ResourceKind(
        name=RESOURCE,
        reads=(),
        cloud=NAME,
        description="Resources of the types the resource-level controls judge.",
        collect=collect_resources,
    ),
]
