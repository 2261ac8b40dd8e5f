"""Evaluate the real catalogue over in-memory inventories (no cloud, no SDK calls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from scanner import engine
from scanner.inventory import Inventory
from scanner.models import CheckResult, KindCollection, ScanReport, Status, Waiver
from scanner.plugins import create_plugin_manager
from scanner.rules import Catalogue, builtin_rules_path, load_catalogue
from tests import aws_docs


def aws_catalogue(**parameters: Any) -> tuple[Catalogue, dict[str, Any]]:
    pm = create_plugin_manager(["aws"])
    kinds = engine.registered_kinds(pm)
    checks = {c.id: c for group in pm.hook.logwarden_register_checks() for c in group}
    cat = load_catalogue(
        [builtin_rules_path()],
        kinds=kinds,
        python_checks=checks,
        parameters=("test", parameters) if parameters else None,
    )
    return cat, kinds


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
        engine.ScanInput(scopes=[scope]),
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
