"""The scan history store: every recorded scan, its result rows and its resources.

``HistoryStore`` is the interface the commands use; ``SQLiteStore`` implements it with the
standard library (a file path or ``sqlite:///path``). Other back ends (PostgreSQL) implement
the same interface and are chosen by ``open_store`` from the URL.

Guarantees: one transaction per recorded scan (a scan killed half-way records nothing);
writers take the write lock up front (``BEGIN IMMEDIATE``) and wait for each other (busy
timeout), so concurrent scans all land; the store carries a schema version, upgrades itself
from older versions and refuses a newer one with an InputError (exit 2).
"""

from __future__ import annotations

import abc
import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from scanner.drift import ResourceState, ResultRow, ScanState
from scanner.errors import InputError, fail

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0


class HistoryStore(abc.ABC):
    """Where scans are recorded and read back for drift and ``first_seen``."""

    url: str

    @abc.abstractmethod
    def record(self, state: ScanState) -> str:
        """Record a whole scan in one transaction; return its id."""

    @abc.abstractmethod
    def scans(self, scope: str | None = None) -> list[tuple[str, str, str]]:
        """(id, time, scope) of the recorded scans, oldest first."""

    @abc.abstractmethod
    def load(self, scan_id: str) -> ScanState:
        """One recorded scan; InputError when there is no such scan."""

    def latest(self, scope: str | None = None, before: str | None = None) -> ScanState | None:
        """The newest scan of ``scope`` (any scope: None), recorded before scan ``before``."""
        rows = self.scans(scope)
        if before is not None:
            ids = [r[0] for r in rows]
            rows = rows[: ids.index(before)] if before in ids else rows
        return self.load(rows[-1][0]) if rows else None

    def close(self) -> None:  # noqa: B027  (optional for back ends without a connection)
        """Release the connection."""


# Each step upgrades the schema from version i to i + 1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        clouds TEXT NOT NULL,
        scope TEXT NOT NULL
    );
    CREATE INDEX scans_scope ON scans (scope, id);
    CREATE TABLE results (
        scan_id INTEGER NOT NULL REFERENCES scans (id),
        fingerprint TEXT NOT NULL,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        cloud TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        region TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        message TEXT NOT NULL,
        muted INTEGER NOT NULL,
        first_seen TEXT,
        PRIMARY KEY (scan_id, fingerprint)
    );
    CREATE TABLE resources (
        scan_id INTEGER NOT NULL REFERENCES scans (id),
        kind TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        region TEXT NOT NULL,
        digest TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (scan_id, kind, resource_id)
    );
    """,
]


def sqlite_path(url: str) -> Path:
    """``sqlite:///path`` or a plain file path."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else Path(url)


class SQLiteStore(HistoryStore):
    """The embedded store (standard library ``sqlite3``)."""

    def __init__(self, url: str, migrations: list[str] | None = None) -> None:
        self.url = url
        self.path = sqlite_path(url)
        try:
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate(MIGRATIONS if migrations is None else migrations)
        except InputError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(AttributeError):
                self._db.close()
            raise fail(
                url, None, f"cannot open the history store: {exc}", "pass a logwarden history file"
            ) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self, migrations: list[str]) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT max(version) FROM schema_version").fetchone()
            version = row[0] or 0
            if version > len(migrations):
                raise fail(
                    self.url,
                    None,
                    f"history store schema version {version} is newer than this logwarden "
                    f"supports ({len(migrations)})",
                    "upgrade logwarden, or use another --history store",
                )
            for step in range(version, len(migrations)):
                for statement in migrations[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (step + 1,))

    def schema_version(self) -> int:
        return int(self._db.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    def record(self, state: ScanState, before_commit: Callable[[], None] | None = None) -> str:
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO scans (time, clouds, scope) VALUES (?, ?, ?)",
                (state.time, ",".join(state.clouds), state.scope),
            )
            scan_id = cur.lastrowid
            db.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        scan_id,
                        r.fingerprint,
                        r.check_id,
                        r.status,
                        r.severity,
                        r.cloud,
                        r.tenant_id,
                        r.region,
                        r.resource_id,
                        r.message,
                        int(r.muted),
                        r.first_seen,
                    )
                    for r in state.results.values()
                ),
            )
            db.executemany(
                "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        scan_id,
                        r.kind,
                        r.id,
                        r.tenant_id,
                        r.region,
                        r.digest,
                        json.dumps(r.data, sort_keys=True, default=str),
                    )
                    for r in state.resources.values()
                ),
            )
            if before_commit is not None:  # tests: interrupt the write here
                before_commit()
        state.id = str(scan_id)
        return state.id

    def scans(self, scope: str | None = None) -> list[tuple[str, str, str]]:
        sql = "SELECT id, time, scope FROM scans"
        rows = (
            self._db.execute(sql + " WHERE scope = ? ORDER BY id", (scope,))
            if scope is not None
            else self._db.execute(sql + " ORDER BY id")
        )
        return [(str(i), t, s) for i, t, s in rows]

    def load(self, scan_id: str) -> ScanState:
        row = self._db.execute(
            "SELECT id, time, clouds, scope FROM scans WHERE id = ?", (scan_id,)
        ).fetchone()
        if row is None:
            raise fail(
                self.url,
                None,
                f"no scan {scan_id!r} in the history store",
                "list the scans with: logwarden drift --history URL --list",
            )
        state = ScanState(
            id=str(row[0]), time=row[1], clouds=tuple(filter(None, row[2].split(","))), scope=row[3]
        )
        for r in self._db.execute(
            "SELECT fingerprint, check_id, status, severity, cloud, tenant_id, region,"
            " resource_id, message, muted, first_seen FROM results WHERE scan_id = ?",
            (row[0],),
        ):
            state.results[r[0]] = ResultRow(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]), r[10]
            )
        for kind, rid, tenant, region, dig, data in self._db.execute(
            "SELECT kind, resource_id, tenant_id, region, digest, data FROM resources"
            " WHERE scan_id = ? ORDER BY kind, resource_id",
            (row[0],),
        ):
            state.resources[(kind, rid)] = ResourceState(
                kind, rid, tenant, region, dig, json.loads(data)
            )
        return state

    def close(self) -> None:
        self._db.close()


def open_store(url: str, create: bool = True) -> HistoryStore:
    """The store for ``url``: a file path or ``sqlite:///path`` (PostgreSQL: later).

    ``create=False`` (reading commands) refuses a store that does not exist yet.
    """
    if url.startswith(("postgresql://", "postgres://")):
        raise fail(
            "--history",
            None,
            "PostgreSQL history stores are not supported by this version",
            "use a SQLite file path (or sqlite:///path)",
        )
    if "://" in url and not url.startswith("sqlite:///"):
        raise fail(
            "--history",
            None,
            f"unsupported history URL {url!r}",
            "use a file path or sqlite:///path",
        )
    if not create and not sqlite_path(url).is_file():
        raise fail(url, None, "no history store here", "record scans with: scan --history URL")
    return SQLiteStore(url)
