"""Scan benchmark: a whole AWS organization on a moto server, through the ``logwarden scan`` path.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python bench/aws_org_scan.py --accounts 20 --regions 2 --repeat 3
    .venv/bin/python bench/aws_org_scan.py --accounts 200 --latency-ms 50 --jobs 16

A moto server runs in a separate process (``_moto_process.py``), seeded with the compliant
standard landing zone (management, log archive and ``--accounts`` workload accounts) over
``--regions`` regions; the latency is enabled after seeding, so only the scan pays it. The scan
runs in this process exactly as ``logwarden scan`` does (plugin manager, catalogue,
``configure_cloud``, ``engine.discover``, ``engine.run_scan``) with a ``before-call`` hook that
counts API calls. The scanner's CPU time and peak RSS are this process's; moto's CPU time is
read from ``/proc/<pid>/stat`` of the server process. ``--cli`` also times the installed
``logwarden scan`` as a subprocess (start-up included). Exit status: 0 when every scan covered
every account and reported no FAIL and no ERROR (the world is compliant), else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import _scale
from _calls import CallCounter, summarise
from _cli_scan import CliRun, run_cli
from _moto_child import MotoChild
from _profile import GcTimer, ThreadProfiler
from _report import Run, print_cli, print_run, print_summary, to_json, verify

from logwarden.scanner import commands
from logwarden.scanner.cli import tune_gc

REGIONS = (
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "ca-central-1",
    "sa-east-1",
    "ap-south-1",
    "eu-north-1",
)
DEFAULT_JOBS = commands.DEFAULT_JOBS


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20, help="workload accounts (default 20)")
    parser.add_argument("--regions", type=int, default=2, help=f"1-{len(REGIONS)} (default 2)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every scan call")
    parser.add_argument("--jobs", type=int, default=None, help=f"default {DEFAULT_JOBS}")
    parser.add_argument("--repeat", type=int, default=1, help="scans of the same world")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--cli", action="store_true", help="also time the CLI as a subprocess")
    parser.add_argument(
        "--rules",
        type=Path,
        action="append",
        default=[],
        help="extra rules file, as `logwarden scan --rules` (e.g. overrides disabling controls)",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="GLOB",
        help="disable the controls matching GLOB (repeatable): measure a subset of the catalogue",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile the last run (all threads) to FILE"
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="instead of in-process scans: the CLI in one process, as 2 shards + merge and on "
        "a 2-worker Dask LocalCluster, then of --small workload accounts (bench/_scale.py)",
    )
    parser.add_argument("--small", type=int, default=200, help="the --scale subset (200)")
    parser.add_argument(
        "--lean",
        action="store_true",
        help="seed no per-region Security Hub, flow logs or query logging (bench/_moto_process.py)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.regions <= len(REGIONS) or args.accounts < 0 or args.repeat < 1:
        parser.error(f"need 1 <= --regions <= {len(REGIONS)}, --accounts >= 0, --repeat >= 1")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def scan_environment(endpoint: str, home: str, region: str) -> None:
    """Static fake credentials and the emulator's endpoint; no profile, no config, no IMDS."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]  # AWS_PROFILE, AWS_SESSION_TOKEN, ... of the caller
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "bench-access-key",
            "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
            "AWS_DEFAULT_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(Path(home) / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(Path(home) / "no-credentials"),
        }
    )


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scan_once(
    child: MotoChild,
    regions: tuple[str, ...],
    jobs: int,
    world: dict[str, Any],
    disabled: tuple[str, ...] = (),
    rules: list[Path] | None = None,
) -> Run:
    """One scan along the ``logwarden scan`` path (scanner/commands.py ``scan``), measured."""
    from logwarden.scanner import commands, engine
    from logwarden.scanner.config import ScanConfig
    from logwarden.scanner.models import Gate, Status
    from logwarden.scanner.plugins import create_plugin_manager
    from logwarden.scanner.registry import Registry
    from logwarden.scanner.report import publish

    counter = CallCounter()
    section = {"mode": "organization", "regions": list(regions)}
    requests0, moto0 = child.requests(), child.cpu_seconds()
    with GcTimer() as gc_timer:
        cpu0, t0 = _cpu_self(), time.perf_counter()
        registry = Registry.collect(create_plugin_manager())
        pm = registry.pm
        cfg = ScanConfig(file="<bench>", clouds={"aws": section}, jobs=jobs)
        kinds = registry.kinds(["aws"])
        catalogue = commands._catalogue(registry, ["aws"], cfg, list(rules or []))
        catalogue.disabled |= {c for c in catalogue.checks if any(fnmatch(c, d) for d in disabled)}
        settings = registry.clouds["aws"].settings(section, cfg.file, None)
        settings.pool.register("before-call", counter.handler)
        t_discover = time.perf_counter()
        scan_input = engine.discover(
            registry.clouds, {"aws": settings}, kinds, catalogue.parameters
        )
        discover_s = time.perf_counter() - t_discover
        report = engine.run_scan(
            scan_input,
            catalogue,
            jobs=jobs,
            waivers=cfg.waivers,
            gate=Gate(fail_on=commands._fail_on(None, cfg)),
            release=True,  # as logwarden scan does without history
        )
        publish(pm, report)
        exit_code = int(report.exit_code)
        wall, cpu = time.perf_counter() - t0, _cpu_self() - cpu0
    moto_cpu, requests = child.cpu_seconds() - moto0, child.requests() - requests0
    calls = counter.snapshot()
    return Run(
        wall_s=wall,
        discover_s=discover_s,
        cpu_s=cpu,
        moto_cpu_s=moto_cpu,
        http_requests=requests,
        peak_rss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        gc_s=list(gc_timer.seconds),
        gc_collections=list(gc_timer.collections),
        exit_code=exit_code,
        statuses=report.counts(),
        tenants=len(report.tenants),
        collection_errors=[f"{e.tenant_id} {e.kind} {e.region} {e.code}" for e in report.errors],
        bad_rows=[
            f"{r.status.value} {r.check_id} {r.tenant_id} {r.region} {r.resource_id}: {r.message}"
            for r in report.results
            if r.status in (Status.FAIL, Status.ERROR)
        ],
        calls=summarise(calls, world["management_account_id"], world["accounts"] * len(regions)),
        by_key=calls,
    )


