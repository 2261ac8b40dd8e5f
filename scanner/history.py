"""The scan history store: every recorded scan, its result rows and its resources.

``HistoryStore`` is the interface the commands use; ``SQLStore`` implements it for SQLite (a
file path or ``sqlite:///path``) and PostgreSQL (``postgresql://user@host:port/db``) with one
code path through SQLAlchemy Core (psycopg 3 drives PostgreSQL: the ``postgres`` extra).
``open_store`` picks the database from the URL.

Guarantees: one transaction per recorded scan (a scan killed half-way records nothing);
writers take the write lock up front and wait for each other, so concurrent scans all land
and scan ids follow commit order (SQLite: ``BEGIN IMMEDIATE`` with a busy timeout;
PostgreSQL: a self-conflicting lock on ``scans`` with a lock timeout); the store carries a
schema version, upgrades itself from older versions and refuses a newer one with an
InputError (exit 2).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pluggy
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from logwarden.scanner.audit_events import Attribution
from logwarden.scanner.drift import ScanState
from logwarden.scanner.errors import InputError, fail
from logwarden.scanner.history_rows import insert_state, read_attributions, read_state
from logwarden.scanner.history_sql import (
    BUSY_TIMEOUT_S,
    MIGRATIONS,
    Migration,
    engine_url,
    is_postgres,
    postgres_engine,
    redact,
    scans_t,
    sqlite_engine,
    sqlite_path,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "HistoryStore",
    "SQLStore",
    "SQLiteStore",
    "engine_url",
    "is_postgres",
    "open_store",
    "redact",
    "sqlite_path",
]

SCHEMA_VERSION = len(MIGRATIONS)
# pg_advisory_xact_lock key that serializes schema creation and upgrades on PostgreSQL.
_MIGRATION_LOCK = 0x6C6F6777  # "logw"


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

    @abc.abstractmethod
    def attributions(
        self, scan_ids: list[str]
    ) -> tuple[dict[tuple[str, str], Attribution], dict[str, list[tuple[str, str]]]]:
        """Who made the drift the scans ``scan_ids`` saw: (attributions, causes), merged."""

    def latest(self, scope: str | None = None, before: str | None = None) -> ScanState | None:
        """The newest scan of ``scope`` (any scope: None), recorded before scan ``before``."""
        rows = self.scans(scope)
        if before is not None:
            ids = [r[0] for r in rows]
            rows = rows[: ids.index(before)] if before in ids else rows
        return self.load(rows[-1][0]) if rows else None

    def close(self) -> None:  # noqa: B027  (optional for back ends without a connection)
        """Release the connection."""


class SQLStore(HistoryStore):
    """The store in SQLite or PostgreSQL, through SQLAlchemy Core."""

    def __init__(
        self, url: str, migrations: list[Migration] | None = None, create: bool = True
    ) -> None:
        self.url = redact(url)  # for messages
        self.postgres = is_postgres(url)
        self._engine = postgres_engine(url) if self.postgres else sqlite_engine(url)
        try:
            self._migrate(MIGRATIONS if migrations is None else migrations, create)
        except InputError:
            self._engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as exc:
            self._engine.dispose()
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise fail(
                self.url,
                None,
                f"cannot open the history store: {detail}",
                "pass a logwarden history file or a reachable postgresql:// URL",
            ) from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction that holds the writers' lock from its start."""
        with (
            self._engine.connect().execution_options(logwarden_write=True) as conn,
            conn.begin(),
        ):
            if self.postgres:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S)}s'")
            yield conn

    def _migrate(self, migrations: list[Migration], create: bool) -> None:
        with self._write() as conn:
            if self.postgres:  # two first scans must not both create the tables
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            if not sa.inspect(conn).has_table("schema_version"):
                if not create:
                    raise fail(
                        self.url,
                        None,
                        "no history store here",
                        "record scans with: scan --history URL",
                    )
                conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            version = conn.exec_driver_sql("SELECT max(version) FROM schema_version").scalar() or 0
            if version > len(migrations):
                raise fail(
                    self.url,
                    None,
                    f"history store schema version {version} is newer than this logwarden "
                    f"supports ({len(migrations)})",
                    "upgrade logwarden, or use another --history store",
                )
            for step in range(version, len(migrations)):
                migration = migrations[step]
                if isinstance(migration, str):
                    for statement in migration.split(";"):
                        if statement.strip():
                            conn.exec_driver_sql(statement)
                else:
                    migration(conn)
                conn.exec_driver_sql("DELETE FROM schema_version")
                conn.execute(
                    sa.text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": step + 1}
                )

    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT max(version) FROM schema_version").scalar_one())

    def record(self, state: ScanState, before_commit: Callable[[], None] | None = None) -> str:
        with self._write() as conn:
            if self.postgres:
                # Self-conflicting, so writers queue here and ids follow commit order; readers
                # (ACCESS SHARE) are not blocked.
                conn.exec_driver_sql("LOCK TABLE scans IN SHARE ROW EXCLUSIVE MODE")
            inserted = conn.execute(
                sa.insert(scans_t).values(
                    time=state.time, clouds=",".join(state.clouds), scope=state.scope
                )
            ).inserted_primary_key  # lastrowid on SQLite (no RETURNING needed), RETURNING on PG
            assert inserted is not None
            scan_id = int(inserted[0])
            insert_state(conn, scan_id, state)
            if before_commit is not None:  # tests: interrupt the write here
                before_commit()
        state.id = str(scan_id)
        return state.id

    def scans(self, scope: str | None = None) -> list[tuple[str, str, str]]:
        query = sa.select(scans_t.c.id, scans_t.c.time, scans_t.c.scope).order_by(scans_t.c.id)
        if scope is not None:
            query = query.where(scans_t.c.scope == scope)
        with self._engine.connect() as conn:
            return [(str(i), t, s) for i, t, s in conn.execute(query)]

    def load(self, scan_id: str) -> ScanState:
        row = None
        with self._engine.connect() as conn:
            if scan_id.isdigit() and int(scan_id) < 2**31:
                row = conn.execute(
                    sa.select(
                        scans_t.c.id, scans_t.c.time, scans_t.c.clouds, scans_t.c.scope
                    ).where(scans_t.c.id == int(scan_id))
                ).first()
            if row is None:
                raise fail(
                    self.url,
                    None,
                    f"no scan {scan_id!r} in the history store",
                    "list the scans with: logwarden drift --history URL --list",
                )
            state = ScanState(
                id=str(row.id),
                time=row.time,
                clouds=tuple(filter(None, row.clouds.split(","))),
                scope=row.scope,
            )
            read_state(conn, row.id, state)
        return state

    def attributions(
        self, scan_ids: list[str]
    ) -> tuple[dict[tuple[str, str], Attribution], dict[str, list[tuple[str, str]]]]:
        ids = [int(i) for i in scan_ids if i.isdigit() and int(i) < 2**31]
        with self._engine.connect() as conn:
            return read_attributions(conn, ids)

    def close(self) -> None:
        self._engine.dispose()


SQLiteStore = SQLStore  # the name before PostgreSQL joined


def open_store(
    url: str, create: bool = True, pm: pluggy.PluginManager | None = None
) -> HistoryStore:
    """The store for ``url``: a file path, ``sqlite:///path`` or ``postgresql://...``; other
    schemes are asked of the run's plugins (``logwarden_history_store`` on ``pm``; without
    ``pm``, such a URL is refused).

    ``create=False`` (reading commands) refuses a store that does not exist yet.
    """
    if "://" in url and not (url.startswith("sqlite:///") or is_postgres(url)):
        store: HistoryStore | None = (
            pm.hook.logwarden_history_store(url=url, create=create) if pm is not None else None
        )
        if store is not None:
            return store
        raise fail(
            "--history",
            None,
            f"unsupported history URL {redact(url)!r}",
            "use a file path, sqlite:///path or postgresql://user@host:port/db",
        )
    if not is_postgres(url) and not create and not sqlite_path(url).is_file():
        raise fail(url, None, "no history store here", "record scans with: scan --history URL")
    return SQLStore(url, create=create)
