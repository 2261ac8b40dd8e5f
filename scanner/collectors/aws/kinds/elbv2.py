"""``aws.elbv2.load_balancer``: Application, Network and Gateway Load Balancers, with the
access-log attributes of those that can write access logs.

Gateway Load Balancers have no access logs (they pass traffic to appliances without
terminating it): they are listed, with ``AccessLogsSupported: false``, and their attributes
are not read. Classic Load Balancers (the ``elb`` API) are not collected.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    LOAD_BALANCER,
    NAME,
    failure,
    problem,
    resource,
)
from logwarden.scanner.collectors.aws.regional import Item, collect_by_region
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import ResourceKind

#: The load balancer types that write access logs to S3.
LOGGING_TYPES = ("application", "network")
ENABLED = "access_logs.s3.enabled"
_FIELDS = ("LoadBalancerArn", "LoadBalancerName", "Type", "Scheme", "VpcId", "DNSName", "State")


def _read_region(session: AwsSession, me: str, region: str) -> Iterator[Item]:
    client = session.client("elbv2", region)
    balancers = [
        lb
        for page in client.get_paginator("describe_load_balancers").paginate()
        for lb in page["LoadBalancers"]
    ]
    for lb in sorted(balancers, key=lambda b: b["LoadBalancerArn"]):
        arn, name = lb["LoadBalancerArn"], lb["LoadBalancerName"]
        data = {key: lb[key] for key in _FIELDS if key in lb}
        data["Name"] = name
        data["AccessLogsSupported"] = lb["Type"] in LOGGING_TYPES
        if data["AccessLogsSupported"]:
            try:
                answer = client.describe_load_balancer_attributes(LoadBalancerArn=arn)
            except AWS_ERRORS as exc:
                yield failure(me, LOAD_BALANCER, region, exc, f"reading the attributes of {name}")
                continue
            attributes = {a["Key"]: a.get("Value", "") for a in answer["Attributes"]}
            if ENABLED not in attributes:
                # AWS always answers it for these types: an answer without it was not read whole.
                yield problem(
                    me,
                    LOAD_BALANCER,
                    region,
                    "AttributeMissing",
                    f"the attributes of {name} do not say whether access logs are on ({ENABLED})",
                )
                continue
            data["Attributes"] = attributes
            data["AccessLogsEnabled"] = attributes[ENABLED] == "true"
            data["AccessLogsBucket"] = attributes.get("access_logs.s3.bucket", "")
            data["AccessLogsPrefix"] = attributes.get("access_logs.s3.prefix", "")
        yield resource(LOAD_BALANCER, arn, me, region, data)


def collect_load_balancers(inv: Inventory) -> Iterator[Item]:
    """DescribeLoadBalancers per region, DescribeLoadBalancerAttributes per ALB and NLB."""
    return collect_by_region(
        inv, LOAD_BALANCER, "Elastic Load Balancing v2 load balancers", _read_region
    )


KINDS = [
    ResourceKind(
        name=LOAD_BALANCER,
        reads=(),
        cloud=NAME,
        description="Elastic Load Balancing v2 load balancers with their access-log attributes.",
        collect=collect_load_balancers,
        stage=1,
        volatile=("State",),  # provisioning, active, failed
    ),
]
