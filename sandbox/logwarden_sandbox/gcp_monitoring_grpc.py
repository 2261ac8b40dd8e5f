"""The gRPC side of the monitoring fakes: Logging's ``MetricsServiceV2.ListLogMetrics``,
Monitoring's ``AlertPolicyService.ListAlertPolicies`` and
``NotificationChannelService.ListNotificationChannels`` (paged by ``nextPageToken``), and
``MetricsScopes.ListMetricsScopesByMonitoredProject`` (one answer, as Google's has no paging).

Served by the same ``grpc.server`` as the Logging config service (``gcp_grpc.GrpcFake``), with
its error and broken-answer handling; requests and answers are the libraries' own messages.
"""

from __future__ import annotations

import re
from typing import Any

import grpc
from google.cloud.logging_v2.types import logging_metrics as lm
from google.cloud.monitoring_metrics_scope_v1 import types as ms
from google.cloud.monitoring_v3 import types as mon

from logwarden_sandbox.gcp_faults import FakeError
from logwarden_sandbox.gcp_grpc import _handler, _Servicer
from logwarden_sandbox.gcp_state import FakeGcp

PAGE_SIZE = 2
PROJECT = re.compile(r"^projects/(?P<ref>[^/]+)$")
METRICS_SERVICE = "google.logging.v2.MetricsServiceV2"
POLICY_SERVICE = "google.monitoring.v3.AlertPolicyService"
CHANNEL_SERVICE = "google.monitoring.v3.NotificationChannelService"
SCOPES_SERVICE = "google.monitoring.metricsscope.v1.MetricsScopes"


def _page(items: list[Any], token: str) -> tuple[list[Any], str]:
    start = int(token or 0)
    end = start + PAGE_SIZE
    return items[start:end], (str(end) if end < len(items) else "")


class _Monitoring(_Servicer):
    def _project(self, api: str, method: str, name: str, page_token: str = "") -> str:
        """Count the call (each page on its own: ``NAME?pageToken=T``), apply faults; the
        project's number."""
        found = PROJECT.match(name)
        if not found:
            raise FakeError("INVALID_ARGUMENT", f"invalid resource name {name!r}")
        counted = f"{name}?pageToken={page_token}" if page_token else name
        self.local.fault = self.fake.enter(api, method, counted, found["ref"])
        number = self.fake.project_number(found["ref"])
        if number is None:
            raise FakeError("NOT_FOUND", f"project {found['ref']} not found")
        return number

    def list_log_metrics(self, request: lm.ListLogMetricsRequest, _: Any) -> Any:
        number = self._project("logging", "ListLogMetrics", request.parent, request.page_token)
        metrics = self.fake.snapshot.monitoring.metrics.get(number, [])
        items, token = _page(metrics, request.page_token)
        return lm.ListLogMetricsResponse(metrics=items, next_page_token=token)

    def list_alert_policies(self, request: mon.ListAlertPoliciesRequest, _: Any) -> Any:
        number = self._project("monitoring", "ListAlertPolicies", request.name, request.page_token)
        policies = self.fake.snapshot.monitoring.policies.get(number, [])
        items, token = _page(policies, request.page_token)
        return mon.ListAlertPoliciesResponse(
            alert_policies=items, next_page_token=token, total_size=len(policies)
        )

    def list_notification_channels(
        self, request: mon.ListNotificationChannelsRequest, _: Any
    ) -> Any:
        number = self._project(
            "monitoring", "ListNotificationChannels", request.name, request.page_token
        )
        channels = self.fake.snapshot.monitoring.channels.get(number, [])
        items, token = _page(channels, request.page_token)
        return mon.ListNotificationChannelsResponse(
            notification_channels=items, next_page_token=token, total_size=len(channels)
        )

    def list_scopes(self, request: ms.ListMetricsScopesByMonitoredProjectRequest, _: Any) -> Any:
        number = self._project(
            "monitoring",
            "ListMetricsScopesByMonitoredProject",
            request.monitored_resource_container,
        )
        scopes = self.fake.snapshot.monitoring.scopes.get(number, [])
        return ms.ListMetricsScopesByMonitoredProjectResponse(metrics_scopes=scopes)


def handlers(fake: FakeGcp) -> list[grpc.GenericRpcHandler]:
    """The generic handlers of the four services, for ``grpc.Server.add_generic_rpc_handlers``."""
    servicer = _Monitoring(fake)
    return [
        grpc.method_handlers_generic_handler(
            METRICS_SERVICE,
            {
                "ListLogMetrics": _handler(
                    servicer,
                    servicer.list_log_metrics,
                    lm.ListLogMetricsRequest,
                    lm.ListLogMetricsResponse,
                )
            },
        ),
        grpc.method_handlers_generic_handler(
            POLICY_SERVICE,
            {
                "ListAlertPolicies": _handler(
                    servicer,
                    servicer.list_alert_policies,
                    mon.ListAlertPoliciesRequest,
                    mon.ListAlertPoliciesResponse,
                )
            },
        ),
        grpc.method_handlers_generic_handler(
            CHANNEL_SERVICE,
            {
                "ListNotificationChannels": _handler(
                    servicer,
                    servicer.list_notification_channels,
                    mon.ListNotificationChannelsRequest,
                    mon.ListNotificationChannelsResponse,
                )
            },
        ),
        grpc.method_handlers_generic_handler(
            SCOPES_SERVICE,
            {
                "ListMetricsScopesByMonitoredProject": _handler(
                    servicer,
                    servicer.list_scopes,
                    ms.ListMetricsScopesByMonitoredProjectRequest,
                    ms.ListMetricsScopesByMonitoredProjectResponse,
                )
            },
        ),
    ]
