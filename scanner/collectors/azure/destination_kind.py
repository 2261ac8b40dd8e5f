"""One collector for the kinds of the Activity Log's destinations (workspaces, storage
accounts): each destination a subscription reads is read once, in its owner's subscription;
an id that is not one, a destination that is gone and a read that fails are collection
errors naming the subscriptions that send there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    ResourceId,
    failure,
    not_found,
    problem,
    resource,
    session_of,
    subscription_of,
)
from logwarden.scanner.collectors.azure.destinations import collected_here
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource

#: ``pool, parsed id -> document`` of one destination (raises the SDK's errors)
Reader = Callable[[SessionPool, ResourceId], dict[str, Any]]


def collect_destinations(
    inv: Inventory, field_name: str, kind: str, noun: str, missing_code: str, read: Reader
) -> Iterator[Resource | CollectionError]:
    """The destinations of ``field_name`` (``WorkspaceId``, ...) this subscription reads, as
    ``kind`` resources; ``noun`` names one in messages (``storage account``)."""
    me = subscription_of(inv)
    pool = session_of(inv).pool
    for dest, tenant in collected_here(inv, field_name):
        senders = ", ".join(sorted(dest.subscriptions))
        if dest.parsed is None:
            yield problem(
                me,
                kind,
                "InvalidResourceId",
                f"{dest.resource_id!r} (sent to by {senders}) is not a {noun} id",
            )
            continue
        try:
            data = read(pool, dest.parsed)
        except AZURE_ERRORS as exc:
            if not_found(exc):
                yield problem(
                    me,
                    kind,
                    missing_code,
                    f"Activity Logs of {senders} go to {noun} {dest.resource_id}, "
                    "which does not exist (or is not visible to the credential)",
                )
            else:
                yield failure(me, kind, exc, f"{noun} {dest.resource_id}")
            continue
        data = {**data, "ReceivesActivityLogsFrom": sorted(dest.subscriptions)}
        rid = str(data.get("id") or dest.resource_id)
        yield resource(kind, rid, tenant, str(data.get("location") or ""), data)
