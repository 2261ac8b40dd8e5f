"""Every registered format, through the plugin registry, on edge-case scans."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from logwarden.scanner.models import Reporter, ScanReport
from logwarden.scanner.outputs import write_atomic
from logwarden.scanner.scan_commands import _content
from tests.catalogue import registry
from tests.report_world import multi_cloud_report


def _reporters() -> list[Reporter]:
    return list(registry().reporters.values())


EMPTY = ScanReport(
    results=[],
    errors=[],
    tenants=[],
    organizations=[],
    checks=[],
    started_at="",
    finished_at="",
)


@pytest.mark.parametrize("reporter", _reporters(), ids=lambda r: r.name)
def test_an_empty_scan_renders(reporter: Reporter) -> None:
    assert reporter.render(EMPTY).strip()


@pytest.mark.parametrize("reporter", _reporters(), ids=lambda r: r.name)
def test_rendering_is_deterministic_and_pure(reporter: Reporter) -> None:
    report = multi_cloud_report()
    before = dataclasses.replace(report, results=list(report.results))
    assert reporter.render(report) == reporter.render(report)
    assert report.results == before.results  # a renderer never changes the scan


def test_every_builtin_format_is_registered_with_a_distinct_file() -> None:
    reporters = _reporters()
    assert [r.name for r in reporters] == ["html", "json", "junit", "sarif", "ocsf", "csv", "md"]
    assert len({r.filename for r in reporters}) == len(reporters)


@pytest.mark.parametrize("report", [EMPTY, multi_cloud_report()], ids=["empty", "multi-cloud"])
@pytest.mark.parametrize(("name", "filename"), [("json", "report.json"), ("junit", "r.xml")])
def test_the_scan_streams_the_big_reports_into_their_files(
    report: ScanReport, tmp_path: Path, name: str, filename: str
) -> None:
    # the file is made with ``write`` (never the whole document in memory), not ``render``
    reporter = registry().reporters[name]
    expected = reporter.render(report)

    def no_render(_: ScanReport) -> str:
        raise AssertionError("a streamed format must not be rendered whole")

    streamed = dataclasses.replace(reporter, render=no_render)
    write_atomic(tmp_path / filename, _content(streamed, report)())
    assert (tmp_path / filename).read_text(encoding="utf-8") == expected
    assert [r.name for r in _reporters() if r.write] == ["json", "junit"]


def test_the_junit_report_is_written_one_suite_at_a_time() -> None:
    # every suite (tenant) on lines of its own, between the root's tags, with the totals of
    # all of them on the root (counted before any suite is written)
    report = multi_cloud_report()
    lines = registry().reporters["junit"].render(report).splitlines()
    assert lines[0].startswith("<?xml") and lines[-1] == "</testsuites>"
    root = ET.fromstring("\n".join(lines[1:]))
    suites = root.findall("testsuite")
    assert len(suites) == len({(r.cloud, r.tenant_id) for r in report.results}) > 1
    opening = [line for line in lines if line.startswith(" <testsuite ")]
    assert len(opening) == len(suites)
    for total in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(total, "")) == sum(int(s.get(total, "")) for s in suites)
    empty = registry().reporters["junit"].render(EMPTY).splitlines()
    assert len(empty) == 2 and empty[1].startswith("<testsuites ") and empty[1].endswith(" />")
    assert ET.fromstring(empty[1]).get("tests") == "0"


def test_the_json_report_has_one_key_or_item_per_line() -> None:
    report = multi_cloud_report()
    text = registry().reporters["json"].render(report)
    doc = json.loads(text)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    start = lines.index('"results": [')
    rows = lines[start + 1 : start + 1 + len(report.results)]
    assert [json.loads(line.strip().rstrip(",")) for line in rows] == doc["results"]
    assert lines[start + 1 + len(report.results)] in ("]", "],")
    assert all(line.startswith("  {") for line in rows)
    empty = registry().reporters["json"].render(EMPTY).splitlines()
    assert '"results": [],' in empty and '"errors": [],' in empty
    assert json.loads("\n".join(empty))["results"] == []
