"""Where moto's service APIs differ from AWS in what the service-audit-log kinds read.

Gap filled (moto 5.2): ``DescribeLoadBalancerAttributes`` of an Application or Network Load
Balancer whose access logs were never configured has no ``access_logs.s3.enabled``; AWS
always answers it (``"false"`` by default). Before moto answers, the load balancer gets the
AWS default in moto's own backend, so the answer and every later one carry it.

Checked and not gaps (moto 5.2 serves them as AWS does): EKS ``logging.clusterLogging`` in
``DescribeCluster`` (every type, ``enabled: false``, for a cluster created without logging),
RDS ``EnabledCloudwatchLogsExports`` on instances and clusters, and Route 53 Resolver query
logging configurations and their VPC associations, with paging.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from logwarden_sandbox.aws_faults import RequestInfo

#: AWS's defaults that moto leaves out, per load balancer type.
DEFAULT_ATTRIBUTES = {
    "application": {"access_logs.s3.enabled": "false"},
    "network": {"access_logs.s3.enabled": "false"},
}


def fill_elbv2_defaults(info: RequestInfo) -> None:
    """Give the load balancer an ELBv2 attribute request names AWS's defaults (if moto has it)."""
    if info.service != "elbv2" or info.action != "DescribeLoadBalancerAttributes":
        return
    from moto.elbv2.models import elbv2_backends

    arn = (parse_qs(info.body.decode("utf-8", "replace")).get("LoadBalancerArn") or [""])[0]
    regions: Any = elbv2_backends.get(info.account) or {}
    backend = regions.get(info.region)
    balancer = backend.load_balancers.get(arn) if backend is not None else None
    if balancer is None:
        return  # moto answers LoadBalancerNotFound
    for key, value in DEFAULT_ATTRIBUTES.get(balancer.type, {}).items():
        balancer.attrs.setdefault(key, value)
