"""The clients of Cloud Monitoring, Logging metrics, Metrics Scopes, Service Usage and Access
Approval, built like the session's other clients (see ``session.py``).

Endpoint overrides are the session's own: the gRPC APIs (Logging metrics, Monitoring's alert
policies and notification channels, Metrics Scopes) use ``logging_endpoint`` (one insecure
loopback channel, as Cloud Logging does), the REST APIs (Service Usage, Access Approval) use
``resource_manager_endpoint``. Without overrides every client talks to Google with the scan's
credentials and quota project, so a sandbox config (``credentials: anonymous``, every endpoint
on loopback) can never reach Google through one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from logwarden.scanner.collectors.gcp.settings import GcpSettings


def _metrics(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.logging_v2.services.metrics_service_v2 import MetricsServiceV2Client
    from google.cloud.logging_v2.services.metrics_service_v2.transports.grpc import (
        MetricsServiceV2GrpcTransport,
    )

    return _grpc(MetricsServiceV2Client, MetricsServiceV2GrpcTransport, settings, credentials)


def _alert_policies(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.monitoring_v3.services.alert_policy_service import AlertPolicyServiceClient
    from google.cloud.monitoring_v3.services.alert_policy_service.transports.grpc import (
        AlertPolicyServiceGrpcTransport,
    )

    return _grpc(AlertPolicyServiceClient, AlertPolicyServiceGrpcTransport, settings, credentials)


def _channels(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.monitoring_v3.services.notification_channel_service import (
        NotificationChannelServiceClient,
    )
    from google.cloud.monitoring_v3.services.notification_channel_service.transports.grpc import (
        NotificationChannelServiceGrpcTransport,
    )

    return _grpc(
        NotificationChannelServiceClient,
        NotificationChannelServiceGrpcTransport,
        settings,
        credentials,
    )


def _metrics_scopes(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.monitoring_metrics_scope_v1.services.metrics_scopes import (
        MetricsScopesClient,
    )
    from google.cloud.monitoring_metrics_scope_v1.services.metrics_scopes.transports.grpc import (
        MetricsScopesGrpcTransport,
    )

    return _grpc(MetricsScopesClient, MetricsScopesGrpcTransport, settings, credentials)


def _service_usage(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.service_usage_v1 import ServiceUsageClient

    return _rest(ServiceUsageClient, settings, credentials)


def _access_approval(settings: GcpSettings, credentials: Credentials) -> Any:
    from google.cloud.accessapproval_v1 import AccessApprovalClient

    return _rest(AccessApprovalClient, settings, credentials)


def _grpc(client_cls: Any, transport_cls: Any, settings: GcpSettings, credentials: Any) -> Any:
    from logwarden.scanner.collectors.gcp.session import grpc_client

    return grpc_client(client_cls, transport_cls, settings, credentials, settings.quota_project)


def _rest(client_cls: Any, settings: GcpSettings, credentials: Any) -> Any:
    from google.api_core.client_options import ClientOptions

    options = ClientOptions(
        api_endpoint=settings.resource_manager_endpoint, quota_project_id=settings.quota_project
    )
    return client_cls(credentials=credentials, transport="rest", client_options=options)


#: Session client name -> factory.
FACTORIES: dict[str, Callable[[GcpSettings, Credentials], Any]] = {
    "metrics": _metrics,
    "alert_policies": _alert_policies,
    "channels": _channels,
    "metrics_scopes": _metrics_scopes,
    "serviceusage": _service_usage,
    "accessapproval": _access_approval,
}
