"""The Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

Short by design (GitHub caps a comment at 65,536 characters): the gate verdict, the drift
when the scan was compared with the previous scan or a baseline (new failures and
configuration changes with who made them, resolved failures), counts by cloud and severity,
the most severe findings (new ones marked), what could not be evaluated, the compliance
sections and the waivers; the full detail lives in the HTML and JSON reports. Every cell is
escaped, so a resource name cannot add markup, links or table columns.
"""

from __future__ import annotations

import re

from logwarden.reports.drift_view import DriftView, brief
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import (
    REQUIREMENT_LABELS,
    SEVERITIES,
    STATUS_LABELS,
    by_cloud_and_severity,
    cloud_label,
    compliance,
    error_reason,
    framework_heading,
    gate_summary,
    sort_rows,
    tenant_display,
    tenant_word,
    waiver_expired,
)
from logwarden.scanner.models import CheckResult, ScanReport, Status
from logwarden.scanner.printable import printable

MAX_FINDINGS = 50
MAX_ERRORS = 20
MAX_DRIFT = 30  # rows per drift table (new failures use MAX_FINDINGS)
MAX_CELL = 200
_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
ICONS = {"passed": "✅", "failed": "❌", "incomplete": "⚠️", "error": "💥"}


def md(text: str, limit: int = MAX_CELL) -> str:
    """``text`` as inert Markdown inside a table cell: one line, escaped, at most ``limit``.

    Control characters become visible escapes first (:mod:`logwarden.scanner.printable`), so a newline
    in a cloud value shows as ``\\n`` instead of silently joining two words."""
    text = " ".join(printable(text).split())
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
        [cloud_label(report, cloud)]
        + [str(c[s.value]) for s in SEVERITIES]
        + [str(c[k]) for k in ("ERROR", "WAIVED", "PASS", "SKIPPED")]
        for cloud, c in by_cloud_and_severity(report).items()
    ]
    return _table(header, rows, numeric_from=1) if rows else ["No result rows."]


def _more(total: int, limit: int) -> list[str]:
    return ["", f"…and {total - limit} more in the HTML and JSON reports."] if total > limit else []


def _drift(drift: DriftView) -> list[str]:
    d = drift.drift
    title = (
        f"### Drift since {md(drift.since, 40)}"
        if drift.since
        else "### Drift: first recorded scan, every finding is new"
    )
    out = ["", title, "", f"Compared with {md(drift.compared)}."]
    if d.empty and not d.still_failing:
        return [*out, "", "No change."]
    counts = drift.counts()
    out += [
        "",
        *_table([label.capitalize() for _, label, _ in counts], [[str(n) for *_, n in counts]], 0),
    ]
    who = drift.attributed
    if d.regressions:
        rows = []
        for f in drift.new_failures()[:MAX_FINDINGS]:
            r = f.row
            tenant = md(drift.tenant(r.cloud, r.tenant_id))
            cells = [r.severity, f"`{r.check_id}`", tenant, md(r.resource_id, 120)]
            cells += [md(r.message)] + ([md(brief(f.who))] if who else [])
            rows.append(cells)
        header = ["Severity", "Control", "Tenant", "Resource", "What is wrong"]
        out += ["", f"#### New failures ({len(d.regressions)})", ""]
        out += _table(header + (["Who / when"] if who else []), rows)
        out += _more(len(d.regressions), MAX_FINDINGS)
    if d.changes:
        rows = []  # one row per changed field; the resource and who on its first row
        for c in drift.changed():
            for i, change in enumerate(c.changes):
                first = i == 0
                cells = [md(c.resource_id, 120) if first else "", md(c.kind) if first else ""]
                cells.append(md(change))
                rows.append(cells + ([md(brief(c.who)) if first else ""] if who else []))
        header = ["Resource", "Kind", "Change"] + (["Who / when"] if who else [])
        out += ["", f"#### Configuration changes ({len(d.changes)})", ""]
        out += _table(header, rows[:MAX_DRIFT]) + _more(len(rows), MAX_DRIFT)
    if d.resolved:
        rows = [
            [
                r.severity,
                f"`{r.check_id}`",
                md(drift.tenant(r.cloud, r.tenant_id)),
                md(r.resource_id, 120),
            ]
            for r in d.resolved[:MAX_DRIFT]
        ]
        out += ["", f"#### Resolved ({len(d.resolved)})", ""]
        out += _table(["Severity", "Control", "Tenant", "Resource"], rows)
        out += _more(len(d.resolved), MAX_DRIFT)
    return out


