"""Drift in the HTML, JUnit, Markdown, SARIF and CSV reports: what is new, who changed it.

The drift is real: two offline scans of the report world (tests/report_world.py), the earlier
one with the organization trail stopped and the key rotation off, the later one with the
report world's defects and a log group deleted, compared by ``logwarden.scanner.drift.compare`` and
linked to their causes by ``logwarden.scanner.attribution.link_causes``. What the audit logs said is
data built here (``Attribution`` / ``AuditEvent``): an event by a principal whose name tries
to break HTML, Markdown tables and CDATA, a log that could not be read, and a removed
resource nobody is known to have removed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from junitparser import Failure, JUnitXml
from sarif_kit import validation_errors

from logwarden.reports import (
    csv_report,
    drift_view,
    html_report,
    json_report,
    junit,
    markdown,
    sarif,
)
from logwarden.scanner import attribution, drift, engine, snapshot
from logwarden.scanner.audit_events import Attribution, AuditEvent
from logwarden.scanner.drift import Drift
from logwarden.scanner.models import CheckResult, ScanReport, Status
from tests import aws_docs as d
from tests.offline import aws_catalogue
from tests.report_world import (
    EXPIRED_WAIVER,
    SCRIPT_NAME,
    TODAY,
    VALID_WAIVER,
    aws_world,
    multi_cloud_report,
    save_inventory,
    scaled_report,
)

BEFORE_TIME = "2026-11-21T05:00:00+00:00"
HOSTILE = "arn:aws:iam::222222222222:user/<script>alert(2)</script>|x]]>y"
BUCKET = f"arn:aws:s3:::{d.BUCKET}"
LOG_GROUP = d.LOG_GROUP_ARN
EARLIER = AuditEvent(
    principal="arn:aws:iam::222222222222:role/deployer",
    action="DeleteBucketLogging",
    time="2026-11-21T09:00:00Z",
    source_ip="198.51.100.4",
    source=f"s3://{d.BUCKET}/AWSLogs/o-abc123def4/222222222222/a.json.gz",
    event_id="ev-1",
    resource=BUCKET,
)
LATEST = AuditEvent(
    principal=HOSTILE,
    action="PutBucketVersioning",
    time="2026-11-21T10:30:00Z",
    source_ip="203.0.113.7",
    source="cloudtrail:LookupEvents",
    event_id="ev-2",
    resource=BUCKET,
)
DENIED = "AccessDenied: cloudtrail:LookupEvents in 111111111111"
OBJECT_LOCK = "aws.s3.log_bucket_object_lock"
VALIDATION = "aws.cloudtrail.log_file_validation"


def _scan(world: d.World, tmp: Path, name: str, **kw: Any) -> tuple[ScanReport, drift.ScanState]:
    cat, kinds = aws_catalogue()
    scan = snapshot.load(save_inventory(world, tmp / f"{name}.json"), kinds, cat.parameters)
    report = engine.run_scan(scan, cat, jobs=2, today=TODAY, **kw)
    return report, drift.state_of(report, scan, scan_id=name)


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    return drifted_report(tmp_path_factory.mktemp("drift"))


def drifted_report(tmp: Path) -> ScanReport:
    """The later scan's report, with history (first_seen) and the attributed drift."""
    before_world = d.compliant_world()
    before_world.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False
    before_world.doc(d.LOG, "aws.kms.key")["KeyRotationEnabled"] = False
    after_world = aws_world()
    after_world.tenants[d.MGMT]["aws.logs.log_group"] = []
    _, before = _scan(before_world, tmp, "12")
    before.time = BEFORE_TIME
    report, after = _scan(after_world, tmp, "13", waivers=[VALID_WAIVER, EXPIRED_WAIVER])
    found = drift.compare(before, after)

    subjects = attribution.subjects_of(found)
    found.attributions = {
        (k, rid): Attribution(subjects[(k, rid)], [EARLIER, LATEST])
        if rid == BUCKET
        else Attribution(subjects[(k, rid)], error=DENIED)
        if k == "aws.cloudtrail.org_trail"
        else Attribution(subjects[(k, rid)])
        for k, rid in subjects
    }
    found.causes = attribution.link_causes(
        found.regressions,
        subjects,
        {c.id: c for c in report.checks},
        {r.fingerprint: r.evidence for r in report.results},
    )
    found.window = (BEFORE_TIME, "2026-11-22T06:00:00+00:00")
    rows = drift.carry_first_seen(report.results, before, report.started_at)
    return dataclasses.replace(report, results=rows, drift=found)


