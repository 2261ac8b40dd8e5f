"""History store and drift benchmark: record two large scans, read them back, compare them.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python bench/history_drift.py                  # 20,000 results, 8,000 resources
    .venv/bin/python bench/history_drift.py --results 50000 --resources 20000 --repeat 3
    .venv/bin/python bench/history_drift.py --backend sqlite --profile /tmp/hist
    .venv/bin/python bench/history_drift.py --backend sqlite --fresh-read  # reading's own peak

What it measures, per back end (SQLite: a file in a temporary directory; PostgreSQL: a
throw-away server from ``tests/pg_server.py``, skipped with the reason when it cannot start),
with ``time.perf_counter``, on a new empty store each run:

- ``open``: ``history.open_store`` on an empty database (creates the schema);
- ``record 1`` and ``record 2``: ``HistoryStore.record`` of the two scans (one transaction each);
- ``read``: the latest two scans back, as ``logwarden drift`` picks them (``scans(scope)``,
  then ``load`` of the last and the one before it);
- ``compare``: ``drift.compare`` of the two states read back;

and the peak RSS of this process (``resource.getrusage``; a high-water mark, so each figure
includes everything before it) plus the size of the database on disk.

The scans are built by the project's code: scan 1 is ``tests.report_world.scaled_report(N)``
(the real AWS catalogue evaluated offline, repeated over more accounts) turned into a
``ScanState`` by ``drift.state_of(report, scan)`` with offline inventories, as ``scan
--history`` does (``drift_commands.compare_scan``: ``carry_first_seen``, then ``state_of``).
That report has no inventories, so the inventories are synthesized from ``tests/aws_docs.py``
documents: for each AWS account of the report, in turn, its organization account entry, a
local CloudTrail trail, an S3 log bucket (policy, encryption, lifecycle, ACL...), two Config
recorders, the Config regions, a KMS key and a log group, until ``--resources`` resources.
Scan 2 is one day later: every trail's delivery timestamps move (a digest change that drift
must look into and ignore), 1 % of PASS rows fail, 0.5 % of FAIL rows pass, 0.5 % of rows
disappear and 0.5 % are new; 1 % of resources get a changed field, 0.5 % are removed and
0.5 % are new. ``--repeat N`` runs (a new store each); the first run and the medians are
printed; ``--json FILE`` writes every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from logwarden.scanner import drift, engine, history
from logwarden.scanner.cli import tune_gc
from logwarden.scanner.drift import ScanState
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    CheckResult,
    KindCollection,
    Resource,
    ScanReport,
    Status,
    Tenant,
)
from logwarden.scanner.plugins import create_plugin_manager
from logwarden.scanner.registry import Registry
from tests import aws_docs as d
from tests.pg_server import PostgresServer, ServerUnavailable
from tests.report_world import scaled_report

STEPS = ("open", "record_1", "record_2", "read", "compare")
TIME_1 = "2026-11-22T00:00:00+00:00"
TIME_2 = "2026-11-23T00:00:00+00:00"
SEED = 20261122
# Per account, in this order, until --resources: the heaviest documents come early.
SLOTS = (
    "account",
    "trail",
    "bucket",
    "recorder_0",
    "recorder_1",
    "regions",
    "key",
    "log_group",
)

# --------------------------------------------------------------------------- the scans


def _account_names(account: str) -> dict[str, str]:
    return {
        "bucket": f"app-logs-{account}",
        "trail": f"arn:aws:cloudtrail:us-east-1:{account}:trail/app-trail",
        "key": f"arn:aws:kms:us-east-1:{account}:key/{account}-aaaa-bbbb-cccc-{account}",
        "group": f"arn:aws:logs:us-east-1:{account}:log-group:app-trail",
    }


def _renamed(doc: dict[str, Any], account: str) -> dict[str, Any]:
    """A tests/aws_docs.py document made this account's own (names, ARNs, account id)."""
    names = _account_names(account)
    text = json.dumps(doc)
    for old, new in (
        (d.BUCKET, names["bucket"]),
        (d.TRAIL_ARN, names["trail"]),
        (d.KEY_ARN, names["key"]),
        (d.LOG_GROUP_ARN, names["group"]),
        (d.LOG, account),
    ):
        text = text.replace(old, new)
    out: dict[str, Any] = json.loads(text)
    return out


