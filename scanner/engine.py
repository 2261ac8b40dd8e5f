"""The scan: discover scopes, collect in stages across tenants, evaluate, apply waivers.

Tenants are processed by a bounded thread pool (``jobs``). Every future's result is read,
so an exception in a worker is never dropped. Kinds with a stage are collected for every
tenant before the next stage starts, because later collectors read them across tenants
(for example the log bucket is found from the trails of all accounts).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    CheckResult,
    CloudTerms,
    CollectionError,
    Discovery,
    Gate,
    Organization,
    ResourceKind,
    ScanReport,
    Tenant,
    Waiver,
)
from logwarden.scanner.plan import ScanPlan, needed_kinds
from logwarden.scanner.report import ScanOutcome, build_report
from logwarden.scanner.rules import Catalogue
from logwarden.scanner.runners import PlanRunner, run_local
from logwarden.scanner.shards import Shard
from logwarden.scanner.spill import InventorySpill
from logwarden.scanner.waivers import apply_waivers

log = logging.getLogger("logwarden.engine")
__all__ = ["ScanInput", "Scope_", "discover", "evaluate_scan", "needed_kinds", "run_scan"]


@dataclass
class Scope_:
    """One organization with its own inventory and the tenants below it."""

    organization: Organization
    inventory: Inventory
    tenants: list[Inventory] = field(default_factory=list)


@dataclass
class ScanInput:
    """What to evaluate: organizations with inventories (live or loaded from a file), and
    what reports call each cloud."""

    scopes: list[Scope_]
    errors: list[CollectionError] = field(default_factory=list)
    clouds: Mapping[str, CloudTerms] = field(default_factory=dict)


def discover(
    clouds: Mapping[str, Cloud],
    settings: Mapping[str, Any],
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
    select: Callable[[Sequence[Tenant]], list[Tenant]] | None = None,
) -> ScanInput:
    """Ask each cloud in ``settings`` for its organizations and tenants; wire up their
    inventories.

    :param clouds: the registered clouds (``Registry.clouds``).
    :param settings: each scanned cloud's settings, from its ``Cloud.settings``.
    :param select: the tenants to scan of those a cloud discovered (``--tenants``, ...;
        ``tenant_selection.TenantFilter``); no inventory is made for the others, and an
        organization whose every tenant is left out is not scanned.
    """
    scan = ScanInput(scopes=[], clouds={name: clouds[name].terms for name in settings})
    for name, cloud_settings in settings.items():
        cloud = clouds[name]
        discovery: Discovery = cloud.discover(cloud_settings)
        scan.errors.extend(discovery.errors)
        for error in discovery.errors:
            log.info("%s discovery failed: %s: %s", name, error.code, error.message)
        discovery = _selected(name, discovery, select)
        scan.scopes += discovered_scopes(cloud, cloud_settings, discovery, kinds, parameters)
    return scan


def _selected(
    cloud: str, discovery: Discovery, select: Callable[[Sequence[Tenant]], list[Tenant]] | None
) -> Discovery:
    """``discovery`` with the tenants ``select`` keeps (all without ``select``), and without
    the organizations whose every tenant it left out."""
    tenants = list(discovery.tenants) if select is None else select(discovery.tenants)
    log.info(
        "%s: %d of %d discovered tenants selected", cloud, len(tenants), len(discovery.tenants)
    )
    if select is None:
        return discovery
    organizations = []
    for org in discovery.organizations:
        if _emptied(org, discovery.tenants, tenants):
            log.info("%s: %s not scanned: none of its tenants is selected", cloud, org.id)
        else:
            organizations.append(org)
    return replace(discovery, organizations=organizations, tenants=tenants)


def _emptied(org: Organization, found: Sequence[Tenant], kept: Sequence[Tenant]) -> bool:
    """Whether the selection left out every tenant discovery found in ``org``."""
    return any(t.organization_id == org.id for t in found) and not any(
        t.organization_id == org.id for t in kept
    )


def discovered_scopes(
    cloud: Cloud,
    settings: Any,
    discovery: Discovery,
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
) -> list[Scope_]:
    """The live scopes of what ``cloud`` discovered (a Dask worker rebuilds them this way)."""
    return [
        _live_scope(cloud, settings, org, discovery.tenants, kinds, parameters)
        for org in discovery.organizations
    ]


def _live_scope(
    cloud: Cloud,
    settings: Any,
    org: Organization,
    tenants: list[Tenant],
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
) -> Scope_:
    def opener(tenant: Tenant | None) -> Callable[[], Any]:
        return lambda: cloud.open_session(settings, tenant, org)

    cloud_kinds = {k: v for k, v in kinds.items() if v.cloud == cloud.name}
    org_inv = Inventory(
        cloud=cloud.name,
        tenant=None,
        organization=org,
        kinds=cloud_kinds,
        session_factory=opener(None),
        parameters=parameters,
    )
    scope = Scope_(organization=org, inventory=org_inv)
    for tenant in tenants:
        if tenant.organization_id != org.id:
            continue
        scope.tenants.append(
            Inventory(
                cloud=cloud.name,
                tenant=tenant,
                organization=org,
                kinds=cloud_kinds,
                session_factory=opener(tenant),
                parameters=parameters,
                org_inventory=org_inv,
            )
        )
    link_peers(scope)
    return scope


def link_peers(scope: Scope_) -> None:
    """Let every tenant inventory see the others of its organization, and share the facts
    derived from all of them (``Inventory.scope_memo``)."""
    memo = Memo()
    for inv in scope.tenants:
        inv.peers = scope.tenants
        inv.scope_memo = memo


def evaluate_scan(
    scan: ScanInput,
    catalogue: Catalogue,
    *,
    jobs: int = 8,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    shard: Shard | None = None,
    runner: PlanRunner | None = None,
    spill: InventorySpill | None = None,
    release: bool = False,
    keep: Collection[str] = (),
) -> ScanOutcome:
    """Collect (organization facts, then stage by stage across tenants) and evaluate every
    enabled check over every tenant and organization; the rows come back sorted, with the
    waivers applied.

    :param shard: scan as this shard: evaluate its tenants only (see ``scanner/shards.py``).
    :param runner: where the work runs (``run_local``: this process's threads, the default;
        ``scanner/dask_run.py``: a Dask cluster). Every runner follows the same plan.
    :param spill: where each tenant's collections go once it is evaluated (for
        ``--save-inventory``).
    :param release: drop each tenant's collections once it is evaluated (all but the kinds
        other tenants read, and ``keep``), so collected resources do not pile up; a caller
        that reads every collection afterwards (history, drift) reads them from ``spill``.
    """
    started = _now()
    clouds = {s.organization.cloud for s in scan.scopes}
    checks = catalogue.enabled_checks(clouds)
    plan = ScanPlan.of(scan, checks, catalogue.parameters, shard, release, keep)
    outcomes = (runner or run_local)(plan, jobs, spill)
    rows: list[CheckResult] = []
    errors: list[CollectionError] = []
    if plan.reports_organizations:
        errors += scan.errors
        errors += [e for scope in scan.scopes for e in scope.inventory.errors()]
    for outcome in outcomes:
        errors += outcome.errors
        for ev in outcome.evaluations:
            rows.extend(ev.results)
            errors += ev.internal_errors
    rows.sort(key=row_order)
    results, expired = apply_waivers(rows, waivers or [], today or dt.date.today())
    return ScanOutcome(
        results=tuple(results),
        errors=tuple(sorted(set(errors), key=error_order)),
        tenants=tuple(inv.tenant for inv in plan.own_tenants() if inv.tenant is not None),
        organizations=tuple(s.organization for s in scan.scopes),
        checks=tuple(checks),
        started_at=started,
        finished_at=_now(),
        expired_waivers=tuple(expired),
        parameters=dict(plan.parameters),
        clouds=dict(scan.clouds),
    )


def row_order(row: CheckResult) -> tuple[str, ...]:
    """The order of a report's rows: the same whichever tenant finished first, or shard."""
    return (
        row.cloud,
        row.tenant_id,
        row.check_id,
        row.region,
        row.resource_id,
        row.status.value,
        row.message,
    )


def error_order(error: CollectionError) -> tuple[Any, ...]:
    """The order of a report's collection errors."""
    return (
        error.cloud,
        error.tenant_id,
        error.kind,
        error.region,
        error.code,
        error.message,
        error.internal,
    )


def run_scan(
    scan: ScanInput,
    catalogue: Catalogue,
    *,
    jobs: int = 8,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    gate: Gate | None = None,
    release: bool = False,
) -> ScanReport:
    """The report of a scan without history or a baseline: evaluate, then build it once
    (``release``: see ``evaluate_scan``)."""
    outcome = evaluate_scan(
        scan, catalogue, jobs=jobs, waivers=waivers, today=today, release=release
    )
    return build_report(outcome, gate)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
