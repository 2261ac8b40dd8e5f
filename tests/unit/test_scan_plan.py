"""The plan of a scan in one process: shards partition the rows, a tenant's collections are
dropped once it is evaluated (memory follows the tenants in flight), and a saved inventory
written from the spill file equals one written from memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.scanner import engine, snapshot
from logwarden.scanner.engine import ScanInput
from logwarden.scanner.models import Status
from logwarden.scanner.plan import ScanPlan
from logwarden.scanner.runners import TASK_FAILED, unreachable_outcome
from logwarden.scanner.shards import Shard
from logwarden.scanner.spill import InventorySpill
from tests.catalogue import builtin_catalogue, registry
from tests.report_world import aws_world, save_inventory


def _scan(tmp_path: Path) -> ScanInput:
    catalogue, kinds = builtin_catalogue(["aws"])
    path = save_inventory(aws_world(), tmp_path / "inventory.json")
    return snapshot.load(path, kinds, catalogue.parameters)


def _rows(scan: ScanInput, **options: object) -> list[tuple[str, ...]]:
    catalogue, _ = builtin_catalogue(["aws"])
    outcome = engine.evaluate_scan(scan, catalogue, jobs=2, **options)  # type: ignore[arg-type]
    return [
        (r.check_id, r.tenant_id, r.region, r.resource_id, r.status.value) for r in outcome.results
    ]


def test_a_tenant_keeps_only_the_shared_kinds_once_evaluated(tmp_path: Path) -> None:
    whole = _rows(_scan(tmp_path))
    scan = _scan(tmp_path)
    released = _rows(scan, release=True)
    assert released == whole
    catalogue, _ = builtin_catalogue(["aws"])
    plan = ScanPlan.of(scan, catalogue.enabled_checks({"aws"}), catalogue.parameters, None)
    assert plan.peer, "the AWS controls read trails and buckets across accounts"
    for inv in scan.scopes[0].tenants:
        assert set(inv.collected()) <= plan.keep
    kept = _scan(tmp_path)
    _rows(kept)  # without release: everything stays (history and drift read it)
    assert any(set(inv.collected()) - plan.keep for inv in kept.scopes[0].tenants)


def test_a_shard_collects_of_other_tenants_only_what_collectors_read_across_them(
    tmp_path: Path,
) -> None:
    # kinds only their own tenant's controls read (Security Hub, the EKS clusters) are not
    # collected for the other shards' accounts: collecting every kind for every account made a
    # shard repeat most of the scan's calls
    scan = _scan(tmp_path)
    catalogue, _ = builtin_catalogue(["aws"])
    checks = catalogue.enabled_checks({"aws"})
    plan = ScanPlan.of(scan, checks, catalogue.parameters, Shard(2, 3))
    for_every_tenant = {kind for stage in plan.stages() for _, kind in plan.stage_items(stage)}
    assert "aws.cloudtrail.trail" in for_every_tenant  # the log bucket: from every trail
    assert {"aws.securityhub.hub", "aws.eks.cluster"} <= set(plan.needed) - for_every_tenant
    # The recorders are read by the delivery-channel collector, of its own account only; but
    # ``reads`` does not say whose, so a shard reads them for every account (a known cost).
    assert "aws.config.recorder" in for_every_tenant
    assert "aws.config.recorder" in plan.keep  # a Python control's kind: kept once collected


def test_shards_partition_the_rows_and_shard_1_has_the_organization(tmp_path: Path) -> None:
    whole = _rows(_scan(tmp_path))
    parts = [_rows(_scan(tmp_path), shard=Shard(i, 3), release=True) for i in (1, 2, 3)]
    assert sorted(r for part in parts for r in part) == sorted(whole)
    org_id = _scan(tmp_path).scopes[0].organization.id
    assert [r for r in parts[0] if r[1] == org_id]
    assert not [r for part in parts[1:] for r in part if r[1] == org_id]


def test_a_saved_inventory_from_the_spill_equals_one_from_memory(tmp_path: Path) -> None:
    scan = _scan(tmp_path)
    _rows(scan)
    from_memory = json.loads(snapshot.dump(scan, "2026-12-06T00:00:00+00:00"))
    spilled = _scan(tmp_path)
    spill = InventorySpill()
    try:
        _rows(spilled, release=True, spill=spill)
        from_spill = json.loads(snapshot.dump(spilled, "2026-12-06T00:00:00+00:00", spill))
    finally:
        spill.close()
    assert from_spill == from_memory
    assert from_spill["organizations"][0]["tenants"]


def test_a_subject_whose_work_failed_is_error_rows_never_missing_rows(tmp_path: Path) -> None:
    scan = _scan(tmp_path)
    catalogue, kinds = builtin_catalogue(["aws"])
    plan = ScanPlan.of(scan, catalogue.enabled_checks({"aws"}), catalogue.parameters, None)
    subject = next(s for s in plan.subjects() if s.tenant is not None)
    reason = "the Dask task failed after 4 attempts: KilledWorker: worker died"
    outcome = unreachable_outcome(subject, plan.parameters, reason)
    rows = [r for ev in outcome.evaluations for r in ev.results]
    assert {r.check_id for r in rows} == {c.id for c in subject.checks}
    tenant_level = {c.id for c in subject.checks if any(not kinds[k].organization for k in c.kinds)}
    assert tenant_level
    for row in rows:
        if row.check_id in tenant_level:
            assert row.status is Status.ERROR, row
            assert TASK_FAILED in row.message and "KilledWorker" in row.message
    assert outcome.errors
    assert {e.code for e in outcome.errors} == {TASK_FAILED}


def test_a_dask_worker_scans_the_regions_the_scan_selected() -> None:
    # a worker builds its clouds' settings itself: it must apply --regions as the scanning
    # process did, or the organization's kinds would be read in every configured region
    dask_run = pytest.importorskip("logwarden.scanner.dask_run")
    section = {"mode": "organization", "regions": ["us-east-1", "eu-west-1"]}
    job = dask_run.WorkerJob(
        token="t",
        clouds={"aws": (section, "logwarden.yaml")},
        blocked=(),
        regions=("eu-west-1",),
        organizations=(),
        tenants=(),
        checks=(),
        parameters={},
        keep=frozenset(),
    )
    settings = dask_run.worker_settings(job, registry().clouds["aws"])
    assert settings.regions == ("eu-west-1",)
