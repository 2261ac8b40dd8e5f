"""The SQLite history store: round trip, schema versions, atomic and concurrent writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scanner import history
from scanner.drift import ResourceState, ResultRow, ScanState, compare, digest
from scanner.errors import InputError


def state(
    time: str, status: str = "FAIL", logging: bool = True, scope: str = "aws|o-1"
) -> ScanState:
    data = {"Status": {"IsLogging": logging}, "Tags": [{"k": "v"}]}
    s = ScanState(id="", time=time, clouds=("aws",), scope=scope)
    s.results["fp1"] = ResultRow(
        "fp1", "aws.c.one", status, "high", "aws", "111", "", "arn:x", "msg", False, time
    )
    s.results["fp2"] = ResultRow(
        "fp2", "aws.c.two", "PASS", "low", "aws", "111", "us-east-1", "arn:y", "ok", True, None
    )
    s.resources[("aws.t", "arn:x")] = ResourceState(
        "aws.t", "arn:x", "111", "us-east-1", digest(data), data
    )
    return s


def test_round_trip_and_latest(tmp_path: Path) -> None:
    store = history.open_store(f"sqlite:///{tmp_path / 'h.db'}")
    first = state("2026-11-20T00:00:00+00:00", "PASS")
    second = state("2026-11-21T00:00:00+00:00", logging=False)
    other = state("2026-11-22T00:00:00+00:00", scope="gcp|organizations/1")
    ids = [store.record(s) for s in (first, second, other)]
    assert ids == ["1", "2", "3"]
    assert store.load("2") == second
    latest = store.latest("aws|o-1")
    assert latest is not None and latest.id == "2"
    before = store.latest("aws|o-1", before="2")
    assert before == first
    assert [s[0] for s in store.scans()] == ["1", "2", "3"]
    result = compare(store.load("1"), store.load("2"))
    assert [r.fingerprint for r in result.regressions] == ["fp1"]
    assert [str(c) for c in result.changes] == ["Status.IsLogging: true -> false"]
    with pytest.raises(InputError, match="no scan '9'"):
        store.load("9")
    store.close()
    # a plain path opens the same store
    again = history.open_store(str(tmp_path / "h.db"))
    assert again.load("3").scope == "gcp|organizations/1"
    again.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    history.open_store(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (history.SCHEMA_VERSION + 1,))
    with pytest.raises(InputError, match="newer than this logwarden supports"):
        history.open_store(str(path))


def test_older_schema_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    history.open_store(str(path)).close()
    upgraded = history.SQLiteStore(
        str(path), [*history.MIGRATIONS, "ALTER TABLE scans ADD COLUMN note TEXT"]
    )
    assert upgraded.schema_version() == len(history.MIGRATIONS) + 1
    upgraded.record(state("2026-11-20T00:00:00+00:00"))
    assert "note" in [c[1] for c in sqlite3.connect(path).execute("PRAGMA table_info(scans)")]
    upgraded.close()


def test_not_a_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_text("this is not sqlite, " * 100)
    with pytest.raises(InputError, match="cannot open the history store"):
        history.open_store(str(path))
    with pytest.raises(InputError, match="PostgreSQL"):
        history.open_store("postgresql://localhost/db")


def test_interrupted_write_leaves_previous_history(tmp_path: Path) -> None:
    store = history.SQLiteStore(str(tmp_path / "h.db"))
    kept = state("2026-11-20T00:00:00+00:00")
    store.record(kept)

    def killed() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.record(state("2026-11-21T00:00:00+00:00", logging=False), before_commit=killed)
    assert [s[0] for s in store.scans()] == ["1"]
    assert store.load("1") == kept
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM resources").fetchone()[0] == 1
    store.record(state("2026-11-22T00:00:00+00:00"))  # the store is still usable
    assert len(store.scans()) == 2


def test_concurrent_threads_all_land(tmp_path: Path) -> None:
    url = str(tmp_path / "h.db")
    history.open_store(url).close()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            store = history.open_store(url)
            barrier.wait()
            for i in range(5):
                store.record(state(f"2026-11-2{n}T00:00:0{i}+00:00"))
            store.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = history.open_store(url)
    scans = store.scans()
    assert len(scans) == 20
    for scan_id, _, _ in scans:
        loaded = store.load(scan_id)
        assert len(loaded.results) == 2 and len(loaded.resources) == 1


WRITER = """
import sys
from scanner import history
from tests.unit.test_history import state
store = history.open_store(sys.argv[1])
for i in range(10):
    store.record(state(f"2026-11-2{sys.argv[2]}T00:00:{i:02d}+00:00"))
"""


def test_concurrent_processes_all_land(tmp_path: Path) -> None:
    url = str(tmp_path / "h.db")  # the first writer creates the schema; the other waits
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(n)], cwd=root) for n in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    store = history.open_store(url)
    assert len(store.scans()) == 30
    assert sorted({s[1][:10] for s in store.scans()}) == ["2026-11-20", "2026-11-21", "2026-11-22"]
