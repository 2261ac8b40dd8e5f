"""``gcp.logging.destination_access``: who can read the audit logs a sink delivers, and what the
sinks' writer identities hold, for every log bucket and Cloud Storage bucket audit sinks write
to (``gcp.logging.bucket``, ``gcp.storage.bucket``), in the project that owns it.

The bindings are those of the IAM policies of the organization, every folder above the project
and the project (the same memoised ``getIamPolicy`` answers the audit-config kinds read), plus
the bucket's own IAM policy for a Cloud Storage bucket (``buckets.getIamPolicy``). A binding
counts as a reader when its role can read the entries: Logging's viewer, private log viewer and
view accessor roles (view-level bindings: any condition is kept with the binding), Cloud
Storage's object readers, the broader roles that include them, and every custom role (its
permissions are not read: it may include reading).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.scanner.collectors.gcp import hierarchy
from logwarden.scanner.collectors.gcp.common import (
    DESTINATION_ACCESS,
    GCP_ERRORS,
    LOG_BUCKET,
    NAME,
    ORG_SINK,
    ORGANIZATION,
    PROJECT,
    SINK,
    STORAGE_BUCKET,
    failure,
    project_numbers,
    rekind,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.logging_api import storage_bucket_iam
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError
BROAD = ("roles/owner", "roles/editor", "roles/viewer")
LOG_READER_ROLES = (
    "roles/logging.viewer",
    "roles/logging.privateLogViewer",
    "roles/logging.viewAccessor",
    "roles/logging.admin",
    *BROAD,
)
STORAGE_READER_ROLES = (
    "roles/storage.objectViewer",
    "roles/storage.objectUser",
    "roles/storage.objectAdmin",
    "roles/storage.admin",
    "roles/storage.legacyObjectReader",
    "roles/storage.legacyObjectOwner",
    "roles/storage.legacyBucketOwner",
    *BROAD,
)
#: The one role a sink's writer identity needs on its destination, by destination type.
WRITER_ROLES = {"logging-bucket": ("roles/logging.bucketWriter",),
                "storage": ("roles/storage.objectCreator",)}  # fmt: skip


def is_custom(role: str) -> bool:
    """A custom role (``organizations/N/roles/R``, ``projects/P/roles/R``): its permissions are
    not read, so it counts as one that may read the logs."""
    return role.startswith(("organizations/", "projects/"))


def _bindings(session: Any, nodes: list[str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (node, binding)
        for node in nodes
        for binding in hierarchy.full_iam_policy(session, node).get("bindings") or ()
    ]


def _sinks_by_id(inv: Inventory) -> tuple[dict[str, Mapping[str, Any]], list[Item]]:
    me = inv.owner_id
    org_sinks, errors = inv.org_kind(ORG_SINK)
    out: list[Item] = [
        rekind(e, DESTINATION_ACCESS, me, "organization and folder sinks") for e in errors
    ]
    found: dict[str, Mapping[str, Any]] = {s.id: s.data for s in org_sinks}
    for peer in inv.scanned():
        got = peer.get(SINK)
        found.update({s.id: s.data for s in got.resources})
    return found, out


def _domain(inv: Inventory) -> str | None:
    orgs, _ = inv.org_kind(ORGANIZATION)
    names = [str(o.data.get("displayName") or "") for o in orgs if o.data.get("displayName")]
    return names[0] if names else None


def collect_destination_access(inv: Inventory) -> Iterator[Item]:
    """One document per audit destination bucket the project owns."""
    me = inv.owner_id
    session = session_of(inv)
    log_buckets, storage_buckets = inv.get(LOG_BUCKET), inv.get(STORAGE_BUCKET)
    for got, what in ((log_buckets, "the log buckets"), (storage_buckets, "the storage buckets")):
        yield from (rekind(e, DESTINATION_ACCESS, me, what) for e in got.errors)
    buckets = [(b, "logging-bucket") for b in log_buckets.resources]
    buckets += [(b, "storage") for b in storage_buckets.resources]
    if not buckets:
        return
    sinks, errors = _sinks_by_id(inv)
    yield from errors
    chain = [*(inv.tenant.parents if inv.tenant is not None else ()), f"projects/{me}"]
    try:
        inherited = _bindings(session, chain)
    except GCP_ERRORS as exc:
        yield failure(
            me, DESTINATION_ACCESS, exc, f"reading the IAM policies of {', '.join(chain)}"
        )
        return
    scanned = sorted(set(project_numbers(inv)))
    for bucket, kind in buckets:
        bindings = list(inherited)
        if kind == "storage":
            try:
                own = storage_bucket_iam(session, str(bucket.data.get("name")))
            except GCP_ERRORS as exc:
                yield failure(
                    me,
                    DESTINATION_ACCESS,
                    exc,
                    f"reading the IAM policy of bucket {bucket.data.get('name')}",
                    bucket.region,
                )
                continue
            bindings += [(f"buckets/{bucket.data.get('name')}", b) for b in own]
        readers_roles = LOG_READER_ROLES if kind == "logging-bucket" else STORAGE_READER_ROLES
        readers = [
            {"member": m, "role": b.get("role"), "grantedAt": node,
             "condition": (b.get("condition") or {}).get("expression")}
            for node, b in bindings
            if b.get("role") in readers_roles or is_custom(str(b.get("role")))
            for m in b.get("members") or ()
        ]  # fmt: skip
        writers = []
        for sink_id in bucket.data.get("WrittenBy") or ():
            identity = str((sinks.get(sink_id) or {}).get("writerIdentity") or "")
            roles = [
                {"role": b.get("role"), "grantedAt": node}
                for node, b in bindings
                if identity and identity in (b.get("members") or ())
            ]
            writers.append({"sink": sink_id, "writerIdentity": identity, "Roles": roles})
        data = {
            "Bucket": bucket.data.get("name"),
            "BucketId": bucket.id,
            "DestinationType": kind,
            "projectId": me,
            "Readers": readers,
            "Writers": writers,
            "NeededWriterRoles": list(WRITER_ROLES[kind]),
            "OrganizationDomain": _domain(inv),
            "ScannedProjects": scanned,
        }
        yield resource(DESTINATION_ACCESS, f"{bucket.id}/access", me, bucket.region, data)


KINDS = [
    ResourceKind(
        name=DESTINATION_ACCESS,
        reads=(LOG_BUCKET, STORAGE_BUCKET, ORG_SINK, SINK, ORGANIZATION, PROJECT),
        cloud=NAME,
        description="Who can read each audit destination bucket, and what its sinks' writers hold.",
        collect=collect_destination_access,
        stage=3,
    ),
]
