"""The HTML report without a browser: escaping, the data island, self-containment, views.

What the page does when a person uses it (filters, rendering, no network) is checked in a
real browser by tests/browser/test_html_report.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from logwarden.reports import html_report, view
from logwarden.scanner.frameworks import builtin_frameworks
from logwarden.scanner.models import ScanReport
from tests import aws_docs as d
from tests.report_world import EXPIRED_WAIVER, SCRIPT_NAME, multi_cloud_report

ISLAND = re.compile(r'<script type="application/json" id="logwarden-data">(.*?)</script>', re.S)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return multi_cloud_report()


@pytest.fixture(scope="module")
def page(report: ScanReport) -> str:
    return html_report.render(report)


def _island(page: str) -> dict[str, Any]:
    match = ISLAND.search(page)
    assert match is not None
    assert "<" not in match.group(1)
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_names_and_messages_cannot_inject_markup(page: str) -> None:
    assert SCRIPT_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" not in page  # rows are in the island only
    parser = _Tags()
    parser.feed(page)
    assert [t for t, _ in parser.tags].count("script") == 2  # the data island and our script


def test_data_island_carries_every_row(report: ScanReport, page: str) -> None:
    data = _island(page)
    assert len(data["rows"]) == len(report.results)
    resources = {row[5] for row in data["rows"]}
    assert SCRIPT_NAME in resources
    assert {t["cloud"] for t in data["tenants"]} == {"aws", "gcp"}
    statuses = {row[2] for row in data["rows"]}
    assert statuses == {"PASS", "FAIL", "ERROR", "SKIPPED", "WAIVED"}
    expired = [row for row in data["rows"] if row[9]]
    assert [data["waivers"][row[8]]["expires"] for row in expired] == [EXPIRED_WAIVER.expires]


@pytest.mark.parametrize(
    "value",
    ["</script><script>alert(1)</script>", "<!-- x", "a & b > c", "\u2028\u2029", "</SCRIPT >"],
)
def test_json_island_is_inert_and_round_trips(value: str) -> None:
    text = str(html_report.json_island({"v": value, "k": [value]}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"v": value, "k": [value]}


def test_page_is_self_contained_and_locked_down(page: str) -> None:
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert "src" not in attrs, tag
        if tag == "link":
            assert attrs == {"rel": "icon", "href": "data:,"}
        href = attrs.get("href")
        if tag == "a" and href:
            assert href.startswith(("#", "https://", "http://")), href
            if not href.startswith("#"):
                assert attrs.get("rel") == "noopener noreferrer"
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)  # no inline handlers
    assert "@import" not in page and "url(" not in page
    csp = next(
        a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in (csp or "")
    script = parser.scripts[-1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in (csp or "")


def test_overview_compliance_coverage_and_controls(report: ScanReport, page: str) -> None:
    assert "Gate failed" in page and "exit 1" in page
    assert "CIS Amazon Web Services Foundations Benchmark v3.0.0" in page
    # the summary names the most failing controls, linked to their findings
    top = page.split("Most failing controls")[1].split("</ol>")[0]
    failing = {r.check_id for r in report.results if r.is_finding}
    assert failing and all(f">{cid}</a>" in top for cid in failing)
    assert re.search(r" · \d+\.\d\d s</dd>", page)  # scan time to the hundredth
    assert "Could not be evaluated" in page and "AccessDenied" in page
    assert f"{EXPIRED_WAIVER.checks}</b> expired on {EXPIRED_WAIVER.expires}" in page
    for check in report.checks:
        assert f'<span class="control-id mono">{check.id}</span>' in page
    assert "aws cloudtrail update-trail --name &lt;trail&gt; --enable-log-file-validation" in page


def test_compliance_counts_requirements_over_every_tenant(report: ScanReport, page: str) -> None:
    frameworks = {fs.framework.id: fs for fs in view.compliance(report)}
    cis3 = frameworks["cis-aws-3.0"]
    statuses = {r.id: r.status for r in cis3.requirements if r.covered.controls}
    expected = {
        "3.1": "PASS",
        "3.2": "FAIL",  # the <script> trail in the workload account
        "3.3": "ERROR",  # the recorder could not be read there
        "3.4": "WAIVED",
        "3.5": "PASS",
        "3.6": "FAIL",
        "3.7": "PASS",
        "3.8": "PASS",
        "3.9": "PASS",
        "2.1.1": "PASS",  # related requirements outside the logging section
        "2.1.4": "PASS",
    }
    assert {k: statuses[k] for k in expected} == expected
    # a requirement passes only when nothing failed, errored or was waived
    assert cis3.count("PASS") == sum(1 for s in statuses.values() if s == "PASS")
    assert cis3.assessed == sum(1 for s in statuses.values() if s != "SKIPPED")
    # every catalogued requirement is listed, those no control covers too, with why
    assert len(cis3.requirements) == len(
        builtin_frameworks().frameworks["cis-aws-3.0"].requirements
    )
    uncovered = [r for fs in frameworks.values() for r in fs.requirements if not r.covered.controls]
    assert uncovered and {r.status for r in uncovered} <= {"NOT_COVERED", "MANUAL"}
    failing = next(r for r in cis3.requirements if r.id == "3.2")
    assert failing.failing_tenants == (d.WORK,)
    # the page: one table per framework with titles, linked controls and failing tenants
    assert '<b class="mono">3.2</b> CloudTrail log file validation on' in page
    assert 'href="#control-' in page.split('id="compliance"')[1].split("</section>")[0]
    assert "Unproven (not evaluated)" in page


def test_posture_per_tenant(report: ScanReport) -> None:
    posture = {(p.cloud, p.tenant_id): p for p in view.posture(report)}
    assert posture[("aws", d.ORG_ID)].is_organization
    workload = posture[("aws", d.WORK)]
    # the unreadable recorder: aws.config.recorder_on and aws.config.central_delivery
    assert workload.findings["high"] == 1 and workload.statuses["ERROR"] == 2
    assert posture[("gcp", "dev-sandbox")].score == 0
    assert posture[("gcp", "prod-logging")].score == 100
