"""Collect a tenant-level kind region by region, for services an account may not use at all.

The service-audit-log kinds (EKS clusters, RDS databases, load balancers, VPCs) list what
exists in each scanned region. A region that cannot be read is an error for that region only,
and nothing read from it is kept (a partial listing is never emitted). An account where every
region was read and nothing exists does not use the service: the kind raises
``NotApplicable``, so its controls give one SKIPPED row saying so, never a PASS over nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    failure,
    scan_regions,
    session_of,
    viewer_id,
)
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource

Item = Resource | CollectionError

#: Reads one region: (session, account id, region) -> the region's resources and the errors
#: of single resources in it. Raises an AWS error when the region cannot be listed.
RegionReader = Callable[[AwsSession, str, str], Iterable[Item]]


def collect_by_region(inv: Inventory, kind: str, what: str, read: RegionReader) -> Iterator[Item]:
    """Every scanned region's ``read``; ``NotApplicable`` when all were read and none has ``what``.

    ``what`` names the resources in plural ("EKS clusters"), for messages.
    """
    me = viewer_id(inv)
    session = session_of(inv)
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(me, kind, "", exc, "listing the enabled regions")
        return
    found = False
    for region in regions:
        try:
            items = list(read(session, me, region))  # the whole region, or an error
        except AWS_ERRORS as exc:
            found = True
            yield failure(me, kind, region, exc, f"listing {what}")
            continue
        found = found or bool(items)
        yield from items
    if not found:
        raise NotApplicable(f"no {what} in the scanned regions ({', '.join(regions)})")
