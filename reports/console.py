"""The console summary printed at the end of a scan, and the drift as text (first in that
summary, and all of ``logwarden drift``): readable in a terminal and a CI log."""

from __future__ import annotations

from collections import Counter

from logwarden.reports import drift_view
from logwarden.reports.drift_view import DriftView
from logwarden.reports.view import GATE_MEANING, SEVERITIES, by_cloud_and_severity, cloud_label
from logwarden.scanner.audit_events import Attribution
from logwarden.scanner.models import ScanReport, Status
from logwarden.scanner.printable import printable as p

MAX_FINDINGS_SHOWN = 40
MAX_TENANTS_SHOWN = 50
_COLUMNS = ("PASS", "FAIL", "ERROR", "SKIPPED", "WAIVED")


def _table(rows: list[tuple[str, ...]], text_columns: int = 2) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < text_columns else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def by_cloud_table(report: ScanReport) -> list[str]:
    """Unwaived findings by cloud and severity, with the rows not evaluated, waived, passed."""
    header = ("CLOUD", *(s.value.upper() for s in SEVERITIES), "NOT-EVALUATED", "WAIVED", "PASS")
    rows: list[tuple[str, ...]] = [header]
    total: Counter[str] = Counter()
    for cloud, counts in by_cloud_and_severity(report).items():
        keys = [*(s.value for s in SEVERITIES), "ERROR", "WAIVED", "PASS"]
        rows.append((cloud_label(report, cloud), *(str(counts[k]) for k in keys)))
        total.update(counts)
    if len(rows) > 2:
        keys = [*(s.value for s in SEVERITIES), "ERROR", "WAIVED", "PASS"]
        rows.append(("all", *(str(total[k]) for k in keys)))
    return _table(rows, text_columns=1) if len(rows) > 1 else []


_COLOURS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}
_EXIT_COLOURS = {0: "1;32", 1: "1;31", 3: "1;33"}


