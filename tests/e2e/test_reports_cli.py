"""Every report format from the installed CLI, scanning an organization on a moto server.

One landing zone with two medium defects, one of them waived in the config, and an
AccessDenied on AWS Config in one member account (ERROR rows). The report files are read back
by their consumers: junitparser, the SARIF 2.1.0 schema, the OCSF models, the csv module; each
must agree with report.json row for row. The same scan then gates at three thresholds.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from sarif_kit import validation_errors

from logwarden.reports.ocsf import CloudComplianceFinding
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.cli_process import aws_org_config, cli_env, moto_env, run_logwarden

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")
CONFIG = (
    aws_org_config(REGIONS)
    + """\
waivers:
  - checks: aws.kms.log_key_rotation
    reason: rotation is handled by the HSM team
    owner: crypto@example.com
    expires: 2999-12-31
"""
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, World, Path]]:
    server = MotoServer().start()
    server.reset()  # moto's state is process-wide: another module may have seeded it
    try:
        world = seed_landing_zone(
            standard_landing_zone(
                members=2, regions=REGIONS, defects=("bucket_no_access_logging", "key_rotation_off")
            ),
            endpoint_url=server.endpoint_url,
        )
        server.faults.add(
            error="AccessDenied", account=world.accounts["workload-1"], service="config"
        )
        cwd = tmp_path_factory.mktemp("reports-cli")
        (cwd / "logwarden.yaml").write_text(CONFIG)
        yield server, world, cwd
    finally:
        server.faults.clear()
        server.stop()
        server.reset()


def run(zone: tuple[MotoServer, World, Path], *args: str) -> subprocess.CompletedProcess[str]:
    server, _, cwd = zone
    env = cli_env(cwd, moto_env(server.endpoint_url, REGIONS[0]))
    proc = run_logwarden(["scan", "--config", "logwarden.yaml", *args], cwd, env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _junit_counts(path: Path) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in JUnitXml.fromfile(str(path)):
        cases = list(suite)
        results = [r for case in cases for r in case.result]
        elements = {
            "tests": len(cases),
            "failures": sum(isinstance(r, Failure) for r in results),
            "errors": sum(isinstance(r, Error) for r in results),
            "skipped": sum(isinstance(r, Skipped) for r in results),
        }
        assert [suite.tests, suite.failures, suite.errors, suite.skipped] == list(elements.values())
        for key, value in elements.items():
            counts[key] += value
    return counts


def test_every_format_agrees_with_report_json(zone: tuple[MotoServer, World, Path]) -> None:
    _, world, cwd = zone
    proc = run(zone, "--output", "out", "--junit", "ci/junit.xml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = cwd / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "report.csv",
        "report.html",
        "report.json",
        "report.md",
        "report.ocsf.json",
        "report.sarif",
    ]
    doc = json.loads((out / "report.json").read_text())
    results: list[dict[str, Any]] = doc["results"]
    by_status = doc["summary"]["by_status"]
    assert by_status["ERROR"] > 0 and by_status["WAIVED"] == 1 and by_status["FAIL"] >= 1
    assert {t["id"] for t in doc["tenants"]} == set(world.accounts.values())

    junit = _junit_counts(cwd / "ci" / "junit.xml")
    assert junit == {
        "tests": len(results),
        "failures": by_status["FAIL"],
        "errors": by_status["ERROR"],
        "skipped": by_status["SKIPPED"] + by_status["WAIVED"],
    }

    log = json.loads((out / "report.sarif").read_text())
    assert validation_errors(log) == []
    run_ = log["runs"][0]
    fails = {r["fingerprint"] for r in results if r["status"] == "FAIL"}
    assert {r["partialFingerprints"]["logwarden/v1"] for r in run_["results"]} == fails
    assert sum("suppressions" in r for r in run_["results"]) == 1
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"].startswith("AccessDenied") for n in notes)

    findings = json.loads((out / "report.ocsf.json").read_text())
    assert [CloudComplianceFinding.model_validate(f).finding_info.uid for f in findings] == [
        r["fingerprint"] for r in results
    ]

    with (out / "report.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["fingerprint"] for r in rows] == [r["fingerprint"] for r in results]

    assert (out / "report.md").read_text().startswith("## ❌ logwarden: gate failed (exit 1")
    page = (out / "report.html").read_text()
    assert page.count('<script type="application/json" id="logwarden-data">') == 1
    assert "exit code 1" in proc.stdout and "NOT-EVALUATED" in proc.stdout  # console summary


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "medium"], 1),  # the unwaived medium finding
        (["--fail-on", "high"], 3),  # nothing high, but the scan is incomplete
        (["--fail-on", "high", "--no-fail-on-error"], 0),
    ],
)
def test_gate(zone: tuple[MotoServer, World, Path], args: list[str], code: int) -> None:
    proc = run(zone, "-q", "--md", "summary.md", *args)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""  # -q: no summary, and no progress line off a terminal
    assert f"(exit {code}" in (zone[2] / "summary.md").read_text()
