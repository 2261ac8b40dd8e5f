"""The report of a scan is built once, from its rows, history, drift and gate.

Through the real CLI and the real plugin manager (an installed entry-point plugin): the
``logwarden_result`` hook sees the final rows (waiver marks, and ``first_seen`` with
``--history``), nothing changes the report after it is built, and every registered report
format, a plugin's too, gets its own ``--NAME PATH`` option.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from logwarden.reports import json_report
from logwarden.reports.builtin import BUILTIN_FORMATS
from logwarden.scanner.cli import main
from logwarden.scanner.models import ExitCode, Gate, Status
from tests.offline import scan_world
from tests.report_world import aws_world, save_inventory

RECORDER = """
from logwarden.reports import json_report
from logwarden.reports.builtin import BUILTIN_FORMATS
from logwarden.scanner.hookspecs import hookimpl

SEEN = []  # per logwarden_result call: what the row said at that moment
REPORTS = []  # per logwarden_scan_finished call: (report, report.json rendered then)


@hookimpl
def logwarden_result(result):
    reason = result.waiver.reason if result.waiver is not None else None
    SEEN.append((result.fingerprint, result.first_seen, result.muted, reason))


@hookimpl
def logwarden_scan_finished(report):
    REPORTS.append((report, json_report.render(report)))
"""
LINES_REPORTER = """
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Reporter


@hookimpl
def logwarden_register_reporters():
    return [Reporter("lines", "report.txt", "one check id per result",
                     lambda report: "".join(r.check_id + "\\n" for r in report.results))]
"""
CLASHING_REPORTER = """
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Reporter


@hookimpl
def logwarden_register_reporters():
    return [Reporter("output", "out.txt", "named like --output", lambda report: "")]
"""
# aws_world(): bucket access logging off (muted by MUTED), key rotation off (EXPIRED's).
CONFIG = """\
version: 1
waivers:
  - checks: aws.s3.log_bucket_access_logging
    reason: access logs reach the SIEM another way
    owner: sec@example.com
    expires: 2999-12-31
  - checks: aws.kms.log_key_rotation
    reason: rotation handled by the HSM team
    owner: crypto@example.com
    expires: 2000-01-01
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(saved inventory of ``aws_world()``, config with a valid and an expired waiver)."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "logwarden.yaml"
    config.write_text(CONFIG)
    return save_inventory(aws_world(), tmp_path / "inventory.json"), config


def _recorder(installed_plugin: Any) -> ModuleType:
    """Install RECORDER as an entry-point plugin; its module (the one the plugin manager
    registers, imported once)."""
    installed_plugin(RECORDER)
    return importlib.import_module("fakeplugin_mod")


def test_result_hook_sees_final_rows(
    installed_plugin: Any, world: tuple[Path, Path], tmp_path: Path
) -> None:
    inventory, config = world
    recorder = _recorder(installed_plugin)
    scan = ["scan", "-q", "--config", str(config), "--inventory", str(inventory)]
    history = ["--history", str(tmp_path / "history.db")]
    assert main([*scan, *history]) == ExitCode.FINDINGS
    first, _ = recorder.REPORTS[-1]
    recorder.SEEN.clear()
    out = tmp_path / "report.json"
    assert main([*scan, *history, "--json", str(out)]) == ExitCode.FINDINGS

    report, _ = recorder.REPORTS[-1]
    rows = json.loads(out.read_text())["results"]
    written = [
        (r["fingerprint"], r["first_seen"], r["muted"], (r["waiver"] or {}).get("reason"))
        for r in rows
    ]
    assert written == recorder.SEEN  # every row, in order, as the report has it
    assert len(written) == len(report.results)
    seen = {first_seen for _, first_seen, _, _ in recorder.SEEN}
    assert None not in seen and first.started_at in seen  # the same scan again
    by_check = {r["check_id"]: r for r in rows if r["status"] == Status.FAIL}
    waived = by_check["aws.s3.log_bucket_access_logging"]
    assert waived["muted"] and waived["waiver"]["expires"] == "2999-12-31"
    stale = by_check["aws.kms.log_key_rotation"]
    assert not stale["muted"] and stale["waiver"]["expires"] == "2000-01-01"


def test_nothing_changes_the_report_after_it_is_built(
    installed_plugin: Any, world: tuple[Path, Path], tmp_path: Path
) -> None:
    inventory, config = world
    recorder = _recorder(installed_plugin)
    out = tmp_path / "report.json"
    db = str(tmp_path / "history.db")
    scan = ["scan", "--config", str(config), "--inventory", str(inventory), "--history", db]
    assert main(scan) == ExitCode.FINDINGS
    assert main([*scan, "--drift", "--json", str(out), "--output", str(tmp_path)]) == 1
    report, at_hook = recorder.REPORTS[-1]
    # the console and every reporter rendered it after the hook: it says the same still
    assert json_report.render(report) == at_hook == out.read_text()
    assert report.drift is not None and report.exit_code == ExitCode.FINDINGS

    with pytest.raises(dataclasses.FrozenInstanceError):
        report.gate = Gate(fail_on=None)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.results[0].muted = True  # type: ignore[misc]
    assert isinstance(report.results, tuple) and isinstance(report.errors, tuple)


def test_a_report_built_from_lists_keeps_tuples() -> None:
    report = scan_world(aws_world())
    rows = list(report.results)
    copy = dataclasses.replace(report, results=rows)
    rows.clear()
    assert len(copy.results) == len(report.results) > 0
    with pytest.raises(AttributeError):
        copy.results.append(report.results[0])  # type: ignore[attr-defined]


def test_a_plugin_reporter_gets_its_own_option(
    installed_plugin: Any,
    world: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inventory, _ = world
    installed_plugin(LINES_REPORTER)
    assert main(["scan", "--help"]) == 0
    usage = capsys.readouterr().out
    assert "--lines PATH" in usage and "write the lines report to PATH" in usage
    formats = " ".join(usage.split()).split("report formats: ")[1].split(" (")[0]
    assert set(formats.split(", ")) == {name for name, *_ in BUILTIN_FORMATS} | {"lines"}

    out = tmp_path / "ids.txt"
    assert main(["scan", "-q", "--inventory", str(inventory), "--lines", str(out)]) == 1
    report = scan_world(aws_world())
    assert out.read_text().splitlines() == [r.check_id for r in report.results]

    assert main(["scan", "-p", "no:fakeplugin", "--lines", str(out)]) == 2
    assert "unrecognized arguments: --lines" in capsys.readouterr().err


def test_a_format_named_like_a_scan_option_is_a_usage_error(
    installed_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_plugin(CLASHING_REPORTER)
    assert main(["scan", "--help"]) == ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert "--output: the report format 'output' has the name of a scan option" in err
    assert "-p no:NAME" in err and "Traceback" not in err
    assert main(["scan", "-p", "no:fakeplugin", "--help"]) == 0
