"""The JUnit report, read back by junitparser (a maintained JUnit XML library)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

from logwarden.reports import junit
from logwarden.scanner.models import ScanReport, Status
from tests import aws_docs as d
from tests.report_world import EXPIRED_WAIVER, SCRIPT_NAME, VALID_WAIVER, multi_cloud_report


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return multi_cloud_report()


def _parse(report: ScanReport) -> JUnitXml:
    return JUnitXml.fromstring(junit.render(report))


def _suites(xml: JUnitXml) -> list[TestSuite]:
    return list(xml)


def test_counts_in_attributes_equal_the_elements(report: ScanReport) -> None:
    xml = _parse(report)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in _suites(xml):
        cases = list(suite)
        results = [res for case in cases for res in case.result]
        counted = {
            "tests": len(cases),
            "failures": sum(isinstance(res, Failure) for res in results),
            "errors": sum(isinstance(res, Error) for res in results),
            "skipped": sum(isinstance(res, Skipped) for res in results),
        }
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == tuple(
            counted.values()
        ), suite.name
        for key, value in counted.items():
            totals[key] += value
    root = ET.fromstring(junit.render(report))
    assert {k: int(root.attrib[k]) for k in totals} == totals
    assert totals["tests"] == len(report.results)


def test_one_suite_per_tenant_and_one_for_the_organization(report: ScanReport) -> None:
    suites = {s.name: s for s in _suites(_parse(report))}
    assert set(suites) == {
        f"AWS organization {d.ORG_ID}",
        f"AWS account {d.MGMT} (management)",
        f"AWS account {d.LOG} (log-archive)",
        f"AWS account {d.WORK} (workload)",
        "Google Cloud project prod-logging (Prod logging)",
        "Google Cloud project dev-sandbox (Dev sandbox)",
    }
    for suite in suites.values():
        assert suite.timestamp and "+" not in suite.timestamp  # xs:dateTime without offset
        assert suite.time is not None
    org_cases = list(suites[f"AWS organization {d.ORG_ID}"])
    from tests.catalogue import controls

    organization_controls = {c.id for c in controls("aws") if c.scope.value == "organization"}
    assert {c.classname for c in org_cases} == organization_controls
    assert len(org_cases) == len(organization_controls)


def test_outcomes_per_status(report: ScanReport) -> None:
    cases = {(c.classname, c.name): c for s in _suites(_parse(report)) for c in s}
    bucket = f"arn:aws:s3:::{d.BUCKET} [us-east-1]"  # the region is added when the id lacks it
    object_lock = cases[("aws.s3.log_bucket_object_lock", bucket)]
    (failure,) = object_lock.result
    assert isinstance(failure, Failure)
    assert "Versioning.Status" in failure.message
    assert failure.message in failure.text
    assert "Remediation:" in failure.text and "Terraform:" in failure.text
    assert failure.type == "medium"
    (error,) = cases[("aws.config.recorder_on", d.WORK)].result
    assert isinstance(error, Error) and "could not be evaluated" in error.message
    assert "AccessDenied" in error.message
    (waived,) = cases[("aws.s3.log_bucket_access_logging", bucket)].result
    assert isinstance(waived, Skipped)
    assert VALID_WAIVER.reason in waived.message and VALID_WAIVER.owner in waived.message
    (expired,) = cases[("aws.kms.log_key_rotation", d.KEY_ARN)].result
    assert isinstance(expired, Failure)
    assert f"Expired waiver: {EXPIRED_WAIVER.reason}" in expired.text
    (skipped,) = cases[("aws.org.scp_protects_cloudtrail", d.MGMT)].result
    assert isinstance(skipped, Skipped) and skipped.message.startswith("not applicable")
    assert cases[("aws.cloudtrail.org_trail", d.ORG_ID)].result == []  # PASS: empty
    script = cases[("aws.cloudtrail.log_file_validation", f"{SCRIPT_NAME} [eu-west-1]")]
    assert isinstance(script.result[0], Failure)


def test_names_are_unique_and_stable(report: ScanReport) -> None:
    twin = dataclasses.replace(report.results[1], region="eu-west-1")
    report2 = dataclasses.replace(report, results=[*report.results, twin, twin])
    names = [(s.name, c.classname, c.name) for s in _suites(_parse(report2)) for c in s]
    assert len(names) == len(set(names))
    assert junit.render(report2) == junit.render(report2)


def test_characters_xml_forbids_are_removed(report: ScanReport) -> None:
    row = dataclasses.replace(
        next(r for r in report.results if r.status is Status.FAIL),
        resource_id="bucket\x00\x1b[31m\ufffe-name",
        message="bad \x08byte\x0b and a surrogate \ud800 and fine \t\n é 🎉",
    )
    text = junit.render(dataclasses.replace(report, results=[row]))
    root = ET.fromstring(text.encode())  # a strict XML 1.0 parser accepts it
    case = root.find("./testsuite/testcase")
    assert case is not None and case.get("name") == f"bucket[31m-name [{row.region}]"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "bad byte and a surrogate  and fine \t\n é 🎉"
    assert JUnitXml.fromstring(text) is not None
