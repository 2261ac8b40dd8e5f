"""The scan config file, waivers and the exit-code table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from logwarden.scanner.config import STARTER, load_config
from logwarden.scanner.errors import InputError
from logwarden.scanner.models import (
    CheckResult,
    ExitCode,
    Gate,
    Remediation,
    ScanReport,
    Severity,
    Status,
    Tenant,
    Waiver,
)
from tests import aws_docs as d
from tests.offline import rows, scan_world


def _problems(tmp_path: Path, text: str) -> list[tuple[int | None, str]]:
    path = tmp_path / "logwarden.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert all(p.file == str(path) and p.fix for p in info.value.problems)
    return [(p.line, p.message) for p in info.value.problems]


def test_starter_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "logwarden.yaml"
    path.write_text(STARTER)
    cfg = load_config(path)
    assert cfg.clouds["aws"]["mode"] == "organization"
    assert cfg.fail_on == "low" and cfg.jobs == 16


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "version: 1\nwaivers:\n  - checks: aws.*\n    reason: r\n    owner: o\n",
            3,
            "missing the required field 'expires'",
        ),
        (
            "version: 1\nwaivers:\n  - checks: aws.*\n    reason: r\n    owner: o\n    expires: soon\n",
            6,
            "is not a date",
        ),
        ("version: 1\nscan:\n  fail_on: urgent\n", 3, "unknown severity 'urgent'"),
        ("version: 1\nscann: {}\n", 2, "unknown config field 'scann'"),
        ("version: 1\nscan:\n  jobs: many\n", 3, "must be an integer"),
        ("clouds: [aws]\n", 1, "must be a mapping"),
        ("version: 1\nparameters: {a: 1\n", 3, "while parsing a flow mapping started at line 2"),
    ],
)
def test_bad_config(tmp_path: Path, text: str, line: int, message: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(got_line == line and message in got_message for got_line, got_message in problems), (
        problems
    )


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_config(tmp_path / "nope.yaml")
    assert "file not found" in str(info.value)


def _failing_world() -> d.World:
    world = d.compliant_world()
    world.doc(d.LOG, "aws.s3.bucket").pop("Logging")
    return world


def test_valid_waiver_mutes_and_keeps_the_row() -> None:
    waiver = Waiver(
        checks="aws.s3.log_bucket_access_*",
        reason="SIEM has it",
        owner="sec",
        expires="2026-12-31",
        tenants=("log-archive",),
    )
    report = scan_world(_failing_world(), waivers=[waiver], today=dt.date(2026, 11, 22))
    row = rows(report, "aws.s3.log_bucket_access_logging", d.LOG)[0]
    assert row.status is Status.FAIL and row.muted and row.waiver == waiver
    assert report.exit_code == ExitCode.OK
    assert report.expired_waivers == ()


def test_expired_waiver_stops_muting_and_is_reported() -> None:
    waiver = Waiver(
        checks="aws.s3.log_bucket_access_logging", reason="old", owner="sec", expires="2026-11-21"
    )
    report = scan_world(_failing_world(), waivers=[waiver], today=dt.date(2026, 11, 22))
    row = rows(report, "aws.s3.log_bucket_access_logging", d.LOG)[0]
    assert not row.muted
    assert report.expired_waivers == (waiver,)
    assert report.exit_code == ExitCode.FINDINGS


def test_waiver_for_another_tenant_does_not_mute() -> None:
    waiver = Waiver(
        checks="aws.s3.*", reason="r", owner="o", expires="2027-01-01", tenants=(d.WORK,)
    )
    report = scan_world(_failing_world(), waivers=[waiver], today=dt.date(2026, 11, 22))
    assert not rows(report, "aws.s3.log_bucket_access_logging", d.LOG)[0].muted


def _row(status: Status, severity: Severity, muted: bool = False) -> CheckResult:
    return CheckResult(
        "aws.x.y", status, severity, "aws", "1", "t", "", "r", "m", Remediation("fix"), muted=muted
    )


TENANT = Tenant("aws", "1", "t")


@pytest.mark.parametrize(
    ("results", "fail_on", "fail_on_error", "expected"),
    [
        ([], Severity.LOW, True, ExitCode.OK),
        ([_row(Status.PASS, Severity.HIGH)], Severity.LOW, True, ExitCode.OK),
        ([_row(Status.FAIL, Severity.LOW)], Severity.LOW, True, ExitCode.FINDINGS),
        ([_row(Status.FAIL, Severity.LOW)], Severity.HIGH, True, ExitCode.OK),
        ([_row(Status.FAIL, Severity.CRITICAL)], Severity.HIGH, True, ExitCode.FINDINGS),
        ([_row(Status.FAIL, Severity.CRITICAL)], None, True, ExitCode.OK),
        ([_row(Status.FAIL, Severity.CRITICAL, muted=True)], Severity.LOW, True, ExitCode.OK),
        ([_row(Status.ERROR, Severity.LOW)], Severity.LOW, True, ExitCode.INCOMPLETE),
        ([_row(Status.ERROR, Severity.LOW)], Severity.LOW, False, ExitCode.OK),
        (
            [_row(Status.ERROR, Severity.LOW), _row(Status.FAIL, Severity.MEDIUM)],
            Severity.LOW,
            True,
            ExitCode.FINDINGS,
        ),
        (
            [_row(Status.ERROR, Severity.LOW), _row(Status.FAIL, Severity.INFO)],
            Severity.LOW,
            True,
            ExitCode.INCOMPLETE,
        ),
        ([_row(Status.SKIPPED, Severity.HIGH)], Severity.LOW, True, ExitCode.OK),
    ],
)
def test_exit_code_table(
    results: list[CheckResult], fail_on: Severity | None, fail_on_error: bool, expected: ExitCode
) -> None:
    report = ScanReport(
        results=results,
        errors=[],
        tenants=[TENANT],
        organizations=[],
        checks=[],
        started_at="",
        finished_at="",
        gate=Gate(fail_on=fail_on, fail_on_error=fail_on_error),
    )
    assert report.exit_code == expected


def test_no_tenant_scanned_is_incomplete() -> None:
    report = ScanReport(
        results=[],
        errors=[],
        tenants=[],
        organizations=[],
        checks=[],
        started_at="",
        finished_at="",
    )
    assert report.exit_code == ExitCode.INCOMPLETE