def _resource(slot: str, account: str, delivered: str) -> tuple[bool, Resource]:
    """(organization level?, the resource) of one slot of one account."""
    names = _account_names(account)
    if slot == "account":
        arn = f"arn:aws:organizations::{d.MGMT}:account/{d.ORG_ID}/{account}"
        data: dict[str, Any] = {
            "Id": account,
            "Arn": arn,
            "Name": f"workload-{account}",
            "Status": "ACTIVE",
            "ParentPath": [
                {"Id": d.ROOT, "Type": "ROOT", "Name": "Root"},
                {"Id": d.OU_WORKLOADS, "Type": "ORGANIZATIONAL_UNIT", "Name": "Workloads"},
            ],
            "IsManagementAccount": False,
            "EffectivePolicyIds": ["p-fullaccess", "p-cloudtrail", "p-config"],
        }
        return True, Resource("aws.organizations.account", arn, d.MGMT, "", data)
    if slot == "trail":
        trail = d.trail_doc(
            Name="app-trail",
            IsOrganizationTrail=False,
            Status={
                "IsLogging": True,
                "LatestDeliveryTime": delivered,
                "LatestCloudWatchLogsDeliveryTime": delivered,
            },
        )
        data = _renamed(trail, account)
        return False, Resource("aws.cloudtrail.trail", names["trail"], account, "us-east-1", data)
    if slot == "bucket":
        data = _renamed(d.bucket_doc(), account)
        arn = f"arn:aws:s3:::{names['bucket']}"
        return False, Resource("aws.s3.bucket", arn, account, "us-east-1", data)
    if slot.startswith("recorder_"):
        return False, d.recorder_doc(account, d.REGIONS[int(slot[-1])])
    if slot == "regions":
        arn = f"arn:aws:config::{account}:regions"
        data = {"Regions": list(d.REGIONS)}
        return False, Resource("aws.config.regions", arn, account, "", data)
    if slot == "key":
        data = {
            "KeyId": names["key"].split("/")[-1],
            "Arn": names["key"],
            "KeyManager": "CUSTOMER",
            "KeyState": "Enabled",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyRotationEnabled": True,
            "RotationPeriodInDays": 365,
            "UsedBy": [names["trail"], f"arn:aws:s3:::{names['bucket']}"],
        }
        return False, Resource("aws.kms.key", names["key"], account, "us-east-1", data)
    data = {
        "logGroupName": "app-trail",
        "arn": names["group"],
        "retentionInDays": 365,
        "UsedBy": [names["trail"]],
    }
    return False, Resource("aws.logs.log_group", names["group"], account, "us-east-1", data)


World = dict[str | None, list[Resource]]  # by owner account; None: the organization level


