"""The JUnit XML report for CI test reporters (GitLab, Jenkins, GitHub test-report actions).

One ``testsuite`` per tenant (organization-scope rows in a suite of their own), one
``testcase`` per control x resource with ``classname`` = the control id. PASS is an empty
testcase, FAIL a ``failure``, ERROR an ``error`` ("could not be evaluated"), SKIPPED and waived
rows a ``skipped`` with the reason. A suite's counts come from the elements built, the totals
on ``testsuites`` from the same ``outcome_kind``, so they always agree; the document is written
one suite at a time (``write``), so a big organization's report is never held whole. With
drift (``scan --drift`` / ``--baseline``), a failure that is a regression says so first in
its message (``NEW since <time>: ...``) and names who changed it when the audit log told; each
suite carries the drift's reference and its count of new failures as properties. The tree is built with ``xml.etree``, never with string templates,
and every string goes through :func:`xml_safe` first (XML 1.0 forbids most control characters).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from logwarden.reports.drift_view import DriftView, latest
from logwarden.reports.drift_view import view as drift_view
from logwarden.reports.view import (
    TOOL,
    cloud_label,
    error_reason,
    organization_keys,
    scan_seconds,
    tenant_word,
    waiver_expired,
)
from logwarden.scanner.models import CheckResult, ScanReport, Status

# Characters XML 1.0 does not allow (section 2.2), and lone surrogates.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot contain."""
    return _FORBIDDEN.sub("", text)


