"""Every registered format, through the plugin registry, on edge-case scans."""

from __future__ import annotations

import dataclasses

import pytest

from logwarden.scanner.models import Reporter, ScanReport
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
