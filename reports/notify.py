"""``scan --notify URL``: one JSON summary per scan, POSTed to a webhook.

The body carries the gate (verdict and exit code), counts by status and severity, the new
failures (with ``--drift`` or ``--baseline``; otherwise the most severe findings), where the
report files are, and a ``text`` field that Slack and compatible incoming webhooks (Mattermost,
Rocket.Chat, Teams workflows) show as the message. Every value from the clouds goes through
JSON encoding only; the text is escaped for Slack's markup. A webhook that cannot be reached or
answers an error is reported on stderr; it never changes a row.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import SEVERITIES, TOOL, gate_summary, tool_version
from logwarden.scanner.models import CheckResult, ScanReport
from logwarden.scanner.printable import printable

MAX_LISTED = 20
TIMEOUT_SECONDS = 15
ICONS = {"passed": ":white_check_mark:", "failed": ":x:", "incomplete": ":warning:"}


def _row(r: CheckResult) -> dict[str, Any]:
    return {
        "check_id": r.check_id,
        "severity": r.severity.value,
        "cloud": r.cloud,
        "tenant_id": r.tenant_id,
        "tenant_name": r.tenant_name,
        "resource_id": r.resource_id,
        "message": r.message,
    }


def _slack(text: str) -> str:
    """Slack's control characters escaped (``&``, ``<``, ``>``), one line."""
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(report: ScanReport, reports: Sequence[str]) -> dict[str, Any]:
    """The webhook body for ``report``, whose files are at ``reports`` (paths or URLs)."""
    code, verdict, meaning = gate_summary(report)
    drift = drift_view(report)
    findings = [r for r in report.results if r.is_finding]
    if drift is not None:
        new = {r.fingerprint for r in drift.drift.regressions}
        listed = [r for r in findings if r.fingerprint in new]
    else:
        listed = sorted(findings, key=lambda r: (-r.severity.rank, r.check_id, r.tenant_id))
    by_severity = {s.value: sum(1 for r in findings if r.severity is s) for s in SEVERITIES}
    label = "new failures" if drift is not None else "findings"
    lines = [
        f"{ICONS.get(verdict, ':boom:')} *logwarden: gate {verdict}* (exit {code}: {_slack(meaning)})",
        f"{len(report.tenants)} tenants, {len(report.checks)} controls; {len(findings)} open "
        "findings (" + ", ".join(f"{n} {s}" for s, n in by_severity.items() if n) + ")"
        if findings
        else f"{len(report.tenants)} tenants, {len(report.checks)} controls; no open finding",
    ]
    if drift is not None:
        lines.append(f"{len(listed)} new failures since the last scan")
    for r in listed[:5]:
        lines.append(
            f"• [{r.severity.value}] `{_slack(r.check_id)}` {_slack(r.tenant_name or r.tenant_id)}:"
            f" {_slack(r.message)[:200]}"
        )
    if reports:
        lines.append("Report: " + ", ".join(_slack(r) for r in reports))
    return {
        "tool": TOOL,
        "version": tool_version(),
        "finished_at": report.finished_at,
        "gate": {"verdict": verdict, "exit_code": code, "meaning": meaning},
        "counts": dict(report.counts()),
        "findings_by_severity": by_severity,
        "tenants": len(report.tenants),
        "controls": len(report.checks),
        "compared": drift is not None,
        label.replace(" ", "_"): [_row(r) for r in listed[:MAX_LISTED]],
        "reports": list(reports),
        "text": "\n".join(lines),
    }


def send(url: str, body: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> str:
    """POST ``body`` as JSON; the error text, empty when the webhook took it (2xx)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": f"{TOOL}/{tool_version()}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))
    return ""
