"""The CSV report for auditors' spreadsheets: one row per result, RFC 4180 quoting.

Control characters in a cell become visible escapes (:mod:`logwarden.scanner.printable`): a cloud value
never spreads over several lines of a cell or carries a terminal escape. Cells that a
spreadsheet would read as a formula (starting, after any spaces, with ``=``, ``+``, ``-`` or
``@``) are prefixed with a single quote, the OWASP advice against CSV injection: a resource
name or message never runs as a formula when the file is opened. (A leading tab or carriage
return, OWASP's other two, is already escaped to ``\t`` / ``\r``.)

When the scan was compared (``scan --drift`` or ``--baseline``), a last column ``new`` says
``yes`` on the rows that are regressions (see reports/drift_view.py); without drift the
columns are exactly :data:`COLUMNS`. ``first_seen`` is filled when the scan kept history.
Every cell is quoted, so identifiers with leading zeros (AWS account ids) stay text in
spreadsheets that honour quoting (LibreOffice's "quoted field as text", Google Sheets).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass

from logwarden.reports.drift_view import DriftView
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import display_status, waiver_expired
from logwarden.scanner.models import Check, CheckResult, ScanReport
from logwarden.scanner.printable import printable

COLUMNS = (
    "check_id",
    "title",
    "status",
    "severity",
    "cloud",
    "tenant_id",
    "tenant_name",
    "organization_id",
    "region",
    "resource_id",
    "message",
    "remediation",
    "waiver_reason",
    "waiver_owner",
    "waiver_expires",
    "waiver_expired",
    "fingerprint",
    "first_seen",
    "frameworks",
    "scanned_at",
    "evidence",
)
DRIFT_COLUMNS = ("new",)  # appended when the report has drift
_FORMULA_START = ("=", "+", "-", "@")


def cell(value: str) -> str:
    """``value`` made inert for spreadsheets (see the module docstring)."""
    value = printable(value)
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def frameworks_cell(check: Check | None) -> str:
    """``cis-aws-6.0 4.1; nist-800-53-r5 AU-2 (partial)``: every requirement a control claims."""
    if check is None:
        return ""
    return "; ".join(
        f"{fw} {rid}" + (" (partial)" if rid in check.partial_frameworks.get(fw, ()) else "")
        for fw, ids in sorted(check.frameworks.items())
        for rid in ids
    )


@dataclass(frozen=True)
class _ScanColumns:
    """What every row of one report shares or looks up: organizations, claims, scan time."""

    organization_of: Mapping[str, str]
    checks: Mapping[str, Check]
    scanned_at: str

    @classmethod
    def of(cls, report: ScanReport) -> _ScanColumns:
        orgs = {t.id: t.organization_id or "" for t in report.tenants}
        orgs.update({o.id: o.id for o in report.organizations})
        return cls(orgs, {c.id: c for c in report.checks}, report.finished_at)


def row(r: CheckResult, scan: _ScanColumns, drift: DriftView | None = None) -> list[str]:
    """The cells of one result, in :data:`COLUMNS` order (then :data:`DRIFT_COLUMNS` with
    drift); ``status`` shows WAIVED."""
    w = r.waiver
    values = [
        r.check_id,
        r.title,
        display_status(r),
        r.severity.value,
        r.cloud,
        r.tenant_id,
        r.tenant_name,
        scan.organization_of.get(r.tenant_id, ""),
        r.region,
        r.resource_id,
        r.message,
        r.remediation.text,
        w.reason if w else "",
        w.owner if w else "",
        w.expires if w else "",
        "yes" if waiver_expired(r) else "",
        r.fingerprint,
        r.first_seen or "",
        frameworks_cell(scan.checks.get(r.check_id)),
        scan.scanned_at,
        json.dumps(r.evidence, sort_keys=True, default=str) if r.evidence else "",
    ]
    if drift is not None:
        values.append("yes" if drift.is_new(r) else "")
    return [cell(v) for v in values]


def render(report: ScanReport) -> str:
    """Header plus one line per result, in the scan's order."""
    buffer = io.StringIO()
    # Every cell quoted: an account id such as 012345678901 is text, not a number to strip.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    drift = drift_view(report)
    scan = _ScanColumns.of(report)
    writer.writerow(COLUMNS + DRIFT_COLUMNS if drift is not None else COLUMNS)
    writer.writerows(row(r, scan, drift) for r in report.results)
    return buffer.getvalue()
