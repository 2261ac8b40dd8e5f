"""Evaluate the real catalogue over in-memory inventories (no cloud, no SDK calls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from logwarden.scanner import engine
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    CheckResult,
    KindCollection,
    Organization,
    Resource,
    ScanReport,
    Status,
    Tenant,
    Waiver,
)
from logwarden.scanner.rules import Catalogue
from tests import aws_docs
from tests.catalogue import builtin_catalogue, builtin_clouds, registry


def aws_catalogue(**parameters: Any) -> tuple[Catalogue, dict[str, Any]]:
    """The built-in catalogue as an AWS-only scan loads it."""
    return builtin_catalogue(["aws"], **parameters)


def scan_world(
    world: aws_docs.World,
    *,
    errors: Mapping[tuple[str | None, str], KindCollection] | None = None,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    **parameters: Any,
) -> ScanReport:
    """Run the engine over ``world``; ``errors`` replaces (account, kind) collections."""
    cat, kinds = aws_catalogue(**parameters)
    org = aws_docs.organization()
    aws_kinds = {k: v for k, v in kinds.items() if v.cloud == "aws"}
    org_inv = Inventory(cloud="aws", tenant=None, organization=org, kinds=aws_kinds, offline=True)
    for kind, items in world.org.items():
        org_inv.preload(kind, KindCollection(resources=tuple(items)))
    scope = engine.Scope_(organization=org, inventory=org_inv)
    for tenant in aws_docs.tenants(world):
        inv = Inventory(
            cloud="aws",
            tenant=tenant,
            organization=org,
            kinds=aws_kinds,
            org_inventory=org_inv,
            offline=True,
        )
        for kind, items in world.tenants[tenant.id].items():
            inv.preload(kind, KindCollection(resources=tuple(items)))
        scope.tenants.append(inv)
    for (account, kind), collection in (errors or {}).items():
        target = (
            org_inv
            if account is None
            else next(i for i in scope.tenants if i.tenant and i.tenant.id == account)
        )
        target.preload(kind, collection)
    engine.link_peers(scope)
    return engine.run_scan(
        engine.ScanInput(scopes=[scope], clouds=registry().terms(["aws"])),
        cat,
        jobs=2,
        waivers=waivers,
        today=today or dt.date(2026, 11, 22),
    )


def rows(report: ScanReport, check_id: str, tenant_id: str | None = None) -> list[CheckResult]:
    return [
        r
        for r in report.results
        if r.check_id == check_id and (tenant_id is None or r.tenant_id == tenant_id)
    ]


def statuses(report: ScanReport, check_id: str, tenant_id: str | None = None) -> set[Status]:
    return {r.status for r in rows(report, check_id, tenant_id)}


def cloud_catalogue(clouds: list[str], **parameters: Any) -> tuple[Catalogue, dict[str, Any]]:
    """The built-in catalogue with ``clouds`` and every other installed cloud loaded (as
    ``rules validate`` loads it), so every section of rules.yaml resolves its kinds; the
    engine then evaluates only the checks of the clouds it scans."""
    return builtin_catalogue(dict.fromkeys([*clouds, *builtin_clouds()]), **parameters)


def scan_documents(
    cloud: str,
    organization: Organization,
    tenants: list[Tenant],
    documents: Mapping[str, Mapping[str, list[Resource]]],
    *,
    errors: Mapping[tuple[str, str], KindCollection] | None = None,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    org_documents: Mapping[str, KindCollection] | None = None,
    **parameters: Any,
) -> ScanReport:
    """Run the engine offline over ``documents[tenant id][kind]`` of one cloud; ``errors``
    replaces (tenant id, kind) collections; ``org_documents`` gives the organization's kinds.
    Kinds not given are empty."""
    cat, kinds = cloud_catalogue([cloud], **parameters)
    cloud_kinds = {k: v for k, v in kinds.items() if v.cloud == cloud}
    org_inv = Inventory(
        cloud=cloud, tenant=None, organization=organization, kinds=cloud_kinds, offline=True
    )
    for kind, collection in (org_documents or {}).items():
        org_inv.preload(kind, collection)
    scope = engine.Scope_(organization=organization, inventory=org_inv)
    for tenant in tenants:
        inv = Inventory(
            cloud=cloud,
            tenant=tenant,
            organization=organization,
            kinds=cloud_kinds,
            org_inventory=org_inv,
            offline=True,
        )
        mine = documents.get(tenant.id, {})
        for kind in cloud_kinds:
            inv.preload(kind, KindCollection(resources=tuple(mine.get(kind, ()))))
        scope.tenants.append(inv)
    for (tenant_id, kind), collection in (errors or {}).items():
        next(i for i in scope.tenants if i.tenant and i.tenant.id == tenant_id).preload(
            kind, collection
        )
    engine.link_peers(scope)
    return engine.run_scan(
        engine.ScanInput(scopes=[scope], clouds=registry().terms([cloud])),
        cat,
        jobs=2,
        waivers=waivers,
        today=today or dt.date(2026, 11, 22),
    )


def gcp_catalogue(**parameters: Any) -> tuple[Catalogue, dict[str, Any]]:
    """The built-in catalogue as a GCP-only scan loads it."""
    return builtin_catalogue(["gcp"], **parameters)


def scan_gcp_world(
    world: Any,
    *,
    errors: Mapping[tuple[str | None, str], KindCollection] | None = None,
    **parameters: Any,
) -> ScanReport:
    """Run the engine over a ``tests.gcp_docs.World``; ``errors`` replaces (project, kind)
    collections (project None = the organization)."""
    from tests import gcp_docs

    cat, kinds = gcp_catalogue(**parameters)
    org = gcp_docs.organization()
    gcp_kinds = {k: v for k, v in kinds.items() if v.cloud == "gcp"}
    org_inv = Inventory(cloud="gcp", tenant=None, organization=org, kinds=gcp_kinds, offline=True)
    for kind, items in world.org.items():
        org_inv.preload(kind, KindCollection(resources=tuple(items)))
    scope = engine.Scope_(organization=org, inventory=org_inv)
    for tenant in gcp_docs.tenants(world):
        inv = Inventory(
            cloud="gcp",
            tenant=tenant,
            organization=org,
            kinds=gcp_kinds,
            org_inventory=org_inv,
            offline=True,
        )
        for kind, items in world.tenants[tenant.id].items():
            inv.preload(kind, KindCollection(resources=tuple(items)))
        scope.tenants.append(inv)
    for (project, kind), collection in (errors or {}).items():
        target = (
            org_inv
            if project is None
            else next(i for i in scope.tenants if i.tenant and i.tenant.id == project)
        )
        target.preload(kind, collection)
    engine.link_peers(scope)
    return engine.run_scan(
        engine.ScanInput(scopes=[scope], clouds=registry().terms(["gcp"])),
        cat,
        jobs=2,
        today=dt.date(2026, 11, 22),
    )