@pytest.fixture(scope="module")
def plain(drifted: ScanReport) -> ScanReport:
    """The same scan without history or drift."""
    results = [dataclasses.replace(r, first_seen=None) for r in drifted.results]
    return dataclasses.replace(drifted, results=results, drift=None)


def _drift(report: ScanReport) -> Drift:
    assert report.drift is not None
    return report.drift


def _new_rows(report: ScanReport) -> list[CheckResult]:
    fps = {r.fingerprint for r in _drift(report).regressions}
    return [r for r in report.results if r.is_finding and r.fingerprint in fps]


def test_the_world_has_every_kind_of_drift(drifted: ScanReport) -> None:
    found = _drift(drifted)
    assert {r.check_id for r in found.regressions} == {OBJECT_LOCK, VALIDATION}
    assert {r.check_id for r in found.resolved} == {"aws.cloudtrail.org_trail"}
    assert {r.check_id for r in found.still_failing} == {"aws.kms.log_key_rotation"}
    assert [(r.kind, r.id) for r in found.new_resources] == [("aws.cloudtrail.trail", SCRIPT_NAME)]
    assert [r.id for r in found.removed_resources] == [LOG_GROUP]
    assert {c.resource_id for c in found.changes} == {BUCKET, d.TRAIL_ARN}
    object_lock = next(r for r in found.regressions if r.check_id == OBJECT_LOCK)
    assert found.causes[object_lock.fingerprint] == [("aws.s3.bucket", BUCKET)]
    # findings that are not regressions exist too: "new" must not mark them
    assert any(r.is_finding for r in drifted.results if r not in _new_rows(drifted))
    assert any(r.muted for r in drifted.results)


# --- the shared view -------------------------------------------------------------------


def test_view_counts_agree_with_report_json(drifted: ScanReport) -> None:
    dv = drift_view.view(drifted)
    assert dv is not None
    d = _drift(drifted)
    expected = {
        "regressions": len(d.regressions),
        "resolved": len(d.resolved),
        "still_failing": len(d.still_failing),
        "changes": len(d.changes),
        "new_resources": len(d.new_resources),
        "removed_resources": len(d.removed_resources),
    }
    assert {k: n for k, _, n in dv.counts()} == expected
    assert json.loads(json_report.render(drifted))["drift"]["counts"] == expected
    assert dv.title == f"Changed since {BEFORE_TIME}"
    assert dv.compared == f"the previous scan 12 of {BEFORE_TIME}"
    assert drift_view.view(dataclasses.replace(drifted, drift=None)) is None


def test_who_names_the_events_latest_last_or_says_why_not(drifted: ScanReport) -> None:
    dv = drift_view.view(drifted)
    assert dv is not None
    object_lock = next(r for r in _drift(drifted).regressions if r.check_id == OBJECT_LOCK)
    lines = dv.who_for(object_lock.fingerprint)
    assert [w.text for w in lines] == [
        "by arn:aws:iam::222222222222:role/deployer — DeleteBucketLogging at "
        "2026-11-21T09:00:00Z from 198.51.100.4",
        f"by {HOSTILE} — PutBucketVersioning at 2026-11-21T10:30:00Z from 203.0.113.7",
    ]
    assert lines[1].source == "cloudtrail:LookupEvents"
    assert drift_view.latest(lines) == LATEST
    assert drift_view.brief(lines).endswith("(+1 earlier)")
    validation = next(r for r in _drift(drifted).regressions if r.check_id == VALIDATION)
    assert [w.text for w in dv.who_for(validation.fingerprint)] == [drift_view.NOT_LINKED]
    changed = {c.resource_id: c for c in dv.changed()}
    assert [w.text for w in changed[d.TRAIL_ARN].who] == [f"unknown: {DENIED}"]
    assert changed[d.TRAIL_ARN].changes == ["Status.IsLogging: false -> true"]
    (removed,) = dv.removed()
    assert [w.text for w in removed.who] == [
        "unknown: no matching audit-log event between the scans"
    ]


def test_who_merges_events_and_keeps_what_could_not_be_read(drifted: ScanReport) -> None:
    subject = next(iter(_drift(drifted).attributions.values())).subject
    partial = Attribution(subject, [LATEST], error="AccessDenied on one archive key")
    lines = drift_view.who([partial, Attribution(subject, [LATEST, EARLIER])])
    assert [w.event for w in lines] == [EARLIER, LATEST, None]  # oldest first, once each
    assert lines[-1].text == "audit log partly unread: AccessDenied on one archive key"
    assert drift_view.brief([]) == "" and drift_view.latest(lines[-1:]) is None


