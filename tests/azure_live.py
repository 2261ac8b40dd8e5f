"""Scan a tenant served by the ARM emulator through the CLI's entry point, in-process.

The scan goes through the real azure-mgmt clients over HTTPS (``logwarden_sandbox``), evaluates
the built-in catalogue and writes ``report.json``; the tests read rows from it. Faster than a
subprocess, for table tests over many small tenants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.scanner.cli import main
from logwarden_sandbox.azure_sandbox import TOKEN_ENV, scan_section
from logwarden_sandbox.azure_server import ArmServer


def scan(
    server: ArmServer,
    where: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    mode: str = "management-group",
    parameters: dict[str, Any] | None = None,
    **section: Any,
) -> tuple[int, dict[str, Any]]:
    """``logwarden scan`` of ``server`` (``section`` overrides the clouds.azure keys);
    returns the exit code and the JSON report."""
    monkeypatch.setenv(TOKEN_ENV, server.token)
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    azure = {**scan_section(server, mode=mode, retry_total=0), **section}
    config: dict[str, Any] = {"version": 1, "clouds": {"azure": azure}}
    if parameters:
        config["parameters"] = parameters
    where.mkdir(parents=True, exist_ok=True)
    (where / "logwarden.yaml").write_text(yaml.safe_dump(config))
    out = where / "out"
    args = ["--config", str(where / "logwarden.yaml"), "--format", "json", "--output", str(out)]
    code = main(["scan", *args, "-q"])
    return code, json.loads((out / "report.json").read_text())


def rows(report: dict[str, Any], check_id: str, tenant_id: str) -> list[dict[str, Any]]:
    """The rows of one check for one subscription."""
    return [
        r for r in report["results"] if r["check_id"] == check_id and r["tenant_id"] == tenant_id
    ]


def row(report: dict[str, Any], check_id: str, tenant_id: str) -> dict[str, Any]:
    """The one row of a tenant-scope check for one subscription."""
    [found] = rows(report, check_id, tenant_id)
    return found
