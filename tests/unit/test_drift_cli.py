"""History, drift and baselines through the real CLI, on saved inventories (no cloud)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.scanner import cli
from logwarden.scanner.models import ExitCode
from tests import aws_docs as d
from tests.report_world import save_inventory


@pytest.fixture
def inventories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """clean; trail_off (the org trail stopped); worse (that and no bucket access logging)."""
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    clean = d.compliant_world()
    trail_off = d.copy_world(clean)
    trail_off.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False
    worse = d.copy_world(trail_off)
    worse.doc(d.LOG, "aws.s3.bucket").pop("Logging")
    return {
        name: save_inventory(world, tmp_path / f"{name}.json")
        for name, world in (("clean", clean), ("trail_off", trail_off), ("worse", worse))
    }


def scan(inventory: Path, *args: str) -> int:
    return cli.main(["scan", "--inventory", str(inventory), *args])


def test_history_drift_in_console_and_report(
    inventories: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "history.db")
    assert scan(inventories["clean"], "-q", "--history", db) == ExitCode.OK
    out = tmp_path / "report.json"
    code = scan(inventories["trail_off"], "--history", db, "--drift", "--json", str(out))
    assert code == ExitCode.FINDINGS
    console = capsys.readouterr().out
    assert console.startswith("Drift since scan 1 (")
    assert "New failures (1):" in console
    assert "Status.IsLogging: true -> false" in console
    doc = json.loads(out.read_text())
    section = doc["drift"]
    assert section["against"] == "history"
    assert section["before"]["id"] == "1" and section["after"]["id"] == "2"
    assert [r["check_id"] for r in section["regressions"]] == ["aws.cloudtrail.org_trail"]
    assert {"path": "Status.IsLogging", "old": True, "new": False}.items() <= section["changes"][
        0
    ].items()
    assert all(r["first_seen"] for r in doc["results"])

    assert cli.main(["drift", "--history", db, "--format", "json"]) == ExitCode.OK
    printed = json.loads(capsys.readouterr().out)
    assert printed["regressions"] == section["regressions"]
    assert cli.main(["drift", "--history", db, "2", "1"]) == ExitCode.OK
    assert "Resolved (1):" in capsys.readouterr().out
    assert cli.main(["drift", "--history", db, "--since", "2000-01-01"]) == ExitCode.OK
    assert "New failures (1):" in capsys.readouterr().out
    assert cli.main(["drift", "--history", db, "--list"]) == ExitCode.OK
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert cli.main(["drift", "--history", db, "7", "1"]) == ExitCode.USAGE_ERROR
    missing = str(tmp_path / "missing.db")
    assert cli.main(["drift", "--history", missing]) == ExitCode.USAGE_ERROR
    assert not Path(missing).exists()


def test_fail_on_drift_against_a_baseline(inventories: dict[str, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    assert scan(inventories["trail_off"], "-q", "--history", db) == ExitCode.FINDINGS
    base = tmp_path / "baseline.json"
    assert cli.main(["baseline", "save", str(base), "--history", db]) == ExitCode.OK
    text = base.read_text()
    assert json.loads(text)["schema"] == "logwarden.baseline/1"
    assert text.count("\n") > 20  # one result / resource per line: reviewable

    gate = ["-q", "--baseline", str(base), "--fail-on-drift"]
    assert scan(inventories["trail_off"], *gate) == ExitCode.OK  # accepted failure
    assert scan(inventories["clean"], *gate) == ExitCode.OK  # resolved is fine
    assert scan(inventories["worse"], *gate) == ExitCode.FINDINGS  # a new failure
    assert scan(inventories["trail_off"], "-q", "--baseline", str(base)) == ExitCode.FINDINGS
    # the drift gate honours --fail-on: the new failure is medium
    assert scan(inventories["worse"], *gate, "--fail-on", "high") == ExitCode.OK
    out = tmp_path / "r.json"
    assert scan(inventories["worse"], *gate, "--json", str(out)) == ExitCode.FINDINGS
    doc = json.loads(out.read_text())
    assert [r["check_id"] for r in doc["drift"]["regressions"]] == [
        "aws.s3.log_bucket_access_logging"
    ]
    assert doc["summary"]["exit_code"] == ExitCode.FINDINGS

    # a baseline from a report.json (results only) gates the same way
    from_report = tmp_path / "from-report.json"
    assert scan(inventories["trail_off"], "-q", "--json", str(out)) == ExitCode.FINDINGS
    assert cli.main(["baseline", "save", str(from_report), "--report", str(out)]) == ExitCode.OK
    gate = ["-q", "--baseline", str(from_report), "--fail-on-drift"]
    assert scan(inventories["trail_off"], *gate) == ExitCode.OK
    assert scan(inventories["worse"], *gate) == ExitCode.FINDINGS


def test_drift_gate_with_history(inventories: dict[str, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "history.db")
    gate = ["-q", "--history", db, "--drift", "--fail-on-drift"]
    assert scan(inventories["trail_off"], *gate) == ExitCode.FINDINGS  # nothing before: all new
    assert scan(inventories["trail_off"], *gate) == ExitCode.OK
    assert scan(inventories["worse"], *gate) == ExitCode.FINDINGS
    assert scan(inventories["worse"], *gate) == ExitCode.OK


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "logwarden.baseline/1", "results": [', "malformed JSON"),
        ("", "malformed JSON"),
        ('{"schema": "logwarden.baseline/2", "results": []}', "is newer than"),
        ('{"schema": "logwarden.baseline/1", "scan": {}}', "missing or wrong field"),
        ('{"results": []}', "not a logwarden baseline"),
        ("[]", "not a logwarden baseline"),
    ],
    ids=["truncated", "empty", "newer", "missing-fields", "no-schema", "a-list"],
)
def test_bad_baseline_is_exit_2(
    inventories: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    base = tmp_path / "baseline.json"
    base.write_text(content)
    code = scan(inventories["clean"], "-q", "--baseline", str(base), "--fail-on-drift")
    assert code == ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert message in err and str(base) in err


@pytest.mark.parametrize(
    "args",
    [
        ["--drift"],
        ["--fail-on-drift"],
        ["--drift", "--history", "h.db", "--baseline", "b.json"],
        ["--baseline", "missing.json"],
        ["--history", "postgresql://localhost/x"],
    ],
)
def test_bad_history_options_are_exit_2(inventories: dict[str, Path], args: list[str]) -> None:
    assert scan(inventories["clean"], "-q", *args) == ExitCode.USAGE_ERROR


def test_newer_history_store_is_exit_2(inventories: dict[str, Path], tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "history.db"
    assert scan(inventories["clean"], "-q", "--history", str(db)) == ExitCode.OK
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    assert scan(inventories["clean"], "-q", "--history", str(db)) == ExitCode.USAGE_ERROR
    assert cli.main(["drift", "--history", str(db)]) == ExitCode.USAGE_ERROR


def test_fail_on_drift_changes_also_fails_on_a_configuration_change(
    inventories: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a change that fails no control: the trail now also notifies an SNS topic
    world = d.compliant_world()
    world.doc(None, "aws.cloudtrail.org_trail")["SnsTopicARN"] = (
        "arn:aws:sns:us-east-1:111111111111:trail-notes"
    )
    noted = save_inventory(world, tmp_path / "noted.json")
    db = str(tmp_path / "history.db")
    assert scan(inventories["clean"], "-q", "--history", db) == ExitCode.OK
    gate = ["--history", db, "--drift", "--fail-on-drift"]
    assert scan(noted, *gate) == ExitCode.OK  # no new failure
    assert "SnsTopicARN: (absent) -> arn:aws:sns" in capsys.readouterr().out
    assert scan(inventories["clean"], "-q", *gate, "changes") == ExitCode.FINDINGS
    assert scan(inventories["clean"], "-q", *gate, "changes") == ExitCode.OK  # nothing changed
    assert scan(inventories["clean"], "-q", *gate, "everything") == ExitCode.USAGE_ERROR
