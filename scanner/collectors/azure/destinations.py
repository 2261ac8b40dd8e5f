"""Which subscription reads which Activity Log destination (workspace, storage account).

Stage 2: every subscription's diagnostic settings (stage 1) are known. A destination is read
once, by the subscription that owns it when that subscription is scanned (so its rows appear
there, like the AWS log bucket in the log-archive account); when the owner is not scanned (or
is disabled), by the lowest-id subscription that sends logs to it, so the destination is still
evaluated.
The read itself always goes to the owner subscription: one credential reaches every
subscription the scan may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    ResourceId,
    subscription_of,
)
from logwarden.scanner.collectors.azure.states import inactive_reason
from logwarden.scanner.inventory import Inventory


@dataclass
class Destination:
    """One destination resource and who sends Activity Logs to it."""

    resource_id: str  # as the first setting spells it
    parsed: ResourceId | None
    subscriptions: set[str] = field(default_factory=set)
    settings: set[str] = field(default_factory=set)

    @property
    def owner(self) -> str:
        """The subscription that owns the destination ("" when the id is malformed)."""
        return self.parsed.subscription if self.parsed else ""


def destinations(inv: Inventory, field_name: str) -> dict[str, Destination]:
    """Every destination named in ``field_name`` (``WorkspaceId``, ``StorageAccountId``) by
    any scanned subscription's Activity Log settings, keyed case-insensitively."""
    out: dict[str, Destination] = {}
    for peer, setting in inv.peer_resources(ACTIVITY_LOG_SETTING):
        rid = setting.data.get(field_name)
        if not isinstance(rid, str) or not rid:
            continue
        parsed = ResourceId.parse(rid)
        key = parsed.key if parsed else rid.lower()
        dest = out.setdefault(key, Destination(rid, parsed))
        dest.subscriptions.add(subscription_of(peer))
        dest.settings.add(setting.id)
    return out


def collected_here(inv: Inventory, field_name: str) -> list[tuple[Destination, str]]:
    """The destinations this subscription reads, each with the subscription it is
    attributed to (``Resource.tenant_id``): the owner when scanned, else this one."""
    me = subscription_of(inv)
    # A disabled subscription is not scanned: a destination it owns is read by a sender.
    peers = {subscription_of(p) for p in inv.scanned() if inactive_reason(p.tenant) is None}
    out: list[tuple[Destination, str]] = []
    for _, dest in sorted(destinations(inv, field_name).items()):
        if dest.owner in peers:
            if dest.owner == me:
                out.append((dest, me))
        elif me == min(dest.subscriptions & peers or {me}):
            out.append((dest, me))
    return out
