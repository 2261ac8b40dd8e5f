"""The Security Hub export (reports/security_hub.py, reports/asff.py) against moto's Security
Hub through the real boto3 client: findings imported once, updated in place by later scans,
resolved when they pass, archived when their row is gone, and an unreachable hub is an error
that changes no row."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from logwarden.reports import asff, security_hub
from logwarden.scanner.models import ScanReport, Status
from tests.report_world import multi_cloud_report

REGION = "eu-west-1"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("securityhub", region_name=REGION)
        client.enable_security_hub()
        yield client


def _findings(client: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("get_findings").paginate():
        out.update({f["Id"]: f for f in page["Findings"]})
    return out


def _with_status(report: ScanReport, check_id: str, status: Status) -> ScanReport:
    rows = [
        dataclasses.replace(r, status=status, muted=False) if r.check_id == check_id else r
        for r in report.results
    ]
    return dataclasses.replace(report, results=tuple(rows))


def test_findings_are_imported_once_resolved_in_place_and_archived(hub: Any) -> None:
    report = multi_cloud_report()
    first = security_hub.export(report)
    assert first.ok, first
    sent = _findings(hub)
    wanted = {asff.finding_id(r) for r in report.results if r.status in (Status.FAIL, Status.ERROR)}
    assert set(sent) == wanted  # PASS rows that never failed are not sent
    failing = next(r for r in report.results if r.status is Status.FAIL and not r.muted)
    doc = sent[asff.finding_id(failing)]
    assert doc["Compliance"]["Status"] == "FAILED" and doc["Workflow"]["Status"] == "NEW"
    assert doc["AwsAccountId"].isdigit() and doc["Resources"][0]["Id"] == failing.resource_id
    waived = next(r for r in report.results if r.muted)
    assert sent[asff.finding_id(waived)]["Workflow"]["Status"] == "SUPPRESSED"

    # the next scan: the same findings again, nothing duplicated
    again = security_hub.export(report)
    assert again.ok and set(_findings(hub)) == wanted

    # the failure passes now: its finding is resolved in place
    fixed = _with_status(report, failing.check_id, Status.PASS)
    assert security_hub.export(fixed).ok
    doc = _findings(hub)[asff.finding_id(failing)]
    assert doc["Compliance"]["Status"] == "PASSED" and doc["Workflow"]["Status"] == "RESOLVED"
    assert len(_findings(hub)) == len(wanted)

    # the row is gone (resource removed): its finding is archived, not left open
    gone = dataclasses.replace(
        fixed, results=tuple(r for r in fixed.results if r.check_id != failing.check_id)
    )
    result = security_hub.export(gone)
    assert result.ok and result.archived >= 1
    assert _findings(hub)[asff.finding_id(failing)]["RecordState"] == "ARCHIVED"


def test_an_unreachable_hub_is_an_error_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = security_hub.export(multi_cloud_report(), REGION)
    assert not result.ok and "Could not connect" in result.error
