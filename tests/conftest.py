"""Shared fixtures: a throw-away PostgreSQL server for the history-store tests, and a
plugin distribution installed for one test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from logwarden.scanner.inventory import STRICT_READS_ENV
from logwarden.scanner.plugins import DISABLE_AUTOLOAD_ENV
from logwarden_sandbox.aws_gaps_logging import allow_config_delegated_administrators
from tests.pg_server import PostgresServer, ServerUnavailable

allow_config_delegated_administrators()  # a moto gap the in-process tests meet too


@pytest.fixture(autouse=True, scope="session")
def _strict_reads() -> Iterator[None]:
    """In-process scans fail loudly when a collector reads a kind its ResourceKind.reads does
    not declare (production only collects it late)."""
    saved = os.environ.get(STRICT_READS_ENV)
    os.environ[STRICT_READS_ENV] = "1"
    yield
    if saved is None:
        os.environ.pop(STRICT_READS_ENV, None)
    else:
        os.environ[STRICT_READS_ENV] = saved


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server per test process, started on first use. Without PostgreSQL here the tests
    that need it are skipped with the reason; under CI=true they fail instead."""
    server = PostgresServer()
    try:
        server.start()
    except (ServerUnavailable, OSError, ImportError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}", pytrace=False)
        pytest.skip(f"no PostgreSQL server here: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[callable]:
    """Install a plugin distribution with a ``logwarden`` entry point into a temp sys.path dir."""

    def install(source: str, name: str = "fakeplugin") -> None:
        (tmp_path / f"{name}_mod.py").write_text(source)
        info = tmp_path / f"{name}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(f"[logwarden]\n{name} = {name}_mod\n")
        monkeypatch.syspath_prepend(str(tmp_path))

    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    yield install
    for mod in [m for m in sys.modules if m.endswith("_mod") and m.startswith("fakeplugin")]:
        del sys.modules[mod]
