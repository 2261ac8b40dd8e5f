"""``gcp.logging.exporting_sinks``: every sink that exports a project's log entries (CIS GCP
2.2): the project's own sinks (built-in ``_Default`` / ``_Required`` aside) and the
organization and folder sinks above it with ``includeChildren``.

A sink with an empty filter gets ``DestinationExists``: a log bucket or Cloud Storage bucket is
read (memoised, shared with the bucket kinds), a destination project is looked up in
Resource Manager (a scanned project needs no call); other destinations stay unverified. Other
sinks cannot export every entry, so nothing is read for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp import hierarchy
from logwarden.scanner.collectors.gcp.common import (
    EXPORTING_SINKS,
    GCP_ERRORS,
    LOGGING,
    NAME,
    ORG_SINK,
    PROJECT,
    SINK,
    failure,
    project_numbers,
    rekind,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.logging_api import destination_exists
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError
FIELDS = ("name", "destination", "filter", "disabled", "includeChildren", "exclusions")


def _exists(inv: Inventory, data: Mapping[str, Any], numbers: dict[str, str]) -> bool | None:
    if data.get("DestinationType") != "project":
        return destination_exists(session_of(inv), data)
    project = str((data.get("DestinationParts") or {}).get("Project"))
    if project in numbers:
        return True
    try:
        hierarchy.get_node(session_of(inv), f"projects/{project}")
    except NotFound:
        return False
    return True


def collect_exporting_sinks(inv: Inventory) -> Iterator[Item]:
    """One document per project: the sinks that export its entries."""
    me = inv.owner_id
    org_sinks, org_errors = inv.org_kind(ORG_SINK)
    own = inv.get(SINK)
    errors = [rekind(e, EXPORTING_SINKS, me, "organization and folder sinks") for e in org_errors]
    errors += [rekind(e, EXPORTING_SINKS, me, "the project's sinks") for e in own.errors]
    if errors:
        yield from errors
        return
    chain = set(inv.tenant.parents if inv.tenant is not None else ())
    candidates = [s for s in own.resources if not s.data.get("BuiltIn")]
    candidates += [
        s for s in org_sinks
        if s.data.get("Parent") in chain and s.data.get("includeChildren") is True
    ]  # fmt: skip
    numbers = project_numbers(inv)
    sinks = []
    for sink in candidates:
        data = sink.data
        doc = {k: data.get(k) for k in FIELDS}
        doc |= {
            "Id": sink.id,
            "Level": data.get("Level"),
            "Parent": data.get("Parent"),
            "DestinationType": data.get("DestinationType"),
        }
        if not str(data.get("filter") or "").strip() and data.get("disabled") is not True:
            try:
                exists = data.get("DestinationExists")
                doc["DestinationExists"] = (
                    exists if exists is not None else _exists(inv, data, numbers)
                )
            except GCP_ERRORS as exc:
                yield failure(me, EXPORTING_SINKS, exc, f"reading the destination of {sink.id}")
                return
        sinks.append(doc)
    data = {"projectId": me, "Sinks": sinks}
    yield resource(EXPORTING_SINKS, f"{LOGGING}projects/{me}/exportingSinks", me, "", data)


KINDS = [
    ResourceKind(
        name=EXPORTING_SINKS,
        reads=(ORG_SINK, SINK, PROJECT),
        cloud=NAME,
        description="Every sink that exports the project's log entries (its own and above it).",
        collect=collect_exporting_sinks,
        stage=2,
    ),
]
