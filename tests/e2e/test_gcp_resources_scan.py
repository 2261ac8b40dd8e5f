"""The installed CLI against the GCP fakes, for the project-resource controls (CIS GCP 2.12,
2.16, 3.8, 6.2.x: networks, subnets, backend services, Cloud SQL): every seeded defect gives
exactly its FAIL rows; an API refused (disabled, denied, throttled) gives ERROR rows for what
needs it only; and a scan that selects only the other controls makes no new call."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden_sandbox.gcp_defects_resources import DEFECTS as RESOURCE_DEFECTS
from logwarden_sandbox.gcp_world import World
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, GcpServers, standard_org
from tests.catalogue import controls
from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e

NEW_APIS = ("compute", "dns", "sqladmin")
RESOURCE_KINDS = (
    "gcp.compute.network",
    "gcp.compute.subnetwork",
    "gcp.compute.backend_service",
    "gcp.sql.instance",
)


def resource_controls() -> set[str]:
    """The GCP controls that read the project-resource kinds (from the catalogue)."""
    return {c.id for c in controls("gcp") if set(c.kinds) & set(RESOURCE_KINDS)}


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def scan(
    servers: GcpServers, world: World, cwd: Path, load: bool = True, **config: Any
) -> tuple[int, dict[str, Any], str]:
    """Scan ``world`` (loaded into the fakes first unless ``load`` is false) with the CLI."""
    if load:
        servers.load(world)
    doc = {"version": 1, "clouds": {"gcp": servers.config(world)}, **config}
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(doc))
    proc = run_logwarden(
        ["scan", "--config", "logwarden.yaml", "--format", "json", "--output", "out"],
        cwd,
        cli_env("/nonexistent", SANDBOX_ENV),
        timeout=180,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads((cwd / "out" / "report.json").read_text())
    return proc.returncode, report, proc.stdout + proc.stderr


def rows(report: dict[str, Any], status: str) -> set[tuple[str, str, str]]:
    return {
        (r["check_id"], r["tenant_id"], r["resource_id"])
        for r in report["results"]
        if r["status"] == status
    }


def calls_by_api(servers: GcpServers) -> Counter[str]:
    found: Counter[str] = Counter()
    for (api, operation, _), n in servers.state.calls.items():
        found[f"{api} {operation}"] += n
    return found


def test_every_resource_defect_fails_and_nothing_else(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org(RESOURCE_DEFECTS)
    code, report, output = scan(servers, world, tmp_path)
    assert rows(report, "FAIL") == world.expected(), output
    assert rows(report, "ERROR") == set(), output
    assert code == 1
    # every new control failed on its own defect (both networks carry a DNS defect; the
    # other controls still pass on the resources next to them)
    failed = {check for check, _, _ in world.expected()}
    assert failed == resource_controls()
    passed = {check for check, _, _ in rows(report, "PASS")}
    assert resource_controls() - passed == {"gcp.dns.network_logging"}, output
    # proxy-only and PSC subnets, an internal TCP backend and a MySQL instance are not judged
    judged = {rid for _, _, rid in rows(report, "PASS") | rows(report, "FAIL")}
    for name in ("shared-proxy", "shared-psc", "internal-tcp", "reports-db"):
        assert not any(rid.endswith(f"/{name}") for rid in judged), name


@pytest.mark.parametrize(
    ("api", "code", "reason"),
    [
        ("compute", "SERVICE_DISABLED", "SERVICE_DISABLED"),
        ("sqladmin", "PERMISSION_DENIED", "PERMISSION_DENIED"),
        ("dns", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"),
        ("compute", "INTERNAL", "INTERNAL"),
    ],
)
def test_a_refused_api_is_an_error_for_what_needs_it_only(
    servers: GcpServers, tmp_path: Path, api: str, code: str, reason: str
) -> None:
    world = standard_org()
    servers.load(world)
    servers.faults.add("lw-shared", code, api)
    try:
        returncode, report, output = scan(servers, world, tmp_path, load=False)
    finally:
        servers.faults.clear()
    errors = {(c, t) for c, t, _ in rows(report, "ERROR")}
    needs = {
        "compute": {"gcp.dns.network_logging", "gcp.compute.lb_backend_logging",
                    "gcp.compute.subnet_flow_logs"},
        "dns": {"gcp.dns.network_logging"},
        "sqladmin": {c for c in resource_controls() if c.startswith("gcp.sql.")},
    }[api]  # fmt: skip
    assert errors == {(c, "lw-shared") for c in needs}, output
    assert rows(report, "FAIL") == set()
    assert returncode == 3
    messages = [r["message"] for r in report["results"] if r["status"] == "ERROR"]
    assert all(reason in m for m in messages), messages
    # the other projects were evaluated
    assert ("gcp.dns.network_logging", "lw-app-1") in {(c, t) for c, t, _ in rows(report, "PASS")}


def test_only_the_previous_controls_make_no_new_call(servers: GcpServers, tmp_path: Path) -> None:
    world = standard_org()
    disabled = [{"id": c, "enabled": False} for c in sorted(resource_controls())]
    (tmp_path / "old").mkdir()
    code, report, output = scan(servers, world, tmp_path / "old", overrides=disabled)
    assert code == 0, output
    old = calls_by_api(servers)
    assert [c for c in old if c.split()[0] in NEW_APIS] == []
    assert not {r["check_id"] for r in report["results"]} & resource_controls()
    code, report, output = scan(servers, world, tmp_path)
    assert code == 0, output
    every = calls_by_api(servers)
    # the other calls are the same; one listing per project and kind (two pages in lw-shared
    # for subnets and backend services, which hold four each; DNS only with a network)
    assert {c: n for c, n in every.items() if c.split()[0] not in NEW_APIS} == old
    projects = len(world.project_ids)
    assert {c: n for c, n in every.items() if c.split()[0] in NEW_APIS} == {
        "compute networks.list": projects,
        "compute subnetworks.aggregatedList": projects + 1,
        "compute backendServices.aggregatedList": projects + 1,
        "dns policies.list": 2,
        "sqladmin instances.list": projects,
    }
