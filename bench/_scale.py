"""The scale runs of the scan benchmark (``aws_org_scan.py --scale``): the installed CLI as a
subprocess against one seeded world, three ways, and at two sizes.

- one process: ``logwarden scan``;
- 2 shards: ``--shard 1/2`` and ``--shard 2/2`` at the same time (two cores), then
  ``logwarden merge``; the wall time is the shards' plus the merge's;
- the same with shared facts: ``--save-facts`` once, then both shards with ``--facts`` and
  the merge; the wall time includes the facts run;
- a 2-worker Dask ``LocalCluster`` (worker processes, started here) and
  ``logwarden scan --dask-scheduler``;
- the one-process scan again of a subset of the organization (``exclude_accounts``), for peak
  RSS against the number of tenants;
- one process with ``--history`` (a new SQLite store), then again with ``--history --drift``
  (reads the first scan back and compares), at both sizes: peak RSS of scans that record
  every resource.

Each process's peak RSS and CPU come from ``os.wait4`` (that child alone); the Dask workers'
from the workers themselves. The rows of every way are compared with the single scan's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LOGWARDEN = str(Path(sys.executable).with_name("logwarden"))


@dataclass
class Proc:
    """One CLI process: wall, CPU, peak RSS, exit code."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    exit_code: int


@dataclass
class Way:
    """One way of scanning the world, and what it gave."""

    name: str
    wall_s: float
    processes: list[Proc]
    requests: int
    rows: int
    statuses: dict[str, int]
    same_rows_as_single: bool | None = None
    workers_peak_rss_mib: list[float] = field(default_factory=list)
    workers_cpu_s: float = 0.0

    @property
    def cpu_s(self) -> float:
        return sum(p.cpu_s for p in self.processes) + self.workers_cpu_s


def config(workdir: Path, regions: Sequence[str], exclude: Sequence[str] = ()) -> Path:
    """The scan configuration of the organization (less ``exclude``)."""
    path = workdir / f"logwarden-{len(exclude)}.yaml"
    text = (
        "version: 1\nclouds:\n  aws:\n    mode: organization\n"
        f"    regions: [{', '.join(regions)}]\n"
    )
    if exclude:
        text += f"    exclude_accounts: [{', '.join(repr(a) for a in exclude)}]\n"
    path.write_text(text, encoding="utf-8")
    return path


def start(args: Sequence[str], cwd: Path) -> tuple[subprocess.Popen[bytes], float]:
    proc = subprocess.Popen([LOGWARDEN, *args], cwd=cwd, env=dict(os.environ))
    return proc, time.perf_counter()


