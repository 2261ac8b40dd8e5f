"""The installed ``logwarden scan`` as a subprocess: the whole command, start-up included.

The in-process runs of the benchmark measure the scan itself; this measures what a user waits
for (interpreter start, imports, scan, the JSON report) against the same seeded world.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
version: 1
clouds:
  aws:
    mode: organization
    regions: [{regions}]
"""


@dataclass
class CliRun:
    """One ``logwarden scan`` process."""

    wall_s: float
    cpu_s: float  # user + system of the CLI process
    peak_rss_kib: int
    exit_code: int
    statuses: dict[str, int]


def run_cli(workdir: Path, regions: tuple[str, ...], jobs: int) -> CliRun:
    """Run ``logwarden scan --format json`` in ``workdir`` with this process's environment
    (the benchmark has already set the emulator's endpoint and fake credentials in it)."""
    config = workdir / "logwarden.yaml"
    config.write_text(CONFIG.format(regions=", ".join(regions)), encoding="utf-8")
    output = workdir / "report"
    command = [
        str(Path(sys.executable).with_name("logwarden")),
        "scan",
        "--config",
        str(config),
        "--format",
        "json",
        "--output",
        str(output),
        "--jobs",
        str(jobs),
        "--quiet",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=dict(os.environ), check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    statuses: dict[str, int] = {}
    report = output / "report.json"
    if report.exists():
        doc = json.loads(report.read_text(encoding="utf-8"))
        for row in doc.get("results", []):
            status = str(row.get("status", "?"))
            statuses[status] = statuses.get(status, 0) + 1
    return CliRun(
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_kib=after.ru_maxrss,  # the largest waited-for child: the CLI (moto still runs)
        exit_code=done.returncode,
        statuses=dict(sorted(statuses.items())),
    )
