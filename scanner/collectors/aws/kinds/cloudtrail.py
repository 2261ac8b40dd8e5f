"""``aws.cloudtrail.*``: the organization trails (once, in the management account) and every
trail an account can see, each once, org trails included."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.collectors.aws import trails
from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    ORG_TRAIL,
    TRAIL,
    Arn,
    failure,
    problem,
    resource,
    scan_regions,
    session_of,
    viewer_id,
)
from logwarden.scanner.collectors.aws.kinds.organizations import require_org
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind


def collect_trails(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """DescribeTrails per region, de-duplicated by ARN, augmented once per trail.

    Organization trails come from the organization inventory (already augmented in the
    management account) whether or not the API lists them in this account; they are marked
    ``Shadow`` here and keep the management account as ``tenant_id``.
    """
    me = viewer_id(inv)
    session = session_of(inv)
    org_trails, org_errors = inv.org_kind(ORG_TRAIL)
    management = inv.organization.management_tenant_id if inv.organization else None
    if me != management:  # the management account hits the same errors in its own listing
        for org_err in org_errors:
            yield problem(
                me, TRAIL, org_err.region, org_err.code, f"organization trails: {org_err.message}"
            )
    org_by_arn = {r.id: r for r in org_trails}
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(me, TRAIL, "", exc, "listing the enabled regions")
        return
    found, errors = trails.list_trails(session, regions)
    for region, region_exc in errors:
        yield failure(me, TRAIL, region, region_exc, "listing trails")
    for arn, raw in found.items():
        owner = (Arn.parse(arn) or Arn("", "", "", me, "")).account
        if owner != me and arn in org_by_arn:
            yield _as_shadow(org_by_arn[arn], me)
        else:
            yield from trails.trail_items(session, raw, viewer=me, kind=TRAIL)
    for arn, org_trail in org_by_arn.items():
        if arn not in found:
            yield _as_shadow(org_trail, me)


def collect_org_trails(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The organization trails owned by the management account, each once."""
    require_org(inv)
    owner = viewer_id(inv)
    session = session_of(inv)
    try:
        regions = scan_regions(inv)
    except AWS_ERRORS as exc:
        yield failure(owner, ORG_TRAIL, "", exc, "listing the enabled regions")
        return
    found, errors = trails.list_trails(session, regions)
    for region, err in errors:
        yield failure(owner, ORG_TRAIL, region, err, "listing trails")
    for arn, raw in found.items():
        parsed = Arn.parse(arn)
        if not raw.get("IsOrganizationTrail") or parsed is None or parsed.account != owner:
            continue
        yield from trails.trail_items(session, raw, viewer=owner, kind=ORG_TRAIL)


def _as_shadow(org_trail: Resource, viewer: str) -> Resource:
    data = dict(org_trail.data)
    data["Shadow"] = org_trail.tenant_id != viewer
    return resource(TRAIL, org_trail.id, org_trail.tenant_id, org_trail.region, data)


KINDS = [
    ResourceKind(
        name=ORG_TRAIL,
        reads=(),
        cloud=NAME,
        description="Organization trails of the management account, with status and selectors.",
        collect=collect_org_trails,
        organization=True,
    ),
    ResourceKind(
        name=TRAIL,
        reads=(ORG_TRAIL,),
        cloud=NAME,
        description="CloudTrail trails visible to the account (own and organization), each once.",
        collect=collect_trails,
        stage=1,
    ),
]