def main(argv: list[str] | None = None) -> int:
    """Seed, scan ``--repeat`` times (and once with the CLI), print and check the figures."""
    args = _args(argv)
    tune_gc()  # as the logwarden CLI does
    regions = REGIONS[: args.regions]
    jobs = args.jobs or DEFAULT_JOBS
    setup = {"members": args.accounts, "regions": list(regions), "jobs": jobs}
    setup |= {"latency_ms": args.latency_ms, "repeat": args.repeat, "cpus": os.cpu_count()}
    runs: list[Run] = []
    cli: CliRun | None = None
    top = ""
    with (
        tempfile.TemporaryDirectory(prefix="logwarden-bench-") as home,
        MotoChild(
            members=args.accounts, regions=regions, latency_ms=args.latency_ms, lean=args.lean
        ) as child,
    ):
        ready = child.ready
        print(f"moto server pid {child.pid} at {ready['endpoint']}: seeded")
        scan_environment(ready["endpoint"], home, regions[0])
        print(f"seeded in {ready['seed_seconds']:.1f} s")
        if args.scale:
            excluded = [arg for glob in args.disable for arg in ("--exclude-checks", glob)]
            result = _scale.run(child, Path(home), regions, jobs, args.small, excluded)
            _scale.print_ways(result)
            if args.json is not None:
                args.json.write_text(json.dumps(setup | result, indent=2) + "\n")
            return 0 if all(w["same_rows_as_single"] is not False for w in result["ways"]) else 1
        for i in range(1, args.repeat + 1):
            if args.profile is not None and i == args.repeat:
                with ThreadProfiler() as profiler:
                    runs.append(
                        scan_once(
                            child, regions, jobs, ready["world"], tuple(args.disable), args.rules
                        )
                    )
                top = profiler.dump(args.profile)
            else:
                runs.append(
                    scan_once(child, regions, jobs, ready["world"], tuple(args.disable), args.rules)
                )
            print_run(i, runs[-1])
        if args.cli:
            cli = run_cli(Path(home), regions, jobs)
    print_summary(setup, ready, runs)
    if cli is not None:
        print_cli(cli)
    if args.profile is not None:
        print(f"\nprofile of run {args.repeat} (thread CPU time, profiled: slower):\n{top}")
    ok = verify(runs, ready["world"]["accounts"], cli)
    if args.json is not None:
        args.json.write_text(json.dumps(to_json(setup, ready, runs, cli), indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
