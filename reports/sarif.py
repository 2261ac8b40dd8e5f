"""The SARIF 2.1.0 report for code scanning (GitHub, Azure DevOps, GitLab's SARIF import).

One rule per control; one result per FAIL row (waived rows carry an accepted ``suppressions``
entry instead of disappearing); each result is located logically (tenant, then resource) and
carries the row's stable fingerprint in ``partialFingerprints``, so alerts keep their identity
across scans. Message texts, which code scanning shows to people, have their control
characters escaped (:mod:`logwarden.scanner.printable`); the properties keep the raw values. PASS and SKIPPED rows are not results. What could not be evaluated (collection
errors and ERROR rows) goes to ``invocations[0].toolExecutionNotifications``.

Code scanning also wants a physical location for every result: a cloud finding has no source
file, so the artifact is a stable pseudo-path ``<cloud>/<tenant id>`` (region line 1), the
same for every scan of that tenant.

When the scan was compared (``scan --drift`` or ``--baseline``), every result carries
``baselineState``: ``new`` for a regression (an unwaived failure that was not failing in the
earlier scan or the baseline), ``unchanged`` otherwise; waived rows are never new, as in the
drift itself. Resolved failures are not written as ``absent`` results: code scanning does not
read ``baselineState`` and would show them as open alerts. The run's ``properties.drift`` says
what was compared with.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from logwarden.reports.drift_view import DriftView
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import TOOL, controls, error_reason, scan_seconds, tool_version
from logwarden.scanner.models import (
    Check,
    CheckResult,
    CollectionError,
    ScanReport,
    Severity,
    Status,
)
from logwarden.scanner.printable import printable

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "logwarden/v1"
# GitHub: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _help_markdown(check: Check) -> str:
    parts = [check.rationale.strip(), "", "**Remediation:** " + check.remediation.text.strip()]
    if check.remediation.cli:
        parts += ["", "```sh", check.remediation.cli.rstrip(), "```"]
    if check.remediation.terraform:
        parts += ["", "```hcl", check.remediation.terraform.rstrip(), "```"]
    if check.references:
        parts += ["", "References:"] + [f"- {ref}" for ref in check.references]
    return "\n".join(parts)


def _help_text(check: Check) -> str:
    parts = [check.remediation.text.strip()]
    if check.remediation.cli:
        parts.append("CLI:\n" + check.remediation.cli.rstrip())
    if check.remediation.terraform:
        parts.append("Terraform:\n" + check.remediation.terraform.rstrip())
    return "\n\n".join(parts)


def rule(check: Check) -> dict[str, Any]:
    """The ``reportingDescriptor`` of one control."""
    tags = ["security", "compliance", "audit-logging", check.cloud]
    tags += [f"{fw}/{req}" for fw, reqs in sorted(check.frameworks.items()) for req in reqs]
    doc: dict[str, Any] = {
        "id": check.id,
        "name": "".join(p.capitalize() for p in check.id.replace(".", "_").split("_")),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.rationale.strip() or check.title},
        "help": {"text": _help_text(check), "markdown": _help_markdown(check)},
        "defaultConfiguration": {"level": LEVEL[check.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[check.severity],
            "problem.severity": "error" if check.severity.rank >= 3 else "warning",
            "precision": "very-high",
            "tags": tags,
            "severity": check.severity.value,
            "scope": check.scope.value,
            "frameworks": {k: list(v) for k, v in sorted(check.frameworks.items())},
        },
    }
    if check.references:
        doc["helpUri"] = check.references[0]
    return doc


def _locations(r: CheckResult) -> list[dict[str, Any]]:
    tenant = f"{r.cloud}/{r.tenant_id}"
    return [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": urllib.parse.quote(tenant, safe="/")},
                "region": {"startLine": 1},
            },
            "logicalLocations": [
                {
                    "name": r.resource_id,
                    "fullyQualifiedName": f"{tenant}/{r.resource_id}",
                    "kind": "resource",
                },
                {
                    "name": r.tenant_name or r.tenant_id,
                    "fullyQualifiedName": tenant,
                    "kind": "namespace",
                },
            ],
        }
    ]


def result(r: CheckResult, rule_index: int, drift: DriftView | None = None) -> dict[str, Any]:
    """The SARIF ``result`` of one FAIL row (waived or not)."""
    where = r.tenant_name or r.tenant_id
    doc: dict[str, Any] = {
        "ruleId": r.check_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVEL[r.severity],
        "message": {"text": printable(f"{r.message} ({r.cloud} {where}, {r.resource_id})")},
        "locations": _locations(r),
        "partialFingerprints": {FINGERPRINT_KEY: r.fingerprint},
        "properties": {
            "tenantId": r.tenant_id,
            "tenantName": r.tenant_name,
            "cloud": r.cloud,
            "region": r.region,
            "resourceId": r.resource_id,
            "severity": r.severity.value,
            "evidence": r.evidence,
        },
    }
    if drift is not None:
        doc["baselineState"] = "new" if drift.is_new(r) else "unchanged"
    if r.waiver is not None and r.muted:
        w = r.waiver
        doc["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{w.reason} (owner {w.owner}, expires {w.expires})",
                "properties": {"owner": w.owner, "expires": w.expires, "source": w.source},
            }
        ]
    elif r.waiver is not None:
        doc["properties"]["expiredWaiver"] = {
            "reason": r.waiver.reason,
            "owner": r.waiver.owner,
            "expires": r.waiver.expires,
        }
    return doc


def _notification(e: CollectionError) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": printable(f"{e.code}: {e.message}")},
        "descriptor": {"id": e.code or "CollectionError"},
        "locations": [
            {
                "logicalLocations": [
                    {"fullyQualifiedName": f"{e.cloud}/{e.tenant_id}", "kind": "namespace"}
                ]
            }
        ],
        "properties": {"kind": e.kind, "region": e.region, "internal": e.internal},
    }


def _not_evaluated(r: CheckResult, rule_index: int) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {
            "text": printable(
                f"could not be evaluated for {r.tenant_name or r.tenant_id}: {error_reason(r)}"
            )
        },
        "descriptor": {"id": "not-evaluated"},
        "associatedRule": {"id": r.check_id, "index": rule_index},
        "locations": _locations(r),
        "properties": {"fingerprint": r.fingerprint},
    }


def document(report: ScanReport) -> dict[str, Any]:
    """The SARIF log as a dict (what :func:`render` serializes)."""
    checks = controls(report)
    index = {c.id: i for i, c in enumerate(checks)}
    drift = drift_view(report)
    results = [
        result(r, index[r.check_id], drift) for r in report.results if r.status is Status.FAIL
    ]
    notifications = [_notification(e) for e in report.errors]
    notifications += [
        _not_evaluated(r, index[r.check_id]) for r in report.results if r.status is Status.ERROR
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(e.internal for e in report.errors),
        "exitCode": int(report.exit_code),
        "toolExecutionNotifications": notifications,
        "properties": {"durationSeconds": scan_seconds(report)},
    }
    if report.started_at:
        invocation["startTimeUtc"] = report.started_at
    if report.finished_at:
        invocation["endTimeUtc"] = report.finished_at
    properties: dict[str, Any] = {
        "tenants": len(report.tenants),
        "failOn": report.gate.fail_on_name,
    }
    if drift is not None:
        properties["drift"] = {
            "against": drift.drift.against,
            "beforeId": drift.drift.before_id,
            "beforeTime": drift.drift.before_time,
        }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": tool_version(),
                        "semanticVersion": tool_version(),
                        "rules": [rule(c) for c in checks],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": properties,
            }
        ],
    }


def render(report: ScanReport) -> str:
    """The SARIF log as compact JSON (code scanning limits upload size, not layout)."""
    return json.dumps(document(report), default=str, separators=(",", ":")) + "\n"
