"""The moto side of the scan benchmark, run as a separate process (``aws_org_scan.py`` starts it).

Starts :class:`~logwarden_sandbox.aws_server.MotoServer` on 127.0.0.1 with no latency, seeds the
compliant standard landing zone at full speed, then sets the requested latency (so it applies to
the scan only) and prints one JSON line: the endpoint, the seeding wall time and the facts of
the seeded world. It then serves until stdin closes or SIGTERM/SIGINT arrives.

Commands, one per line on stdin, each answered with one JSON line on stdout:

- ``stats``: ``{"requests": N, "latency_ms": L}`` (HTTP requests received, seeding included);
- ``latency MS``: change the latency added to every request.

Keeping moto in its own process lets the benchmark read the scanner's CPU time and peak memory
apart from moto's (``/proc/<pid>/stat`` gives this process's CPU time).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from types import FrameType
from typing import Any

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, required=True, help="workload accounts")
    parser.add_argument("--regions", required=True, help="comma-separated, home region first")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added after seeding")
    parser.add_argument("--workers", type=int, default=8, help="seeding threads")
    parser.add_argument(
        "--lean",
        action="store_true",
        help="no per-region Security Hub, flow logs or query logging (controls that read "
        "them FAIL): a 1,000 x 4 world seeds in minutes instead of hours",
    )
    return parser.parse_args(argv)


def world_facts(world: World) -> dict[str, Any]:
    """The facts of the seeded world the benchmark prints and checks."""
    return {
        "accounts": len(world.accounts),
        "account_ids": sorted(world.accounts.values()),
        "management_account_id": world.management_account_id,
        "log_archive_account_id": world.log_archive_account_id,
        "org_id": world.org_id,
        "regions": list(world.regions),
        "home_region": world.home_region,
        "org_trail_arn": world.org_trail_arn,
        "log_bucket": world.log_bucket,
        "log_key_arn": world.log_key_arn,
        "defects": sorted(world.defects),
    }


def _reply(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _serve(server: MotoServer) -> None:
    """Answer commands until stdin closes."""
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "stats":
            _reply({"requests": server.request_count, "latency_ms": server.latency_ms})
        elif words[0] == "latency" and len(words) == 2:
            server.latency_ms = float(words[1])
            _reply({"latency_ms": server.latency_ms})
        else:
            _reply({"error": f"unknown command {line.strip()!r}"})


def main(argv: list[str] | None = None) -> int:
    """Seed, announce, serve; the server is stopped on every way out."""
    args = _parse(argv)
    regions = tuple(r for r in args.regions.split(",") if r)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    server = MotoServer(latency_ms=0.0)
    try:
        server.start()
        started = time.perf_counter()
        zone = standard_landing_zone(members=args.members, regions=regions)
        if args.lean:
            zone.logging.per_region = False
            zone.services.query_logging = False
        world = seed_landing_zone(
            zone,
            endpoint_url=server.endpoint_url,
            workers=args.workers,
        )
        seed_seconds = time.perf_counter() - started
        server.latency_ms = args.latency_ms  # the scan pays it, the seeding did not
        _reply(
            {
                "endpoint": server.endpoint_url,
                "seed_seconds": seed_seconds,
                "seed_requests": server.request_count,
                "latency_ms": server.latency_ms,
                "world": world_facts(world),
            }
        )
        _serve(server)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
