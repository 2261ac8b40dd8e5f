"""The toy cloud's resource kinds: ``toy.logging.sink`` and ``toy.storage.bucket``.

A collector yields the tenant's resources of its kind and a ``CollectionError`` for what it
could not read: an API failure is a value (the controls that needed it become ERROR rows),
never an exception and never a PASS.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind
from logwarden_toy.api import ToyApi, ToyApiError

CLOUD = "toy"
SINK = "toy.logging.sink"
BUCKET = "toy.storage.bucket"

Item = Resource | CollectionError


def _failure(inv: Inventory, kind: str, exc: ToyApiError) -> CollectionError:
    return CollectionError(CLOUD, inv.owner_id, kind, "", exc.code, exc.message)


def collect_sinks(inv: Inventory) -> Iterator[Item]:
    """The workspace's log sinks: where its audit log goes, and whether the sink is on."""
    api: ToyApi = inv.session
    try:
        sinks = api.list_sinks(inv.owner_id)
    except ToyApiError as exc:
        yield _failure(inv, SINK, exc)
        return
    for sink in sinks:
        data = {
            "Name": sink["name"],
            "Destination": sink["destination"],
            "Enabled": sink["enabled"],
        }
        yield Resource(SINK, f"toy://{inv.owner_id}/sinks/{sink['name']}", inv.owner_id, "", data)


def collect_buckets(inv: Inventory) -> Iterator[Item]:
    """The workspace's buckets, with their lock and retention."""
    api: ToyApi = inv.session
    try:
        buckets = api.list_buckets(inv.owner_id)
    except ToyApiError as exc:
        yield _failure(inv, BUCKET, exc)
        return
    for bucket in buckets:
        data = {
            "Name": bucket["name"],
            "Locked": bucket["locked"],
            "RetentionDays": bucket["retention_days"],
        }
        rid = f"toy://{inv.owner_id}/buckets/{bucket['name']}"
        yield Resource(BUCKET, rid, inv.owner_id, "", data)


KINDS = [
    ResourceKind(SINK, CLOUD, "Log sinks of the workspace.", collect_sinks, stage=1),
    ResourceKind(BUCKET, CLOUD, "Buckets of the workspace.", collect_buckets),
]
