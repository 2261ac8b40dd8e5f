"""CSV (spreadsheets) and Markdown (pull requests, job summaries)."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from logwarden.reports import csv_report, markdown, view
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
    # identifiers stay text: every cell is quoted
    assert csv_report.render(report).splitlines()[1].startswith('"aws.')
    by_id = {c.id: c for c in report.checks}
    for row in rows:
        check = by_id[row["check_id"]]
        claims = [f"{fw} {rid}" for fw, ids in check.frameworks.items() for rid in ids]
        assert all(c in row["frameworks"] for c in claims)
        assert row["scanned_at"] == report.finished_at
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
    benchmark = "CIS Amazon Web Services Foundations Benchmark v3.0.0"
    (cis3,) = [fs for fs in view.compliance(report) if fs.framework.id == "cis-aws-3.0"]
    counts = (
        f"| {benchmark} | {cis3.count('PASS')}/{cis3.assessed} | {cis3.count('FAIL')} | "
        f"{cis3.count('ERROR')} | {cis3.count('WAIVED')} | "
        f"{cis3.count('NOT_COVERED') + cis3.count('MANUAL')} |"
    )
    assert counts in text  # passed/assessed, then counts
    assert (cis3.count("FAIL"), cis3.count("ERROR"), cis3.count("WAIVED")) == (2, 1, 1)
    assert f"**{benchmark}**: requirements not passed" in text
    assert (
        "| 3.6 Rotation on for customer-created symmetric KMS keys | Failing "
        "| `aws.kms.key_rotation`, `aws.kms.log_key_rotation` | log-archive (222222222222) |"
    ) in text
    assert "| 3.4 Server access logging on the CloudTrail S3 bucket | Waived |" in text
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
