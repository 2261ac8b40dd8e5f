"""A scan with history keeps no tenant's collections in memory: each tenant is released once
evaluated, its collections wait in the spill, and the scan state (resources with their
documents on disk) is the same as one built from inventories that kept everything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.scanner import cli, drift, engine, snapshot
from logwarden.scanner.baseline import dumps
from logwarden.scanner.doc_file import DocFile, LazyData, document_text, plain
from logwarden.scanner.engine import ScanInput
from logwarden.scanner.history import open_store
from logwarden.scanner.models import ExitCode
from logwarden.scanner.plan import ScanPlan
from logwarden.scanner.spill import InventorySpill
from tests import aws_docs as d
from tests.catalogue import builtin_catalogue
from tests.report_world import aws_world, save_inventory


def _scan(path: Path) -> ScanInput:
    catalogue, kinds = builtin_catalogue(["aws"])
    return snapshot.load(path, kinds, catalogue.parameters)


def _resources(state: drift.ScanState) -> dict[tuple[str, str], tuple[str, str, str, object]]:
    return {
        key: (r.tenant_id, r.region, r.digest, json.loads(document_text(r.data)))
        for key, r in state.resources.items()
    }


def test_released_tenants_give_the_state_of_a_scan_that_kept_everything(tmp_path: Path) -> None:
    path = save_inventory(aws_world(), tmp_path / "inventory.json")
    catalogue, _ = builtin_catalogue(["aws"])
    kept = _scan(path)
    whole = engine.evaluate_scan(kept, catalogue, jobs=2)
    expected = drift.state_of(whole, kept)

    scan = _scan(path)
    spill = InventorySpill()
    try:
        outcome = engine.evaluate_scan(
            scan, catalogue, jobs=2, spill=spill, release=True, keep={"aws.s3.bucket"}
        )
        plan = ScanPlan.of(
            scan, catalogue.enabled_checks({"aws"}), {}, None, keep={"aws.s3.bucket"}
        )
        for inv in scan.scopes[0].tenants:  # nothing but the kept kinds stays in memory
            assert set(inv.collected()) <= plan.keep
        assert any(set(inv.collected()) for inv in scan.scopes[0].tenants)
        state = drift.state_of(outcome, scan, spill=spill)
    finally:
        spill.close()
    assert len(state.resources) > 20
    assert _resources(state) == _resources(expected)
    assert all(isinstance(r.data, LazyData) for r in state.resources.values())
    assert state.results == expected.results


def test_a_history_scan_records_what_it_collected_and_reads_it_back(tmp_path: Path) -> None:
    path = save_inventory(aws_world(), tmp_path / "inventory.json")
    db = str(tmp_path / "history.db")
    code = cli.main(["scan", "--inventory", str(path), "-q", "--history", db])
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    scan = _scan(path)
    catalogue, _ = builtin_catalogue(["aws"])
    expected = drift.state_of(engine.evaluate_scan(scan, catalogue, jobs=2), scan)
    store = open_store(db, create=False)
    try:
        recorded = store.load("1")
    finally:
        store.close()
    assert _resources(recorded) == _resources(expected)
    # the documents read back stay on disk until one is used
    assert all(isinstance(r.data, LazyData) for r in recorded.resources.values())


def test_drift_reads_only_the_documents_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    clean = d.compliant_world()
    off = d.copy_world(clean)
    off.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False
    db = str(tmp_path / "history.db")
    for name, world in (("clean", clean), ("off", off)):
        inventory = save_inventory(world, tmp_path / f"{name}.json")
        cli.main(["scan", "--inventory", str(inventory), "-q", "--history", db])
    store = open_store(db, create=False)
    try:
        before, after = store.load("1"), store.load("2")
    finally:
        store.close()
    reads: list[int] = []
    original = DocFile.read

    def counted(self: DocFile, start: int, size: int) -> str:
        reads.append(size)
        return original(self, start, size)

    monkeypatch.setattr(DocFile, "read", counted)
    found = drift.compare(before, after)
    assert [str(c) for c in found.changes] == ["Status.IsLogging: true -> false"]
    assert len(reads) == 2  # the changed trail, before and after; no other document
    assert len(after.resources) > 10


def test_lazy_data_is_a_mapping_read_from_its_file() -> None:
    docs = DocFile()
    try:
        doc = {"Name": "trail", "Status": {"IsLogging": True}, "Tags": [1, 2]}
        lazy = docs.add(document_text(doc))
        other = docs.add(document_text({"Name": "other"}))
        assert lazy == doc and doc == lazy and lazy != other
        assert dict(lazy) == doc and lazy["Status"] == {"IsLogging": True}
        assert sorted(lazy) == ["Name", "Status", "Tags"] and len(lazy) == 3
        assert dict(lazy.items()) == doc and next(iter(lazy.values())) == "trail"
        assert plain(lazy) == doc and isinstance(plain(lazy), dict)
        assert document_text(lazy) == json.dumps(doc, sort_keys=True)
        assert lazy.get("missing") is None and "Name" in lazy
    finally:
        docs.close()


def test_a_baseline_of_lazy_documents_holds_the_documents(tmp_path: Path) -> None:
    docs = DocFile()
    data = docs.add(document_text({"Name": "b", "Versioning": {"Status": "Enabled"}}))
    state = drift.ScanState(id="1", time="2026-12-06T00:00:00+00:00", clouds=("aws",), scope="s")
    state.resources[("aws.s3.bucket", "b")] = drift.ResourceState(
        "aws.s3.bucket", "b", "111111111111", "us-east-1", "digest", data
    )
    doc = json.loads(dumps(state))
    assert doc["resources"][0]["data"] == {"Name": "b", "Versioning": {"Status": "Enabled"}}
    docs.close()
