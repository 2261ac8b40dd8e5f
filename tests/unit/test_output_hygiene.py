"""Output hygiene through the real CLI: cloud data cannot forge what a person or a
spreadsheet reads, and report files are written whole, or not at all, or said to be unwritten.

A crafted account name, a resource value and an API error message carry a newline followed
by a line that looks like the console's own, a terminal escape and a bidirectional override;
another account's name is a spreadsheet formula. Every writer for a person (console, drift
text, Markdown, CSV, SARIF messages) shows them escaped; the JSON report keeps them raw.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner import cli
from logwarden.scanner.models import CollectionError, ExitCode
from logwarden.scanner.printable import printable
from tests import aws_docs as d
from tests.report_world import save_inventory

FORGED = "  [CRITICAL] aws.forged.control  everything  all clear"
NAME = f"log-archive\n{FORGED}\x1b[2J\u202e"
PREFIX = f"org-trail/\r\n{FORGED}"
DENIED = f"not authorized\n{FORGED}\x07"
FORMULA = ' =HYPERLINK("http://x","y")'
UNSAFE = ("\n", "\r", "\x1b", "\x07", "\u202e")


def _world(prefix: str = "org-trail/") -> d.World:
    world = d.compliant_world()
    world.names[d.LOG] = NAME
    world.names[d.WORK] = FORMULA
    bucket = world.doc(d.LOG, "aws.s3.bucket")
    bucket["Logging"]["TargetPrefix"] = prefix
    bucket.pop("Versioning")  # with no Object Lock: a finding in the named account
    bucket.pop("ObjectLock")
    return world


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    denied = CollectionError(
        "aws", d.WORK, "aws.config.recorder", "us-east-1", "AccessDenied", DENIED
    )
    errors = {d.WORK: ("aws.config.recorder", denied)}
    save_inventory(_world(), work / "before.json", errors)
    save_inventory(_world(PREFIX), work / "after.json", errors)
    return work


def _no_forged_line(text: str) -> None:
    lines = text.splitlines()
    assert not any(line.startswith(FORGED) for line in lines), text
    assert not any(ch in text for ch in UNSAFE if ch not in "\n\r"), repr(text)


def test_cloud_values_cannot_forge_console_lines(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["scan", "--inventory", "before.json", "--history", "h.db"]) == ExitCode.FINDINGS
    )
    capsys.readouterr()
    code = cli.main(["scan", "--inventory", "after.json", "--history", "h.db", "--drift"])
    assert code == ExitCode.FINDINGS
    out = capsys.readouterr().out
    _no_forged_line(out)
    assert printable(NAME) in out  # the name is shown, escaped: log-archive\n  [CRITICAL]...
    assert printable(DENIED) in out
    assert f"Logging.TargetPrefix: org-trail/ -> {printable(PREFIX)}" in out  # the drift text

    assert cli.main(["drift", "--history", "h.db"]) == ExitCode.OK
    drift_text = capsys.readouterr().out
    _no_forged_line(drift_text)
    assert printable(PREFIX) in drift_text


def _reports(workdir: Path) -> Path:
    out = workdir / "reports"
    assert cli.main(["scan", "-q", "--inventory", "after.json", "--output", str(out)]) == 1
    return out


def test_markdown_and_csv_show_cloud_values_escaped(workdir: Path) -> None:
    out = _reports(workdir)
    markdown = (out / "report.md").read_text()
    _no_forged_line(markdown)
    forged = [line for line in markdown.splitlines() if "aws.forged.control" in line]
    assert forged and all(line.startswith("| ") for line in forged)  # inside table cells

    text = (out / "report.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    cells = [cell for row in rows for cell in row.values()]
    assert not any(ch in cell for cell in cells for ch in UNSAFE)
    names = {row["tenant_name"] for row in rows}
    assert printable(NAME) in names
    assert "'" + FORMULA in names  # after its leading space, '=' would start a formula
    assert any(printable(DENIED) in row["message"] for row in rows)


def test_structured_reports_keep_raw_values_and_stay_valid(workdir: Path) -> None:
    out = _reports(workdir)
    doc = json.loads((out / "report.json").read_text())
    assert NAME in {r["tenant_name"] for r in doc["results"]}  # raw, for machines

    sarif = json.loads((out / "report.sarif").read_text())
    run = sarif["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(printable(NAME) in t for t in texts) and any(printable(DENIED) in t for t in texts)
    assert not any(ch in t for t in texts for ch in UNSAFE)
    assert NAME in {r["properties"]["tenantName"] for r in run["results"]}

    root = ET.fromstring((out / "report.junit.xml").read_bytes())  # strict XML 1.0
    assert root.get("tests") == str(len(doc["results"]))


def _stale(directory: Path, name: str, age: float) -> Path:
    path = directory / name
    path.write_text("half a report")
    stamp = time.time() + age
    os.utime(path, (stamp, stamp))
    return path


def test_temporary_files_left_by_a_killed_run_are_removed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = workdir / "reports"
    out.mkdir()
    stale = [
        _stale(out, ".report.json.k9x_2abc.tmp", -3600),
        _stale(out, ".report.csv.a1b2c3d4.tmp", -60),
    ]
    kept = [
        _stale(out, ".report.json.zz99yy88.tmp", 3600),  # newer than this run: still in use
        _stale(out, ".other.json.k9x_2abc.tmp", -3600),  # not a file this run writes
        _stale(out, ".report.json.k9x_2abc.tmp.keep", -3600),  # not our pattern
        _stale(out, "report.json.k9x_2abc.tmp", -3600),
    ]
    args = ["scan", "-q", "--inventory", "after.json", "--output", str(out), "--format", "json,csv"]
    assert cli.main(args) == ExitCode.FINDINGS
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert {p.name for p in out.iterdir()} == {"report.json", "report.csv"} | {p.name for p in kept}


BLOCKING_PLUGIN = """
import os
from logwarden.scanner.hookspecs import hookimpl

@hookimpl
def logwarden_scan_finished(report):
    os.mkdir(os.environ["FAKEPLUGIN_BLOCK"])  # the report path turns into a directory
"""


def test_a_report_that_cannot_be_written_after_the_scan_is_exit_2(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    installed_plugin: Any,
) -> None:
    installed_plugin(BLOCKING_PLUGIN)
    blocked = workdir / "report.json"
    monkeypatch.setenv("FAKEPLUGIN_BLOCK", str(blocked))
    args = ["scan", "--inventory", "after.json", "--json", str(blocked), "--csv", "report.csv"]
    assert cli.main(args) == ExitCode.USAGE_ERROR
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"logwarden: error: {blocked}: cannot write the file" in captured.err
    assert "exit code 1" in captured.out and "wrote report.csv" in captured.out  # the rest is done
    assert (workdir / "report.csv").is_file()
    assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp")]
