"""A throw-away PostgreSQL server on 127.0.0.1 for the history-store tests.

``initdb`` into a fresh temporary directory (trust authentication, superuser ``logwarden``),
then ``postgres`` on a free port, listening on 127.0.0.1 only; stopped by its PID and the
directory removed. PostgreSQL refuses to run as root, so as root both run as the ``postgres``
user of Debian's package (or ``nobody``), which owns the directory. Binaries come from PATH
or Debian's /usr/lib/postgresql/<version>/bin.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

INITDB_OPTIONS = ["-E", "UTF8", "--locale=C", "--no-sync"]
# A test server: no durability needed, many connections for the concurrent-writer tests.
SERVER_OPTIONS = ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]


class ServerUnavailable(Exception):
    """No PostgreSQL server could be started here (the message says why)."""


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    debian = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return debian[-1] if debian else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> dict[str, Any]:
    """Popen arguments that drop root to an unprivileged user; none when not root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise ServerUnavailable("running as root and there is no postgres or nobody user")


class PostgresServer:
    def __init__(self) -> None:
        self.base = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql://logwarden@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 30.0) -> None:
        initdb, postgres = find_binary("initdb"), find_binary("postgres")
        if not (initdb and postgres):
            raise ServerUnavailable(
                "PostgreSQL server binaries (initdb, postgres) not found: "
                "apt-get install postgresql"
            )
        as_user = _run_as()
        self.base = tempfile.mkdtemp(prefix="logwarden-pg-")
        if as_user:
            os.chown(self.base, as_user["user"], as_user["group"])
        data = os.path.join(self.base, "data")
        init = subprocess.run(
            [initdb, "-D", data, "-U", "logwarden", "--auth=trust", *INITDB_OPTIONS],
            cwd=self.base,
            capture_output=True,
            text=True,
            check=False,
            **as_user,
        )
        if init.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {init.stderr.strip()[-800:]}")
        for _attempt in range(3):  # the free port can be taken before postgres binds it
            self.port = _free_port()
            log = open(os.path.join(self.base, "server.log"), "ab")  # noqa: SIM115
            self.proc = subprocess.Popen(
                [
                    postgres,
                    "-D",
                    data,
                    "-p",
                    str(self.port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    self.base,
                    *SERVER_OPTIONS,
                ],
                cwd=self.base,
                stdout=log,
                stderr=subprocess.STDOUT,
                **as_user,
            )
            log.close()
            if self._wait_ready(timeout):
                return
            self._stop_process()
        tail = Path(self.base, "server.log").read_text(errors="replace")[-800:]
        self.stop()
        raise ServerUnavailable(f"postgres did not start: {tail}")

    def _wait_ready(self, timeout: float) -> bool:
        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def _stop_process(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGINT)  # fast shutdown: roll back and close sessions
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self._stop_process()
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
