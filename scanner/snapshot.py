"""Save everything a scan collected (the evidence pack) and evaluate it again offline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.engine import ScanInput, Scope_, link_peers
from scanner.errors import fail
from scanner.inventory import Inventory
from scanner.models import (
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


def clouds_in(path: str | Path) -> list[str]:
    """The clouds a saved inventory covers (to load only their plugins)."""
    doc = _read(path)
    return sorted({o["organization"]["cloud"] for o in doc["organizations"]})


def load(
    path: str | Path, kinds: Mapping[str, ResourceKind], parameters: Mapping[str, Any]
) -> ScanInput:
    """Rebuild inventories from a saved file; nothing will reach a cloud."""
    doc = _read(path)
    name = str(path)
    try:
        scan = ScanInput(scopes=[], errors=[CollectionError(**e) for e in doc["discovery_errors"]])
        for entry in doc["organizations"]:
            org = Organization(**entry["organization"])
            cloud_kinds = {k: v for k, v in kinds.items() if v.cloud == org.cloud}
            org_inv = Inventory(
                cloud=org.cloud,
                tenant=None,
                organization=org,
                kinds=cloud_kinds,
                parameters=parameters,
                offline=True,
            )
            _preload(org_inv, entry["inventory"])
            scope = Scope_(organization=org, inventory=org_inv)
            for t in entry["tenants"]:
                fields = dict(t["tenant"])
                fields["parents"] = tuple(fields.get("parents", ()))
                fields["regions"] = tuple(fields.get("regions", ()))
                tenant = Tenant(**fields)
                inv = Inventory(
                    cloud=org.cloud,
                    tenant=tenant,
                    organization=org,
                    kinds=cloud_kinds,
                    parameters=parameters,
                    org_inventory=org_inv,
                    offline=True,
                )
                _preload(inv, t["inventory"])
                scope.tenants.append(inv)
            link_peers(scope)
            scan.scopes.append(scope)
    except (KeyError, TypeError) as exc:
        raise fail(
            name,
            None,
            f"not a logwarden inventory file (missing or wrong field: {exc})",
            "pass a file written by --save-inventory",
        ) from None
    return scan


def _preload(inv: Inventory, collections: Mapping[str, Any]) -> None:
    for kind, col in collections.items():
        inv.preload(
            kind,
            KindCollection(
                resources=tuple(Resource(kind=kind, **r) for r in col["resources"]),
                errors=tuple(CollectionError(**e) for e in col["errors"]),
                not_applicable=col["not_applicable"],
            ),
        )


def _read(path: str | Path) -> dict[str, Any]:
    name = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(name, None, "inventory file not found", "check the --inventory path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(
            name, None, f"cannot read the inventory file: {exc}", "check its permissions"
        ) from None
    except json.JSONDecodeError as exc:
        raise fail(
            name,
            exc.lineno,
            f"malformed JSON: {exc.msg}",
            "pass a file written by --save-inventory",
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else None
        raise fail(
            name,
            None,
            f"unsupported inventory schema {found!r}",
            f"pass a file written by --save-inventory ({SCHEMA})",
        )
    return doc
