"""Monitoring documents for the offline GCP tests: the ``gcp.monitoring.log_metric_alerts``
document of a project whose logs are counted in the central project ``lw-logging``, with one
metric (the CIS filter) and one alert policy per CIS GCP 2.4-2.11 recommendation."""

from __future__ import annotations

import copy
from typing import Any

from logwarden.checks.gcp.cis_metric_filters import REQUIREMENTS
from logwarden.scanner.models import Resource

CENTRAL = "lw-logging"
CHANNEL = f"projects/{CENTRAL}/notificationChannels/1"


def metric_name(cis_id: str) -> str:
    """The metric name used for a CIS recommendation (``cis-2-4``)."""
    return "cis-" + cis_id.replace(".", "-")


def metric(project: str, name: str, filter_text: str, **changes: Any) -> dict[str, Any]:
    """A metric entry of the document."""
    doc = {
        "Project": project,
        "name": name,
        "filter": filter_text,
        "disabled": False,
        "bucketName": "",
        "MetricType": f"logging.googleapis.com/user/{name}",
    }
    doc.update(changes)
    return doc


def policy(project: str, name: str, metric_name_: str, **changes: Any) -> dict[str, Any]:
    """An alert policy entry on ``metric_name_`` with one enabled channel."""
    doc = {
        "Project": project,
        "name": f"projects/{project}/alertPolicies/{name}",
        "displayName": name,
        "enabled": True,
        "MetricTypes": [f"logging.googleapis.com/user/{metric_name_}"],
        "PromQLUserMetrics": [],
        "NotificationChannels": [
            {"name": CHANNEL, "Found": True, "type": "email", "enabled": True}
        ],
    }
    doc.update(changes)
    return doc


def alerting_doc(project: str) -> dict[str, Any]:
    """The compliant document of ``project`` (the central project is in its metrics scope)."""
    sources = [{"Project": project, "Via": ["the project itself"], "Buckets": [],
                "PolicyProjects": [project]}]  # fmt: skip
    if project != CENTRAL:
        sources.append(
            {
                "Project": CENTRAL,
                "Via": [f"the metrics scope of projects/{CENTRAL} includes the project"],
                "Buckets": [],
                "PolicyProjects": [CENTRAL],
            }
        )
    return {
        "projectId": project,
        "Sources": sources,
        "Metrics": [metric(CENTRAL, metric_name(r.cis_id), r.filter) for r in REQUIREMENTS],
        "AlertPolicies": [
            policy(CENTRAL, f"alert-{metric_name(r.cis_id)}", metric_name(r.cis_id))
            for r in REQUIREMENTS
        ],
    }


def alerting_resource(project: str, doc: dict[str, Any] | None = None) -> Resource:
    """The document as a resource of ``project``."""
    data = copy.deepcopy(doc) if doc is not None else alerting_doc(project)
    rid = f"//monitoring.googleapis.com/projects/{project}/logMetricAlerts"
    return Resource("gcp.monitoring.log_metric_alerts", rid, project, "", data)


def exporting_sinks_resource(project: str, org: str, exists: bool = True) -> Resource:
    """The project's ``gcp.logging.exporting_sinks``: the organization's empty-filter sink."""
    sink = {
        "Id": f"//logging.googleapis.com/{org}/sinks/all-entries",
        "Level": "organization",
        "Parent": org,
        "name": "all-entries",
        "destination": f"logging.googleapis.com/projects/{CENTRAL}",
        "filter": "",
        "disabled": False,
        "includeChildren": True,
        "exclusions": [],
        "DestinationType": "project",
        "DestinationExists": exists,
    }
    data = {"projectId": project, "Sinks": [sink]}
    rid = f"//logging.googleapis.com/projects/{project}/exportingSinks"
    return Resource("gcp.logging.exporting_sinks", rid, project, "", data)


def cloud_asset_resource(project: str, state: str = "ENABLED") -> Resource:
    """The project's Cloud Asset API as Service Usage answers."""
    service = "cloudasset.googleapis.com"
    data = {
        "name": f"projects/1/services/{service}",
        "parent": "projects/1",
        "state": state,
        "config": {"name": service, "title": "Cloud Asset API"},
        "projectId": project,
        "Service": service,
    }
    rid = f"//serviceusage.googleapis.com/projects/{project}/services/{service}"
    return Resource("gcp.serviceusage.service", rid, project, "", data)


def access_approval_resource(org: str, enrolled: tuple[str, ...] = ("all",)) -> Resource:
    """The organization's Access Approval settings."""
    data = {
        "name": f"{org}/accessApprovalSettings",
        "enrolledServices": [{"cloudProduct": p, "enrollmentLevel": "BLOCK_ALL"} for p in enrolled],
        "Parent": org,
        "Enrolled": bool(enrolled),
    }
    rid = f"//accessapproval.googleapis.com/{org}/accessApprovalSettings"
    return Resource("gcp.accessapproval.settings", rid, org, "", data)


def reader(
    member: str, role: str = "roles/logging.viewer", at: str = "projects/lw-logging"
) -> dict[str, Any]:
    """A reader entry of ``gcp.logging.destination_access``."""
    return {"member": member, "role": role, "grantedAt": at, "condition": None}


def destination_access_resource(
    bucket_id: str,
    name: str,
    kind: str,
    readers: list[dict[str, Any]] | None = None,
    writer_roles: tuple[str, ...] = (),
) -> Resource:
    """Who can read a destination bucket of ``lw-logging`` and what its sink's writer holds."""
    needed = (
        "roles/logging.bucketWriter" if kind == "logging-bucket" else "roles/storage.objectCreator"
    )
    writer = "serviceAccount:service-org-111@gcp-sa-logging.iam.gserviceaccount.com"
    data = {
        "Bucket": name,
        "BucketId": bucket_id,
        "DestinationType": kind,
        "projectId": CENTRAL,
        "Readers": readers if readers is not None else [reader("group:auditors@example.com")],
        "Writers": [
            {
                "sink": "//logging.googleapis.com/organizations/111/sinks/org-audit",
                "writerIdentity": writer,
                "Roles": [
                    {"role": r, "grantedAt": "projects/lw-logging"} for r in (needed, *writer_roles)
                ],
            }
        ],
        "NeededWriterRoles": [needed],
        "OrganizationDomain": "example.com",
        "ScannedProjects": [CENTRAL, "lw-app"],
    }
    return Resource("gcp.logging.destination_access", f"{bucket_id}/access", CENTRAL, "", data)
