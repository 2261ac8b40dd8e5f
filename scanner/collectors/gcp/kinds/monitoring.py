"""``gcp.monitoring.log_metric_alerts``: the log-based metrics and alert policies that watch a
project's audit logs (CIS GCP 2.4-2.11), wherever they live.

A project's logs are counted by log-based metrics in three kinds of places (``Sources``): the
project itself; every project whose Cloud Monitoring metrics scope includes it (a central
monitoring project: ``ListMetricsScopesByMonitoredProject``); and the destination project of
every organization or folder sink above it that exports its Admin Activity audit logs to a log
bucket or a project (``gcp.logging.org_sink``). For each source that has metrics, the alert
policies of the projects that can alert on them (the source and the projects whose metrics
scope includes it) are read, with the notification channels they name. Every list is read once
per scan, however many projects share a central project. Qualifying the filters and pairing
metrics with policies is the checks' work (``checks/gcp/metric_alerts.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.gcp import monitoring_api
from logwarden.scanner.collectors.gcp.common import (
    GCP_ERRORS,
    LOG_METRIC_ALERTS,
    MONITORING,
    NAME,
    ORG_SINK,
    PROJECT,
    failure,
    project_numbers,
    rekind,
    resource,
    session_of,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError
USER_METRIC = re.compile(r"logging\.googleapis\.com/user/([^\"'\s|)]+)")
PROMQL_METRIC = re.compile(r"logging_googleapis_com:user_([A-Za-z0-9_:]+)")
SINK_DESTINATIONS = ("logging-bucket", "project")


def metric_references(condition: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The user-defined log-based metric types a policy condition reads: from Monitoring
    filters and MQL (``logging.googleapis.com/user/NAME``), and PromQL names
    (``logging_googleapis_com:user_NAME``, returned as the part after ``user_``)."""
    texts = [
        str((condition.get(key) or {}).get(field) or "")
        for key, field in (
            ("conditionThreshold", "filter"),
            ("conditionAbsent", "filter"),
            ("conditionMonitoringQueryLanguage", "query"),
        )
    ]
    types = [f"logging.googleapis.com/user/{m}" for t in texts for m in USER_METRIC.findall(t)]
    promql = str((condition.get("conditionPrometheusQueryLanguage") or {}).get("query") or "")
    return types, PROMQL_METRIC.findall(promql)


def _sink_sources(inv: Inventory, numbers: dict[str, str]) -> tuple[dict[str, Any], list[Item]]:
    """Destination project -> (sink ids, log buckets) of the aggregated sinks above the project
    that export its Admin Activity audit logs."""
    me = inv.owner_id
    sinks, errors = inv.org_kind(ORG_SINK)
    out: list[Item] = [
        rekind(e, LOG_METRIC_ALERTS, me, "organization and folder sinks") for e in errors
    ]
    tenant = inv.tenant
    chain = set(tenant.parents if tenant is not None else ())
    found: dict[str, Any] = {}
    for sink in sinks:
        data = sink.data
        if data.get("Parent") not in chain or data.get("BuiltIn"):
            continue
        if data.get("includeChildren") is not True or data.get("disabled") is True:
            continue
        activity = (data.get("AuditLogTypes") or {}).get("activity") or {}
        if activity.get("Exported") is not True:
            continue
        if data.get("DestinationType") not in SINK_DESTINATIONS:
            continue
        if data.get("DestinationExists") is False:
            continue  # nothing arrives there
        parts = data.get("DestinationParts") or {}
        project = numbers.get(str(parts.get("Project")), str(parts.get("Project")))
        entry = found.setdefault(project, {"sinks": [], "buckets": []})
        entry["sinks"].append(sink.id)
        if parts.get("Bucket"):
            entry["buckets"].append(
                f"projects/{project}/locations/{parts['Location']}/buckets/{parts['Bucket']}"
            )
    return found, out


def _bucket_by_id(name: str, numbers: dict[str, str]) -> str:
    """A log bucket name with a scanned project's number replaced by its id."""
    parts = name.split("/")
    if len(parts) > 1 and parts[0] == "projects":
        parts[1] = numbers.get(parts[1], parts[1])
    return "/".join(parts)


