"""Waivers where teams keep them: ``--waivers FILE``, waivers files named by the config, stale
waivers reported, ``logwarden waivers list`` (the installed CLI on a saved inventory of the moto
organization, with one seeded defect)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_process import cli_env, moto_env, run_logwarden, seeded_moto

pytestmark = pytest.mark.e2e
REGION = "us-east-1"
FAILING = "aws.s3.log_bucket_kms"  # the control the seeded defect fails


def waivers_file(path: Path, *entries: tuple[str, str]) -> Path:
    body = "".join(
        f"  - checks: {checks}\n    reason: accepted\n    owner: team@example.com\n"
        f"    expires: {expires}\n"
        for checks, expires in entries
    )
    path.write_text(f"version: 1\nwaivers:\n{body}")
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("waivers")
    with seeded_moto(home, [REGION], ["bucket_no_kms"]) as server:
        env = cli_env(home, moto_env(server.endpoint_url, REGION))
        proc = run_logwarden(
            ["scan", "-c", "logwarden.yaml", "--save-inventory", "inv.json", "-q"], home, env
        )
        assert proc.returncode == 1, proc.stderr
    yield home


def offline(home: Path, config: str, *args: str) -> tuple[int, dict[str, Any], str]:
    out = home / "r.json"
    proc = run_logwarden(
        ["scan", "-c", config, "--inventory", "inv.json", "--json", str(out), *args],
        home,
        cli_env(home),
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return (
        proc.returncode,
        json.loads(out.read_text()) if proc.returncode != 2 else {},
        proc.stdout + proc.stderr,
    )


def test_a_waivers_file_mutes_and_a_stale_waiver_is_reported(home: Path) -> None:
    path = waivers_file(
        home / "accepted.yaml", (FAILING, "2099-12-31"), ("aws.cloudtrail.org_trail", "2099-12-31")
    )
    code, report, console = offline(home, "logwarden.yaml", "--waivers", str(path))
    assert code == 0  # the one failure is waived
    muted = [r for r in report["results"] if r["muted"]]
    assert muted and {r["check_id"] for r in muted} == {FAILING}
    assert muted[0]["waiver"]["source"] == f"{path}:3"
    (stale,) = report["stale_waivers"]  # the org trail passes: nothing to waive
    assert stale["checks"] == "aws.cloudtrail.org_trail" and stale["source"] == f"{path}:7"
    assert report["summary"]["stale_waivers"] == 1
    assert "Stale waiver" in console and "aws.cloudtrail.org_trail" in console


def test_the_config_names_waivers_files_relative_to_itself(home: Path) -> None:
    (home / "team").mkdir(exist_ok=True)
    waivers_file(home / "team" / "platform.yaml", (FAILING, "2099-12-31"))
    (home / "team" / "scan.yaml").write_text(
        (home / "logwarden.yaml").read_text() + "waivers:\n  - platform.yaml\n"
    )
    code, report, _ = offline(home, "team/scan.yaml")
    assert code == 0 and report["stale_waivers"] == []
    # a waiver for a control the scan did not evaluate is not stale
    code, report, _ = offline(home, "team/scan.yaml", "--checks", "aws.cloudtrail.*")
    assert report["stale_waivers"] == []


def test_waivers_list(home: Path) -> None:
    path = waivers_file(home / "list.yaml", ("aws.s3.*", "2099-12-31"), ("aws.x", "2020-01-01"))
    proc = run_logwarden(["waivers", "list", "--waivers", str(path)], home, cli_env(home))
    assert proc.returncode == 0, proc.stderr
    assert "aws.s3.*  [expires in " in proc.stdout and FAILING in proc.stdout
    assert "aws.x  [expired 2020-01-01]" in proc.stdout and "a typo?" in proc.stdout
    doc = json.loads(
        run_logwarden(
            ["waivers", "list", "--waivers", str(path), "--format", "json"], home, cli_env(home)
        ).stdout
    )
    assert FAILING in doc[0]["controls"] and doc[1]["expired"] is True


def test_a_bad_waivers_file_is_exit_2_with_its_line(home: Path) -> None:
    bad = home / "bad.yaml"
    bad.write_text(
        "version: 1\nwaivers:\n  - checks: aws.s3.*\n    reason: r\n    owner: o\n    expires: 2027-02-30\n"
    )
    code, _, text = offline(home, "logwarden.yaml", "--waivers", str(bad))
    assert code == 2
    assert f"{bad}:6" in text and "is not a real date" in text
    code, _, text = offline(home, "logwarden.yaml", "--waivers", str(home / "missing.yaml"))
    assert code == 2 and "file not found" in text
