"""Save everything a scan collected (the evidence pack) and evaluate it again offline."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from logwarden.scanner import json_input, snapshot_shape
from logwarden.scanner.engine import ScanInput, Scope_, link_peers
from logwarden.scanner.errors import fail, warn
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    CloudTerms,
    CollectionError,
    KindCollection,
    Organization,
    Resource,
    ResourceKind,
    Tenant,
)

SCHEMA = "logwarden.inventory/1"


def _collections(inv: Inventory) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, col in sorted(inv.collected().items()):
        out[kind] = {
            "resources": [
                {"id": r.id, "tenant_id": r.tenant_id, "region": r.region, "data": r.data}
                for r in col.resources
            ],
            "errors": [e.__dict__ for e in col.errors],
            "not_applicable": col.not_applicable,
        }
    return out


def dump(scan: ScanInput, created_at: str) -> str:
    """The collected inventory as canonical JSON."""
    doc = {
        "schema": SCHEMA,
        "created_at": created_at,
        "discovery_errors": [e.__dict__ for e in scan.errors],
        "organizations": [
            {
                "organization": scope.organization.__dict__,
                "inventory": _collections(scope.inventory),
                "tenants": [
                    {
                        "tenant": {
                            **inv.tenant.__dict__,
                            "attributes": dict(inv.tenant.attributes),
                        },
                        "inventory": _collections(inv),
                    }
                    for inv in scope.tenants
                    if inv.tenant is not None
                ],
            }
            for scope in scan.scopes
        ],
    }
    return json.dumps(doc, indent=1, sort_keys=True, default=str) + "\n"


def clouds_in(doc: Mapping[str, Any], chosen: Collection[str] = ()) -> list[str]:
    """The clouds a saved inventory (as ``read`` returns it) covers, to load only their kinds;
    with ``chosen`` (``--cloud``), those of them.

    :raises InputError: a chosen cloud the file does not cover.
    """
    found = sorted({o["organization"]["cloud"] for o in doc["organizations"]})
    missing = [c for c in chosen if c not in found]
    if missing:
        raise fail(
            "--cloud",
            None,
            f"the saved inventory has no {', '.join(missing)} organization",
            f"choose among the clouds it covers: {', '.join(found) or 'none'}",
        )
    return [c for c in found if not chosen or c in chosen]


def only_clouds(doc: Mapping[str, Any], clouds: Collection[str]) -> dict[str, Any]:
    """The document of a saved inventory with the organizations and discovery errors of
    ``clouds`` only (``--cloud`` on ``--inventory``)."""
    return {
        **doc,
        "discovery_errors": [e for e in doc["discovery_errors"] if e.get("cloud") in clouds],
        "organizations": [o for o in doc["organizations"] if o["organization"]["cloud"] in clouds],
    }


def load(
    path: str | Path,
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
    doc: Mapping[str, Any] | None = None,
    clouds: Mapping[str, CloudTerms] | None = None,
) -> ScanInput:
    """Rebuild inventories from a saved file (``doc``: its document, as ``read`` returns it);
    nothing will reach a cloud. ``clouds``: what reports call the file's clouds.

    Kinds that no loaded plugin registers for the organization's cloud are kept (drift and
    baselines see them) but no control reads them: one warning names them.
    """
    if doc is None:
        doc = read(path, {*(clouds or {}), *(k.cloud for k in kinds.values())})
    scan = ScanInput(
        scopes=[],
        errors=[CollectionError(**e) for e in doc["discovery_errors"]],
        clouds=dict(clouds or {}),
    )
    unknown: set[str] = set()
    for entry in doc["organizations"]:
        org = Organization(**entry["organization"])
        cloud_kinds = {k: v for k, v in kinds.items() if v.cloud == org.cloud}
        org_inv = _offline(org, None, cloud_kinds, parameters, None)
        unknown |= _preload(org_inv, entry["inventory"])
        scope = Scope_(organization=org, inventory=org_inv)
        for t in entry["tenants"]:
            fields = dict(t["tenant"])
            fields["parents"] = tuple(fields.get("parents", ()))
            fields["regions"] = tuple(fields.get("regions", ()))
            inv = _offline(org, Tenant(**fields), cloud_kinds, parameters, org_inv)
            unknown |= _preload(inv, t["inventory"])
            scope.tenants.append(inv)
        link_peers(scope)
        scan.scopes.append(scope)
    if unknown:
        warn(
            f"{path}: no loaded plugin knows the resource kinds {', '.join(sorted(unknown))}; "
            "no control reads them (a plugin disabled with -p no:NAME, or a file from "
            "another logwarden version?)"
        )
    return scan


def _offline(
    org: Organization,
    tenant: Tenant | None,
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
    org_inventory: Inventory | None,
) -> Inventory:
    """An inventory that never reaches a cloud (``tenant`` None: the organization's)."""
    return Inventory(
        cloud=org.cloud,
        tenant=tenant,
        organization=org,
        kinds=kinds,
        parameters=parameters,
        org_inventory=org_inventory,
        offline=True,
    )


def _preload(inv: Inventory, collections: Mapping[str, Any]) -> set[str]:
    """Install the saved collections; return the kinds ``inv`` does not know."""
    for kind, col in collections.items():
        inv.preload(
            kind,
            KindCollection(
                resources=tuple(Resource(kind=kind, **r) for r in col["resources"]),
                errors=tuple(CollectionError(**e) for e in col["errors"]),
                not_applicable=col["not_applicable"],
            ),
        )
    return {kind for kind in collections if kind not in inv.kinds}


def read(path: str | Path, clouds: Collection[str]) -> dict[str, Any]:
    """The document of a saved inventory, its schema and shape checked (InputError if not).

    :param clouds: the registered clouds: an organization of another cloud is refused.
    """
    name = str(path)
    doc = json_input.read(
        path, label="inventory file", option="--inventory", fix=snapshot_shape.FIX
    )
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else None
        raise fail(
            name,
            None,
            f"unsupported inventory schema {found!r}",
            f"pass a file written by --save-inventory ({SCHEMA})",
        )
    snapshot_shape.check(doc, name, clouds)
    return doc
