"""Tenant inventories on disk while a scan runs, so ``--save-inventory`` does not keep every
tenant's collections in memory until the end.

Each tenant's collections are written as one JSON line to a temporary file as soon as the
tenant is evaluated (its memory is released then); the saved inventory is written at the end
by copying those lines back one by one, in discovery order.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Mapping
from typing import IO, Any

from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import KindCollection, Tenant


def collection_doc(collections: Mapping[str, KindCollection]) -> dict[str, Any]:
    """A tenant's (or organization's) collections as the saved inventory writes them."""
    out: dict[str, Any] = {}
    for kind, col in sorted(collections.items()):
        out[kind] = {
            "resources": [
                {"id": r.id, "tenant_id": r.tenant_id, "region": r.region, "data": r.data}
                for r in col.resources
            ],
            "errors": [e.__dict__ for e in col.errors],
            "not_applicable": col.not_applicable,
        }
    return out


def tenant_key(tenant: Tenant) -> tuple[str, str, str]:
    """How the spill finds a tenant again: its cloud, organization and id."""
    return (tenant.cloud, tenant.organization_id or "", tenant.id)


class InventorySpill:
    """A temporary file of tenant inventories (one canonical JSON line each)."""

    def __init__(self) -> None:
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._where: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def add(self, tenant: Tenant, inventory: Mapping[str, Any]) -> None:
        """Keep ``tenant``'s collections (``collection_doc``) until the file is written."""
        line = json.dumps(inventory, sort_keys=True, default=str)
        with self._lock:
            self._file.seek(0, 2)
            start = self._file.tell()
            self._file.write(line)
            self._where[tenant_key(tenant)] = (start, self._file.tell() - start)

    def add_inventory(self, inv: Inventory) -> None:
        """Keep ``inv``'s tenant's collections."""
        assert inv.tenant is not None
        self.add(inv.tenant, collection_doc(inv.collected()))

    def has(self, tenant: Tenant) -> bool:
        """Whether ``tenant``'s collections were kept."""
        return tenant_key(tenant) in self._where

    def read(self, tenant: Tenant) -> str:
        """``tenant``'s collections, as the JSON text ``add`` wrote."""
        start, size = self._where[tenant_key(tenant)]
        with self._lock:
            self._file.seek(start)
            return self._file.read(size)

    def close(self) -> None:
        """Remove the temporary file."""
        self._file.close()