def world_of(report: ScanReport, count: int, delivered: str) -> World:
    """``count`` resources spread over the AWS accounts of ``report`` (SLOTS, in turn)."""
    accounts = [t.id for t in report.tenants if t.cloud == "aws"]
    world: World = {None: [], **{a: [] for a in accounts}}
    for i in range(min(count, len(accounts) * len(SLOTS))):
        account = accounts[i % len(accounts)]
        org_level, res = _resource(SLOTS[i // len(accounts)], account, delivered)
        world[None if org_level else account].append(res)
    return world


def _changed(res: Resource) -> Resource:
    """One field of ``res`` changed, as an administrator (or an attacker) would."""
    data = json.loads(json.dumps(res.data))
    kind = res.kind
    if kind == "aws.cloudtrail.trail":
        data["Status"]["IsLogging"] = False
    elif kind == "aws.s3.bucket":
        data["Versioning"] = {"Status": "Suspended"}
    elif kind == "aws.config.recorder":
        data["Status"]["recording"] = False
    elif kind == "aws.config.regions":
        data["Regions"].append("us-west-2")
    elif kind == "aws.kms.key":
        data["KeyRotationEnabled"] = False
    elif kind == "aws.logs.log_group":
        data["retentionInDays"] = 30
    else:
        data["EffectivePolicyIds"] = data["EffectivePolicyIds"][:1]
    return dataclasses.replace(res, data=data)


def drifted_world(world: World, rng: random.Random) -> tuple[World, dict[str, int]]:
    """Scan 2's resources: 1 % changed, 0.5 % removed, 0.5 % new (extra log buckets)."""
    keys = [(owner, i) for owner, items in world.items() for i in range(len(items))]
    total = len(keys)
    picked = rng.sample(keys, total // 100 + total // 200)
    changed, removed = set(picked[: total // 100]), set(picked[total // 100 :])
    out: World = {}
    for owner, items in world.items():
        out[owner] = [
            _changed(res) if (owner, i) in changed else res
            for i, res in enumerate(items)
            if (owner, i) not in removed
        ]
    accounts = [a for a in world if a is not None]
    for n in range(total // 200):
        account = rng.choice(accounts)
        _, bucket = _resource("bucket", account, "")
        name = f"extra-logs-{account}-{n}"
        data = {**bucket.data, "Name": name}
        out[account].append(dataclasses.replace(bucket, id=f"arn:aws:s3:::{name}", data=data))
    counts = {"changed": len(changed), "removed": len(removed), "added": total // 200}
    return out, counts


def drifted_results(
    results: list[CheckResult], rng: random.Random
) -> tuple[list[CheckResult], dict[str, int]]:
    """Scan 2's rows: 1 % of PASS fail, 0.5 % of FAIL pass, 0.5 % gone, 0.5 % new."""
    total = len(results)
    passing = [i for i, r in enumerate(results) if r.status is Status.PASS]
    failing = [i for i, r in enumerate(results) if r.status is Status.FAIL]
    to_fail = set(rng.sample(passing, min(len(passing), total // 100)))
    to_pass = set(rng.sample(failing, min(len(failing), total // 200)))
    others = [i for i in range(total) if i not in to_fail and i not in to_pass]
    gone = set(rng.sample(others, total // 200))
    out: list[CheckResult] = []
    for i, r in enumerate(results):
        if i in gone:
            continue
        if i in to_fail:
            out.append(dataclasses.replace(r, status=Status.FAIL, message=r.message + " (drift)"))
        elif i in to_pass:
            out.append(dataclasses.replace(r, status=Status.PASS, message=r.message + " (fixed)"))
        else:
            out.append(dataclasses.replace(r))
    for i in rng.sample(range(total), total // 200):  # a new resource, so a new fingerprint
        r = results[i]
        out.append(dataclasses.replace(r, resource_id=r.resource_id + "-new"))
    counts = {"to_fail": len(to_fail), "to_pass": len(to_pass), "gone": len(gone)}
    counts["new"] = total // 200
    return out, counts


def scan_input(report: ScanReport, world: World) -> engine.ScanInput:
    """Offline inventories holding ``world``, as ``snapshot.load`` rebuilds a saved scan."""
    kinds = Registry.collect(create_plugin_manager()).kinds(["aws"])
    org = next(o for o in report.organizations if o.cloud == "aws")

    def inventory(tenant: Tenant | None, items: list[Resource]) -> Inventory:
        inv = Inventory(cloud="aws", tenant=tenant, organization=org, kinds=kinds, offline=True)
        by_kind: dict[str, list[Resource]] = {}
        for res in items:
            by_kind.setdefault(res.kind, []).append(res)
        for kind, resources in by_kind.items():
            inv.preload(kind, KindCollection(resources=tuple(resources)))
        return inv

    scope = engine.Scope_(organization=org, inventory=inventory(None, world[None]))
    tenants = {t.id: t for t in report.tenants if t.cloud == "aws"}
    scope.tenants = [inventory(tenants[a], items) for a, items in world.items() if a is not None]
    return engine.ScanInput(scopes=[scope])


@dataclasses.dataclass
class Scans:
    first: ScanState
    second: ScanState
    build_s: float
    drift: dict[str, dict[str, int]]
    expected: dict[str, int]


def drift_counts(result: drift.Drift) -> dict[str, int]:
    return {
        "regressions": len(result.regressions),
        "resolved": len(result.resolved),
        "still_failing": len(result.still_failing),
        "new_resources": len(result.new_resources),
        "removed_resources": len(result.removed_resources),
        "changes": len(result.changes),
    }


def build_scans(results: int, resources: int) -> Scans:
    """The two scans, through the code ``scan --history`` runs (``drift_commands.compare_scan``)."""
    start = time.perf_counter()
    rng = random.Random(SEED)
    report_1 = scaled_report(results)
    report_1 = dataclasses.replace(report_1, started_at=TIME_1, finished_at=TIME_1)
    world_1 = world_of(report_1, resources, "2026-11-21T23:00:00+00:00")
    rows_1 = drift.carry_first_seen(report_1.results, None, report_1.started_at)
    report_1 = dataclasses.replace(report_1, results=rows_1)
    first = drift.state_of(report_1, scan_input(report_1, world_1))

    rows_2, row_counts = drifted_results(list(report_1.results), rng)
    report_2 = dataclasses.replace(report_1, results=rows_2, started_at=TIME_2, finished_at=TIME_2)
    world_2, res_counts = drifted_world(
        world_of(report_1, resources, "2026-11-22T23:00:00+00:00"), rng
    )
    rows_2 = drift.carry_first_seen(report_2.results, first, report_2.started_at)
    report_2 = dataclasses.replace(report_2, results=rows_2)
    second = drift.state_of(report_2, scan_input(report_2, world_2))
    build_s = time.perf_counter() - start
    expected = drift_counts(drift.compare(first, second))
    return Scans(first, second, build_s, {"results": row_counts, "resources": res_counts}, expected)


# --------------------------------------------------------------------------- the back ends


@dataclasses.dataclass
class Run:
    seconds: dict[str, float]
    db_bytes: int
    peak_rss_kib: int
    drift: dict[str, int]
    round_trip_equal: bool


def _peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


@contextmanager
def _profiled(profile: cProfile.Profile | None) -> Iterator[None]:
    if profile is None:
        yield
        return
    profile.enable()
    try:
        yield
    finally:
        profile.disable()


def run_once(
    url: str,
    scans: Scans,
    size: Callable[[str], int],
    profiles: dict[str, cProfile.Profile] | None = None,
) -> Run:
    """One new store: open, record both scans, read the latest two back, compare."""
    seconds: dict[str, float] = {}

    def timed(step: str, action: Callable[[], Any]) -> Any:
        profile = profiles.setdefault(step, cProfile.Profile()) if profiles is not None else None
        with _profiled(profile):
            start = time.perf_counter()
            value = action()
            seconds[step] = time.perf_counter() - start
        return value

    store = timed("open", lambda: history.open_store(url))
    try:
        timed("record_1", lambda: store.record(scans.first))
        timed("record_2", lambda: store.record(scans.second))

        def read() -> tuple[ScanState, ScanState]:
            ids = [s[0] for s in store.scans(scans.second.scope)]
            return store.load(ids[-2]), store.load(ids[-1])

        before, after = timed("read", read)
        result = timed("compare", lambda: drift.compare(before, after))
    finally:
        store.close()
    equal = before == scans.first and after == scans.second
    return Run(seconds, size(url), _peak_rss_kib(), drift_counts(result), equal)


def sqlite_size(url: str) -> int:
    path = history.sqlite_path(url)
    return sum(
        p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )


def postgres_size(url: str) -> int:
    engine_ = sa.create_engine(history.engine_url(url))
    try:
        with engine_.connect() as conn:
            query = "SELECT pg_database_size(current_database())"
            return int(conn.exec_driver_sql(query).scalar_one())
    finally:
        engine_.dispose()


def run_backend(
    name: str, urls: Iterator[str], scans: Scans, args: argparse.Namespace
) -> dict[str, Any]:
    runs: list[Run] = []
    profiles: dict[str, cProfile.Profile] | None = None
    size = sqlite_size if name == "sqlite" else postgres_size
    for i in range(args.repeat):
        last = i == args.repeat - 1
        profiles = {} if args.profile is not None and last else None
        runs.append(run_once(next(urls), scans, size, profiles))
        shown = "  ".join(f"{k} {v:.3f}" for k, v in runs[-1].seconds.items())
        print(f"  {name} run {i + 1}: {shown}  (s)", flush=True)
    doc = summarise(runs)
    if profiles:
        doc["profile"] = {}
        for step, profile in profiles.items():
            target = Path(f"{args.profile}.{name}.{step}.prof")
            profile.dump_stats(target)
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(14)
            doc["profile"][step] = str(target)
            if runs[-1].seconds[step] >= args.profile_min:
                print(f"\n--- profile {name} {step} ({target}) ---")
                print(text.getvalue().split("\n", 6)[-1].rstrip())
    return doc


def summarise(runs: list[Run]) -> dict[str, Any]:
    return {
        "median_s": {s: statistics.median(r.seconds[s] for r in runs) for s in STEPS},
        "first_s": dict(runs[0].seconds),
        "db_bytes": runs[-1].db_bytes,
        "peak_rss_kib": max(r.peak_rss_kib for r in runs),
        "drift": runs[0].drift,
        "round_trip_equal": all(r.round_trip_equal for r in runs),
        "runs": [dataclasses.asdict(r) for r in runs],
    }


def sqlite_urls(base: Path) -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"sqlite:///{base / f'history-{n}.db'}"


def postgres_urls(server: PostgresServer) -> Iterator[str]:
    while True:
        yield server.create_database()


# --------------------------------------------------------------------------- output


def print_backend(name: str, doc: dict[str, Any], repeat: int) -> None:
    print(f"\n{name}: {repeat} runs, a new store each")
    print(f"{'step':10} {'median s':>9} {'first s':>9}")
    for step in STEPS:
        print(f"{step:10} {doc['median_s'][step]:9.3f} {doc['first_s'][step]:9.3f}")
    print(
        f"database {doc['db_bytes'] / 2**20:.1f} MiB on disk; peak RSS of the process "
        f"{doc['peak_rss_kib'] / 1024:.0f} MiB; round trip equal: {doc['round_trip_equal']}"
    )
    print(f"drift read back: {doc['drift']}")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=20_000, help="rows per scan (20,000)")
    parser.add_argument("--resources", type=int, default=8_000, help="resources per scan (8,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per back end (3)")
    parser.add_argument(
        "--backend", choices=("all", "sqlite", "postgresql"), default="all", help="default all"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument(
        "--profile",
        default=None,
        metavar="PREFIX",
        help="cProfile each step of the last run to PREFIX.<backend>.<step>.prof",
    )
    parser.add_argument(
        "--profile-min", type=float, default=0.5, help="print profiles of steps over S (0.5)"
    )
    parser.add_argument(
        "--fresh-read",
        action="store_true",
        help="also record both scans in a SQLite file and read them back and compare them in a "
        "new process: the peak RSS of reading a store, without the scans built here",
    )
    args = parser.parse_args(argv)
    if args.results < 100 or args.resources < 100 or args.repeat < 1:
        parser.error("need --results >= 100, --resources >= 100, --repeat >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    tune_gc()  # as the logwarden CLI does before a scan
    scans = build_scans(args.results, args.resources)
    setup = {
        "results": len(scans.first.results),
        "resources": len(scans.first.resources),
        "results_2": len(scans.second.results),
        "resources_2": len(scans.second.resources),
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sa.__version__,
    }
    rss_built = _peak_rss_kib()
    print(
        f"scan 1: {setup['results']:,} results, {setup['resources']:,} resources; "
        f"scan 2: {setup['results_2']:,} results, {setup['resources_2']:,} resources; "
        f"built in {scans.build_s:.2f} s, peak RSS {rss_built / 1024:.0f} MiB"
    )
    print(f"drift put in: {scans.drift}")
    print(f"drift expected (in memory): {scans.expected}")
    out: dict[str, Any] = {
        "setup": setup,
        "build_s": scans.build_s,
        "peak_rss_kib_built": rss_built,
        "drift_in": scans.drift,
        "drift_expected": scans.expected,
        "backends": {},
        "skipped": {},
    }
    ok = True
    if args.backend in ("all", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="logwarden-bench-history-") as base:
            out["backends"]["sqlite"] = run_backend("sqlite", sqlite_urls(Path(base)), scans, args)
    if args.backend in ("all", "postgresql"):
        server = PostgresServer()
        try:
            try:
                server.start()
            except (ServerUnavailable, OSError, ImportError) as exc:
                print(f"\npostgresql: skipped, no server here: {exc}")
                out["skipped"]["postgresql"] = str(exc)
            else:
                pid = server.proc.pid if server.proc is not None else None
                print(f"\npostgresql server pid {pid} on 127.0.0.1:{server.port}")
                urls = postgres_urls(server)
                out["backends"]["postgresql"] = run_backend("postgresql", urls, scans, args)
                out["setup"]["postgresql"] = _server_version(server.url)
        finally:
            server.stop()  # by its PID (tests/pg_server.py), and its directory removed
    if args.fresh_read:
        out["fresh_read"] = fresh_read(scans)
        print(f"\nread back in a new process (SQLite): {out['fresh_read']}")
    for name, doc in out["backends"].items():
        print_backend(name, doc, args.repeat)
        if doc["drift"] != scans.expected or not doc["round_trip_equal"]:
            ok = False
            print(f"!!!!! {name}: the scans read back differ from the scans recorded !!!!!")
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n")
    return 0 if ok else 1


# What ``--fresh-read`` runs in a new interpreter (the logwarden it imports is the
# environment's: ``PYTHONPATH`` can point it at another tree, for a before/after figure).
_FRESH_READ = """
import json, sys, time
from logwarden.scanner import drift, history

def peak_kib():  # VmHWM: this process's own peak (ru_maxrss survives the exec of the parent's)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
start = time.perf_counter()
store = history.open_store(sys.argv[1], create=False)
ids = [s[0] for s in store.scans()]
before, after = store.load(ids[-2]), store.load(ids[-1])
read = time.perf_counter() - start
found = drift.compare(before, after)
store.close()
print(json.dumps({
    "read_s": round(read, 3),
    "compare_s": round(time.perf_counter() - start - read, 3),
    "changes": len(found.changes),
    "peak_rss_mib": round(peak_kib() / 1024),
}))
"""


def fresh_read(scans: Scans) -> dict[str, Any]:
    """Record both scans in a new SQLite store, then read the latest two back and compare
    them in a new process; its figures."""
    with tempfile.TemporaryDirectory(prefix="logwarden-bench-history-") as base:
        url = str(Path(base) / "history.db")
        store = history.open_store(url)
        try:
            store.record(scans.first)
            store.record(scans.second)
        finally:
            store.close()
        proc = subprocess.run(
            [sys.executable, "-c", _FRESH_READ, url],
            capture_output=True,
            text=True,
            check=True,
            cwd=base,
        )
    figures: dict[str, Any] = json.loads(proc.stdout)
    return figures


def _server_version(url: str) -> str:
    engine_ = sa.create_engine(history.engine_url(url))
    try:
        with engine_.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one())
    finally:
        engine_.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
