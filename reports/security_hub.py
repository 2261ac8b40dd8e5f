"""``scan --security-hub``: send the scan's findings to AWS Security Hub (ASFF,
``BatchImportFindings``) in the account and region of the environment's credentials.

Before importing, the findings logwarden sent earlier are read back (``GetFindings``), so a
failure that now passes is resolved in place, a finding whose row is gone is archived, and
nothing is duplicated: a finding's id is its row's fingerprint. An export that fails is
reported on stderr and makes a clean scan exit 3 (its results were not delivered); it never
changes a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from logwarden.reports import asff
from logwarden.scanner.models import ScanReport

BATCH = 100  # BatchImportFindings takes at most 100 findings per call


@dataclass(frozen=True)
class ExportResult:
    """What Security Hub accepted."""

    imported: int
    archived: int
    failed: tuple[str, ...]  # "Id: ErrorCode ErrorMessage" of every finding refused
    error: str = ""  # why the export stopped, if it did

    @property
    def ok(self) -> bool:
        return not self.failed and not self.error


def _previous(hub: Any, product: str) -> dict[str, dict[str, Any]]:
    """The active findings logwarden sent earlier to this product, by id."""
    filters = {
        "ProductArn": [{"Value": product, "Comparison": "EQUALS"}],
        "Id": [{"Value": asff.ID_PREFIX, "Comparison": "PREFIX"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    }
    found: dict[str, dict[str, Any]] = {}
    for page in hub.get_paginator("get_findings").paginate(Filters=filters):
        for item in page["Findings"]:
            # checked here too: a filter the service ignored must not archive another tool's
            if (
                item.get("Id", "").startswith(asff.ID_PREFIX)
                and item.get("ProductArn") == product
                and item.get("RecordState", "ACTIVE") == "ACTIVE"
            ):
                found[item["Id"]] = item
    return found


def export(report: ScanReport, region: str | None = None) -> ExportResult:
    """Import the report's findings into Security Hub; never raises for a cloud error."""
    try:
        session = boto3.session.Session()
        region = region or session.region_name or "us-east-1"
        identity = session.client("sts", region_name=region).get_caller_identity()
        account, partition = identity["Account"], identity["Arn"].split(":")[1]
        hub = session.client("securityhub", region_name=region)
        product = asff.product_arn(partition, region, account)
        previous = _previous(hub, product)
        batch = asff.findings(report, account, region, partition, sent_before=previous)
        current = {f["Id"] for f in batch}
        gone = [
            asff.archived(f, report.finished_at) for i, f in previous.items() if i not in current
        ]
        failed: list[str] = []
        everything = batch + gone
        for start in range(0, len(everything), BATCH):
            answer = hub.batch_import_findings(Findings=everything[start : start + BATCH])
            failed += [
                f"{f.get('Id', '?')}: {f.get('ErrorCode', '')} {f.get('ErrorMessage', '')}".strip()
                for f in answer.get("FailedFindings", [])
            ]
        return ExportResult(len(batch), len(gone), tuple(failed))
    except (BotoCoreError, ClientError, KeyError) as exc:
        return ExportResult(0, 0, (), f"{type(exc).__name__}: {exc}")
