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
"""

from __future__ import annotations

import csv
import io
import json

from logwarden.reports.drift_view import DriftView
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import display_status, waiver_expired
from logwarden.scanner.models import CheckResult, ScanReport
from logwarden.scanner.printable import printable

COLUMNS = (
    "check_id",
    "title",
    "status",
    "severity",
    "cloud",
    "tenant_id",
    "tenant_name",
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
    "evidence",
)
DRIFT_COLUMNS = ("new",)  # appended when the report has drift
_FORMULA_START = ("=", "+", "-", "@")


def cell(value: str) -> str:
    """``value`` made inert for spreadsheets (see the module docstring)."""
    value = printable(value)
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def row(r: CheckResult, drift: DriftView | None = None) -> list[str]:
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
        json.dumps(r.evidence, sort_keys=True, default=str) if r.evidence else "",
    ]
    if drift is not None:
        values.append("yes" if drift.is_new(r) else "")
    return [cell(v) for v in values]


def render(report: ScanReport) -> str:
    """Header plus one line per result, in the scan's order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    drift = drift_view(report)
    writer.writerow(COLUMNS + DRIFT_COLUMNS if drift is not None else COLUMNS)
    writer.writerows(row(r, drift) for r in report.results)
    return buffer.getvalue()
