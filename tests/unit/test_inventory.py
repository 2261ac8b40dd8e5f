"""The cross-tenant views every cloud's collectors share, on ``Inventory`` itself: the scanned
tenants, their resources of an earlier stage, and an organization kind as a tenant sees it."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.engine import Scope_, link_peers
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    CollectionError,
    Organization,
    Resource,
    ResourceKind,
    Tenant,
)

CLOUD = "toy"
LOGS = "toy.logs.sink"
ROOT_POLICY = "toy.org.policy"


def sinks(inv: Inventory) -> Iterator[Resource | CollectionError]:
    yield Resource(LOGS, f"sink-{inv.owner_id}", inv.owner_id, "", {"n": 1})


def root_policy(inv: Inventory) -> Iterator[Resource | CollectionError]:
    yield Resource(ROOT_POLICY, "policy", inv.owner_id, "", {})
    yield CollectionError(CLOUD, inv.owner_id, ROOT_POLICY, "", "Denied", "one part unreadable")


KINDS = {
    LOGS: ResourceKind(LOGS, CLOUD, "sinks", sinks, stage=1),
    ROOT_POLICY: ResourceKind(ROOT_POLICY, CLOUD, "policy", root_policy, organization=True),
}


def scope(facts_available: bool = True, tenants: tuple[str, ...] = ("t1", "t2")) -> Scope_:
    org = Organization(CLOUD, "o-1", "org", facts_available=facts_available)
    org_inv = Inventory(
        cloud=CLOUD, tenant=None, organization=org, kinds=KINDS, session_factory=object
    )
    out = Scope_(organization=org, inventory=org_inv)
    for tid in tenants:
        tenant = Tenant(CLOUD, tid, tid, organization_id=org.id)
        out.tenants.append(
            Inventory(
                cloud=CLOUD,
                tenant=tenant,
                organization=org,
                kinds=KINDS,
                session_factory=object,
                org_inventory=org_inv,
            )
        )
    link_peers(out)
    return out


def test_scanned_is_every_tenant_of_the_scan_in_order() -> None:
    s = scope()
    assert [p.owner_id for p in s.tenants[1].scanned()] == ["t1", "t2"]
    alone = scope(tenants=("t1",)).tenants[0]
    alone.peers = []  # not linked: a tenant still sees itself
    assert alone.scanned() == [alone]


def test_peer_resources_are_every_tenants_own_with_their_inventory() -> None:
    s = scope()
    found = [(peer.owner_id, res.id) for peer, res in s.tenants[0].peer_resources(LOGS)]
    assert found == [("t1", "sink-t1"), ("t2", "sink-t2")]


def test_org_kind_is_read_once_from_the_organization_and_empty_without_facts() -> None:
    s = scope()
    resources, errors = s.tenants[0].org_kind(ROOT_POLICY)
    assert [r.id for r in resources] == ["policy"] and [e.code for e in errors] == ["Denied"]
    assert s.tenants[1].org_kind(ROOT_POLICY)[0] == resources  # the same collection
    assert s.inventory.org_kind(ROOT_POLICY)[0] == resources
    without = scope(facts_available=False)
    assert without.tenants[0].org_kind(ROOT_POLICY) == ([], [])
    assert without.inventory.collected() == {}  # nothing was collected for it
