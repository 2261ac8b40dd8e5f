"""``gcp.logging.*``: log sinks at the organization and folders (once, organization scope) and
per project, and the log buckets audit sinks write to.

Sink destinations (log buckets here, Cloud Storage buckets in ``storage``) are read at stage 2:
every project's sinks (stage 1) are known, so each project can tell which of its own buckets
some audit-exporting sink of the organization (organization, folder or project level, built-in
``_Default`` / ``_Required`` sinks aside) writes to. Each bucket is read once for the scan
(memoised on the session) and reported by the project that owns it. Who reports what nobody
scanned owns, or what could not be read: see
:func:`logwarden.scanner.collectors.gcp.common.reporter`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp.common import (
    GCP_ERRORS,
    LOG_BUCKET,
    LOGGING,
    NAME,
    ORG_SINK,
    PROJECT,
    SINK,
    failure,
    problem,
    project_numbers,
    rekind,
    reporter,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.kinds.resourcemanager import scope_tree
from logwarden.scanner.collectors.gcp.logging_api import (
    destination_exists,
    get_log_bucket,
    list_sinks,
    log_bucket_name,
)
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


@dataclass
class Ref:
    """The sinks that write to one destination, and the projects that own those sinks."""

    parts: dict[str, Any]
    sinks: set[str] = field(default_factory=set)
    referrers: set[str] = field(default_factory=set)  # projects whose own sinks write here


def destinations(
    inv: Inventory, kind: str, dest_type: str
) -> tuple[dict[str, Ref], list[CollectionError]]:
    """Destinations of ``dest_type`` written by audit-exporting sinks, keyed by bucket name
    (log buckets with the owner's project id), and the errors that leave this project's view
    of them incomplete."""
    me = inv.owner_id
    numbers = project_numbers(inv)
    errors: list[CollectionError] = []
    org_sinks, org_errors = inv.org_kind(ORG_SINK)
    if me == reporter(inv, set()):
        errors += [rekind(e, kind, me, "organization and folder sinks") for e in org_errors]
    own = inv.get(SINK)
    errors += [rekind(e, kind, me, "this project's sinks") for e in own.errors]
    sinks = list(org_sinks)
    # in project-id order: the first sink to name a destination gives its parts
    for peer in sorted(inv.scanned(), key=lambda p: p.owner_id):
        sinks.extend(peer.get(SINK).resources)
    refs: dict[str, Ref] = {}
    for sink in sinks:
        data = sink.data
        if data.get("BuiltIn") or not data.get("RoutesAuditLogs"):
            continue
        if data.get("DestinationType") != dest_type:
            continue
        parts = dict(data.get("DestinationParts") or {})
        if dest_type == "logging-bucket":
            project = numbers.get(parts["Project"], parts["Project"])
            parts["Project"] = project
            key = log_bucket_name(parts, project)
        else:
            key = str(parts["Bucket"])
        ref = refs.setdefault(key, Ref(parts=parts))
        ref.sinks.add(sink.id)
        if data.get("Level") == "project":
            ref.referrers.add(sink.tenant_id)
    return refs, errors


def collect_log_buckets(inv: Inventory) -> Iterator[Item]:
    """The log buckets this project owns that audit sinks write to (``GetBucket`` each)."""
    me = inv.owner_id
    refs, errors = destinations(inv, LOG_BUCKET, "logging-bucket")
    yield from errors
    peers = {p.owner_id for p in inv.scanned()}
    for name, ref in sorted(refs.items()):
        owner, location = ref.parts["Project"], ref.parts["Location"]
        if owner not in peers:
            if reporter(inv, ref.referrers) == me:
                yield problem(
                    me,
                    LOG_BUCKET,
                    "LogBucketNotScanned",
                    f"log bucket {name} (written by {', '.join(sorted(ref.sinks))}) belongs to "
                    f"project {owner}, which is not scanned; fix: scan the organization or add "
                    "that project to clouds.gcp.projects",
                    location,
                )
            continue
        if owner != me:
            continue
        try:
            doc = get_log_bucket(session_of(inv), name)
        except NotFound:
            continue  # a missing destination fails gcp.logging.org_sink, it has no settings
        except GCP_ERRORS as exc:
            yield failure(me, LOG_BUCKET, exc, f"reading log bucket {name}", location)
            continue
        data = {
            **doc,
            "projectId": owner,
            "location": location,
            "bucketId": ref.parts["Bucket"],
            "WrittenBy": sorted(ref.sinks),
        }
        yield resource(LOG_BUCKET, f"{LOGGING}{name}", owner, location, data)


KINDS = [
    ResourceKind(
        name=ORG_SINK,
        reads=(),
        cloud=NAME,
        description="Log sinks of the organization and folders, with their destination's existence.",
        collect=collect_org_sinks,
        organization=True,
    ),
    ResourceKind(
        name=SINK,
        reads=(),
        cloud=NAME,
        description="Log sinks of the project (built-in _Default and _Required included).",
        collect=collect_sinks,
        stage=1,
    ),
    ResourceKind(
        name=LOG_BUCKET,
        reads=(ORG_SINK, SINK, PROJECT),
        cloud=NAME,
        description="Log buckets that audit sinks write to, in the project that owns them.",
        collect=collect_log_buckets,
        stage=2,
    ),
]
