<<<<<<< HEAD
"""ARM calls per subscription of an Azure scan against the HTTPS emulator, with the controls of
before issue 14 only and with the whole catalogue.

    .venv/bin/python bench/azure_calls.py [--landing-zones N]

The standard tenant (three subscriptions plus N ``lz-app-*`` landing zones), compliant, scanned
in-process in management-group mode; every request the emulator answers is counted (pages and
retries included), per subscription (``(tenant)`` for calls outside any subscription:
discovery, management groups, Entra ID, role definitions at the root) and per declared
operation (``responses.OPERATIONS``).
=======
"""ARM calls per subscription of an Azure scan, with the previous controls only and with all.

Serves the standard sandbox tenant (``--landing-zones`` extra subscriptions like lz-corp's
Activity Log setting, each with an Application Insights component) on the HTTPS emulator, scans
it in-process twice (the resource-logging controls of issue 14 disabled by an override, then
every control) and prints the calls per subscription by operation (the declared table
``azure.responses.OPERATIONS``; calls without a subscription, such as management-group reads,
are listed as "tenant").

    .venv/bin/python bench/azure_calls.py --landing-zones 3
>>>>>>> w3-azure-resources
"""

from __future__ import annotations

import argparse
<<<<<<< HEAD
import json
import os
import re
=======
import os
>>>>>>> w3-azure-resources
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from logwarden.scanner import cli
<<<<<<< HEAD
from logwarden.scanner.collectors.azure.responses import operation_for
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox

# the kinds added by issue 14 (activity log alerts, Entra ID, who reads the logs, DNS)
NEW_KINDS = {
    "azure.monitor.activity_log_alert",
    "azure.monitor.action_group",
    "azure.entra.diagnostic_setting",
    "azure.authorization.log_access",
    "azure.dns.virtual_network",
}
RULES = Path(__file__).resolve().parent.parent / "rules.yaml"
SUB = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


def scan(box: AzureSandbox, disabled: set[str], workdir: Path) -> list[tuple[str, str]]:
    """The requests of one scan (method, path), the ``disabled`` controls off."""
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


def summarise(calls: list[tuple[str, str]], subscriptions: int) -> dict[str, Any]:
    """Calls per subscription (mean), and per operation in all."""
    per_sub: Counter[str] = Counter()
    per_op: Counter[str] = Counter()
    for method, path in calls:
        match = SUB.match(path)
        per_sub[match.group(1).lower() if match else "(tenant)"] += 1
        op = operation_for(method, path)
        per_op[op.name if op else f"{method} {path}"] += 1
    in_subs = sum(n for s, n in per_sub.items() if s != "(tenant)")
    return {
        "total": len(calls),
        "tenant_level": per_sub["(tenant)"],
        "per_subscription": round(in_subs / subscriptions, 2),
        "operations": dict(sorted(per_op.items())),
    }
=======
from logwarden.scanner.collectors.azure.kinds import databases, network, resources, services
from logwarden.scanner.collectors.azure.responses import operation_for
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox

NEW_KINDS = {k.name for k in (*resources.KINDS, *services.KINDS, *databases.KINDS, *network.KINDS)}


def new_controls() -> list[str]:
    """The built-in controls that read a kind of the resource-logging modules."""
    catalogue = yaml.safe_load((Path(__file__).parents[1] / "rules.yaml").read_text())
    return sorted(
        c["id"]
        for c in catalogue["controls"]
        if NEW_KINDS & {c.get("resource"), *(c.get("resources") or [])}
    )


def scan(box: AzureSandbox, cwd: Path, disabled: list[str]) -> list[tuple[str, str]]:
    """The calls of one scan (method, path)."""
    config: dict[str, Any] = {"version": 1, "clouds": {"azure": box.config}}
    if disabled:
        config["overrides"] = [{"id": c, "enabled": False} for c in disabled]
    (cwd / "c.yaml").write_text(yaml.safe_dump(config))
    before = len(box.server.calls)
    cli.main(["scan", "-q", "--config", str(cwd / "c.yaml"), "--format", "json", "-o", str(cwd)])
    return box.server.calls[before:]


def per_subscription(calls: list[tuple[str, str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for method, path in calls:
        parts = path.split("/")
        sub = parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""
        op = operation_for(method, path)
        out.setdefault(sub or "tenant", Counter())[op.name if op else f"{method} {path}"] += 1
    return out
>>>>>>> w3-azure-resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
<<<<<<< HEAD
    parser.add_argument("--landing-zones", type=int, default=7)
    args = parser.parse_args()
    os.environ["LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    catalogue = yaml.safe_load(RULES.read_text())["controls"]
    new = {c["id"] for c in catalogue if {*c.get("resources", []), c.get("resource")} & NEW_KINDS}
    with (
        start_azure_sandbox(landing_zones=args.landing_zones) as box,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ.update(box.env)
        subs = len(box.world.subscriptions)
        before = summarise(scan(box, new, Path(tmp)), subs)
        after = summarise(scan(box, set(), Path(tmp)), subs)
    print(f"subscriptions: {subs}; controls added: {len(new)}")
    for name, found in (("previous controls only", before), ("all controls", after)):
        print(
            f"{name}: {found['total']} calls, {found['per_subscription']} per subscription, "
            f"{found['tenant_level']} tenant-level"
        )
    for op in sorted(set(before["operations"]) | set(after["operations"])):
        print(f"  {op}: {before['operations'].get(op, 0)} -> {after['operations'].get(op, 0)}")
=======
    parser.add_argument("--landing-zones", type=int, default=3)
    parser.add_argument(
        "--page-size", type=int, default=2, help="items per page of the emulator's lists"
    )
    args = parser.parse_args()
    os.environ["LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    with start_azure_sandbox(landing_zones=args.landing_zones, page_size=args.page_size) as box:
        os.environ.update(box.env)
        names = {v: k for k, v in box.world.subscriptions.items()}
        with tempfile.TemporaryDirectory() as tmp:
            runs = {
                "previous controls": scan(box, Path(tmp), new_controls()),
                "all controls": scan(box, Path(tmp), []),
            }
    for label, calls in runs.items():
        grouped = per_subscription(calls)
        subs = [s for s in grouped if s != "tenant"]
        print(f"## {label}: {len(calls)} calls, {len(subs)} subscriptions")
        for sub in sorted(grouped, key=lambda s: names.get(s, s)):
            counts = grouped[sub]
            detail = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
            print(f"- {names.get(sub, sub)}: {sum(counts.values())} ({detail})")
>>>>>>> w3-azure-resources


if __name__ == "__main__":
    main()
