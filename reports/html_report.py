"""The HTML report: one self-contained file for auditors and engineers.

The page is rendered by jinja2 with autoescaping from ``reports/templates/report.html.j2``.
Static parts (overview, compliance, each control with its remediation) are HTML; the result
rows travel in a JSON data island made with :func:`json.dumps` and made inert for the HTML
parser (``<``, ``>`` and ``&`` become ``\\u003c``... escapes, so neither ``</script>`` nor
``<!--`` can appear in it). A small inline script renders the rows page by page and filters
them; it only ever writes text (``textContent``), never markup. A Content-Security-Policy
forbids every network fetch and allows only that one script, by hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections import Counter
from typing import Any

import jinja2
from markupsafe import Markup

from logwarden.reports.drift_view import DriftView, history_on, resolved_as
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import (
    DISPLAY_STATUSES,
    REQUIREMENT_LABELS,
    SEVERITIES,
    STATUS_LABELS,
    by_cloud_and_severity,
    cloud_label,
    compliance,
    controls,
    display_status,
    error_reason,
    framework_heading,
    gate_summary,
    organization_keys,
    posture,
    scan_seconds,
    sort_rows,
    status_of,
    tenant_display,
    tool_version,
    waiver_expired,
)
from logwarden.scanner.compliance import REQUIREMENT_STATUSES
from logwarden.scanner.models import Check, ScanReport, Status, Waiver

MAX_ERRORS_LISTED = 200  # collection errors listed in the coverage section
MAX_DRIFT_LISTED = 200  # rows per list of the drift section (all of them are in report.json)
MAX_WHO_LISTED = 10  # audit-log events shown per drifted item (the latest)


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment (autoescaping on, undefined names are errors)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("logwarden.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _asset(name: str) -> str:
    source, _, _ = environment().loader.get_source(environment(), name)  # type: ignore[union-attr]
    return source


def json_island(value: Any) -> Markup:
    """``value`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _links(check: Check) -> list[tuple[str, bool]]:
    """References as (text, is_link): only http(s) addresses become links."""
    return [(ref, ref.startswith(("https://", "http://"))) for ref in check.references]


def _data(report: ScanReport, checks: list[Check], drift: DriftView | None) -> dict[str, Any]:
    """The data island: lookup tables plus one compact array per result row.

    With drift or history, each row also carries whether it is new (a regression) and its
    ``first_seen``; without either, the rows are exactly as before.
    """
    check_index = {c.id: i for i, c in enumerate(checks)}
    orgs = organization_keys(report)
    tenants: dict[tuple[str, str], int] = {}
    tenant_rows: list[dict[str, Any]] = []
    waivers: dict[Waiver, int] = {}
    severity_index = {s: i for i, s in enumerate(SEVERITIES)}
    rows = []
    marks = drift is not None or history_on(report)
    for r in sort_rows(report.results):
        key = (r.cloud, r.tenant_id)
        if key not in tenants:
            tenants[key] = len(tenant_rows)
            tenant_rows.append(
                {"cloud": r.cloud, "id": r.tenant_id, "name": r.tenant_name, "org": key in orgs}
            )
        waiver = -1
        if r.waiver is not None:
            waiver = waivers.setdefault(r.waiver, len(waivers))
        row: list[Any] = [
            check_index[r.check_id],
            tenants[key],
            display_status(r),
            severity_index[r.severity],
            r.region,
            r.resource_id,
            error_reason(r) if r.status is Status.ERROR else r.message,
            r.evidence or None,
            waiver,
            1 if waiver_expired(r) else 0,
        ]
        if marks:
            row += [1 if drift is not None and drift.is_new(r) else 0, r.first_seen]
        rows.append(row)
    data: dict[str, Any] = {
        "controls": [{"id": c.id, "title": c.title} for c in checks],
        "tenants": tenant_rows,
        "severities": [s.value for s in SEVERITIES],
        "statuses": {s: STATUS_LABELS[s] for s in DISPLAY_STATUSES},
        "clouds": {c: cloud_label(report, c) for c in sorted({t["cloud"] for t in tenant_rows})},
        "waivers": [
            {"reason": w.reason, "owner": w.owner, "expires": w.expires, "source": w.source}
            for w in waivers
        ],
        "rows": rows,
    }
    if drift is not None:
        data["drift"] = {"since": drift.since, "new": len(drift.new_fingerprints)}
    return data


def _groups(report: ScanReport, checks: list[Check]) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = {c.id: Counter() for c in checks}
    for r in report.results:
        counts[r.check_id][display_status(r)] += 1
    order = {s: i for i, s in enumerate(DISPLAY_STATUSES)}
    groups = [
        {
            "index": i,
            "check": c,
            "counts": counts[c.id],
            "status": status_of(counts[c.id]),
            "links": _links(c),
            "frameworks": [
                f"{fw} {req}" for fw, reqs in sorted(c.frameworks.items()) for req in reqs
            ],
        }
        for i, c in enumerate(checks)
        if counts[c.id]
    ]
    return sorted(
        groups, key=lambda g: (order[g["status"]], -g["check"].severity.rank, g["check"].id)
    )


def _overview(report: ScanReport) -> dict[str, Any]:
    totals = report.counts()
    findings = Counter(r.severity.value for r in report.results if r.is_finding)
    evaluated = sum(totals[s] for s in ("PASS", "FAIL", "WAIVED", "ERROR"))
    clouds = sorted({t.cloud for t in report.tenants} | {r.cloud for r in report.results})
    return {
        "totals": totals,
        "findings": findings,
        "findings_total": sum(findings.values()),
        "max_findings": max(findings.values(), default=0),
        "pass_rate": round(100 * totals["PASS"] / evaluated) if evaluated else None,
        "clouds": [cloud_label(report, c) for c in clouds],
        "by_cloud": by_cloud_and_severity(report),
    }


def _drift(report: ScanReport, checks: list[Check], drift: DriftView) -> dict[str, Any]:
    """The "Changed since" section: lists in the drift's order, at most MAX_DRIFT_LISTED each."""
    anchors = {c.id: f"control-{i}" for i, c in enumerate(checks)}
    changed = drift.changed()
    return {
        "view": drift,
        "counts": drift.counts(),
        "changed_resources": len(changed),
        "new_failures": drift.new_failures()[:MAX_DRIFT_LISTED],
        "resolved": drift.drift.resolved[:MAX_DRIFT_LISTED],
        "changed": changed[:MAX_DRIFT_LISTED],
        "new_resources": drift.drift.new_resources[:MAX_DRIFT_LISTED],
        "removed": drift.removed()[:MAX_DRIFT_LISTED],
        "still_failing": drift.drift.still_failing[:MAX_DRIFT_LISTED],
        "limit": MAX_DRIFT_LISTED,
        "who_limit": MAX_WHO_LISTED,
        "anchors": anchors,
        "tenant": drift.tenant,
        "resolved_as": resolved_as,
    }


TOP_FAILING = 5  # controls listed in the overview


def context(report: ScanReport) -> dict[str, Any]:
    """Everything the template shows (also what the tests look at)."""
    checks = controls(report)
    drift = drift_view(report)
    code, verdict, meaning = gate_summary(report)
    script = _asset("report.js.j2")
    groups = _groups(report, checks)
    return {
        "report": report,
        "gate": {"code": code, "verdict": verdict, "meaning": meaning},
        "version": tool_version(),
        "duration": scan_seconds(report),
        "overview": _overview(report),
        "posture": posture(report),
        "compliance": compliance(report),
        "requirement_statuses": REQUIREMENT_STATUSES,
        "requirement_labels": REQUIREMENT_LABELS,
        "framework_heading": framework_heading,
        "tenant_name": functools.partial(tenant_display, report),
        "control_anchors": {g["check"].id: f"control-{g['index']}" for g in groups},
        "groups": groups,
        "top_failing": sorted(
            (g for g in groups if g["counts"]["FAIL"]),
            key=lambda g: (-g["counts"]["FAIL"], -g["check"].severity.rank, g["check"].id),
        )[:TOP_FAILING],
        "errors": report.errors[:MAX_ERRORS_LISTED],
        "errors_more": max(0, len(report.errors) - MAX_ERRORS_LISTED),
        "severities": [s.value for s in SEVERITIES],
        "statuses": DISPLAY_STATUSES,
        "status_labels": STATUS_LABELS,
        "cloud_label": functools.partial(cloud_label, report),
        "drift": _drift(report, checks, drift) if drift is not None else None,
        "data": json_island(_data(report, checks, drift)),
        "style": Markup(_asset("report.css.j2")),
        "script": Markup(script),
        "script_hash": _sha256(script),
    }


def render(report: ScanReport) -> str:
    """The whole page."""
    return environment().get_template("report.html.j2").render(context(report))
