"""Reads of Logging metrics, Cloud Monitoring, Metrics Scopes, Service Usage and Access
Approval, each memoised for the scan (a central project's answers are read once, however many
projects they serve). Every function raises the Google error when the call fails."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.gcp.common import normalise
from logwarden.scanner.collectors.gcp.session import GcpSession

CLOUD_ASSET = "cloudasset.googleapis.com"


def list_log_metrics(session: GcpSession, project: str) -> list[dict[str, Any]]:
    """The log-based metrics of ``project`` (id or number), all pages."""

    def call() -> list[dict[str, Any]]:
        pages = session.client("metrics").list_log_metrics(
            parent=f"projects/{project}", **session.call_options()
        )
        return [dict(normalise(metric)) for metric in pages]

    return session.memo(("logging:metrics", project), call)


def list_alert_policies(session: GcpSession, project: str) -> list[dict[str, Any]]:
    """The alert policies of ``project``, all pages."""

    def call() -> list[dict[str, Any]]:
        pages = session.client("alert_policies").list_alert_policies(
            name=f"projects/{project}", **session.call_options()
        )
        return [dict(normalise(policy)) for policy in pages]

    return session.memo(("monitoring:policies", project), call)


def list_notification_channels(session: GcpSession, project: str) -> dict[str, dict[str, Any]]:
    """The notification channels of ``project`` by resource name, all pages."""

    def call() -> dict[str, dict[str, Any]]:
        pages = session.client("channels").list_notification_channels(
            name=f"projects/{project}", **session.call_options()
        )
        channels = [dict(normalise(channel)) for channel in pages]
        return {str(c["name"]): c for c in channels}

    return session.memo(("monitoring:channels", project), call)


def scoping_projects(session: GcpSession, project: str) -> list[str]:
    """The projects whose metrics scope includes ``project`` (ids or numbers, as Google names
    them in ``locations/global/metricsScopes/P``), the project's own scope included if listed."""

    def call() -> list[str]:
        answer = session.client("metrics_scopes").list_metrics_scopes_by_monitored_project(
            request={"monitored_resource_container": f"projects/{project}"},
            **session.call_options(),
        )
        doc = normalise(answer)
        return [str(s["name"]).rsplit("/", 1)[-1] for s in doc.get("metricsScopes") or ()]

    return session.memo(("monitoring:scopes", project), call)


def get_service(session: GcpSession, project: str, service: str) -> dict[str, Any]:
    """Service Usage's view of ``service`` in ``project`` (``state`` ENABLED or DISABLED)."""

    def call() -> dict[str, Any]:
        answer = session.client("serviceusage").get_service(
            request={"name": f"projects/{project}/services/{service}"}, **session.call_options()
        )
        return dict(normalise(answer))

    return session.memo(("serviceusage:service", project, service), call)


def access_approval_settings(session: GcpSession, node: str) -> dict[str, Any]:
    """The Access Approval settings of ``node`` (``organizations/N``)."""

    def call() -> dict[str, Any]:
        answer = session.client("accessapproval").get_access_approval_settings(
            name=f"{node}/accessApprovalSettings", **session.call_options()
        )
        return dict(normalise(answer))

    return session.memo(("accessapproval:settings", node), call)
