"""CSV (spreadsheets) and Markdown (pull requests, job summaries)."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from logwarden.reports import csv_report, markdown
from logwarden.scanner.models import ScanReport, Status
from tests.report_world import (
    EXPIRED_WAIVER,
    SCRIPT_NAME,
    VALID_WAIVER,
    multi_cloud_report,
    scaled_report,
)


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return multi_cloud_report()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_one_row_per_result_with_waivers(report: ScanReport) -> None:
    rows = _rows(csv_report.render(report))
    assert len(rows) == len(report.results)
    assert list(rows[0]) == list(csv_report.COLUMNS)
    assert {r["fingerprint"] for r in rows} == {r.fingerprint for r in report.results}
    waived = [r for r in rows if r["status"] == "WAIVED"]
    assert [(r["waiver_reason"], r["waiver_owner"]) for r in waived] == [
        (VALID_WAIVER.reason, VALID_WAIVER.owner)
    ]
    expired = [r for r in rows if r["waiver_expired"] == "yes"]
    assert [(r["status"], r["waiver_expires"]) for r in expired] == [
        ("FAIL", EXPIRED_WAIVER.expires)
    ]
    assert any(r["resource_id"] == SCRIPT_NAME for r in rows)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(report: ScanReport) -> None:
    row = dataclasses.replace(
        report.results[0], resource_id='=HYPERLINK("http://x")', message="+1", title="@SUM(A1)"
    )
    (parsed,) = _rows(csv_report.render(dataclasses.replace(report, results=[row])))
    assert parsed["resource_id"] == '\'=HYPERLINK("http://x")'
    assert parsed["message"] == "'+1" and parsed["title"] == "'@SUM(A1)"


def test_markdown_summary(report: ScanReport) -> None:
    text = markdown.render(report)
    assert text.startswith("## ❌ logwarden: gate failed (exit 1")
    assert "| AWS | 0 | 1 | 2 | 0 | 0 | 2 | 1 |" in text  # by cloud and severity
    assert "| Google Cloud | 0 | 1 | 0 | 0 | 0 | 0 | 0 |" in text
    assert "### Findings (4)" in text
    assert "### Could not be evaluated (2)" in text
    assert (
        "| CIS AWS Foundations Benchmark v3.0 | 3.x | 5/9 | 3.2, 3.3 (not evaluated), 3.4 (waived), 3.6 |"
        in text
    )
    assert "| AWS Security Hub FSBP | Config.x | 0/1 | Config.1 (not evaluated) |" in text
    assert "expired waiver for aws.kms.log\\_key\\_rotation (owner" in text
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_markdown_cells_cannot_break_the_table(report: ScanReport) -> None:
    row = dataclasses.replace(
        next(r for r in report.results if r.is_finding),
        resource_id="a|b\nc [x](javascript:alert(1)) <img src=x>",
    )
    text = markdown.render(dataclasses.replace(report, results=[row]))
    line = next(line for line in text.splitlines() if "javascript" in line)
    assert line.count("|") - line.count("\\|") == 6  # five cells, nothing added
    assert "<img" not in line and "\\[x\\]" in line


def test_markdown_stays_short_for_big_scans() -> None:
    text = markdown.render(scaled_report(5_000))
    assert len(text) < 60_000  # a GitHub comment holds 65,536 characters
    assert "more in the HTML and JSON reports" in text
    assert text.count("\n| high |") + text.count("\n| medium |") <= markdown.MAX_FINDINGS


def test_statuses_all_present(report: ScanReport) -> None:
    assert {r.status for r in report.results} == set(Status)
