"""The CI gate and the report options through the real CLI (saved inventories, no cloud).

The model-level exit-code table is in test_config_and_waivers.py; this one drives
``logwarden scan --inventory`` so option parsing, the config file's ``scan:`` section, waivers
read from the config (valid and expired) and control overrides are part of what is tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.scanner import cli
from logwarden.scanner.models import CollectionError, ExitCode
from tests import aws_docs as d
from tests.report_world import save_inventory

DENIED = CollectionError(
    "aws", d.WORK, "aws.config.recorder", "us-east-1", "AccessDenied", "not authorized"
)


def _world(defects: tuple[str, ...]) -> d.World:
    """The compliant world with one defect per severity asked for."""
    w = d.compliant_world()
    if "critical" in defects:  # the organization trail stopped: aws.cloudtrail.org_trail
        w.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False
    if "high" in defects:  # aws.s3.log_bucket_kms
        bucket = w.doc(d.LOG, "aws.s3.bucket")
        bucket["DefaultSSEAlgorithm"] = "AES256"
        bucket["Encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"] = {
            "SSEAlgorithm": "AES256"
        }
    if "medium" in defects:  # aws.s3.log_bucket_access_logging
        w.doc(d.LOG, "aws.s3.bucket").pop("Logging")
    if "low" in defects:  # aws.cloudtrail.cloudwatch_delivery: the last delivery is stale
        for account in w.tenants:
            status = w.doc(account, "aws.cloudtrail.trail")["Status"]
            status["LatestCloudWatchLogsDeliveryTime"] = "2020-01-01T00:00:00Z"
    return w


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "logwarden.yaml"
    path.write_text("version: 1\n" + extra)
    return path


WAIVE_MEDIUM = """\
waivers:
  - checks: aws.s3.log_bucket_access_logging
    reason: the SIEM collects them
    owner: sec@example.com
    expires: {expires}
"""
MEDIUM_IS_INFO = """\
overrides:
  - id: aws.s3.log_bucket_access_logging
    severity: info
"""


@pytest.mark.parametrize(
    ("defects", "errors", "config", "args", "expected"),
    [
        ((), False, "", [], ExitCode.OK),
        (("low",), False, "", [], ExitCode.FINDINGS),  # default --fail-on low
        (("low",), False, "", ["--fail-on", "medium"], ExitCode.OK),
        (("medium",), False, "", ["--fail-on", "medium"], ExitCode.FINDINGS),
        (("high",), False, "", ["--fail-on", "critical"], ExitCode.OK),
        (("high",), False, "", ["--fail-on", "high"], ExitCode.FINDINGS),
        (("critical",), False, "", ["--fail-on", "critical"], ExitCode.FINDINGS),
        (("critical",), False, "", ["--fail-on", "none"], ExitCode.OK),
        (("medium",), False, MEDIUM_IS_INFO, [], ExitCode.OK),  # info is below low
        (("medium",), False, MEDIUM_IS_INFO, ["--fail-on", "info"], ExitCode.FINDINGS),
        (("medium",), False, WAIVE_MEDIUM.format(expires="2999-12-31"), [], ExitCode.OK),
        (("medium",), False, WAIVE_MEDIUM.format(expires="2020-01-01"), [], ExitCode.FINDINGS),
        ((), True, "", [], ExitCode.INCOMPLETE),
        ((), True, "", ["--no-fail-on-error"], ExitCode.OK),
        ((), True, "scan:\n  fail_on_error: false\n", [], ExitCode.OK),
        ((), True, "scan:\n  fail_on_error: false\n", ["--fail-on-error"], ExitCode.INCOMPLETE),
        (("medium",), True, "", [], ExitCode.FINDINGS),  # findings win over errors
        (("low",), True, "", ["--fail-on", "high"], ExitCode.INCOMPLETE),
        (("medium",), True, "", ["--fail-on", "none"], ExitCode.INCOMPLETE),
        (
            ("medium",),
            True,
            WAIVE_MEDIUM.format(expires="2999-12-31"),
            [],
            ExitCode.INCOMPLETE,  # a waived finding does not hide the incomplete scan
        ),
        (("medium",), False, "scan:\n  fail_on: high\n", [], ExitCode.OK),
        (("medium",), False, "scan:\n  fail_on: high\n", ["--fail-on", "low"], ExitCode.FINDINGS),
    ],
)
def test_exit_code_table_through_the_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    defects: tuple[str, ...],
    errors: bool,
    config: str,
    args: list[str],
    expected: ExitCode,
) -> None:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    inventory = save_inventory(
        _world(defects),
        tmp_path / "inventory.json",
        {d.WORK: ("aws.config.recorder", DENIED)} if errors else None,
    )
    cfg = _config(tmp_path, config)
    out = tmp_path / "out"
    argv = ["scan", "-q", "-c", str(cfg), "--inventory", str(inventory), "--json", str(out)]
    code = cli.main([*argv, *args])
    assert code == expected
    summary = json.loads(out.read_text())["summary"]
    assert summary["exit_code"] == expected  # the report says what the process said
    statuses = summary["by_status"]
    assert (statuses["ERROR"] > 0) == errors
    assert (statuses["FAIL"] + statuses["WAIVED"] > 0) == bool(defects)


def _scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    inventory = save_inventory(_world(("medium",)), tmp_path / "inventory.json")
    return cli.main(["scan", "-q", "--inventory", str(inventory), *args])


FILES = {
    "html": "report.html",
    "json": "report.json",
    "junit": "report.junit.xml",
    "sarif": "report.sarif",
    "ocsf": "report.ocsf.json",
    "csv": "report.csv",
    "md": "report.md",
}


def test_output_alone_writes_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _scan(tmp_path, monkeypatch, "--output", "all") == ExitCode.FINDINGS
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(FILES.values())


def test_formats_comma_list_repeatable_and_own_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _scan(
        tmp_path,
        monkeypatch,
        *("--format", "json,md", "--format", "csv", "-o", "out"),
        *("--junit", "ci/junit.xml", "--sarif", "ci/scan.sarif", "--md", "summary.md"),
    )
    assert code == ExitCode.FINDINGS
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.csv", "report.json"]
    assert (tmp_path / "ci" / "junit.xml").read_text().startswith("<?xml")
    assert json.loads((tmp_path / "ci" / "scan.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "summary.md").read_text().startswith("## ")
    # atomic writes leave no temporary file behind
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_no_report_option_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _scan(tmp_path, monkeypatch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "unknown report format 'pdf'"),
        (["--junit", "x.xml", "--sarif", "x.xml"], "would both be written to x.xml"),
        (["--format", "json", "--json", "report.json", "--md", "report.json"], "both be written"),
    ],
)
def test_bad_report_options_exit_2_before_scanning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    assert _scan(tmp_path, monkeypatch, *args) == ExitCode.USAGE_ERROR
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.json"]


def test_help_documents_the_exit_codes_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scan", "--help"]) == 0
    text = capsys.readouterr().out
    for line in ("0  clean", "1  unwaived findings", "2  usage", "3  incomplete", "4  internal"):
        assert line in text
    for name in FILES:
        assert f"--{name} PATH" in text
