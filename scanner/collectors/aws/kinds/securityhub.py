"""``aws.securityhub.hub``: whether Security Hub is enabled, per scanned region (CIS AWS 5.16)."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    failure,
    regions_or_error,
    resource,
    session_of,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

SECURITY_HUB = "aws.securityhub.hub"


def _not_subscribed(exc: ClientError) -> bool:
    """DescribeHub's answer for an account that never enabled Security Hub in the region.

    Only this answer means "not enabled"; AccessDenied, throttling and the rest are errors.
    """
    error = exc.response.get("Error", {})
    return (
        error.get("Code") == "InvalidAccessException"
        and "not subscribed" in str(error.get("Message", "")).lower()
    )


def collect_hubs(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One ``DescribeHub`` per scanned region: one document per region, enabled or not."""
    me = viewer_id(inv)
    session = session_of(inv)
    regions, error = regions_or_error(inv, SECURITY_HUB)
    if error is not None:
        yield error
        return
    for region in regions:
        rid = f"arn:{session.partition}:securityhub:{region}:{me}:hub/default"
        try:
            answer = session.client("securityhub", region).describe_hub()
        except ClientError as exc:
            if _not_subscribed(exc):
                yield resource(SECURITY_HUB, rid, me, region, {"Region": region, "Enabled": False})
                continue
            yield failure(me, SECURITY_HUB, region, exc, "describing the Security Hub hub")
            continue
        except AWS_ERRORS as exc:
            yield failure(me, SECURITY_HUB, region, exc, "describing the Security Hub hub")
            continue
        data = {
            k: answer[k] for k in ("HubArn", "SubscribedAt", "AutoEnableControls") if k in answer
        }
        yield resource(SECURITY_HUB, rid, me, region, {"Region": region, "Enabled": True, **data})


KINDS = [
    ResourceKind(
        name=SECURITY_HUB,
        reads=(),
        cloud=NAME,
        description="Security Hub per scanned region: enabled (subscribed) or not.",
        collect=collect_hubs,
        stage=1,
    ),
]
