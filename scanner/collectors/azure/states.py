"""Subscriptions that are listed but not scanned: state ``Disabled`` or ``Deleted``.

Discovery keeps them (every mode), with their state in ``Tenant.attributes["state"]``, so the
report says why they have no findings; every Azure kind then answers ``NotApplicable`` for them
before any request is made, which makes each of their rows SKIPPED with the reason. ``Warned``
and ``PastDue`` subscriptions still work (and still log), so they are scanned like ``Enabled``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind, Tenant

INACTIVE = frozenset({"disabled", "deleted"})


def inactive_reason(tenant: Tenant | None) -> str | None:
    """Why ``tenant`` is not scanned, or None when it is (unknown states are scanned)."""
    if tenant is None:
        return None
    state = str(tenant.attributes.get("state") or "")
    if state.lower() not in INACTIVE:
        return None
    return (
        f"subscription {tenant.name} is {state}: a disabled or deleted subscription is "
        "read-only and its services are stopped, so logwarden does not scan it (it is "
        "scanned again once it is Enabled)"
    )


def skip_inactive(kind: ResourceKind) -> ResourceKind:
    """``kind`` whose collection raises ``NotApplicable`` for an inactive subscription, before
    any request is made."""
    collect = kind.collect

    def guarded(inv: Inventory) -> Iterable[Resource | CollectionError]:
        reason = inactive_reason(inv.tenant)
        if reason is not None:
            raise NotApplicable(reason)
        return collect(inv)

    return dataclasses.replace(kind, collect=guarded)