def junit_timestamp(iso: str) -> str:
    """``2026-11-22T05:01:00`` (UTC, no offset): the form the JUnit XSD and Jenkins expect."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def case_name(r: CheckResult) -> str:
    """The resource, with the region when the id does not already say it."""
    name = r.resource_id or r.tenant_id
    if r.region and r.region not in name:
        name = f"{name} [{r.region}]"
    return name


def _remediation_text(r: CheckResult) -> str:
    parts = [f"Remediation: {r.remediation.text}"]
    if r.remediation.cli:
        parts.append(f"CLI:\n{r.remediation.cli.rstrip()}")
    if r.remediation.terraform:
        parts.append(f"Terraform:\n{r.remediation.terraform.rstrip()}")
    return "\n\n".join(parts)


def _body(r: CheckResult, *extra: str) -> str:
    where = f"{r.cloud} {r.tenant_name} ({r.tenant_id})" + (f", {r.region}" if r.region else "")
    lines = [r.message, "", f"Control: {r.check_id} - {r.title}", f"Severity: {r.severity}"]
    lines += [f"Tenant: {where}", f"Resource: {r.resource_id}", f"Fingerprint: {r.fingerprint}"]
    lines += [e for e in extra if e]
    if r.evidence:
        lines += ["", "Evidence: " + json.dumps(r.evidence, sort_keys=True, default=str)]
    return "\n".join(lines)


def _drift_note(r: CheckResult, drift: DriftView) -> tuple[str, str, list[str]]:
    """(message prefix, message suffix, body lines) a failure gets from the drift."""
    if not drift.is_new(r):
        since = drift.failing_since.get(r.fingerprint) or r.first_seen
        return "", "", [f"Failing since: {since}"] if since else []
    prefix = f"NEW since {drift.since}: " if drift.since else "NEW: "
    who = drift.who_for(r.fingerprint)
    event = latest(who)
    suffix = f" (changed by {event.principal} via {event.action} at {event.time})" if event else ""
    lines = [f"New failure since {drift.compared}"]
    lines += [f"Caused by: {cause}" for cause in drift.causes(r.fingerprint)]
    lines += [f"Who: {w.text}" + (f" ({w.source})" if w.source else "") for w in who]
    return prefix, suffix, lines


def outcome_kind(r: CheckResult) -> str:
    """What ``r`` is in JUnit: ``failure``, ``error``, ``skipped`` (waived or not applicable)
    or ``passed``."""
    if r.status is Status.FAIL:
        return "skipped" if r.muted and r.waiver is not None else "failure"
    if r.status is Status.ERROR:
        return "error"
    if r.status is Status.SKIPPED:
        return "skipped"
    return "passed"


def _outcome(case: ET.Element, r: CheckResult, drift: DriftView | None = None) -> str:
    """Add the failure / error / skipped child for ``r``; return the kind added
    (``outcome_kind``)."""
    kind = outcome_kind(r)
    if kind == "skipped" and r.status is Status.FAIL and r.waiver is not None:
        w = r.waiver
        reason = f"waived until {w.expires} by {w.owner}: {w.reason}"
        ET.SubElement(case, "skipped", message=xml_safe(reason)).text = xml_safe(
            _body(r, "", f"Waiver: {w.reason} (owner {w.owner}, expires {w.expires}, {w.source})")
        )
        return kind
    if kind == "failure":
        note = ""
        if waiver_expired(r) and r.waiver is not None:
            note = f"Expired waiver: {r.waiver.reason} (owner {r.waiver.owner}, expired {r.waiver.expires})"
        prefix, suffix, lines = _drift_note(r, drift) if drift is not None else ("", "", [])
        body = _body(r, note, *lines, "", _remediation_text(r))
        message = prefix + r.message + suffix
        failure = ET.SubElement(case, "failure", message=xml_safe(message), type=str(r.severity))
        failure.text = xml_safe(body)
        return kind
    if kind == "error":
        message = f"could not be evaluated: {error_reason(r)}"
        error = ET.SubElement(case, "error", message=xml_safe(message), type="NotEvaluated")
        error.text = xml_safe(_body(r))
        return kind
    if kind == "skipped":
        reason = (
            r.message if r.message.startswith("not applicable") else f"not applicable: {r.message}"
        )
        ET.SubElement(case, "skipped", message=xml_safe(reason))
    return kind


def _suite_name(report: ScanReport, cloud: str, tenant_id: str, name: str, is_org: bool) -> str:
    word = "organization" if is_org else tenant_word(report, cloud)
    label = f"{cloud_label(report, cloud)} {word} {tenant_id}"
    return label if not name or tenant_id in name else f"{label} ({name})"


def _suite(
    rows: Iterable[CheckResult],
    name: str,
    properties: dict[str, str],
    timestamp: str,
    index: int,
    drift: DriftView | None = None,
) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(name), timestamp=timestamp, id=str(index))
    props = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        ET.SubElement(props, "property", name=key, value=xml_safe(value))
    counts: Counter[str] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    for r in rows:
        base = xml_safe(case_name(r))
        seen[(r.check_id, base)] += 1
        label = base if seen[(r.check_id, base)] == 1 else f"{base} #{seen[(r.check_id, base)]}"
        case = ET.SubElement(
            suite, "testcase", classname=xml_safe(r.check_id), name=label, time="0.000"
        )
        counts[_outcome(case, r, drift)] += 1
        counts["tests"] += 1
        if drift is not None and drift.is_new(r):
            counts["new"] += 1
    if drift is not None:
        ET.SubElement(props, "property", name="drift_new_failures", value=str(counts["new"]))
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", "0.000")
    return suite


def render(report: ScanReport) -> str:
    """The JUnit XML document (UTF-8, XML 1.0)."""
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


def write(report: ScanReport, out: TextIO) -> None:
    """Write the JUnit XML document to ``out`` one suite (tenant) at a time: only one
    suite's elements exist at once. The totals on ``testsuites`` are counted first, with the
    same ``outcome_kind`` each suite's counts come from."""
    orgs = organization_keys(report)
    org_of = {(t.cloud, t.id): t.organization_id or "" for t in report.tenants}
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    names: dict[tuple[str, str], str] = {(t.cloud, t.id): t.name for t in report.tenants}
    totals: Counter[str] = Counter()
    for r in report.results:
        groups.setdefault((r.cloud, r.tenant_id), []).append(r)
        names.setdefault((r.cloud, r.tenant_id), r.tenant_name)
        totals[outcome_kind(r)] += 1
    timestamp = junit_timestamp(report.started_at)
    drift = drift_view(report)
    root = ET.Element("testsuites", name=f"{TOOL} scan", timestamp=timestamp)
    root.set("tests", str(len(report.results)))
    root.set("failures", str(totals["failure"]))
    root.set("errors", str(totals["error"]))
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{scan_seconds(report):.3f}")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    if not groups:
        out.write(ET.tostring(root, encoding="unicode") + "\n")
        return
    # The root's tags and indentation around its children, cut at a placeholder child.
    ET.SubElement(root, _PLACEHOLDER)
    ET.indent(root, space=" ")
    head, tail = ET.tostring(root, encoding="unicode").split(f"<{_PLACEHOLDER} />")
    out.write(head)
    ordered = sorted(groups, key=lambda k: (k[0], k not in orgs, k[1]))
    for index, key in enumerate(ordered):
        cloud, tenant_id = key
        is_org = key in orgs
        properties = {"cloud": cloud, "scope": "organization" if is_org else "tenant"}
        properties |= {"tenant_id": tenant_id, "tenant_name": names.get(key, "")}
        if not is_org and org_of.get(key):
            properties["organization_id"] = org_of[key]
        if drift is not None:
            properties["drift_against"] = drift.drift.against
            properties["drift_since"] = drift.since
        suite = _suite(
            groups[key],
            _suite_name(report, cloud, tenant_id, names.get(key, ""), is_org),
            properties,
            timestamp,
            index,
            drift,
        )
        ET.indent(suite, space=" ", level=1)
        out.write("\n " if index else "")
        out.write(ET.tostring(suite, encoding="unicode"))
    out.write(tail + "\n")


_PLACEHOLDER = "suites"
