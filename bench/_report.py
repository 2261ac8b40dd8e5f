"""The figures of one scan (:class:`Run`), printed for people and written as JSON."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from _calls import CallSummary, service_table
from _cli_scan import CliRun


@dataclass
class Run:
    """One in-process scan: timings, resources, API calls and outcome."""

    wall_s: float
    discover_s: float  # base session + organization tree, inside wall_s
    cpu_s: float
    moto_cpu_s: float
    http_requests: int
    peak_rss_kib: int
    gc_s: list[float]  # seconds in the garbage collector, by generation
    gc_collections: list[int]  # collections, by generation
    exit_code: int
    statuses: dict[str, int]
    tenants: int
    collection_errors: list[str]
    bad_rows: list[str]
    calls: CallSummary
    by_key: Counter[tuple[str, str, str, str]] = field(repr=False)

    @property
    def cpu_ms_per_1000_calls(self) -> float:
        """The scanner's CPU milliseconds per 1,000 API calls."""
        return self.cpu_s * 1e6 / max(1, self.calls.total)

    @property
    def ok(self) -> bool:
        """No FAIL, no ERROR, no collection error, exit code 0."""
        return self.exit_code == 0 and not self.bad_rows and not self.collection_errors


def print_run(i: int, run: Run) -> None:
    """One line per run."""
    c = run.calls
    print(
        f"run {i}: wall {run.wall_s:.2f} s (discovery {run.discover_s:.2f}) | scanner CPU "
        f"{run.cpu_s:.2f} s ({run.cpu_ms_per_1000_calls:.0f} ms/1000 calls, GC "
        f"{sum(run.gc_s):.2f} s, {run.gc_collections[2]} full) | moto CPU {run.moto_cpu_s:.2f} s | API calls {c.total} "
        f"({c.per_account_region:.2f}/acct-region) | HTTP requests {run.http_requests} | "
        f"peak RSS {run.peak_rss_kib / 1024:.0f} MiB | exit {run.exit_code}"
    )


def print_summary(setup: dict[str, Any], ready: dict[str, Any], runs: list[Run]) -> None:
    """Everything the benchmark reports, medians over the runs, the call table of the last."""
    world, last = ready["world"], runs[-1]
    c = last.calls
    med = statistics.median
    print(f"\n== {world['accounts']} accounts x {len(world['regions'])} regions ==")
    print(f"accounts {world['accounts']} ({setup['members']} workload + management + log archive)")
    print(f"regions {len(world['regions'])}: {', '.join(world['regions'])}")
    print(
        f"account-regions {c.account_regions}; jobs {setup['jobs']}; "
        f"latency {setup['latency_ms']:g} ms per API call"
    )
    print(f"seeding: {ready['seed_seconds']:.2f} s wall, {ready['seed_requests']} requests")
    walls = ", ".join(f"{r.wall_s:.2f}" for r in runs)
    print(f"scan wall time: median {med(r.wall_s for r in runs):.2f} s (runs: {walls})")
    print(f"API calls: {c.total} in all, {c.per_account_region:.2f} per account-region")
    print(
        f"organization-level calls (Organizations + management GetCallerIdentity): {c.org_level};"
        f" sts:AssumeRole into members: {c.assume_role}"
    )
    print(
        f"calls per account-region excluding organization-level: "
        f"{c.per_account_region_excl_org:.2f}"
    )
    print("calls per account-region by service and operation (last run):")
    print(service_table(c))
    print(
        f"scanner CPU: median {med(r.cpu_s for r in runs):.2f} s, "
        f"{med(r.cpu_ms_per_1000_calls for r in runs):.0f} ms per 1,000 API calls; "
        f"GC {med(sum(r.gc_s) for r in runs):.2f} s"
    )
    moto = med(r.moto_cpu_s for r in runs)
    print(f"moto CPU: median {moto:.2f} s, {moto * 1e6 / max(1, c.total):.0f} ms per 1,000 calls")
    print(
        f"peak RSS of the scanner process: {last.peak_rss_kib} KiB "
        f"({last.peak_rss_kib / 1024:.0f} MiB)"
    )
    print(f"results by status: {last.statuses}; tenants scanned {last.tenants}")
    print(f"exit code: {last.exit_code}")


def print_cli(run: CliRun) -> None:
    """The subprocess run of the real CLI."""
    print(
        f"logwarden scan (CLI process, start-up included): wall {run.wall_s:.2f} s, CPU "
        f"{run.cpu_s:.2f} s, peak RSS {run.peak_rss_kib / 1024:.0f} MiB, results {run.statuses},"
        f" exit {run.exit_code}"
    )


def verify(runs: list[Run], accounts: int, cli: CliRun | None) -> bool:
    """The world is compliant: any FAIL or ERROR is a false positive or a broken scan."""
    ok = True
    for i, run in enumerate(runs, 1):
        if run.ok and run.tenants == accounts:
            continue
        ok = False
        print(
            f"\n!!!!! WARNING: run {i} of the COMPLIANT world: exit {run.exit_code}, "
            f"{len(run.bad_rows)} FAIL/ERROR rows, {len(run.collection_errors)} collection "
            f"errors, {run.tenants}/{accounts} accounts: a false positive or a broken scan !!!!!",
            file=sys.stderr,
        )
        for line in (run.bad_rows + run.collection_errors)[:20]:
            print(f"  {line}", file=sys.stderr)
    if cli is not None and (
        cli.exit_code != 0 or cli.statuses.get("FAIL") or cli.statuses.get("ERROR")
    ):
        ok = False
        print(
            f"\n!!!!! WARNING: the CLI scan of the COMPLIANT world: exit {cli.exit_code}, "
            f"results {cli.statuses} !!!!!",
            file=sys.stderr,
        )
    return ok


def to_json(
    setup: dict[str, Any], ready: dict[str, Any], runs: list[Run], cli: CliRun | None
) -> dict[str, Any]:
    """The machine-readable figures."""

    def run_doc(run: Run) -> dict[str, Any]:
        doc = {k: v for k, v in asdict(run).items() if k != "by_key"}
        doc["cpu_ms_per_1000_calls"] = run.cpu_ms_per_1000_calls
        doc["calls"]["per_account_region"] = run.calls.per_account_region
        doc["calls"]["per_account_region_excl_org"] = run.calls.per_account_region_excl_org
        return doc

    med = statistics.median
    return {
        "setup": setup,
        "seed": {k: v for k, v in ready.items() if k != "endpoint"},
        "median": {
            "wall_s": med(r.wall_s for r in runs),
            "cpu_s": med(r.cpu_s for r in runs),
            "cpu_ms_per_1000_calls": med(r.cpu_ms_per_1000_calls for r in runs),
            "moto_cpu_s": med(r.moto_cpu_s for r in runs),
            "gc_s": med(sum(r.gc_s) for r in runs),
        },
        "runs": [run_doc(r) for r in runs],
        "cli": asdict(cli) if cli is not None else None,
    }
