"""ARM calls per subscription of an Azure scan against the HTTPS emulator, with the controls of
before issue 14 only and with the whole catalogue.

    .venv/bin/python bench/azure_calls.py [--landing-zones N]

The standard tenant (three subscriptions plus N ``lz-app-*`` landing zones), compliant, scanned
in-process in management-group mode; every request the emulator answers is counted (pages and
retries included), per subscription (``(tenant)`` for calls outside any subscription:
discovery, management groups, Entra ID, role definitions at the root) and per declared
operation (``responses.OPERATIONS``).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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


if __name__ == "__main__":
    main()
