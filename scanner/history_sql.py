"""The SQL side of the history store: tables, migrations, URLs and engines.

One SQLAlchemy Core schema for SQLite and PostgreSQL (``scanner/history.py`` has the store).
SQLite engines issue ``BEGIN IMMEDIATE`` for write transactions (``logwarden_write``
execution option) and ``BEGIN DEFERRED`` otherwise, with a busy timeout; PostgreSQL goes
through psycopg 3 (the ``postgres`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from logwarden.scanner.errors import fail

BUSY_TIMEOUT_S = 60.0


# The current schema, for the queries. Version 1 created exactly these tables; a later
# version adds a migration step below and changes these definitions to match.
metadata = sa.MetaData()
scans_t = sa.Table(
    "scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.Text, nullable=False),
    sa.Column("clouds", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Index("scans_scope", "scope", "id"),
    sqlite_autoincrement=True,  # never reuse the id of a deleted scan
)
results_t = sa.Table(
    "results",
    metadata,
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), primary_key=True),
    sa.Column("fingerprint", sa.Text, primary_key=True),
    *(
        sa.Column(name, sa.Text, nullable=False)
        for name in (
            "check_id",
            "status",
            "severity",
            "cloud",
            "tenant_id",
            "region",
            "resource_id",
            "message",
        )
    ),
    sa.Column("muted", sa.Integer, nullable=False),
    sa.Column("first_seen", sa.Text),
)
resources_t = sa.Table(
    "resources",
    metadata,
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("resource_id", sa.Text, primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

# Version 2: who made the drift each scan saw (scanner/attribution.py).
attributions_t = sa.Table(
    "attributions",
    metadata,
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("resource_id", sa.Text, primary_key=True),
    sa.Column("doc", sa.Text, nullable=False),  # Attribution.to_doc() as canonical JSON
)
causes_t = sa.Table(
    "causes",
    metadata,
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id"), primary_key=True),
    sa.Column("fingerprint", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("resource_id", sa.Text, primary_key=True),
)

# A migration step: SQL statements separated by ";" (portable SQL), or a function that runs
# on the open transaction.
Migration = str | Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[scans_t, results_t, resources_t], checkfirst=False)


def _add_attributions_v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=[attributions_t, causes_t], checkfirst=False)


# Each step upgrades the schema from version i to i + 1.
MIGRATIONS: list[Migration] = [_create_v1, _add_attributions_v2]


def sqlite_path(url: str) -> Path:
    """``sqlite:///path`` or a plain file path."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else Path(url)


def redact(url: str) -> str:
    """``url`` fit for messages: a password in it is masked."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@]*):[^@/]*@", r"\1:***@", url, flags=re.I)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for a ``--history`` value (PostgreSQL always through psycopg 3)."""
    if is_postgres(url):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return f"sqlite:///{sqlite_path(url)}"


def parsed_url(url: str) -> sa.URL:
    """The SQLAlchemy URL of a ``--history`` value; a malformed one is an InputError."""
    try:
        return sa.make_url(engine_url(url))
    except (ValueError, sa.exc.ArgumentError) as exc:
        # ArgumentError quotes the whole URL, password included: say only what was wrong
        detail = f"the port is not a number ({exc})" if isinstance(exc, ValueError) else ""
        raise fail(
            "--history",
            None,
            f"malformed history URL {redact(url)!r}" + (f": {detail}" if detail else ""),
            "write postgresql://user@host:port/db (an IPv6 host in brackets: "
            "postgresql://user@[::1]:5432/db), or a file path",
        ) from None


def sqlite_engine(url: str) -> Engine:
    engine = sa.create_engine(
        parsed_url(url),
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (below).
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the write lock up front, so they queue on the busy timeout instead of
        # failing when a read lock cannot be upgraded.
        mode = conn.get_execution_options().get("logwarden_write") and "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode or 'DEFERRED'}")

    return engine


def postgres_engine(url: str) -> Engine:
    target = parsed_url(url)
    try:
        import psycopg  # noqa: F401  (the driver of postgresql+psycopg://)
    except ImportError:
        raise fail(
            redact(url),
            None,
            "PostgreSQL history stores need the psycopg driver",
            "install logwarden[postgres]",
        ) from None
    args = {} if "connect_timeout" in url else {"connect_timeout": 10}
    return sa.create_engine(target, connect_args=args, pool_pre_ping=True)