def _findings(report: ScanReport, drift: DriftView | None = None) -> list[str]:
    findings = sort_rows(r for r in report.results if r.is_finding)
    if not findings:
        return []
    out = ["", f"### Findings ({len(findings)})", ""]
    rows = []
    for r in findings[:MAX_FINDINGS]:
        expired = " (waiver expired)" if waiver_expired(r) else ""
        new = " (new)" if drift is not None and drift.is_new(r) else ""
        rows.append(
            [
                r.severity.value + new,
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


MAX_REQUIREMENTS = 40


def _compliance(report: ScanReport) -> list[str]:
    """Per framework: passed out of assessed, then each requirement not passed (failing,
    unproven, waived) with its controls and failing tenants."""
    frameworks = compliance(report)
    if not frameworks:
        return []
    out = ["", "### Compliance", ""]
    rows = [
        [
            md(framework_heading(fs.framework)),
            f"{fs.count('PASS')}/{fs.assessed}",
            str(fs.count("FAIL")),
            str(fs.count("ERROR")),
            str(fs.count("WAIVED")),
            str(fs.count("NOT_COVERED") + fs.count("MANUAL")),
        ]
        for fs in frameworks
    ]
    header = ["Framework", "Passed", "Failing", "Unproven", "Waived", "Not covered"]
    out += _table(header, rows)
    for fs in frameworks:
        open_items = [r for r in fs.requirements if r.status in ("FAIL", "ERROR", "WAIVED")]
        if not open_items:
            continue
        out += ["", f"**{md(framework_heading(fs.framework))}**: requirements not passed", ""]
        req_rows = [
            [
                md(f"{r.id} {r.title}" if r.title != r.id else r.id, 120),
                REQUIREMENT_LABELS[r.status]
                + (" (partial coverage)" if r.covered.coverage == "partial" else ""),
                ", ".join(f"`{c}`" for c in r.covered.controls),
                md(", ".join(tenant_display(report, t) for t in r.failing_tenants), 160),
            ]
            for r in open_items[:MAX_REQUIREMENTS]
        ]
        out += _table(["Requirement", "Status", "Controls", "Failing or unproven in"], req_rows)
        if len(open_items) > MAX_REQUIREMENTS:
            out += [
                "",
                f"…and {len(open_items) - MAX_REQUIREMENTS} more in the HTML and JSON reports.",
            ]
    return out


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
    for w in report.stale_waivers:
        out.append(
            f"- stale waiver for {md(w.checks, 80)} (owner {md(w.owner, 80)}, "
            f"{md(w.source, 120)}): it matched no failing row; remove it"
        )
    return out


def render(report: ScanReport) -> str:
    """The summary as GitHub-flavoured Markdown."""
    code, verdict, meaning = gate_summary(report)
    clouds = sorted({t.cloud for t in report.tenants} | {r.cloud for r in report.results})
    words = {tenant_word(report, c) for c in clouds}
    word = words.pop() + "s" if len(words) == 1 else "tenants"
    drift = drift_view(report)
    out = [
        f"## {ICONS.get(verdict, '')} logwarden: gate {verdict} (exit {code}: {md(meaning)})",
        "",
        f"{len(report.tenants)} {word} in {', '.join(cloud_label(report, c) for c in clouds) or '-'}, "
        f"{len(report.checks)} controls, scan finished {md(report.finished_at, 40)}.",
        *(_drift(drift) if drift is not None else []),
        "",
        *_counts(report),
        *_findings(report, drift),
        *_errors(report),
        *_compliance(report),
        *_waivers(report),
    ]
    return "\n".join(out) + "\n"
