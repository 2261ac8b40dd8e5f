"""Sink destinations: log buckets and Cloud Storage buckets, read in the project that owns them.

Stage 2: every project's sinks (stage 1) are known, so each project can tell which of its own
buckets some audit-exporting sink of the organization (organization, folder or project level,
built-in ``_Default`` / ``_Required`` sinks aside) writes to. Each bucket is read once for the
scan (memoised on the session) and reported by its owner. Who reports what nobody scanned owns,
or what could not be read: see :func:`logwarden.scanner.collectors.gcp.common.reporter`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp.common import (
    CLOUD,
    GCP_ERRORS,
    LOG_BUCKET,
    LOGGING,
    ORG_SINK,
    SINK,
    STORAGE,
    STORAGE_BUCKET,
    failure,
    org_kind,
    problem,
    project_numbers,
    rekind,
    reporter,
    resource,
    scanned,
    session_of,
)
from logwarden.scanner.collectors.gcp.logging_api import (
    get_log_bucket,
    get_storage_bucket,
    log_bucket_name,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


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
    org_sinks, org_errors = org_kind(inv, ORG_SINK)
    if me == reporter(inv, set()):
        errors += [rekind(e, kind, me, "organization and folder sinks") for e in org_errors]
    own = inv.get(SINK)
    errors += [rekind(e, kind, me, "this project's sinks") for e in own.errors]
    sinks = list(org_sinks)
    for peer in scanned(inv):
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
    peers = {p.owner_id for p in scanned(inv)}
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


def collect_storage_buckets(inv: Inventory) -> Iterator[Item]:
    """The Cloud Storage buckets this project owns that audit sinks write to.

    The owner is known only from the bucket's metadata (``projectNumber``), so the bucket is
    read once for the scan and kept by the project with that number.
    """
    me = inv.owner_id
    refs, errors = destinations(inv, STORAGE_BUCKET, "storage")
    yield from errors
    numbers = project_numbers(inv)
    for name, ref in sorted(refs.items()):
        report = reporter(inv, ref.referrers) == me
        try:
            doc = get_storage_bucket(session_of(inv), name)
        except NotFound:
            continue  # a missing destination fails gcp.logging.org_sink
        except GCP_ERRORS as exc:
            if report:
                yield failure(
                    me, STORAGE_BUCKET, exc, f"reading bucket {name} (a sink destination)"
                )
            continue
        owner = numbers.get(str(doc.get("projectNumber")))
        if owner is None:
            if report:
                yield problem(
                    me,
                    STORAGE_BUCKET,
                    "SinkBucketNotScanned",
                    f"bucket {name} (written by {', '.join(sorted(ref.sinks))}) belongs to "
                    f"project number {doc.get('projectNumber')}, which is not scanned; fix: scan "
                    "the organization or add that project to clouds.gcp.projects",
                )
            continue
        if owner == me:
            data = {**doc, "projectId": owner, "WrittenBy": sorted(ref.sinks)}
            region = str(doc.get("location") or "").lower()
            yield resource(STORAGE_BUCKET, f"{STORAGE}{name}", owner, region, data)


KINDS = [
    ResourceKind(
        name=LOG_BUCKET,
        cloud=CLOUD,
        description="Log buckets that audit sinks write to, in the project that owns them.",
        collect=collect_log_buckets,
        stage=2,
    ),
    ResourceKind(
        name=STORAGE_BUCKET,
        cloud=CLOUD,
        description="Cloud Storage buckets that audit sinks write to, in their owner project.",
        collect=collect_storage_buckets,
        stage=2,
    ),
]
