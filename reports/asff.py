"""Rows as AWS Security Finding Format (ASFF) findings, for Security Hub's BatchImportFindings.

One finding per row that is a finding or has been one: FAIL (``Compliance.Status`` FAILED; a
waived one is ``SUPPRESSED`` in the workflow) and ERROR (``WARNING``: not evaluated, never
passed) always; a PASS row only when an earlier scan sent a finding for it (``PASSED``,
workflow ``RESOLVED``: the finding is resolved in place, and a row that never failed is not
sent at all). The finding ``Id`` is built from the row's stable fingerprint, so a later scan
updates the finding it sent before instead of adding a duplicate; an earlier finding whose row
is gone or no longer applies is archived.

Rows of an AWS account carry that account; rows of other clouds carry the importing account
(Security Hub requires an AWS account id) and name their cloud and tenant in
``ProductFields`` and the resource's ``Details.Other``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from logwarden.reports.view import TOOL, error_reason, tool_version
from logwarden.scanner.models import CheckResult, ScanReport, Severity, Status

SEVERITY_LABELS = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFORMATIONAL",
}
_ACCOUNT = re.compile(r"^\d{12}$")
ID_PREFIX = "logwarden/"
MAX_TEXT = 1024  # Description's limit


def product_arn(partition: str, region: str, account_id: str) -> str:
    """The default product of the importing account (a custom integration)."""
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def finding_id(row: CheckResult) -> str:
    """The finding's stable id: the same row of a later scan updates it."""
    return f"{ID_PREFIX}{row.fingerprint}"


def _resource(row: CheckResult, partition: str) -> dict[str, Any]:
    arn = row.resource_id.startswith("arn:")
    resource: dict[str, Any] = {
        "Type": _resource_type(row) if arn else "Other",
        "Id": row.resource_id or row.tenant_id,
        "Partition": partition,
        "Details": {"Other": {"cloud": row.cloud, "tenant": row.tenant_id}},
    }
    if row.region:
        resource["Region"] = row.region
    return resource


def _resource_type(row: CheckResult) -> str:
    """An ASFF resource type from an ARN (``arn:aws:s3:::b`` -> ``AwsS3Bucket``) where the
    service says it, else ``Other``."""
    service = row.resource_id.split(":")[2] if row.resource_id.count(":") >= 2 else ""
    return {
        "s3": "AwsS3Bucket",
        "cloudtrail": "AwsCloudTrailTrail",
        "kms": "AwsKmsKey",
        "logs": "AwsLogsLogGroup",
    }.get(service, "Other")


def _compliance(row: CheckResult) -> dict[str, Any]:
    if row.status is Status.PASS:
        return {"Status": "PASSED"}
    if row.status is Status.ERROR:
        return {
            "Status": "WARNING",
            "StatusReasons": [
                {"ReasonCode": "CONFIG_ACCESS_DENIED", "Description": error_reason(row)[:MAX_TEXT]}
            ],
        }
    return {"Status": "FAILED"}


def _workflow(row: CheckResult) -> str:
    if row.status is Status.PASS:
        return "RESOLVED"
    return "SUPPRESSED" if row.muted else "NEW"


def finding(
    row: CheckResult, report: ScanReport, account_id: str, region: str, partition: str
) -> dict[str, Any]:
    """The ASFF finding of one row."""
    check = next((c for c in report.checks if c.id == row.check_id), None)
    frameworks = check.frameworks if check else {}
    related = [
        {"StandardsId": fw, "RequirementId": rid}
        for fw, ids in sorted(frameworks.items())
        for rid in ids
    ]
    compliance = _compliance(row)
    if related:
        compliance["RelatedRequirements"] = [
            f"{r['StandardsId']} {r['RequirementId']}" for r in related
        ][:32]
    owner = row.tenant_id if row.cloud == "aws" and _ACCOUNT.match(row.tenant_id) else account_id
    doc: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id(row),
        "ProductArn": product_arn(partition, region, account_id),
        "GeneratorId": f"{TOOL}/{row.check_id}",
        "AwsAccountId": owner,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": row.first_seen or report.started_at,
        "UpdatedAt": report.finished_at,
        "Severity": {"Label": SEVERITY_LABELS[row.severity]},
        "Title": (row.title or row.check_id)[:256],
        "Description": (row.message or row.title or row.check_id)[:MAX_TEXT],
        "Remediation": {"Recommendation": {"Text": row.remediation.text[:512]}},
        "ProductFields": {
            "ProviderName": TOOL,
            "ProviderVersion": tool_version(),
            "logwarden/check_id": row.check_id,
            "logwarden/cloud": row.cloud,
            "logwarden/tenant": row.tenant_id,
        },
        "Resources": [_resource(row, partition)],
        "Compliance": compliance,
        "Workflow": {"Status": _workflow(row)},
        "RecordState": "ACTIVE",
    }
    refs = check.references if check else ()
    if refs:
        doc["Remediation"]["Recommendation"]["Url"] = refs[0]
    return doc


def findings(
    report: ScanReport,
    account_id: str,
    region: str,
    partition: str = "aws",
    sent_before: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The findings to import: FAIL and ERROR rows, and the PASS rows of findings
    ``sent_before`` (their ids), in the report's order."""
    return [
        finding(r, report, account_id, region, partition)
        for r in report.results
        if r.status in (Status.FAIL, Status.ERROR)
        or (r.status is Status.PASS and finding_id(r) in sent_before)
    ]


def archived(previous: dict[str, Any], when: str) -> dict[str, Any]:
    """A finding sent by an earlier scan whose row is gone (resource removed, control
    dropped): archived, so it stops counting as open."""
    return {**previous, "RecordState": "ARCHIVED", "UpdatedAt": when}
