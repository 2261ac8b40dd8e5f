"""``gcp.storage.bucket``: the Cloud Storage buckets audit sinks write to, read in the project
that owns them (stage 2, after every project's sinks; see ``logging.destinations``)."""

from __future__ import annotations

from collections.abc import Iterator

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp.common import (
    GCP_ERRORS,
    NAME,
    ORG_SINK,
    PROJECT,
    SINK,
    STORAGE,
    STORAGE_BUCKET,
    failure,
    problem,
    project_numbers,
    reporter,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.kinds.logging import destinations
from logwarden.scanner.collectors.gcp.logging_api import (
    get_storage_bucket,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


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
        name=STORAGE_BUCKET,
        reads=(ORG_SINK, SINK, PROJECT),
        cloud=NAME,
        description="Cloud Storage buckets that audit sinks write to, in their owner project.",
        collect=collect_storage_buckets,
        stage=2,
    ),
]
