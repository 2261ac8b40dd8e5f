"""Shared fixtures: a throw-away PostgreSQL server for the history-store tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pg_server import PostgresServer, ServerUnavailable


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
