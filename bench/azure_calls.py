"""ARM calls per subscription of an Azure scan against the HTTPS emulator: with the controls of
before issue 14 only, with the alerts slice's controls added, and with the whole catalogue.

    .venv/bin/python bench/azure_calls.py [--landing-zones N] [--page-size N]

The standard tenant (three subscriptions plus N ``lz-app-*`` landing zones, each with only an
Activity Log setting and an Application Insights component), compliant, scanned in-process in
management-group mode three times, the later controls disabled by overrides. Every request the
emulator answers is counted (pages and retries included), per subscription (``(tenant)`` for
calls outside any subscription: discovery, management groups, Entra ID, role definitions at the
root) and per declared operation (``responses.OPERATIONS``). Issue 14 came in two slices, told
apart by the kinds their controls read:

- alerts: activity log alerts and action groups, Entra ID, who reads the logs, DNS query logs;
- resources: providers and resources, resource diagnostic settings, databases, network.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from logwarden.scanner import cli
from logwarden.scanner.collectors.azure.kinds import (
    alerts,
    authorization,
    databases,
    dns,
    entra,
    network,
    resources,
    services,
)
from logwarden.scanner.collectors.azure.responses import operation_for
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox

SLICES = {
    "alerts": {k.name for m in (alerts, entra, authorization, dns) for k in m.KINDS},
    "resources": {k.name for m in (resources, services, databases, network) for k in m.KINDS},
}
RULES = Path(__file__).resolve().parent.parent / "rules.yaml"
SUB = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
TENANT = "(tenant)"


def slice_controls(kinds: set[str]) -> set[str]:
    """The built-in controls that read one of ``kinds``."""
    catalogue = yaml.safe_load(RULES.read_text())["controls"]
    return {c["id"] for c in catalogue if {*c.get("resources", []), c.get("resource")} & kinds}


def scan(box: AzureSandbox, disabled: set[str], workdir: Path) -> list[tuple[str, str]]:
    """The requests of one scan (method, path), the ``disabled`` controls off; every row PASS."""
    config: dict[str, Any] = {"version": 1, "clouds": {"azure": box.config}}
    if disabled:
        config["overrides"] = [{"id": i, "enabled": False} for i in sorted(disabled)]
    path = workdir / f"config-{len(disabled)}.yaml"
    path.write_text(yaml.safe_dump(config))
    before = len(box.server.calls)
    code = cli.main(["scan", "-q", "--config", str(path), "--json", str(workdir / "r.json")])
    report = json.loads((workdir / "r.json").read_text())
    statuses = Counter(r["status"] for r in report["results"])
    assert code == 0 and set(statuses) == {"PASS"}, (code, statuses)
    return box.server.calls[before:]


def summarise(calls: list[tuple[str, str]], names: dict[str, str]) -> dict[str, Any]:
    """Calls per subscription (by name) and per operation."""
    per_sub: Counter[str] = Counter()
    per_op: Counter[str] = Counter()
    for method, path in calls:
        match = SUB.match(path)
        per_sub[names.get(match.group(1).lower(), match.group(1)) if match else TENANT] += 1
        op = operation_for(method, path)
        per_op[op.name if op else f"{method} {path}"] += 1
    subs = [s for s in names.values()]
    return {
        "total": len(calls),
        "per_sub": per_sub,
        "mean": round(sum(per_sub[s] for s in subs) / len(subs), 2),
        "operations": per_op,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing-zones", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=2, help="items per page of the lists")
    args = parser.parse_args()
    os.environ["LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    added = {name: slice_controls(kinds) for name, kinds in SLICES.items()}
    selections = {
        "previous controls": added["alerts"] | added["resources"],
        "+ alerts slice": added["resources"],
        "all controls": set(),
    }
    with (
        start_azure_sandbox(landing_zones=args.landing_zones, page_size=args.page_size) as box,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ.update(box.env)
        names = {sub.lower(): name for name, sub in box.world.subscriptions.items()}
        runs = {
            label: summarise(scan(box, off, Path(tmp)), names) for label, off in selections.items()
        }
    print(
        f"subscriptions: {len(names)}; controls added: alerts {len(added['alerts'])}, "
        f"resources {len(added['resources'])}; lists paged at {args.page_size}"
    )
    labels = list(runs)
    print("| subscription | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for sub in [*sorted(names.values()), TENANT]:
        print(f"| {sub} | " + " | ".join(str(runs[x]["per_sub"][sub]) for x in labels) + " |")
    print("| whole scan | " + " | ".join(str(runs[x]["total"]) for x in labels) + " |")
    print("| mean per subscription | " + " | ".join(str(runs[x]["mean"]) for x in labels) + " |")
    print("\noperation: " + " -> ".join(labels))
    for op in sorted(set().union(*(r["operations"] for r in runs.values()))):
        print(f"  {op}: " + " -> ".join(str(runs[x]["operations"][op]) for x in labels))


if __name__ == "__main__":
    main()