def test_baseline_drift_says_so(drifted: ScanReport) -> None:
    against = dataclasses.replace(_drift(drifted), against="baseline")
    report = dataclasses.replace(drifted, drift=against)
    dv = drift_view.view(report)
    assert dv is not None and dv.compared == f"the baseline 12 of {BEFORE_TIME}"
    assert f"Compared with the baseline 12 of {markdown.md(BEFORE_TIME)}" in markdown.render(report)
    props = json.loads(sarif.render(report))["runs"][0]["properties"]["drift"]
    assert props["against"] == "baseline"


def test_without_attribution_nobody_is_named(drifted: ScanReport) -> None:
    bare = dataclasses.replace(_drift(drifted), attributions={}, causes={})
    dv = drift_view.view(dataclasses.replace(drifted, drift=bare))
    assert dv is not None and not dv.attributed
    assert all(f.who == [] for f in dv.new_failures())


# --- HTML --------------------------------------------------------------------------------

ISLAND = re.compile(r'<script type="application/json" id="logwarden-data">(.*?)</script>', re.S)


class _Text(HTMLParser):
    """The page's text per element id of interest, and every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._skip = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _section(page: str) -> str:
    match = re.search(r'<section id="drift">(.*?)</section>', page, re.S)
    assert match is not None
    return match.group(1)


def _island(page: str) -> dict[str, Any]:
    match = ISLAND.search(page)
    assert match is not None and "<" not in match.group(1)
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_html_drift_section_follows_the_summary_with_who_and_when(drifted: ScanReport) -> None:
    page = html_report.render(drifted)
    assert page.index('<section id="overview">') < page.index('<section id="drift">')
    section = _section(page)
    parser = _Text()
    parser.feed(section)
    text = " ".join(" ".join(parser.text).split())
    assert f"Changed since {BEFORE_TIME}" in text
    assert "New failures (2)" in text and "Resolved (1)" in text and "Still failing (1)" in text
    assert "Versioning.Status: Enabled -> Suspended" in text
    assert "Status.IsLogging: false -> true" in text
    assert f"by {HOSTILE} — PutBucketVersioning at 2026-11-21T10:30:00Z from 203.0.113.7" in text
    assert "cloudtrail:LookupEvents" in text
    assert f"unknown: {DENIED}" in text  # who stopped... restarted the org trail: unknown
    assert drift_view.NOT_LINKED in text
    assert "unknown: no matching audit-log event between the scans" in text  # the log group
    assert LOG_GROUP in text and "removed" in text
    assert "passes now" in text  # the resolved org trail
    assert f"Audit logs searched from {BEFORE_TIME}" in text
    still = re.search(r'<table class="grid drift-still">(.*?)</table>', section, re.S)
    assert still is not None and BEFORE_TIME in still.group(1)  # first_seen
    assert '<a href="#drift">Changes</a>' in page and 'id="f-new"' in page


def test_html_escapes_hostile_strings_in_the_drift(drifted: ScanReport) -> None:
    page = html_report.render(drifted)
    section = _section(page)
    assert "<script>" not in section
    assert "&lt;script&gt;alert(2)&lt;/script&gt;|x]]&gt;y" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section  # the trail name and message
    parser = _Text()
    parser.feed(page)
    assert parser.tags.count("script") == 2  # the data island and our script, nothing else


def test_html_rows_marked_new_are_exactly_the_regressions(drifted: ScanReport) -> None:
    data = _island(html_report.render(drifted))
    assert data["drift"] == {"since": BEFORE_TIME, "new": 2}
    controls = [c["id"] for c in data["controls"]]
    new = sorted((controls[row[0]], row[5]) for row in data["rows"] if row[10] == 1)
    assert new == sorted((r.check_id, r.resource_id) for r in _new_rows(drifted))
    assert len(new) >= 2
    assert all(row[10] in (0, 1) for row in data["rows"])
    for row in data["rows"]:
        if row[10] == 1:
            assert row[2] == "FAIL"
    by_fp = {(controls[row[0]], row[5], row[4]): row[11] for row in data["rows"]}
    assert {by_fp[(r.check_id, r.resource_id, r.region)] for r in drifted.results} == {
        r.first_seen for r in drifted.results
    }
    assert {r.first_seen for r in drifted.results} >= {BEFORE_TIME, drifted.started_at}


def test_html_first_seen_with_history_but_no_drift(drifted: ScanReport) -> None:
    data = _island(html_report.render(dataclasses.replace(drifted, drift=None)))
    assert "drift" not in data
    assert all(row[10] == 0 and row[11] for row in data["rows"])


def test_html_script_knows_the_drift_columns() -> None:
    script = html_report._asset("report.js.j2")
    assert "isNew: 10, firstSeen: 11" in script
    assert '"badge is-new", "new"' in script and '"First seen "' in script


def test_html_lists_are_capped() -> None:
    size = 6_000
    while True:  # enough accounts for more new findings than the page lists
        big = scaled_report(size)
        after = drift.ScanState(id="1", time=big.started_at, clouds=("aws",), scope="aws|x")
        after.results = drift.index_rows(drift.row_of(r) for r in big.results)
        first = drift.compare(None, after)  # a first scan: every finding is new
        regressions = len(first.regressions)
        if regressions > html_report.MAX_DRIFT_LISTED:
            break
        size *= 2
    big = dataclasses.replace(big, drift=first)
    section = _section(html_report.render(big))
    table = re.search(r'<table class="grid drift-new">(.*?)</table>', section, re.S)
    assert table is not None and table.group(1).count("<tr>") == 1 + html_report.MAX_DRIFT_LISTED
    assert f"…and {regressions - html_report.MAX_DRIFT_LISTED} more in report.json." in section


# --- JUnit -------------------------------------------------------------------------------


def _failures(report: ScanReport) -> dict[tuple[str, str], Failure]:
    out = {}
    for suite in JUnitXml.fromstring(junit.render(report)):
        for case in suite:
            for res in case.result:
                if isinstance(res, Failure):
                    out[(case.classname, case.name)] = res
    return out


def test_junit_new_failures_say_so_and_who_changed_it(drifted: ScanReport) -> None:
    failures = _failures(drifted)
    new = {k: f for k, f in failures.items() if f.message.startswith("NEW since")}
    assert {k[0] for k in new} == {OBJECT_LOCK, VALIDATION}
    assert len(new) == len(_new_rows(drifted))
    lock = next(f for k, f in new.items() if k[0] == OBJECT_LOCK)
    assert lock.message.startswith(f"NEW since {BEFORE_TIME}: ")
    assert lock.message.endswith(
        f" (changed by {HOSTILE} via PutBucketVersioning at 2026-11-21T10:30:00Z)"
    )
    assert f"Who: by {HOSTILE} — PutBucketVersioning" in lock.text
    assert "Caused by: aws.s3.bucket " + BUCKET in lock.text
    validation = next(f for k, f in new.items() if k[0] == VALIDATION)
    assert "changed by" not in validation.message  # nobody known: nothing appended
    assert drift_view.NOT_LINKED in validation.text
    for key, f in failures.items():
        if key not in new:
            assert not f.message.startswith("NEW")
    rotation = next(f for k, f in failures.items() if k[0] == "aws.kms.log_key_rotation")
    assert f"Failing since: {BEFORE_TIME}" in rotation.text


def test_junit_keeps_counts_and_escaping_with_drift(drifted: ScanReport) -> None:
    text = junit.render(drifted)
    root = ET.fromstring(text.encode())
    cases = root.findall("./testsuite/testcase")
    assert int(root.attrib["tests"]) == len(cases) == len(drifted.results)
    for suite in root.findall("testsuite"):
        assert int(suite.attrib["failures"]) == len(suite.findall("testcase/failure"))
        props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
        fresh = sum(
            (f.get("message") or "").startswith("NEW") for f in suite.findall("testcase/failure")
        )
        assert props["drift_new_failures"] == str(fresh)
        assert props["drift_since"] == BEFORE_TIME
    assert (
        "<script>alert(2)" not in text and "&lt;script&gt;alert(2)&lt;/script&gt;|x]]&gt;y" in text
    )
    messages = [f.get("message") or "" for f in root.iter("failure")]
    assert any(HOSTILE in m for m in messages)  # round-trips through the parser intact


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_drift_section_first(drifted: ScanReport) -> None:
    text = markdown.render(drifted)
    assert text.index(f"### Drift since {markdown.md(BEFORE_TIME)}") < text.index("| Cloud |")
    section = text[text.index("### Drift since") : text.index("| Cloud |")]
    assert (
        "| New failures | Resolved | Still failing | Configuration changes | New resources "
        "| Removed resources |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| 2 | 1 | 1 | 4 | 1 | 1 |"
    ) in section
    new_table = [line for line in section.splitlines() if f"`{OBJECT_LOCK}`" in line]
    assert new_table and "PutBucketVersioning" in new_table[0] and "(+1 earlier)" in new_table[0]
    assert "Versioning.Status: Enabled -&gt; Suspended" in section
    assert f"unknown: {DENIED}" in section
    assert "#### Resolved (1)" in section
    assert "(new)" in text[text.index("### Findings") :]  # the findings table marks them


def test_markdown_escapes_hostile_strings_in_the_drift(drifted: ScanReport) -> None:
    text = markdown.render(drifted)
    assert "<script>" not in text
    line = next(line for line in text.splitlines() if "alert(2)" in line)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;\\|x\\]\\]&gt;y" in line
    header = next(line for line in text.splitlines() if line.startswith("| Severity | Control"))
    assert line.count("|") - line.count("\\|") == header.count("|")  # no cell added


def test_markdown_marks_only_regressions_as_new(drifted: ScanReport) -> None:
    text = markdown.render(drifted)
    findings = text[text.index("### Findings") :].split("\n\n")[1]
    marked = [line for line in findings.splitlines() if "(new)" in line]
    assert len(marked) == len(_new_rows(drifted)) < len(findings.splitlines()) - 2
    assert {m.split(" | ")[1] for m in marked} == {f"`{OBJECT_LOCK}`", f"`{VALIDATION}`"}


# --- SARIF and CSV ---------------------------------------------------------------------


def test_sarif_baseline_state_is_new_only_for_regressions(drifted: ScanReport) -> None:
    log = json.loads(sarif.render(drifted))
    assert validation_errors(log) == []
    results = log["runs"][0]["results"]
    new_fps = {r.fingerprint for r in _new_rows(drifted)}
    assert {r["baselineState"] for r in results} == {"new", "unchanged"}
    for result in results:
        fp = result["partialFingerprints"][sarif.FINGERPRINT_KEY]
        expected = "new" if fp in new_fps and "suppressions" not in result else "unchanged"
        assert result["baselineState"] == expected, result["ruleId"]
    assert log["runs"][0]["properties"]["drift"] == {
        "against": "history",
        "beforeId": "12",
        "beforeTime": BEFORE_TIME,
    }


def test_csv_new_column_marks_only_regressions(drifted: ScanReport) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_report.render(drifted), newline="")))
    assert list(rows[0]) == [*csv_report.COLUMNS, "new"]
    new = sorted((r["check_id"], r["resource_id"]) for r in rows if r["new"] == "yes")
    assert new == sorted((r.check_id, r.resource_id) for r in _new_rows(drifted))
    assert {r["new"] for r in rows} == {"yes", ""}
    assert {r["first_seen"] for r in rows} >= {BEFORE_TIME}


# --- without drift nothing changes --------------------------------------------------------


@pytest.mark.parametrize("report_of", ["plain", "multi_cloud"])
def test_reports_without_drift_show_no_drift(
    report_of: str, plain: ScanReport, request: pytest.FixtureRequest
) -> None:
    report = plain if report_of == "plain" else multi_cloud_report()
    page = html_report.render(report)
    assert 'id="drift"' not in page and 'id="f-new"' not in page and "Changed since" not in page
    assert all(len(row) == 10 for row in _island(page)["rows"])
    assert "drift" not in _island(page)
    text = markdown.render(report)
    assert "Drift since" not in text and "(new)" not in text
    xml = junit.render(report)
    assert "NEW since" not in xml and "drift_" not in xml and "Failing since" not in xml
    log = json.loads(sarif.render(report))
    assert all("baselineState" not in r for r in log["runs"][0]["results"])
    assert "drift" not in log["runs"][0]["properties"]
    (header, *_) = csv.reader(io.StringIO(csv_report.render(report), newline=""))
    assert header == list(csv_report.COLUMNS)


def test_a_first_scan_makes_every_finding_new(drifted: ScanReport) -> None:
    before = None
    after = drift.ScanState(id="1", time=drifted.started_at, clouds=("aws",), scope="aws|x")
    after.results = drift.index_rows(drift.row_of(r) for r in drifted.results)
    first = dataclasses.replace(drifted, drift=drift.compare(before, after))
    findings = [r for r in first.results if r.is_finding]
    assert len(_new_rows(first)) == len(findings)
    page = html_report.render(first)
    assert "First recorded scan: every finding is new" in page
    failures = _failures(first)
    assert all(f.message.startswith("NEW: ") for f in failures.values() if f.type != "skipped")
    assert markdown.render(first).count("(new)") == len(findings)
    assert {Status.FAIL} == {r.status for r in findings}
