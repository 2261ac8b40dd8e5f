"""The console summary printed at the end of a scan: readable in a terminal and a CI log."""

from __future__ import annotations

from collections import Counter

from scanner.models import ExitCode, ScanReport, Status

MAX_FINDINGS_SHOWN = 40
EXIT_MEANING = {
    ExitCode.OK: "clean",
    ExitCode.FINDINGS: "findings at or above the --fail-on severity",
    ExitCode.USAGE_ERROR: "usage or configuration error",
    ExitCode.INCOMPLETE: "incomplete: some checks could not be evaluated",
    ExitCode.INTERNAL_ERROR: "internal error",
}
_COLUMNS = ("PASS", "FAIL", "ERROR", "SKIPPED", "WAIVED")


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render(report: ScanReport) -> str:
    """Posture per tenant, the failing findings by severity, errors, and the exit code."""
    out: list[str] = []
    per_tenant: dict[tuple[str, str, str], Counter[str]] = {}
    for r in report.results:
        key = (r.cloud, r.tenant_id, r.tenant_name)
        status = "WAIVED" if r.muted else r.status.value
        per_tenant.setdefault(key, Counter())[status] += 1
    if per_tenant:
        rows: list[tuple[str, ...]] = [("CLOUD/TENANT", "NAME", *_COLUMNS)]
        for (cloud, tid, name), counts in sorted(per_tenant.items()):
            rows.append((f"{cloud}/{tid}", name, *(str(counts[c]) for c in _COLUMNS)))
        out += _table(rows)
    findings = sorted(
        (r for r in report.results if r.is_finding),
        key=lambda r: (-r.severity.rank, r.check_id, r.tenant_id),
    )
    if findings:
        out.append("")
        out.append(f"Findings ({len(findings)}):")
        for r in findings[:MAX_FINDINGS_SHOWN]:
            out.append(
                f"  [{r.severity.value.upper():8}] {r.check_id}  {r.tenant_name or r.tenant_id}  {r.message}"
            )
        if len(findings) > MAX_FINDINGS_SHOWN:
            out.append(f"  ... and {len(findings) - MAX_FINDINGS_SHOWN} more in the report files")
    errors = [r for r in report.results if r.status is Status.ERROR]
    if errors:
        out.append("")
        out.append(f"Could not be evaluated ({len(errors)}):")
        for r in errors[:MAX_FINDINGS_SHOWN]:
            out.append(f"  {r.check_id}  {r.tenant_name or r.tenant_id}  {r.message}")
        if len(errors) > MAX_FINDINGS_SHOWN:
            out.append(f"  ... and {len(errors) - MAX_FINDINGS_SHOWN} more in the report files")
    discovery = [e for e in report.errors if e.kind == "discovery"]
    for e in discovery:
        out.append(f"Discovery failed for {e.cloud} {e.tenant_id}: {e.code}: {e.message}")
    for w in report.expired_waivers:
        out.append(
            f"Expired waiver ({w.source}): {w.checks} expired {w.expires}, owner {w.owner}; it no longer mutes anything"
        )
    totals = report.counts()
    out.append("")
    out.append(
        f"{len(report.tenants)} tenants, {len(report.checks)} controls: "
        + ", ".join(f"{totals[c]} {c.lower()}" for c in _COLUMNS)
    )
    code = report.exit_code
    out.append(f"exit code {int(code)}: {EXIT_MEANING[code]}")
    return "\n".join(out) + "\n"