def wait(proc: subprocess.Popen[bytes], started: float) -> Proc:
    """Wait for ``proc``; its own rusage (peak RSS, CPU)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Proc(
        wall_s=time.perf_counter() - started,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=usage.ru_maxrss / 1024,
        exit_code=proc.returncode,
    )


def rows(report: Path) -> list[tuple[str, ...]]:
    doc = json.loads(report.read_text(encoding="utf-8"))
    return sorted(
        (r["check_id"], r["tenant_id"], r["region"], r["resource_id"], r["status"])
        for r in doc["results"]
    )


def statuses(found: list[tuple[str, ...]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in found:
        out[row[-1]] = out.get(row[-1], 0) + 1
    return dict(sorted(out.items()))


def scan_args(cfg: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    return [
        "scan",
        "-c",
        str(cfg),
        "--format",
        "json",
        "-o",
        str(out),
        "-q",
        "-j",
        str(jobs),
        *extra,
    ]


def single(child: Any, workdir: Path, cfg: Path, jobs: int, name: str, *extra: str) -> Way:
    before = child.requests()
    out = workdir / name
    proc = wait(*start(scan_args(cfg, out, jobs, *extra), workdir))
    found = rows(out / "report.json")
    return Way(name, proc.wall_s, [proc], child.requests() - before, len(found), statuses(found))


def shards(
    child: Any, workdir: Path, cfg: Path, jobs: int, *extra: str, facts: bool = False
) -> Way:
    """Two shards at once, then the merge (with ``facts``: after a ``--save-facts`` run)."""
    before = child.requests()
    tag = "-facts" if facts else ""
    t0 = time.perf_counter()
    procs = []
    if facts:
        saved = workdir / "facts.json"
        facts_run = ["scan", "-c", str(cfg), "-q", "-j", str(jobs), "--save-facts", str(saved)]
        procs.append(wait(*start([*facts_run, *extra], workdir)))
        extra = (*extra, "--facts", str(saved))
    running = [
        start(
            scan_args(cfg, workdir / f"shard{tag}-{i}", jobs, "--shard", f"{i}/2", *extra),
            workdir,
        )
        for i in (1, 2)
    ]
    procs += [wait(*r) for r in running]
    reports = [str(workdir / f"shard{tag}-{i}" / "report.json") for i in (1, 2)]
    merged = workdir / f"merged{tag}"
    merge = ["merge", *reports, "--format", "json", "-o", str(merged), "-q"]
    procs.append(wait(*start(merge, workdir)))
    found = rows(merged / "report.json")
    wall = time.perf_counter() - t0
    name = "facts, then 2 shards + merge" if facts else "2 shards + merge"
    return Way(name, wall, procs, child.requests() - before, len(found), statuses(found))


def history(child: Any, workdir: Path, cfg: Path, jobs: int, tag: str, *extra: str) -> list[Way]:
    """A scan recorded in a new history store, then one compared with it (``--drift``)."""
    db = workdir / f"history{tag.replace(' ', '-').replace(',', '')}.db"
    db.unlink(missing_ok=True)
    recorded = ("--history", str(db))
    return [
        single(child, workdir, cfg, jobs, f"single --history{tag}", *recorded, *extra),
        single(
            child,
            workdir,
            cfg,
            jobs,
            f"single --history --drift{tag}",
            *recorded,
            "--drift",
            *extra,
        ),
    ]


def dask(child: Any, workdir: Path, cfg: Path, jobs: int, *extra: str) -> Way:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=jobs,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env={k: v for k, v in os.environ.items() if k.startswith(("AWS_", "LOGWARDEN_"))},
        ) as cluster,
        Client(cluster) as client,
    ):
        before = child.requests()
        out = workdir / "dask"
        extra = (*extra, "--dask-scheduler", cluster.scheduler_address)
        proc = wait(*start(scan_args(cfg, out, jobs, *extra), workdir))
        usage = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF))
    peaks = {w: u.ru_maxrss / 1024 for w, u in usage.items()}
    found = rows(out / "report.json")
    way = Way(
        "Dask LocalCluster, 2 workers",
        proc.wall_s,
        [proc],
        child.requests() - before,
        len(found),
        statuses(found),
    )
    way.workers_peak_rss_mib = sorted(peaks.values())
    way.workers_cpu_s = sum(u.ru_utime + u.ru_stime for u in usage.values())
    return way


def run(
    child: Any,
    workdir: Path,
    regions: Sequence[str],
    jobs: int,
    small: int,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Every way over the seeded world; the subset scan keeps ``small`` workload accounts.
    ``extra``: more arguments of every scan (e.g. ``--exclude-checks GLOB``)."""
    world = child.ready["world"]
    cfg = config(workdir, regions)
    ways = [single(child, workdir, cfg, jobs, "single", *extra)]
    reference = rows(workdir / "single" / "report.json")
    ways.append(shards(child, workdir, cfg, jobs, *extra))
    ways[-1].same_rows_as_single = rows(workdir / "merged" / "report.json") == reference
    ways.append(shards(child, workdir, cfg, jobs, *extra, facts=True))
    ways[-1].same_rows_as_single = rows(workdir / "merged-facts" / "report.json") == reference
    ways.append(dask(child, workdir, cfg, jobs, *extra))
    ways[-1].same_rows_as_single = rows(workdir / "dask" / "report.json") == reference
    ways += history(child, workdir, cfg, jobs, "", *extra)
    for way in ways[-2:]:
        way.same_rows_as_single = rows(workdir / way.name / "report.json") == reference
    keep = {world["management_account_id"], world["log_archive_account_id"]}
    members = [a for a in world["account_ids"] if a not in keep]
    subset = config(workdir, regions, members[small:])
    ways.append(single(child, workdir, subset, jobs, f"single, {small} workload accounts", *extra))
    ways += history(child, workdir, subset, jobs, f", {small} workload accounts", *extra)
    return {"jobs": jobs, "ways": [asdict(w) | {"cpu_s": w.cpu_s} for w in ways]}


def print_ways(result: dict[str, Any]) -> None:
    print(f"\nscale runs (installed CLI, --jobs {result['jobs']} per process):")
    head = "| way | wall s | requests | CPU s (all processes) | ms CPU / request | peak RSS MiB | rows | same rows | exit |"
    print(head)
    print("|---|---:|---:|---:|---:|---|---:|---|---|")
    for w in result["ways"]:
        rss = " / ".join(f"{p['peak_rss_mib']:.0f}" for p in w["processes"])
        if w["workers_peak_rss_mib"]:
            rss += " (workers " + " / ".join(f"{r:.0f}" for r in w["workers_peak_rss_mib"]) + ")"
        per_call = 1000 * w["cpu_s"] / max(1, w["requests"])
        codes = ",".join(str(p["exit_code"]) for p in w["processes"])
        same = {None: "-", True: "yes", False: "**NO**"}[w["same_rows_as_single"]]
        print(
            f"| {w['name']} | {w['wall_s']:.1f} | {w['requests']} | {w['cpu_s']:.1f} "
            f"| {per_call:.2f} | {rss} "
            f"| {w['rows']} | {same} | {codes} |"
        )
