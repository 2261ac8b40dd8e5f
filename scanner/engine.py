"""The scan: discover scopes, collect in stages across tenants, evaluate, apply waivers.

Tenants are processed by a bounded thread pool (``jobs``). Every future's result is read,
so an exception in a worker is never dropped. Kinds with a stage are collected for every
tenant before the next stage starts, because later collectors read them across tenants
(for example the log bucket is found from the trails of all accounts).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.evaluator import evaluate
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    Check,
    CheckResult,
    CloudTerms,
    CollectionError,
    Discovery,
    Gate,
    Organization,
    ResourceKind,
    ScanReport,
    Scope,
    Tenant,
    Waiver,
)
from logwarden.scanner.report import ScanOutcome, build_report
from logwarden.scanner.rules import Catalogue
from logwarden.scanner.waivers import apply_waivers

log = logging.getLogger("logwarden.engine")
T = TypeVar("T")
R = TypeVar("R")


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
        tenants = list(discovery.tenants) if select is None else select(discovery.tenants)
        log.info(
            "%s: %d of %d discovered tenants selected", name, len(tenants), len(discovery.tenants)
        )
        for org in discovery.organizations:
            if select is not None and _emptied(org, discovery.tenants, tenants):
                log.info("%s: %s not scanned: none of its tenants is selected", name, org.id)
                continue
            scan.scopes.append(_live_scope(cloud, cloud_settings, org, tenants, kinds, parameters))
    return scan


def _emptied(org: Organization, found: Sequence[Tenant], kept: Sequence[Tenant]) -> bool:
    """Whether the selection left out every tenant discovery found in ``org``."""
    return any(t.organization_id == org.id for t in found) and not any(
        t.organization_id == org.id for t in kept
    )


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
    """Let every tenant inventory see the others of its organization."""
    for inv in scope.tenants:
        inv.peers = scope.tenants


def evaluate_scan(
    scan: ScanInput,
    catalogue: Catalogue,
    *,
    jobs: int = 8,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
) -> ScanOutcome:
    """Collect (staged) and evaluate every enabled check over every tenant and organization;
    the rows come back sorted, with the waivers applied."""
    started = _now()
    clouds = {s.organization.cloud for s in scan.scopes}
    checks = catalogue.enabled_checks(clouds)
    params = dict(catalogue.parameters)
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="logwarden") as pool:
        _collect_stages(pool, scan.scopes, needed_kinds(checks, _all_kinds(scan)))
        subjects: list[tuple[list[Check], Tenant | None, Organization, Inventory]] = []
        for scope in scan.scopes:
            cloud_checks = [c for c in checks if c.cloud == scope.organization.cloud]
            org_checks = [c for c in cloud_checks if c.scope is Scope.ORGANIZATION]
            subjects.append((org_checks, None, scope.organization, scope.inventory))
            tenant_checks = [c for c in cloud_checks if c.scope is not Scope.ORGANIZATION]
            subjects.extend(
                (tenant_checks, inv.tenant, scope.organization, inv) for inv in scope.tenants
            )
        # One job per tenant: its lazily collected kinds are fetched by one worker while the
        # other workers serve other tenants.
        evaluations = [
            ev
            for batch in _map(
                pool,
                lambda job: [
                    evaluate(
                        c, tenant=job[1], organization=job[2], inventory=job[3], parameters=params
                    )
                    for c in job[0]
                ],
                subjects,
            )
            for ev in batch
        ]
    rows: list[CheckResult] = []
    internal: list[CollectionError] = []
    for ev in evaluations:
        rows.extend(ev.results)
        internal.extend(ev.internal_errors)
    rows.sort(key=lambda r: (r.cloud, r.tenant_id, r.check_id, r.region, r.resource_id))
    results, expired = apply_waivers(rows, waivers or [], today or dt.date.today())
    return ScanOutcome(
        results=tuple(results),
        errors=tuple(collection_errors(scan) + internal),
        tenants=tuple(
            inv.tenant for s in scan.scopes for inv in s.tenants if inv.tenant is not None
        ),
        organizations=tuple(s.organization for s in scan.scopes),
        checks=tuple(checks),
        started_at=started,
        finished_at=_now(),
        expired_waivers=tuple(expired),
        parameters=params,
        clouds=dict(scan.clouds),
    )


def run_scan(
    scan: ScanInput,
    catalogue: Catalogue,
    *,
    jobs: int = 8,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    gate: Gate | None = None,
) -> ScanReport:
    """The report of a scan without history or a baseline: evaluate, then build it once."""
    outcome = evaluate_scan(scan, catalogue, jobs=jobs, waivers=waivers, today=today)
    return build_report(outcome, gate)


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
        spec = kinds[name]
        if spec.reads is not None:
            todo.extend(r for r in spec.reads if r in kinds)
        elif spec.stage > 0:
            todo.extend(
                k for k, v in kinds.items() if v.cloud == spec.cloud and 0 < v.stage < spec.stage
            )
    return needed


def _all_kinds(scan: ScanInput) -> dict[str, ResourceKind]:
    found: dict[str, ResourceKind] = {}
    for scope in scan.scopes:
        found.update(scope.inventory.kinds)
    return found


def _collect_stages(pool: ThreadPoolExecutor, scopes: list[Scope_], needed: set[str]) -> None:
    stages: dict[int, list[tuple[Inventory, str]]] = {}
    for scope in scopes:
        for inv in scope.tenants:
            for name, kind in inv.kinds.items():
                if kind.stage > 0 and not kind.organization and name in needed:
                    stages.setdefault(kind.stage, []).append((inv, name))
    for stage in sorted(stages):
        _map(pool, lambda item: item[0].get(item[1]), stages[stage])


def _map(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    futures = [pool.submit(fn, item) for item in items]
    return [f.result() for f in futures]  # re-raises a worker's exception


def collection_errors(scan: ScanInput) -> list[CollectionError]:
    """Every collection error of the scan, once each."""
    seen: dict[CollectionError, None] = dict.fromkeys(scan.errors)
    for scope in scan.scopes:
        for inv in [scope.inventory, *scope.tenants]:
            for collection in inv.collected().values():
                seen.update(dict.fromkeys(collection.errors))
    return list(seen)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
