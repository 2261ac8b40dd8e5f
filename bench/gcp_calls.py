"""GCP API calls of one scan of the sandbox's standard organization, with only the controls that
read no project resource (networks, subnets, backend services, Cloud SQL) and with every
control: the calls the fakes answered, by operation, and per project.

    .venv/bin/python bench/gcp_calls.py

Nothing here talks to Google: the scan runs in-process against the GCP fakes on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from logwarden.scanner.cli import main
from logwarden.scanner.plugins import create_plugin_manager
from logwarden.scanner.registry import Registry
from logwarden.scanner.rules import builtin_rules_path, load_catalogue
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, UNSET_ENV, GcpServers, standard_org

RESOURCE_KINDS = {
    "gcp.compute.network",
    "gcp.compute.subnetwork",
    "gcp.compute.backend_service",
    "gcp.sql.instance",
}


def resource_controls() -> list[str]:
    """The GCP controls of the built-in catalogue that read a project-resource kind."""
    registry = Registry.collect(create_plugin_manager())
    catalogue = load_catalogue(
        [builtin_rules_path()],
        kinds=registry.kinds(["gcp"]),
        python_checks=registry.python_checks(["gcp"]),
        clouds=["gcp"],
        known_clouds=list(registry.clouds),
    )
    checks = catalogue.enabled_checks({"gcp"})
    return sorted(c.id for c in checks if set(c.kinds) & RESOURCE_KINDS)


def scan(servers: GcpServers, cwd: Path, disabled: list[str]) -> tuple[int, Counter[str], float]:
    """One scan; its exit code, the calls by ``api operation`` and its wall time."""
    world = standard_org()
    servers.load(world)
    doc = {
        "version": 1,
        "clouds": {"gcp": servers.config(world)},
        "overrides": [{"id": c, "enabled": False} for c in disabled],
    }
    cwd.mkdir(parents=True, exist_ok=True)
    config = cwd / "logwarden.yaml"
    config.write_text(yaml.safe_dump(doc))
    start = time.perf_counter()
    code = main(["scan", "-q", "--config", str(config), "--format", "json", "--output", str(cwd)])
    wall = time.perf_counter() - start
    calls: Counter[str] = Counter()
    for (api, operation, _), n in servers.state.calls.items():
        calls[f"{api} {operation}"] += n
    return code, calls, wall


def main_() -> int:
    os.environ.update(SANDBOX_ENV)
    for key in UNSET_ENV:
        os.environ.pop(key, None)
    os.environ["LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    new = resource_controls()
    servers = GcpServers(standard_org())
    projects = len(standard_org().project_ids)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs = {
                "previous controls only": scan(servers, Path(tmp) / "old", new),
                "every control": scan(servers, Path(tmp) / "all", []),
            }
    finally:
        servers.stop()
    operations = sorted(set().union(*(calls for _, calls, _ in runs.values())))
    print(f"standard organization: {projects} projects; calls the fakes answered")
    print(f"| operation | {' | '.join(runs)} |")
    print(f"|---|{'---|' * len(runs)}")
    for op in operations:
        print(f"| {op} | {' | '.join(str(calls[op]) for _, calls, _ in runs.values())} |")
    totals = [sum(calls.values()) for _, calls, _ in runs.values()]
    print(f"| total | {' | '.join(map(str, totals))} |")
    print(f"| per project | {' | '.join(f'{t / projects:.2f}' for t in totals)} |")
    print(f"| exit code | {' | '.join(str(code) for code, _, _ in runs.values())} |")
    print(f"| wall time (s) | {' | '.join(f'{wall:.2f}' for _, _, wall in runs.values())} |")
    return 1 if any(code for code, _, _ in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main_())
