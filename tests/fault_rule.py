"""Scans for the fault-injection tests, and the rule every injected fault must keep.

A scan runs ``logwarden.scanner.cli.main`` in-process (a subprocess per fault would cost a second each)
against a sandbox, with the JSON report written to disk as a user would get it. The rule,
compared with the clean scan of the same world: a fault may only turn rows into ERROR (every
row that is not ERROR exists with the same status in the clean scan), it shows (an ERROR row
the clean scan does not have, or a discovery error when nothing could be discovered), the
report is written, and the exit code is 3, or 1 when findings remain; never 4.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from logwarden.scanner import cli
from logwarden.scanner.models import DISCOVERY, ExitCode

Key = tuple[str, str, str]


@dataclass
class Baseline:
    """The clean runs of a fault test: a scan per mode, and the calls each run made."""

    scans: dict[str, Scan] = field(default_factory=dict)
    made: dict[str, set[str]] = field(default_factory=dict)  # run -> names of the calls

    def where(self, call: str) -> str:
        """The first run that makes ``call`` ("" when none does)."""
        return next((run for run, names in self.made.items() if call in names), "")


@dataclass
class Scan:
    """The exit code and the JSON report of one scan."""

    code: int
    report: dict[str, Any]

    @property
    def rows(self) -> dict[Key, str]:
        """Status by (check, tenant, resource)."""
        return {
            (r["check_id"], r["tenant_id"], r["resource_id"]): r["status"]
            for r in self.report["results"]
        }

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The report's collection errors."""
        return list(self.report["errors"])

    def explain(self) -> str:
        """The rows and errors, for an assertion message."""
        lines = [f"exit {self.code}"]
        lines += [f"{r['status']} {r['check_id']} {r['tenant_id']}: {r['message']}" for r in
                  self.report["results"]]  # fmt: skip
        lines += [f"error {e['kind']} {e['code']}: {e['message']}" for e in self.errors]
        return "\n".join(lines)


def field_faults(paths: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(fault, key)`` for the declared fields of a call (``logwarden.scanner.collectors.shape`` paths):
    ``strip`` the last key of every required field, ``mistype`` the last key of every typed
    one (required or not)."""
    out: set[tuple[str, str]] = set()
    for spec in paths:
        path, _, kind = spec.partition(":")
        key = path.rsplit(".", 1)[-1].replace("[]", "")
        if "?" not in path:
            out.add(("strip", key))
        if kind:
            out.add(("mistype", key.rstrip("?")))
    return sorted(out)


def scan(cloud: str, section: dict[str, Any], cwd: Path, name: str) -> Scan:
    """Scan ``cloud`` with the config ``section`` in-process; reports go to ``cwd/name``."""
    config = cwd / f"{name}.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "clouds": {cloud: section}}))
    out = cwd / name
    args = ["scan", "-q", "--config", str(config), "--format", "json", "--output", str(out)]
    code = cli.main(args)
    report = out / "report.json"
    assert report.is_file(), f"exit {code}: no report written"
    return Scan(code, json.loads(report.read_text()))


def assert_only_errors(clean: Scan, faulted: Scan) -> None:
    """The rule every fault must keep (see the module docstring)."""
    detail = f"\n--- faulted scan:\n{faulted.explain()}\n--- clean scan:\n{clean.explain()}"
    assert faulted.code != ExitCode.INTERNAL_ERROR, detail
    before, after = clean.rows, faulted.rows
    changed = {
        k: (before.get(k), s) for k, s in after.items() if s != "ERROR" and before.get(k) != s
    }
    assert changed == {}, f"rows a fault turned into something else than ERROR: {changed}{detail}"
    new_errors = [k for k, s in after.items() if s == "ERROR" and before.get(k) != "ERROR"]
    discovery = [e for e in faulted.errors if e["kind"] == DISCOVERY]
    assert new_errors or discovery, f"the fault changed nothing anyone can see{detail}"
    findings = any(
        r["status"] == "FAIL" and not r["muted"] and r["severity"] != "info"
        for r in faulted.report["results"]
    )
    expected = ExitCode.FINDINGS if findings else ExitCode.INCOMPLETE
    assert faulted.code == expected, detail
