"""The history store on SQLite and PostgreSQL: round trip, schema versions, atomic and
concurrent writes. PostgreSQL runs on a throw-away server (tests/pg_server.py)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from logwarden.scanner import history
from logwarden.scanner.drift import ResourceState, ResultRow, ScanState, compare
from logwarden.scanner.errors import InputError
from logwarden.scanner.field_diff import digest
from tests.pg_server import PostgresServer

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'h.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


def sql(url: str, statement: str) -> list[tuple[object, ...]]:
    """Run one statement on the store's database directly (not through the store)."""
    engine = sa.create_engine(history.engine_url(url))
    try:
        with engine.begin() as conn:
            result = conn.exec_driver_sql(statement)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


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


def test_round_trip_and_latest(url: str, tmp_path: Path) -> None:
    store = history.open_store(url)
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
    for missing in ("9", "x", "99999999999"):
        with pytest.raises(InputError, match=f"no scan '{missing}'"):
            store.load(missing)
    store.close()
    # reopened (a plain path for SQLite), the store reads the same
    again = history.open_store(url.removeprefix("sqlite:///"), create=False)
    assert again.load("3").scope == "gcp|organizations/1"
    again.close()


def test_newer_schema_is_refused(url: str) -> None:
    history.open_store(url).close()
    sql(url, f"UPDATE schema_version SET version = {history.SCHEMA_VERSION + 1}")
    with pytest.raises(InputError, match="newer than this logwarden supports"):
        history.open_store(url)


def test_older_schema_is_upgraded(url: str) -> None:
    history.open_store(url).close()
    upgraded = history.SQLStore(
        url, [*history.MIGRATIONS, "ALTER TABLE scans ADD COLUMN note TEXT"]
    )
    assert upgraded.schema_version() == len(history.MIGRATIONS) + 1
    upgraded.record(state("2026-11-20T00:00:00+00:00"))
    upgraded.close()
    engine = sa.create_engine(history.engine_url(url))
    assert "note" in [c["name"] for c in sa.inspect(engine).get_columns("scans")]
    engine.dispose()


def test_not_a_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_text("this is not sqlite, " * 100)
    with pytest.raises(InputError, match="cannot open the history store"):
        history.open_store(str(path))
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="cannot open the history store") as refused:
        history.open_store(f"postgresql://nobody:s3cret@127.0.0.1:{port}/db")
    assert "s3cret" not in str(refused.value) and "nobody:***@" in str(refused.value)
    with pytest.raises(InputError, match="unsupported history URL"):
        history.open_store("mysql://localhost/db")


def test_reading_a_missing_store_is_refused(url: str) -> None:
    with pytest.raises(InputError, match="no history store here"):
        history.open_store(url, create=False)


def test_interrupted_write_leaves_previous_history(url: str) -> None:
    store = history.SQLStore(url)
    kept = state("2026-11-20T00:00:00+00:00")
    store.record(kept)

    def killed() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.record(state("2026-11-21T00:00:00+00:00", logging=False), before_commit=killed)
    assert [s[0] for s in store.scans()] == ["1"]
    assert store.load("1") == kept
    assert sql(url, "SELECT count(*) FROM results") == [(2,)]
    assert sql(url, "SELECT count(*) FROM resources") == [(1,)]
    store.record(state("2026-11-22T00:00:00+00:00"))  # the store is still usable
    assert len(store.scans()) == 2
    store.close()


KILLED = """
import os, signal, sys
from logwarden.scanner import history
from tests.unit.test_history import state
store = history.open_store(sys.argv[1])
def stop() -> None:
    print("written", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
store.record(state("2026-11-21T00:00:00+00:00", logging=False), before_commit=stop)
"""


def test_killed_process_leaves_previous_history(url: str) -> None:
    store = history.open_store(url)
    kept = state("2026-11-20T00:00:00+00:00")
    store.record(kept)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", KILLED, url], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL and proc.stdout == "written\n", proc.stderr
    assert [s[0] for s in store.scans()] == ["1"]
    assert store.load("1") == kept
    store.record(state("2026-11-22T00:00:00+00:00"))  # the lock went with the process
    assert len(store.scans()) == 2
    store.close()


def test_concurrent_threads_all_land(url: str) -> None:
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
    assert [s[0] for s in scans] == [str(i) for i in range(1, 21)]
    for scan_id, _, _ in scans:
        loaded = store.load(scan_id)
        assert len(loaded.results) == 2 and len(loaded.resources) == 1
    store.close()


WRITER = """
import sys
from logwarden.scanner import history
from tests.unit.test_history import state
store = history.open_store(sys.argv[1])
for i in range(10):
    store.record(state(f"2026-11-2{sys.argv[2]}T00:00:{i:02d}+00:00"))
store.close()
"""


def test_concurrent_processes_all_land(url: str) -> None:
    # nothing is created up front: the first writer creates the schema; the others wait
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(n)], cwd=root) for n in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    store = history.open_store(url)
    assert len(store.scans()) == 30
    assert sorted({s[1][:10] for s in store.scans()}) == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert sql(url, "SELECT count(*) FROM results") == [(60,)]
    store.close()
