"""Log sinks: at the organization and folders (once, organization scope) and per project."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.collectors.gcp.common import (
    CLOUD,
    GCP_ERRORS,
    LOGGING,
    ORG_SINK,
    SINK,
    failure,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.kinds_rm import scope_tree
from logwarden.scanner.collectors.gcp.logging_api import destination_exists, list_sinks
from logwarden.scanner.collectors.gcp.sinks import sink_doc
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def collect_org_sinks(inv: Inventory) -> Iterator[Item]:
    """Sinks of the organization and of every folder (in scope and above a scanned folder).

    ``DestinationExists`` is read for log-bucket and Cloud Storage destinations (one memoised
    ``GetBucket`` / ``buckets.get`` per destination, shared with the bucket kinds).
    """
    tree, errors = scope_tree(inv, ORG_SINK)
    yield from errors
    if tree is None:
        return
    session = session_of(inv)
    for node in dict.fromkeys((*tree.above, *tree.nodes)):
        try:
            sinks = list_sinks(session, node)
        except GCP_ERRORS as exc:
            yield failure(tree.root, ORG_SINK, exc, f"listing the sinks of {node}")
            continue
        for sink in sinks:
            doc = sink_doc(sink, node)
            if not doc["BuiltIn"]:
                try:
                    exists = destination_exists(session, doc)
                except GCP_ERRORS as exc:
                    context = f"sink {node}/sinks/{sink.get('name')}: reading its destination {sink.get('destination')}"
                    yield failure(tree.root, ORG_SINK, exc, context)
                    continue
                if exists is not None:
                    doc["DestinationExists"] = exists
            yield resource(
                ORG_SINK, f"{LOGGING}{node}/sinks/{sink.get('name')}", tree.root, "", doc
            )


def collect_sinks(inv: Inventory) -> Iterator[Item]:
    """The project's own sinks, built-in ``_Default`` and ``_Required`` included."""
    me = inv.owner_id
    parent = f"projects/{me}"
    try:
        sinks = list_sinks(session_of(inv), parent)
    except GCP_ERRORS as exc:
        yield failure(me, SINK, exc, f"listing the sinks of {parent}")
        return
    for sink in sinks:
        rid = f"{LOGGING}{parent}/sinks/{sink.get('name')}"
        yield resource(SINK, rid, me, "", sink_doc(sink, parent))


KINDS = [
    ResourceKind(
        name=ORG_SINK,
        cloud=CLOUD,
        description="Log sinks of the organization and folders, with their destination's existence.",
        collect=collect_org_sinks,
        organization=True,
    ),
    ResourceKind(
        name=SINK,
        cloud=CLOUD,
        description="Log sinks of the project (built-in _Default and _Required included).",
        collect=collect_sinks,
        stage=1,
    ),
]
