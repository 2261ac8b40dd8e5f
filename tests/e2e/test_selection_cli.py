"""Run-time selection through the installed CLI: ``--checks``, ``--exclude-checks``,
``--severity``, ``--framework``, ``--services``, ``--tenants``, ``--exclude-tenants``, ``--ous``,
``--regions`` on a live scan of the moto organization and on its saved inventory, with ``--cloud``.

What each option selects is computed from the catalogue and the seeded world, never written
down: a new control changes nothing here.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.catalogue import controls
from tests.cli_process import aws_org_config, cli_env, moto_env, run_logwarden

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")
DEFECTS = ("bucket_no_kms", "config_recorder_stopped", "scp_cloudtrail_detached_from_ou")


@dataclass
class Zone:
    server: MotoServer
    world: World
    home: Path
    full: dict[str, Any]  # report.json of the unselected live scan
    full_requests: int  # the moto requests that scan made

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = cli_env(self.home, moto_env(self.server.endpoint_url, REGIONS[0]))
        return run_logwarden(list(args), cwd or self.home, env)

    def scan(self, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
        """A scan (live, or of the saved inventory with ``--inventory``) and its report."""
        proc = self.run("scan", "-c", str(self.home / "logwarden.yaml"), "--json", str(out), *args)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc, json.loads(out.read_text()) if out.exists() else None

    def offline(self, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
        return self.scan(out, "--inventory", str(self.home / "inventory.json"), *args)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    home = tmp_path_factory.mktemp("selection")
    (home / "logwarden.yaml").write_text(aws_org_config(REGIONS))
    server = MotoServer().start()
    server.reset()  # moto's state is process-wide: another module may have seeded it
    try:
        world = seed_landing_zone(
            standard_landing_zone(members=2, regions=REGIONS, defects=DEFECTS),
            endpoint_url=server.endpoint_url,
        )
        box = Zone(server, world, home, {}, 0)
        before = server.request_count
        proc, box.full = box.scan(
            home / "full.json", "--save-inventory", str(home / "inventory.json")
        )
        box.full_requests = server.request_count - before
        assert proc.returncode == 1, proc.stderr  # the seeded defects fail
        yield box
    finally:
        server.reset()
        server.stop()


def check_ids(report: dict[str, Any]) -> set[str]:
    return {r["check_id"] for r in report["results"]}


def tenant_ids(report: dict[str, Any]) -> set[str]:
    return {t["id"] for t in report["tenants"]}


def aws_ids(test: Any) -> set[str]:
    return {c.id for c in controls("aws") if test(c)}


def test_live_tenant_selection_scans_fewer_accounts_with_fewer_calls(
    zone: Zone, tmp_path: Path
) -> None:
    target = zone.world.accounts["workload-1"]
    before = zone.server.request_count
    proc, report = zone.scan(tmp_path / "r.json", "--tenants", "workload-1")
    used = zone.server.request_count - before
    assert tenant_ids(report) == {target}, proc.stderr
    assert {r["tenant_id"] for r in report["results"]} <= {
        target,
        zone.world.org_id,  # the organization-scope rows
    }
    assert used < zone.full_requests * 0.6, (used, zone.full_requests)
    assert proc.returncode in (0, 1), proc.stderr


def test_live_region_selection_reads_fewer_regions(zone: Zone, tmp_path: Path) -> None:
    before = zone.server.request_count
    proc, report = zone.scan(tmp_path / "r.json", "--regions", "eu-west-1")
    used = zone.server.request_count - before
    assert {r["region"] for r in report["results"]} <= {"", "eu-west-1"}, proc.stderr
    assert used < zone.full_requests, (used, zone.full_requests)
    regions = [
        r["evidence"].get("Regions")
        for r in report["results"]
        if r["check_id"] == "aws.config.recorder_on"
    ]
    assert regions and all(list(found) == ["eu-west-1"] for found in regions), regions


def test_checks_and_exclude_checks_on_the_saved_inventory(zone: Zone, tmp_path: Path) -> None:
    proc, report = zone.offline(
        tmp_path / "r.json", "--checks", "aws.s3.*,aws.config.*", "--exclude-checks", "*_kms"
    )
    wanted = aws_ids(
        lambda c: (
            (fnmatchcase(c.id, "aws.s3.*") or fnmatchcase(c.id, "aws.config.*"))
            and not fnmatchcase(c.id, "*_kms")
        )
    )
    assert check_ids(report) == wanted, proc.stderr
    assert {c["id"] for c in report["checks"]} == wanted


@pytest.mark.parametrize(
    ("option", "value", "test"),
    [
        ("--severity", "high,critical", lambda c: c.severity.value in ("high", "critical")),
        ("--framework", "cis-aws-6.0", lambda c: "cis-aws-6.0" in c.frameworks),
        ("--services", "cloudtrail", lambda c: c.id.split(".")[1] == "cloudtrail"),
    ],
)
def test_control_selection_on_the_saved_inventory(
    zone: Zone, tmp_path: Path, option: str, value: str, test: Any
) -> None:
    wanted = aws_ids(test)
    assert wanted  # the catalogue has such controls
    proc, report = zone.offline(tmp_path / "r.json", option, value)
    assert check_ids(report) == wanted, proc.stderr
    # the selected rows are those of the full scan, unchanged
    full = {json.dumps(r, sort_keys=True) for r in zone.full["results"] if r["check_id"] in wanted}
    assert {json.dumps(r, sort_keys=True) for r in report["results"]} == full


def test_tenant_options_on_the_saved_inventory(zone: Zone, tmp_path: Path) -> None:
    world = zone.world
    workloads = world.ous["Workloads"]
    below = {a for a, ou in world.account_ous.items() if ou == "Workloads"}
    assert below
    _, report = zone.offline(tmp_path / "ou.json", "--ous", workloads)
    assert tenant_ids(report) == below
    _, report = zone.offline(tmp_path / "ex.json", "--exclude-tenants", "log-archive")
    assert tenant_ids(report) == set(world.accounts.values()) - {world.log_archive_account_id}
    # by id, and the evaluation of the others is that of the full scan
    target = world.accounts["workload-2"]
    _, report = zone.offline(tmp_path / "id.json", "--tenants", target)
    assert tenant_ids(report) == {target}
    mine = [r for r in zone.full["results"] if r["tenant_id"] == target]
    assert [r for r in report["results"] if r["tenant_id"] == target] == mine


def test_regions_and_cloud_on_the_saved_inventory(zone: Zone, tmp_path: Path) -> None:
    proc, report = zone.offline(tmp_path / "r.json", "--regions", "eu-west-1", "--cloud", "aws")
    assert proc.returncode in (0, 1), proc.stderr
    assert {r["region"] for r in report["results"]} <= {"", "eu-west-1"}
    kept = [r for r in zone.full["results"] if r["region"] in ("", "eu-west-1")]
    assert len(report["results"]) == len(kept) < len(zone.full["results"])
    proc, _ = zone.offline(tmp_path / "g.json", "--cloud", "gcp")
    assert proc.returncode == 2
    assert "the saved inventory has no gcp organization" in proc.stderr
    assert "choose among the clouds it covers: aws" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--severity", "urgent"], "--severity 'urgent' is unknown (fix: use one of: critical"),
        (["--framework", "cis-aws-9.9"], "--framework 'cis-aws-9.9' is unknown (fix: use one of:"),
        (["--checks", "aws.nothing.*"], "--checks 'aws.nothing.*' matches no control of the"),
        (["--exclude-checks", "aws.nope"], "--exclude-checks 'aws.nope' matches no control"),
        (["--services", "nosuch"], "--services 'nosuch' is unknown (fix: use one of: "),
        (["--framework", "cis-gcp-3.0"], "--framework 'cis-gcp-3.0' matches no control of the "),
        (["--checks", "aws.s3.*", "--exclude-checks", "aws.s3.*"], "leaves no control"),
    ],
)
def test_a_control_option_that_selects_nothing_is_exit_2(
    zone: Zone, tmp_path: Path, args: list[str], message: str
) -> None:
    proc, report = zone.offline(tmp_path / "r.json", *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert report is None  # refused before anything is evaluated


def test_a_tenant_pattern_matching_nothing_warns_and_is_incomplete(
    zone: Zone, tmp_path: Path
) -> None:
    proc, report = zone.offline(tmp_path / "r.json", "--tenants", "nobody-*")
    assert "warning: --tenants 'nobody-*' matched no tenant the scan discovered" in proc.stderr
    assert report["tenants"] == []
    assert proc.returncode == 3  # nothing scanned is never a clean scan


def test_a_narrowed_scan_is_its_own_history_series(zone: Zone, tmp_path: Path) -> None:
    """A selected scan compared with a full one would see everything it left out as removed;
    it is compared only with earlier scans of the same selection."""
    history = ["--history", str(tmp_path / "scans.db"), "--drift"]
    zone.offline(tmp_path / "full.json", *history)
    _, first = zone.offline(tmp_path / "s1.json", *history, "--checks", "aws.s3.*")
    assert first["drift"]["before"]["id"] is None  # the full scan is another series
    assert first["drift"]["removed_resources"] == []
    _, second = zone.offline(tmp_path / "s2.json", *history, "--checks", "aws.s3.*")
    assert second["drift"]["before"]["id"] is not None  # same selection: compared
    assert second["drift"]["counts"]["changes"] == 0
    assert second["drift"]["removed_resources"] == []


def test_the_framework_view_of_a_framework_scan(zone: Zone, tmp_path: Path) -> None:
    """``--framework`` narrows the controls and the report's compliance view to it, with
    every requirement of the framework listed (those no control covers too)."""
    _, report = zone.offline(tmp_path / "r.json", "--framework", "cis-aws-6.0")
    assert [fw["framework"] for fw in report["compliance"]] == ["cis-aws-6.0"]
    (view,) = report["compliance"]
    failing = {
        r["tenant_id"]
        for r in report["results"]
        if r["status"] == "FAIL" and "cis-aws-6.0" in _claims(report, r["check_id"])
    }
    listed = {t for req in view["requirements"] for t in req["failing_tenants"]}
    assert failing and failing <= listed
    statuses = {req["status"] for req in view["requirements"]}
    assert "FAIL" in statuses and "PASS" in statuses
    # the full scan shows every claimed framework
    assert {fw["framework"] for fw in zone.full["compliance"]} > {"cis-aws-6.0"}


def _claims(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c["frameworks"] for c in report["checks"] if c["id"] == check_id)
