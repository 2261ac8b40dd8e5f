"""gcp.monitoring.*_alert (CIS GCP 2.4-2.11): a log-based metric with the CIS filter counts the
project's audit logs, and an enabled alert policy with an enabled notification channel watches it.

The document ``gcp.monitoring.log_metric_alerts`` lists where the project's logs are counted
(``Sources``: the project, the projects whose metrics scope includes it, its aggregated sinks'
destination projects), their metrics and the policies that can alert on them. A metric counts
when it is enabled, its filter qualifies (:func:`metric_filters.qualifies`: every entry the CIS
filter selects is counted, whatever the spacing, order or parentheses), and, when it is scoped
to one log bucket, that bucket receives the project's audit logs. A policy counts when it is
enabled, one of its conditions reads the metric's type, it lives in the metric's project or in
a project whose metrics scope includes it, and one of its notification channels is enabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.checks.gcp.cis_metric_filters import BY_CIS_ID, MetricRequirement
from logwarden.checks.gcp.metric_filters import qualifies
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, CheckFunction, Outcome, Status

KIND = "gcp.monitoring.log_metric_alerts"
SHOWN = 3
#: Control id -> CIS GCP v3.0.0 recommendation.
CONTROLS: dict[str, str] = {
    "gcp.monitoring.project_ownership_changes_alert": "2.4",
    "gcp.monitoring.audit_config_changes_alert": "2.5",
    "gcp.monitoring.custom_role_changes_alert": "2.6",
    "gcp.monitoring.firewall_rule_changes_alert": "2.7",
    "gcp.monitoring.route_changes_alert": "2.8",
    "gcp.monitoring.network_changes_alert": "2.9",
    "gcp.monitoring.storage_iam_changes_alert": "2.10",
    "gcp.monitoring.sql_instance_changes_alert": "2.11",
}


def _promql_name(metric_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:]", "_", metric_name)


def _watches(policy: Mapping[str, Any], metric: Mapping[str, Any]) -> bool:
    if metric.get("MetricType") in (policy.get("MetricTypes") or ()):
        return True
    return _promql_name(str(metric.get("name"))) in (policy.get("PromQLUserMetrics") or ())


def policy_gaps(policy: Mapping[str, Any]) -> list[str]:
    """Why an alert policy that watches a metric does not count (empty: it counts)."""
    gaps = []
    if policy.get("enabled") is not True:
        gaps.append("the policy is disabled")
    channels = list(policy.get("NotificationChannels") or ())
    if not channels:
        gaps.append("it has no notification channel")
    elif not any(c.get("enabled") is True for c in channels):
        states = ", ".join(
            f"{c.get('name')} ({'disabled' if c.get('Found') else 'not found'})" for c in channels
        )
        gaps.append(f"none of its notification channels is enabled: {states}")
    return gaps


def metric_gaps(
    metric: Mapping[str, Any], source: Mapping[str, Any], requirement: MetricRequirement
) -> tuple[bool, list[str]]:
    """Whether the metric's filter qualifies for ``requirement``, and why the metric does not
    count (empty: it counts)."""
    gaps = []
    if metric.get("disabled") is True:
        gaps.append("the metric is disabled")
    bucket = str(metric.get("bucketName") or "")
    if bucket and bucket not in (source.get("Buckets") or ()):
        gaps.append(
            f"it counts only the entries of log bucket {bucket}, which does not receive them"
        )
    verdict = qualifies(str(metric.get("filter") or ""), requirement)
    if not verdict.ok:
        gaps.append(verdict.reason)
    return verdict.ok, gaps


def evaluate(doc: Mapping[str, Any], requirement: MetricRequirement) -> tuple[bool, dict[str, Any]]:
    """Whether a metric and an alert policy satisfy ``requirement`` for the project, and the
    evidence: the candidates, where they were found and why they do not count."""
    sources = {str(s.get("Project")): s for s in doc.get("Sources") or ()}
    policies = list(doc.get("AlertPolicies") or ())
    evidence: dict[str, Any] = {
        "sources": {p: list(s.get("Via") or ()) for p, s in sources.items()},
        "metrics": {},
    }
    for metric in doc.get("Metrics") or ():
        source = sources.get(str(metric.get("Project")), {})
        label = f"projects/{metric.get('Project')}/metrics/{metric.get('name')}"
        filter_ok, gaps = metric_gaps(metric, source, requirement)
        holders = set(source.get("PolicyProjects") or ())
        watching = [p for p in policies if str(p.get("Project")) in holders and _watches(p, metric)]
        verdicts = {str(p.get("name")): policy_gaps(p) or ["counts"] for p in watching}
        if not watching:
            gaps.append("no alert policy in a project that can alert on it reads the metric")
        elif not any(v == ["counts"] for v in verdicts.values()):
            why = "; ".join(f"{n}: {', '.join(v)}" for n, v in verdicts.items())
            gaps.append(f"no alert policy on it counts ({why})")
        evidence["metrics"][label] = {
            "found_via": list(source.get("Via") or ()),
            "verdict": gaps or ["counts"],
            "filter_ok": filter_ok,
            "alert_policies": verdicts,
        }
        if not gaps:
            evidence["satisfied_by"] = {
                "metric": label,
                "found_via": list(source.get("Via") or ()),
                "alert_policy": next(n for n, v in verdicts.items() if v == ["counts"]),
            }
            return True, evidence
    return False, evidence


def _closeness(item: tuple[str, dict[str, Any]]) -> tuple[bool, bool]:
    """Near misses first: a qualifying filter, then a filter that misses only some cases."""
    verdict = item[1]
    return not verdict["filter_ok"], any("may miss any entry" in g for g in verdict["verdict"])


def _check(cis_id: str) -> CheckFunction:
    requirement = BY_CIS_ID[cis_id]

    def run(ctx: CheckContext) -> Iterator[Outcome]:
        subject = subject_id(ctx)
        docs = ctx.resources(KIND)
        if not docs:
            yield Outcome(
                Status.ERROR, "no log metric and alerting document was collected", subject
            )
            return
        ok, evidence = evaluate(docs[0].data, requirement)
        what = f"CIS {cis_id} ({requirement.title})"
        if ok:
            found = evidence["satisfied_by"]
            where = found["found_via"][0]
            yield Outcome(
                Status.PASS,
                f"{found['metric']} counts {what} ({where}) and {found['alert_policy']} alerts on it",
                subject,
                evidence=evidence,
            )
            return
        # metrics whose filter qualifies first: they are the near misses
        ranked = sorted(evidence["metrics"].items(), key=_closeness)
        near = [f"{m}: {'; '.join(v['verdict'])}" for m, v in ranked]
        more = f" (and {len(near) - SHOWN} more)" if len(near) > SHOWN else ""
        places = ", ".join(f"projects/{p}" for p in evidence["sources"])
        message = f"no log-based metric with an alert policy counts {what} in {places}"
        message += f"; candidates: {' | '.join(near[:SHOWN])}{more}" if near else ""
        yield Outcome(Status.FAIL, message, subject, evidence=evidence)

    return run


CHECKS: dict[str, CheckFunction] = {control: _check(cis_id) for control, cis_id in CONTROLS.items()}
