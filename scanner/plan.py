"""What a scan collects and evaluates, and for which tenants: the same plan whether the work
runs on local threads, as one shard of several, or as tasks on a Dask cluster.

1. The organization facts: the organization kinds the selected controls need, collected once
   per organization before any tenant (``org_items``).
2. The shared stages: a collector may read the kinds of an earlier stage of any tenant (which
   bucket another account's trail writes to), so the kinds some collector reads (``peer``
   kinds) are collected for every tenant, stage 1 first, then stage 2, ... (``stage_items``).
   A shard does it too, for the tenants of the other shards: the facts it reads across the
   organization are those of a single scan.
3. The evaluation: one subject per own tenant (tenant-scope controls) and, in a shard 1 or
   an unsharded scan, one per organization (organization-scope controls). A tenant's other
   kinds are collected while its subject is evaluated, and dropped once it is (all but the
   peer kinds and those Python controls read across tenants), so collections do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    Check,
    Implementation,
    Organization,
    ResourceKind,
    Scope,
    Tenant,
)
from logwarden.scanner.shards import Shard

if TYPE_CHECKING:
    from logwarden.scanner.engine import ScanInput


def needed_kinds(checks: Iterable[Check], kinds: Mapping[str, ResourceKind]) -> set[str]:
    """The kinds a scan with ``checks`` needs: those the checks declare, and every kind the
    collectors of those read (``ResourceKind.reads``; an undeclared staged kind may read any
    kind of an earlier stage of its cloud). Staged kinds outside this set are not collected,
    so the calls of a scan grow with the controls it selects."""
    todo = [k for check in checks for k in check.kinds if k in kinds]
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo.extend(_reads(kinds[name], kinds))
    return needed


def peer_kinds(needed: Iterable[str], kinds: Mapping[str, ResourceKind]) -> set[str]:
    """The staged tenant kinds that a needed collector reads, maybe of another tenant: a shard
    collects them for every tenant of the organization, and a Dask task receives every
    tenant's. (A kind read only from the tenant itself is included too: ``reads`` does not
    say whose.)"""
    out: set[str] = set()
    for name in needed:
        for read in _reads(kinds[name], kinds):
            spec = kinds[read]
            if spec.stage > 0 and not spec.organization:
                out.add(read)
    return out


def checked_across_tenants(checks: Iterable[Check], kinds: Mapping[str, ResourceKind]) -> set[str]:
    """The staged tenant kinds a Python control declares: it may read them of another tenant
    (the monitoring controls read the metric filters of the account that owns the
    organization trail's log group), so they stay collected after their tenant is evaluated.
    Declarative controls read only their own tenant's. Kept, not collected for every tenant
    in advance: the control reads them of one tenant or a few, collected then, once."""
    return {
        k
        for check in checks
        if check.implementation is Implementation.PYTHON
        for k in check.kinds
        if k in kinds and kinds[k].stage > 0 and not kinds[k].organization
    }


def _reads(spec: ResourceKind, kinds: Mapping[str, ResourceKind]) -> list[str]:
    if spec.reads is not None:
        return [r for r in spec.reads if r in kinds]
    if spec.stage > 0:
        return [k for k, v in kinds.items() if v.cloud == spec.cloud and 0 < v.stage < spec.stage]
    return []


@dataclass(frozen=True)
class Subject:
    """One evaluation: ``checks`` over one tenant (``tenant=None``: the organization)."""

    checks: tuple[Check, ...]
    tenant: Tenant | None
    organization: Organization
    inventory: Inventory


@dataclass
class ScanPlan:
    """The work of one scan (see the module docstring)."""

    scan: ScanInput
    checks: list[Check]
    parameters: dict[str, Any]
    kinds: dict[str, ResourceKind]
    needed: set[str]
    peer: set[str]
    shard: Shard | None = None
    # Drop a tenant's collections once it is evaluated (all but the ``keep`` kinds); off when
    # the caller reads every inventory afterwards and kept no spill of them.
    release: bool = False
    # What a released tenant keeps: the peer kinds, those controls read across tenants, and
    # what the caller reads afterwards (attribution: ``Cloud.attribution_reads``).
    keep: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        scan: ScanInput,
        checks: list[Check],
        parameters: Mapping[str, Any],
        shard: Shard | None,
        release: bool = False,
        keep: Iterable[str] = (),
    ) -> ScanPlan:
        """The plan of ``scan`` for ``checks`` (a shard's when ``shard`` is given; ``keep``:
        more kinds a released tenant keeps)."""
        kinds: dict[str, ResourceKind] = {}
        for scope in scan.scopes:
            kinds.update(scope.inventory.kinds)
        needed = needed_kinds(checks, kinds)
        peer = peer_kinds(needed, kinds)
        kept = frozenset(peer | checked_across_tenants(checks, kinds) | set(keep))
        return cls(scan, checks, dict(parameters), kinds, needed, peer, shard, release, kept)

    def own(self, inv: Inventory) -> bool:
        """Whether this scan evaluates ``inv``'s tenant (every tenant when not sharded)."""
        return self.shard is None or inv.tenant is None or self.shard.owns(inv.tenant)

    @property
    def reports_organizations(self) -> bool:
        """Whether this scan reports the organization rows and discovery errors."""
        return self.shard is None or self.shard.first

    def org_items(self) -> list[tuple[Inventory, str]]:
        """(organization inventory, kind) for every organization kind the scan needs."""
        return [
            (scope.inventory, name)
            for scope in self.scan.scopes
            if scope.organization.facts_available
            for name, kind in sorted(scope.inventory.kinds.items())
            if kind.organization and name in self.needed
        ]

    def stage_kinds(self, inv: Inventory, stage: int) -> list[str]:
        """The peer kinds of ``stage`` of ``inv``'s cloud."""
        return [
            name
            for name, kind in sorted(inv.kinds.items())
            if kind.stage == stage and not kind.organization and name in self.peer
        ]

    def stages(self) -> list[int]:
        """The stages of the peer kinds, in order."""
        return sorted({k.stage for n, k in self.kinds.items() if k.stage > 0 and n in self.peer})

    def stage_items(self, stage: int) -> list[tuple[Inventory, str]]:
        """(tenant inventory, kind) for every collection of ``stage``."""
        return [
            (inv, name)
            for scope in self.scan.scopes
            for inv in scope.tenants
            for name in self.stage_kinds(inv, stage)
        ]

    def own_tenants(self) -> list[Inventory]:
        """The tenant inventories this scan evaluates, in discovery order."""
        return [inv for scope in self.scan.scopes for inv in scope.tenants if self.own(inv)]

    def subjects(self) -> list[Subject]:
        """Every evaluation of the scan: the organizations' (unless a shard other than 1),
        then each own tenant's."""
        out: list[Subject] = []
        for scope in self.scan.scopes:
            org = scope.organization
            cloud_checks = [c for c in self.checks if c.cloud == org.cloud]
            if self.reports_organizations:
                org_checks = tuple(c for c in cloud_checks if c.scope is Scope.ORGANIZATION)
                out.append(Subject(org_checks, None, org, scope.inventory))
            tenant_checks = tuple(c for c in cloud_checks if c.scope is not Scope.ORGANIZATION)
            out.extend(
                Subject(tenant_checks, inv.tenant, org, inv)
                for inv in scope.tenants
                if self.own(inv)
            )
        return out
