"""The APIs the monitoring fakes answer for (``gcp_monitoring_grpc``, ``gcp_monitoring_rest``),
as ``Faults.add`` names them."""

from __future__ import annotations

MONITORING_APIS = ("monitoring", "serviceusage", "accessapproval")
#: The APIs served over gRPC (their answers are typed by the proto: no MISTYPE fault).
GRPC_APIS = ("logging", "monitoring")
