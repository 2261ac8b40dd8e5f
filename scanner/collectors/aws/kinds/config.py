"""``aws.config.recorder`` and ``aws.config.regions``: AWS Config recorders, and the regions scanned."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    CONFIG_RECORDER,
    CONFIG_REGIONS,
    NAME,
    failure,
    resource,
    scan_regions,
    session_of,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def collect_recorders(inv: Inventory) -> Iterator[Item]:
    """Configuration recorders with their status, per region (each region's ``default`` apart)."""
    me = viewer_id(inv)
    session = session_of(inv)
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(me, CONFIG_RECORDER, "", exc, "listing the enabled regions")
        return
    for region in regions:
        client = session.client("config", region)
        try:
            recorders = client.describe_configuration_recorders()["ConfigurationRecorders"]
            # No recorder: no status to ask for (saves a call in every unconfigured region).
            statuses = (
                client.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
                if recorders
                else []
            )
        except AWS_ERRORS as exc:
            yield failure(me, CONFIG_RECORDER, region, exc, "describing configuration recorders")
            continue
        by_name = {s["name"]: s for s in statuses}
        for rec in recorders:
            name = rec["name"]
            data = {**rec}
            if name in by_name:
                data["Status"] = by_name[name]
            rid = f"arn:{session.partition}:config:{region}:{me}:config-recorder/{name}"
            yield resource(CONFIG_RECORDER, rid, me, region, data)


def collect_regions(inv: Inventory) -> Iterator[Item]:
    """The regions scanned for the account, so per-region checks know what to expect."""
    me = viewer_id(inv)
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(me, CONFIG_REGIONS, "", exc, "listing the enabled regions")
        return
    rid = f"arn:{session_of(inv).partition}:config::{me}:regions"
    yield resource(CONFIG_REGIONS, rid, me, "", {"Regions": list(regions)})


KINDS = [
    ResourceKind(
        name=CONFIG_RECORDER,
        reads=(),
        cloud=NAME,
        description="AWS Config recorders with status, keyed by (region, name).",
        collect=collect_recorders,
        stage=1,
        volatile=("Status.lastStatus",),  # PENDING and SUCCESS alternate every delivery
    ),
    ResourceKind(
        name=CONFIG_REGIONS,
        reads=(),
        cloud=NAME,
        description="The regions scanned for the account.",
        collect=collect_regions,
        stage=1,
    ),
]
