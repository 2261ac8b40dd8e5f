"""Start, query and stop the moto server process (``_moto_process.py``) from the benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

CHILD = Path(__file__).with_name("_moto_process.py")
_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from ``/proc/<pid>/stat``."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "; fields[0] is state
    utime, stime = int(fields[11]), int(fields[12])  # stat fields 14 and 15
    return (utime + stime) / _TICKS


class MotoChild:
    """The moto server process: seeded on start, stopped (by its pid) on exit."""

    def __init__(
        self, *, members: int, regions: tuple[str, ...], latency_ms: float, lean: bool = False
    ) -> None:
        self.members = members
        self.lean = lean
        self.regions = regions
        self.latency_ms = latency_ms
        self.ready: dict[str, Any] = {}
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        """The server process id."""
        assert self._proc is not None, "not started"
        return self._proc.pid

    def start(self) -> MotoChild:
        """Spawn the server with the venv's python, wait for the seeded world's JSON line."""
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(CHILD),
                "--members",
                str(self.members),
                "--regions",
                ",".join(self.regions),
                "--latency-ms",
                str(self.latency_ms),
                *(["--lean"] if self.lean else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_child_env(),
        )
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line:
            self.stop()
            raise RuntimeError("the moto server process exited before it was ready")
        self.ready = json.loads(line)
        return self

    def command(self, text: str) -> dict[str, Any]:
        """Send one command line and read its JSON answer."""
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(text + "\n")
        proc.stdin.flush()
        return dict(json.loads(proc.stdout.readline()))

    def requests(self) -> int:
        """HTTP requests the server has received so far (seeding included)."""
        return int(self.command("stats")["requests"])

    def cpu_seconds(self) -> float:
        """The server process's CPU seconds so far."""
        return process_cpu_seconds(self.pid)

    def stop(self) -> None:
        """Close stdin (the server stops and exits); terminate, then kill, this pid if needed."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> MotoChild:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _child_env() -> dict[str, str]:
    """The server needs no AWS settings; make sure none leak in (it seeds with its own keys)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PYTHONUNBUFFERED"] = "1"
    # moto loads its catalogue of public AMIs into every account-region's EC2 backend (about
    # 2.5 MB each: 1,000 x 4 account-regions filled 24 GB); nothing here uses an AMI
    env["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    return env
