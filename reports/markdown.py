"""The Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Short by design (GitHub caps a comment at 65,536 characters): the gate verdict, counts by
cloud and severity, the most severe findings, what could not be evaluated, the compliance
sections and the waivers; the full detail lives in the HTML and JSON reports. Every cell is
escaped, so a resource name cannot add markup, links or table columns.
"""

from __future__ import annotations

import re

from reports.view import (
    SEVERITIES,
    STATUS_LABELS,
    TENANT_WORDS,
    Requirement,
    by_cloud_and_severity,
    cloud_label,
    compliance,
    error_reason,
    gate_summary,
    sort_rows,
    waiver_expired,
)
from scanner.models import CheckResult, ScanReport, Status

MAX_FINDINGS = 50
MAX_ERRORS = 20
MAX_CELL = 200
_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
ICONS = {"passed": "✅", "failed": "❌", "incomplete": "⚠️", "error": "💥"}


def md(text: str, limit: int = MAX_CELL) -> str:
    """``text`` as inert Markdown inside a table cell: one line, escaped, at most ``limit``."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 99) -> list[str]:
    align = ["---:" if i >= numeric_from else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _tenant(r: CheckResult) -> str:
    name = r.tenant_name or r.tenant_id
    return md(name if name == r.tenant_id else f"{name} ({r.tenant_id})")


def _counts(report: ScanReport) -> list[str]:
    header = ["Cloud", *(s.value.capitalize() for s in SEVERITIES)]
    header += ["Not evaluated", "Waived", "Passed", "N/A"]
    rows = [
        [cloud_label(cloud)]
        + [str(c[s.value]) for s in SEVERITIES]
        + [str(c[k]) for k in ("ERROR", "WAIVED", "PASS", "SKIPPED")]
        for cloud, c in by_cloud_and_severity(report).items()
    ]
    return _table(header, rows, numeric_from=1) if rows else ["No result rows."]


def _findings(report: ScanReport) -> list[str]:
    findings = sort_rows(r for r in report.results if r.is_finding)
    if not findings:
        return []
    out = ["", f"### Findings ({len(findings)})", ""]
    rows = []
    for r in findings[:MAX_FINDINGS]:
        expired = " (waiver expired)" if waiver_expired(r) else ""
        rows.append(
            [
                r.severity.value,
                f"`{r.check_id}`",
                _tenant(r),
                md(r.resource_id, 120),
                md(r.message) + expired,
            ]
        )
    out += _table(["Severity", "Control", "Tenant", "Resource", "What is wrong"], rows)
    if len(findings) > MAX_FINDINGS:
        out += ["", f"…and {len(findings) - MAX_FINDINGS} more in the HTML and JSON reports."]
    return out


def _errors(report: ScanReport) -> list[str]:
    errors = [r for r in report.results if r.status is Status.ERROR]
    if not errors:
        return []
    out = ["", f"### {STATUS_LABELS['ERROR']} ({len(errors)})", ""]
    rows = [[f"`{r.check_id}`", _tenant(r), md(error_reason(r))] for r in errors[:MAX_ERRORS]]
    out += _table(["Control", "Tenant", "Reason"], rows)
    if len(errors) > MAX_ERRORS:
        out += ["", f"…and {len(errors) - MAX_ERRORS} more in the HTML and JSON reports."]
    return out


def _compliance(report: ScanReport) -> list[str]:
    sections = compliance(report)
    if not sections:
        return []
    rows = [
        [
            md(s.label),
            md(s.section),
            f"{s.passed}/{s.total}",
            ", ".join(_requirement(r) for r in s.requirements if r.status in _NOT_PASSED) or "-",
        ]
        for s in sections
    ]
    header = ["Framework", "Section", "Passed", "Not passed"]
    return ["", "### Compliance", "", *_table(header, rows)]


_NOT_PASSED = {"FAIL": "", "ERROR": " (not evaluated)", "WAIVED": " (waived)"}


def _requirement(r: Requirement) -> str:
    return md(r.id) + _NOT_PASSED[r.status]


def _waivers(report: ScanReport) -> list[str]:
    waived = [r for r in report.results if r.muted]
    out: list[str] = []
    if waived:
        rows = "row is" if len(waived) == 1 else "rows are"
        out += ["", f"{len(waived)} failing {rows} waived (accepted until the waiver expires)."]
    for w in report.expired_waivers:
        out.append(
            f"- ⚠️ expired waiver for {md(w.checks, 80)} (owner {md(w.owner, 80)}, "
            f"expired {md(w.expires, 20)}): it no longer mutes anything"
        )
    return out


def render(report: ScanReport) -> str:
    """The summary as GitHub-flavoured Markdown."""
    code, verdict, meaning = gate_summary(report)
    clouds = sorted({t.cloud for t in report.tenants} | {r.cloud for r in report.results})
    words = {TENANT_WORDS.get(c, "tenant") for c in clouds}
    word = words.pop() + "s" if len(words) == 1 else "tenants"
    out = [
        f"## {ICONS.get(verdict, '')} logwarden: gate {verdict} (exit {code}: {md(meaning)})",
        "",
        f"{len(report.tenants)} {word} in {', '.join(cloud_label(c) for c in clouds) or '-'}, "
        f"{len(report.checks)} controls, scan finished {md(report.finished_at, 40)}.",
        "",
        *_counts(report),
        *_findings(report),
        *_errors(report),
        *_compliance(report),
        *_waivers(report),
    ]
    return "\n".join(out) + "\n"
