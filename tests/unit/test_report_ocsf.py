"""OCSF Compliance Findings (cloud profile): built and re-validated through py-ocsf-models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from logwarden.reports import ocsf
from logwarden.scanner.models import ScanReport
from tests import aws_docs as d
from tests.report_world import VALID_WAIVER, multi_cloud_report


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return multi_cloud_report()


@pytest.fixture(scope="module")
def docs(report: ScanReport) -> list[dict[str, Any]]:
    return json.loads(ocsf.render(report))


def _by_fingerprint(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["finding_info"]["uid"]: doc for doc in docs}


def test_every_row_is_a_compliance_finding_that_validates(
    report: ScanReport, docs: list[dict[str, Any]]
) -> None:
    assert len(docs) == len(report.results)
    for doc in docs:
        finding = ocsf.CloudComplianceFinding.model_validate(doc)  # round-trips the model
        assert finding.class_uid == 2003 and finding.category_uid == 2
        assert finding.type_uid == 200301 and finding.activity_id == 1
        assert "cloud" in doc["metadata"]["profiles"] and doc["cloud"]["provider"]
        assert finding.metadata.product.name == "logwarden"
        assert finding.metadata.version  # the OCSF schema version
        assert finding.time > 0
    assert set(_by_fingerprint(docs)) == {r.fingerprint for r in report.results}


def test_status_severity_and_cloud_mapping(report: ScanReport, docs: list[dict[str, Any]]) -> None:
    by_fp = _by_fingerprint(docs)
    expected_status = {"PASS": 1, "ERROR": 99, "SKIPPED": 99}  # a PASS never failed: New
    for r in report.results:
        doc = by_fp[r.fingerprint]
        assert doc["status_code"] == r.status.value
        assert doc["severity"].lower() == r.severity.value
        status = (
            3 if r.muted else 1 if r.status.value == "FAIL" else expected_status[r.status.value]
        )
        assert doc["status_id"] == status, r
        assert doc["metadata"]["event_code"] == r.check_id
        assert doc["resources"][0]["uid"] == r.resource_id
        assert doc["compliance"]["control"] == r.check_id
        assert (
            doc["compliance"]["status_id"]
            == {"PASS": 1, "FAIL": 3, "ERROR": 2, "SKIPPED": 0}[r.status.value]
        )
        assert doc["cloud"]["provider"] in {"AWS", "Google Cloud"}
    waived = next(by_fp[r.fingerprint] for r in report.results if r.muted)
    assert waived["unmapped"]["waiver"]["reason"] == VALID_WAIVER.reason
    assert VALID_WAIVER.owner in waived["status_detail"]
    member = next(by_fp[r.fingerprint] for r in report.results if r.tenant_id == d.WORK)
    assert member["cloud"]["account"] == {
        "uid": d.WORK,
        "name": "workload",
        "type_id": 10,
        "type": "AWS Account",
    }
    assert member["cloud"]["org"]["uid"] == d.ORG_ID
    org_row = next(by_fp[r.fingerprint] for r in report.results if r.tenant_id == d.ORG_ID)
    assert org_row["cloud"]["account"]["uid"] == d.MGMT  # organization rows: management account


def test_frameworks_are_in_compliance_and_resource_types_match_the_resource(
    report: ScanReport, docs: list[dict[str, Any]]
) -> None:
    by_fp = _by_fingerprint(docs)
    checks = {c.id: c for c in report.checks}
    for r in report.results:
        doc = by_fp[r.fingerprint]
        claims = checks[r.check_id].frameworks
        assert doc["compliance"].get("standards", []) == sorted(claims)
        assert doc["compliance"].get("requirements", []) == [
            f"{fw} {rid}" for fw, ids in sorted(claims.items()) for rid in ids
        ]
        assert "frameworks" not in doc["unmapped"]
        kind = doc["resources"][0]["type"]
        if r.tenant_id == d.ORG_ID:
            assert kind == "Organization"
        elif r.resource_id == r.tenant_id:
            assert kind in ("AWS Account", "GCP Project")
        else:
            assert kind in checks[r.check_id].kinds


def test_a_pass_is_resolved_only_when_it_was_failing_before(tmp_path: Any) -> None:
    from tests.unit.test_report_drift import drifted_report

    drifted = drifted_report(tmp_path)
    assert drifted.drift is not None and drifted.drift.resolved
    resolved = {r.fingerprint for r in drifted.drift.resolved}
    statuses = []
    for doc in json.loads(ocsf.render(drifted)):
        if doc["status_code"] == "PASS":
            want = 4 if doc["finding_info"]["uid"] in resolved else 1
            assert doc["status_id"] == want
            statuses.append(want)
    assert 4 in statuses and 1 in statuses


def test_the_model_rejects_what_ocsf_does_not_allow() -> None:
    """Validation by construction: a finding without its required fields cannot be made."""
    with pytest.raises(ValidationError):
        ocsf.CloudComplianceFinding.model_validate(
            {"activity_id": 1, "type_uid": 200301, "time": 1}
        )