def _paint(text: str, code: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m"


def _colour(lines: list[str], exit_code: int) -> list[str]:
    """Severity tags and the exit line in colour (added after escaping: the codes are ours)."""
    out = []
    for line in lines:
        for severity, code in _COLOURS.items():
            tag = f"[{severity.upper():8}]"
            if line.startswith(f"  {tag}"):
                line = line.replace(tag, _paint(tag, code), 1)
        if line.startswith("exit code "):
            line = _paint(line, _EXIT_COLOURS.get(exit_code, "1;35"))
        out.append(line)
    return out


def render(report: ScanReport, color: bool = False) -> str:
    """Posture per tenant, the failing findings by severity, errors, and the exit code;
    ``color``: severities and the exit line in ANSI colour (a terminal that asked for it)."""
    out: list[str] = []
    drift = drift_view.view(report)
    if drift is not None:
        out += [*drift_text(drift, MAX_FINDINGS_SHOWN), ""]
    per_tenant: dict[tuple[str, str, str], Counter[str]] = {}
    for r in report.results:
        key = (r.cloud, r.tenant_id, r.tenant_name)
        status = "WAIVED" if r.muted else r.status.value
        per_tenant.setdefault(key, Counter())[status] += 1
    if per_tenant:
        rows: list[tuple[str, ...]] = [("CLOUD/TENANT", "NAME", *_COLUMNS)]
        # Worst tenants first when there are many: the full list is in the report files.
        ordered = sorted(per_tenant.items())
        if len(ordered) > MAX_TENANTS_SHOWN:
            ordered.sort(key=lambda kv: (-kv[1]["FAIL"], -kv[1]["ERROR"], kv[0]))
        for (cloud, tid, name), counts in ordered[:MAX_TENANTS_SHOWN]:
            rows.append((p(f"{cloud}/{tid}"), p(name), *(str(counts[c]) for c in _COLUMNS)))
        out += _table(rows)
        if len(ordered) > MAX_TENANTS_SHOWN:
            out.append(
                f"... and {len(ordered) - MAX_TENANTS_SHOWN} more tenants in the report files"
            )
    findings = sorted(
        (r for r in report.results if r.is_finding),
        key=lambda r: (-r.severity.rank, r.check_id, r.tenant_id),
    )
    if findings:
        out.append("")
        out.append(f"Findings ({len(findings)}):")
        for r in findings[:MAX_FINDINGS_SHOWN]:
            out.append(
                f"  [{r.severity.value.upper():8}] {p(r.check_id)}  "
                f"{p(r.tenant_name or r.tenant_id)}  {p(r.message)}"
            )
        if len(findings) > MAX_FINDINGS_SHOWN:
            out.append(f"  ... and {len(findings) - MAX_FINDINGS_SHOWN} more in the report files")
    errors = [r for r in report.results if r.status is Status.ERROR]
    if errors:
        out.append("")
        out.append(f"Could not be evaluated ({len(errors)}):")
        for r in errors[:MAX_FINDINGS_SHOWN]:
            out.append(f"  {p(r.check_id)}  {p(r.tenant_name or r.tenant_id)}  {p(r.message)}")
        if len(errors) > MAX_FINDINGS_SHOWN:
            out.append(f"  ... and {len(errors) - MAX_FINDINGS_SHOWN} more in the report files")
    discovery = [e for e in report.errors if e.kind == "discovery"]
    for e in discovery:
        out.append(
            f"Discovery failed for {p(e.cloud)} {p(e.tenant_id)}: {p(e.code)}: {p(e.message)}"
        )
    for w in report.expired_waivers:
        out.append(
            f"Expired waiver ({p(w.source)}): {p(w.checks)} expired {w.expires}, "
            f"owner {p(w.owner)}; it no longer mutes anything"
        )
    for w in report.stale_waivers:
        out.append(
            f"Stale waiver ({p(w.source)}): {p(w.checks)} (owner {p(w.owner)}) matched no "
            "failing row of this scan; remove it"
        )
    summary = by_cloud_table(report)
    if summary:
        out += ["", *summary]
    totals = report.counts()
    out.append("")
    out.append(
        f"{len(report.tenants)} tenants, {len(report.checks)} controls: "
        + ", ".join(f"{totals[c]} {c.lower()}" for c in _COLUMNS)
    )
    code = report.exit_code
    out.append(f"exit code {int(code)}: {GATE_MEANING[code]}")
    # every value from the clouds was escaped above; this also catches any text added later
    # without it (lines from the drift summary hold their own "\n")
    lines = [p(part) for line in out for part in line.split("\n")]
    return "\n".join(_colour(lines, int(code)) if color else lines) + "\n"


def drift_text(view: DriftView, limit: int = 40) -> list[str]:
    """The drift as lines for a terminal or CI log (shown first in the console summary).

    Every value from the clouds (names, messages, changed values, who made a change) is
    escaped (:mod:`logwarden.scanner.printable`): a line of this text is never forged by the data.
    """
    drift = view.drift
    what = "scan" if drift.against == "history" else drift.against  # a recorded scan's id
    since = f"{what} {p(drift.before_id or '-')} ({p(drift.before_time or 'nothing recorded')})"
    out = [f"Drift since {since}:"]
    if drift.empty:
        return [*out, "  no change"]
    # One reason for every unknown author (a saved inventory, no permission anywhere): say it
    # once rather than under each of hundreds of items.
    reasons = {a.error for a in drift.attributions.values() if not a.events}
    shared = (
        reasons.pop()
        if len(reasons) == 1 and all(not a.events for a in drift.attributions.values())
        else ""
    )
    if shared:
        out.append(f"  Who made it: unknown: {p(shared)}")

    def section(title: str, items: list[str]) -> None:
        if not items:
            return
        out.append(f"  {title} ({len(items)}):")
        out.extend(f"    {line}" for line in items[:limit])
        if len(items) > limit:
            out.append(f"    ... and {len(items) - limit} more")

    def by(found: list[Attribution]) -> str:
        if shared:
            return ""
        lines = list(dict.fromkeys(p(a.summary) for a in found))
        return "".join(f"\n      by {line}" for line in lines)

    section(
        "New failures",
        [
            f"[{r.severity.upper()}] {p(r.check_id)}  {p(r.tenant_id)}  {p(r.message)}"
            + by(drift.who(r.fingerprint))
            for r in drift.regressions
        ],
    )
    section(
        "Resolved",
        [f"{p(r.check_id)}  {p(r.tenant_id)}  {p(r.resource_id)}" for r in drift.resolved],
    )
    section(
        "Configuration changes",
        [
            f"{p(kind)} {p(rid)}  {'; '.join(p(c) for c in changes)}"
            + by(view.attributions_of(kind, rid))
            for (kind, rid), changes in view.changes.items()
        ],
    )
    section("New resources", [f"{p(r.kind)} {p(r.id)}" for r in drift.new_resources])
    section(
        "Removed resources",
        [
            f"{p(r.kind)} {p(r.id)}" + by(view.attributions_of(r.kind, r.id))
            for r in drift.removed_resources
        ],
    )
    section(
        "Still failing",
        [
            f"{p(r.check_id)}  {p(r.tenant_id)}  since {p(r.first_seen or '?')}"
            for r in drift.still_failing
        ],
    )
    return out