def _policy_doc(session: Any, project: str, policy: dict[str, Any]) -> dict[str, Any]:
    types: list[str] = []
    promql: list[str] = []
    for condition in policy.get("conditions") or ():
        found_types, found_promql = metric_references(condition)
        types += found_types
        promql += found_promql
    channels = []
    for name in policy.get("notificationChannels") or ():
        owner = str(name).split("/")[1] if str(name).startswith("projects/") else project
        known = monitoring_api.list_notification_channels(session, owner).get(str(name))
        channels.append(
            {
                "name": name,
                "Found": known is not None,
                "type": (known or {}).get("type"),
                "enabled": (known or {}).get("enabled") is True,
            }
        )
    return {
        "Project": project,
        "name": policy.get("name"),
        "displayName": policy.get("displayName"),
        "enabled": policy.get("enabled") is True,
        "MetricTypes": sorted(set(types)),
        "PromQLUserMetrics": sorted(set(promql)),
        "NotificationChannels": channels,
    }


def collect_log_metric_alerts(inv: Inventory) -> Iterator[Item]:
    """One document per project: its metric sources, their metrics and alert policies."""
    me = inv.owner_id
    session = session_of(inv)
    numbers = project_numbers(inv)
    sink_sources, errors = _sink_sources(inv, numbers)
    yield from errors
    if errors:
        return
    try:
        scopers = [numbers.get(p, p) for p in monitoring_api.scoping_projects(session, me)]
    except GCP_ERRORS as exc:
        yield failure(me, LOG_METRIC_ALERTS, exc, f"listing the metrics scopes that include {me}")
        return
    sources: dict[str, dict[str, Any]] = {}

    def add(project: str, via: str, buckets: list[str]) -> None:
        entry = sources.setdefault(project, {"Project": project, "Via": [], "Buckets": []})
        entry["Via"].append(via)
        entry["Buckets"] += [b for b in buckets if b not in entry["Buckets"]]

    add(me, "the project itself", [f"projects/{me}/locations/global/buckets/_Required"])
    for scoper in scopers:
        if scoper != me:
            add(scoper, f"the metrics scope of projects/{scoper} includes the project", [])
    for project, found in sorted(sink_sources.items()):
        for sink_id in found["sinks"]:
            add(project, f"destination of sink {sink_id}", found["buckets"])
    metrics: list[dict[str, Any]] = []
    policies: dict[str, dict[str, Any]] = {}
    failed = False
    for project, source in sources.items():
        try:
            own = monitoring_api.list_log_metrics(session, project)
            source["PolicyProjects"] = []
            if own:
                policy_projects = [project] + [
                    numbers.get(p, p) for p in monitoring_api.scoping_projects(session, project)
                ]
                source["PolicyProjects"] = list(dict.fromkeys(policy_projects))
            for holder in source["PolicyProjects"]:
                for policy in monitoring_api.list_alert_policies(session, holder):
                    policies.setdefault(
                        str(policy.get("name")), _policy_doc(session, holder, policy)
                    )
        except GCP_ERRORS as exc:
            yield failure(
                me,
                LOG_METRIC_ALERTS,
                exc,
                f"reading the metrics and alerting of projects/{project}",
            )
            failed = True
            continue
        for metric in own:
            metrics.append(
                {
                    "Project": project,
                    "name": metric.get("name"),
                    "filter": metric.get("filter", ""),
                    "disabled": metric.get("disabled") is True,
                    "bucketName": _bucket_by_id(str(metric.get("bucketName") or ""), numbers),
                    "MetricType": f"logging.googleapis.com/user/{metric.get('name')}",
                }
            )
    if failed:
        return  # a missing source could hide the metric that qualifies
    data = {
        "projectId": me,
        "Sources": list(sources.values()),
        "Metrics": metrics,
        "AlertPolicies": [policies[k] for k in sorted(policies)],
    }
    rid = f"{MONITORING}projects/{me}/logMetricAlerts"
    yield resource(LOG_METRIC_ALERTS, rid, me, "", data)


KINDS = [
    ResourceKind(
        name=LOG_METRIC_ALERTS,
        reads=(ORG_SINK, PROJECT),
        cloud=NAME,
        description=(
            "Log-based metrics and alert policies that count the project's audit logs: its "
            "own, its central monitoring projects' and its aggregated sinks' destinations'."
        ),
        collect=collect_log_metric_alerts,
        stage=2,
    ),
]
