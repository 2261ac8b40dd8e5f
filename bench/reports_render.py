"""Report rendering benchmark: N results rendered to every registered format.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python bench/reports_render.py                 # 20,000 results, 5 runs
    .venv/bin/python bench/reports_render.py --results 50000 --repeat 3

The report is ``tests.report_world.scaled_report(N)``: the real AWS catalogue evaluated
offline over a world with failures, waivers, an expired waiver and ERROR rows, plus a Google
Cloud organization, repeated over more accounts until it has N rows (about 20 rows per
account: 20,000 results is about 1,000 accounts). Every format is rendered in this process
through the same ``Reporter.render`` the CLI calls (first run included: imports and template
compilation are part of what a scan pays). Prints seconds per format (median of the runs, and
the first run) and the total; exits 1 when the median total is over ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from logwarden.scanner.plugins import create_plugin_manager
from logwarden.scanner.registry import Registry
from tests.report_world import scaled_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=3.0, help="seconds for every format")
    args = parser.parse_args()

    report = scaled_report(args.results)
    reporters = list(Registry.collect(create_plugin_manager()).reporters.values())
    times: dict[str, list[float]] = {r.name: [] for r in reporters}
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        for reporter in reporters:
            start = time.perf_counter()
            text = reporter.render(report)
            times[reporter.name].append(time.perf_counter() - start)
            sizes[reporter.name] = len(text.encode())
    print(
        f"{len(report.results):,} results, {len(report.tenants):,} tenants, "
        f"{len(report.checks)} controls; {args.repeat} runs"
    )
    print(f"{'format':8} {'median s':>9} {'first s':>8} {'size MB':>8}")
    for name, values in times.items():
        print(
            f"{name:8} {statistics.median(values):9.3f} {values[0]:8.3f} {sizes[name] / 1e6:8.2f}"
        )
    totals = [sum(times[n][i] for n in times) for i in range(args.repeat)]
    total = statistics.median(totals)
    print(f"{'total':8} {total:9.3f} {totals[0]:8.3f}   (budget {args.budget:.1f} s)")
    return 0 if total <= args.budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
