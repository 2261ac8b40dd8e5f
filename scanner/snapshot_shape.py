"""The shape of a saved inventory (``--save-inventory``), checked before anything is built.

A saved inventory is evidence that may have been edited, truncated or produced elsewhere; a
field of the wrong type is one problem naming the file and the JSON path, never a traceback.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from logwarden.scanner.json_input import NONE, Shape, Spec, describe

FIX = "pass a file written by logwarden scan --save-inventory (this one was changed or damaged)"

DOCUMENT_FIELDS: Spec = {
    "schema": ((str,), True),
    "created_at": ((str,), False),
    "discovery_errors": ((list,), True),
    "organizations": ((list,), True),
}
SCOPE_FIELDS: Spec = {
    "organization": ((dict,), True),
    "inventory": ((dict,), True),
    "tenants": ((list,), True),
}
ORGANIZATION_FIELDS: Spec = {
    "cloud": ((str,), True),
    "id": ((str,), True),
    "name": ((str,), True),
    "management_tenant_id": ((str, NONE), False),
    "facts_available": ((bool,), False),
}
TENANT_ENTRY_FIELDS: Spec = {"tenant": ((dict,), True), "inventory": ((dict,), True)}
TENANT_FIELDS: Spec = {
    "cloud": ((str,), True),
    "id": ((str,), True),
    "name": ((str,), True),
    "organization_id": ((str, NONE), False),
    "parents": ((list,), False),
    "regions": ((list,), False),
    "is_management": ((bool,), False),
    "attributes": ((dict,), False),
}
COLLECTION_FIELDS: Spec = {
    "resources": ((list,), True),
    "errors": ((list,), True),
    "not_applicable": ((str, NONE), True),
}
RESOURCE_FIELDS: Spec = {
    "id": ((str,), True),
    "tenant_id": ((str,), True),
    "region": ((str,), True),
    "data": ((dict,), True),
}
ERROR_FIELDS: Spec = {
    "cloud": ((str,), True),
    "tenant_id": ((str,), True),
    "kind": ((str,), True),
    "region": ((str,), True),
    "code": ((str,), True),
    "message": ((str,), True),
    "internal": ((bool,), False),
}


def check(doc: dict[str, Any], file: str, clouds: Collection[str], fix: str = FIX) -> None:
    """Raise an InputError naming each field of ``doc`` that a saved inventory cannot have.

    :param clouds: the registered clouds; an organization of another cloud is refused.
    :param fix: how to get a good file (a facts file embeds a saved inventory).
    """
    shape = Shape(file, fix)
    if shape.fields(doc, DOCUMENT_FIELDS, "$"):
        shape.each(doc["discovery_errors"], ERROR_FIELDS, "discovery_errors")
        for index, entry in enumerate(doc["organizations"]):
            _scope(shape, entry, f"organizations[{index}]", clouds)
    shape.raise_problems()


def _scope(shape: Shape, entry: Any, path: str, clouds: Collection[str]) -> None:
    if not shape.fields(entry, SCOPE_FIELDS, path):
        return
    org = entry["organization"]
    cloud = None  # the organization's cloud, once it is known to be a valid one
    if shape.fields(org, ORGANIZATION_FIELDS, f"{path}.organization"):
        if org["cloud"] in clouds:
            cloud = org["cloud"]
        else:
            shape.add(
                f"{path}.organization.cloud",
                f"unknown cloud {org['cloud']!r} (known: {', '.join(clouds)})",
            )
    _collections(shape, entry["inventory"], f"{path}.inventory")
    for index, item in enumerate(entry["tenants"]):
        where = f"{path}.tenants[{index}]"
        if not shape.fields(item, TENANT_ENTRY_FIELDS, where):
            continue
        tenant = item["tenant"]
        if shape.fields(tenant, TENANT_FIELDS, f"{where}.tenant"):
            for key in ("parents", "regions"):
                if key in tenant:
                    shape.strings(tenant[key], f"{where}.tenant.{key}")
            if cloud is not None and tenant["cloud"] != cloud:
                shape.add(
                    f"{where}.tenant.cloud",
                    f"{tenant['cloud']!r} differs from its organization's cloud {cloud!r}",
                )
        _collections(shape, item["inventory"], f"{where}.inventory")


def _collections(shape: Shape, node: Any, path: str) -> None:
    if not isinstance(node, dict):
        shape.add(path, f"must be an object of resource kinds, not {describe(node)}")
        return
    for kind, collection in node.items():
        where = f"{path}.{kind}"
        if shape.fields(collection, COLLECTION_FIELDS, where):
            shape.each(collection["resources"], RESOURCE_FIELDS, f"{where}.resources")
            shape.each(collection["errors"], ERROR_FIELDS, f"{where}.errors")
