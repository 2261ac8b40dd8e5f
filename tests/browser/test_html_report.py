"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.

Playwright's Python package drives the system Chromium (``executable_path``); it never
downloads a browser. ``.ci/run`` installs Chromium with apt. Without it the tests are skipped
with the reason, except in CI (``CI=true``), where a missing browser is a failure.

The page is opened from a file URL with a fresh profile and the networking Chromium does on
its own switched off; every request the page makes is recorded, and only the report file
itself may appear. A screenshot of the overview goes to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logwarden.reports import html_report
from tests.report_world import SCRIPT_NAME, multi_cloud_report, scaled_report

CHROMIUM = os.environ.get("LOGWARDEN_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must run the browser test: .ci/run installs chromium)")
    pytest.skip(f"{reason}: install Debian's chromium (apt-get install -y chromium)")


class Browser:
    """One headless Chromium with a fresh profile; records requests, dialogs and errors."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))

    def open(self, path: Path) -> Any:
        page = self.context.new_page()
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: self.errors.append(msg.text) if msg.type in ("error", "warning") else None,
        )
        page.goto(path.as_uri())
        page.wait_for_selector("#f-summary:not(:empty)")
        return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1440, "height": 1000},
        )
        try:
            yield Browser(context)
        finally:
            context.close()


def _write(report_html: str, directory: Path) -> Path:
    path = directory / "report.html"
    path.write_text(report_html, encoding="utf-8")
    return path


def _visible_controls(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "details.control:not([hidden]) .control-id", "els => els.map(e => e.textContent)"
    )
    return ids


def _summary(page: Any) -> str:
    text: str = page.inner_text("#f-summary")
    return text


def test_filters_escaping_and_no_network(browser: Browser, tmp_path: Path) -> None:
    report = multi_cloud_report()
    path = _write(html_report.render(report), tmp_path)
    page = browser.open(path)
    total = len(report.results)
    assert _summary(page) == f"Showing {total} of {total} results"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report-overview.png"))
    page.screenshot(path=str(ARTIFACTS / "html-report-full.png"), full_page=True)

    # the <script>-named trail is shown as text, and nothing ran
    cell = page.locator("td.resource", has_text="alert(1)").first
    assert cell.text_content() == SCRIPT_NAME
    assert browser.dialogs == []

    # cloud: only Google Cloud's control remains
    page.select_option("#f-cloud", "gcp")
    assert _visible_controls(page) == ["gcp.logging.org_sink"]
    assert _summary(page) == f"Showing 2 of {total} results"
    tenants = page.eval_on_selector_all("#f-tenant option", "els => els.map(e => e.textContent)")
    assert tenants == ["All tenants", "Dev sandbox (dev-sandbox)", "Prod logging (prod-logging)"]

    # status + severity: failing high rows of every cloud
    page.click("#f-reset")
    page.select_option("#f-status", "FAIL")
    page.select_option("#f-severity", label="high")
    assert sorted(_visible_controls(page)) == [
        "aws.cloudtrail.log_file_validation",
        "gcp.logging.org_sink",
    ]
    # status: what could not be evaluated, with its reason
    page.select_option("#f-severity", "")
    page.select_option("#f-status", "ERROR")
    assert _visible_controls(page) == ["aws.config.central_delivery", "aws.config.recorder_on"]
    row_text = page.inner_text("details.control:not([hidden]) tbody")
    assert "Could not be evaluated" in row_text and "AccessDenied" in row_text

    # free text, then a tenant picked from the posture table
    page.click("#f-reset")
    page.fill("#f-text", "waiver object")
    page.fill("#f-text", "log_key_rotation")
    page.wait_for_function(
        "() => document.getElementById('f-summary').textContent.startsWith('Showing 1 ')"
    )
    expired = page.inner_text("details.control:not([hidden]) tbody")
    assert "Waiver expired on 2026-10-01" in expired
    page.click("#f-reset")
    page.click("button[data-tenant='prod-logging']")
    assert page.input_value("#f-cloud") == "gcp"
    assert _summary(page) == f"Showing 1 of {total} results"

    # waived rows are visible as waived, with reason, owner and expiry
    page.click("#f-reset")
    page.select_option("#f-status", "WAIVED")
    waived = page.inner_text("details.control:not([hidden]) tbody")
    assert "Waived until 2026-12-31" in waived and "security@example.com" in waived

    assert browser.errors == []
    assert {url for url in browser.requests} == {path.as_uri()}, browser.requests


def test_twenty_thousand_results_render_page_by_page(browser: Browser, tmp_path: Path) -> None:
    report = scaled_report(20_000)
    path = _write(html_report.render(report), tmp_path)
    page = browser.open(path)
    assert _summary(page) == "Showing 20,000 of 20,000 results"
    rendered = page.locator("tbody[data-rows] tr").count()
    assert rendered <= 50 * len(report.checks)  # one page per control, not 20,000 rows
    group = page.locator("details.control", has_text="aws.config.recorder_on").first
    before = group.locator("tbody tr").count()
    group.locator("button[data-more]").click()
    assert group.locator("tbody tr").count() == before + 50
    page.fill("#f-text", "workload-17 ")
    page.wait_for_function(
        "() => !document.getElementById('f-summary').textContent.includes('20,000 of')"
    )
    assert int(_summary(page).split()[1].replace(",", "")) > 0
    assert browser.errors == []
    assert path.as_uri() in browser.requests
    assert all(url.startswith("file://") for url in browser.requests), browser.requests


def test_drift_section_new_badges_and_filter(browser: Browser, tmp_path: Path) -> None:
    from tests.unit.test_report_drift import BEFORE_TIME, HOSTILE, drifted_report

    report = drifted_report(tmp_path)
    assert report.drift is not None
    new = {r.fingerprint for r in report.drift.regressions}
    fresh = [r for r in report.results if r.is_finding and r.fingerprint in new]
    path = _write(html_report.render(report), tmp_path)
    page = browser.open(path)
    total = len(report.results)
    section = page.inner_text("#drift")
    assert f"Changed since {BEFORE_TIME}" in section
    assert f"by {HOSTILE} — PutBucketVersioning" in section  # shown as text, nothing ran
    assert browser.dialogs == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#drift").screenshot(path=str(ARTIFACTS / "html-report-drift.png"))

    # every row shows when it was first seen; only regressions carry the "new" badge
    assert page.locator("tbody[data-rows] .badge.is-new").count() == len(fresh)
    assert (
        page.locator("tbody[data-rows] .note.seen").count()
        == page.locator("tbody[data-rows] tr").count()
    )

    page.click("#show-new")
    assert _summary(page) == f"Showing {len(fresh)} of {total} results"
    assert sorted(_visible_controls(page)) == sorted({r.check_id for r in fresh})
    assert page.locator("tbody[data-rows] tr").count() == len(fresh)
    assert page.locator("tbody[data-rows] .badge.is-new").count() == len(fresh)
    page.click("#f-reset")
    assert page.input_value("#f-new") == ""
    assert _summary(page) == f"Showing {total} of {total} results"
    assert browser.errors == []
    assert path.as_uri() in browser.requests
    assert all(url.startswith("file://") for url in browser.requests), browser.requests


OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > doc.clientWidth + 1 && !el.closest('.scroll, pre, .hscroll');
  }).slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


@pytest.mark.parametrize("width", [1400, 390])
def test_no_horizontal_overflow_summary_first(browser: Browser, tmp_path: Path, width: int) -> None:
    """At a desktop and a phone width, nothing makes the page scroll sideways: long ARNs, S3
    keys and JSON evidence wrap or scroll inside their cell; the summary comes first, the
    drift after it."""
    from tests.unit.test_report_drift import drifted_report

    report = drifted_report(tmp_path)
    path = _write(html_report.render(report), tmp_path)
    page = browser.open(path)
    page.set_viewport_size({"width": width, "height": 900})
    for details in page.locator("details").all():  # every section and evidence opened
        details.evaluate("d => d.open = true")
    page.wait_for_timeout(100)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"html-report-{width}px.png"), full_page=True)
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["client"], found
    order = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert order.index("overview") < order.index("drift") < order.index("controls")
