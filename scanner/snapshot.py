"""Save everything a scan collected (the evidence pack) and evaluate it again offline."""

from __future__ import annotations

import io
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TextIO

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
from logwarden.scanner.spill import InventorySpill, collection_doc

SCHEMA = "logwarden.inventory/1"


def dump(scan: ScanInput, created_at: str, spill: InventorySpill | None = None) -> str:
    """The collected inventory as canonical JSON (see ``write``)."""
    out = io.StringIO()
    write(out, scan, created_at, spill)
    return out.getvalue()


def write(
    out: TextIO, scan: ScanInput, created_at: str, spill: InventorySpill | None = None
) -> None:
    """Write the collected inventory to ``out`` as canonical JSON, one tenant at a time.

    :param spill: where the scan kept its tenants' collections (``evaluate_scan``); only its
        tenants are written (a shard's own). Without it, what the inventories hold.
    """

    def dumps(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    out.write("{\n")
    out.write(f'"created_at": {dumps(created_at)},\n')
    out.write(f'"discovery_errors": {dumps([e.__dict__ for e in scan.errors])},\n')
    out.write('"organizations": [')
    for index, scope in enumerate(scan.scopes):
        out.write(",\n" if index else "\n")
        out.write(f'{{"inventory": {dumps(collection_doc(scope.inventory.collected()))},\n')
        out.write(f' "organization": {dumps(scope.organization.__dict__)},\n')
        out.write(' "tenants": [')
        first = True
        for inv in scope.tenants:
            tenant = inv.tenant
            if tenant is None or (spill is not None and not spill.has(tenant)):
                continue
            text = (
                spill.read(tenant) if spill is not None else dumps(collection_doc(inv.collected()))
            )
            fields = dumps({**tenant.__dict__, "attributes": dict(tenant.attributes)})
            out.write("\n  " if first else ",\n  ")
            out.write(f'{{"inventory": {text}, "tenant": {fields}}}')
            first = False
        out.write("\n ]}" if not first else "]}")
    out.write("\n],\n" if scan.scopes else "],\n")
    out.write(f'"schema": {dumps(SCHEMA)}\n}}\n')


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
    doc = json_input.read_document(
        path, label="inventory file", option="--inventory", fix=snapshot_shape.FIX, schema=SCHEMA
    )
    snapshot_shape.check(doc, str(path), clouds)
    return doc
