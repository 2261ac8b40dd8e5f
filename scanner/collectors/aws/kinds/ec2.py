"""``aws.ec2.vpc``: every VPC of the scanned regions, with its flow logs (CIS AWS 4.7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    all_pages,
    failure,
    regions_or_error,
    resource,
    session_of,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

VPC = "aws.ec2.vpc"
# A flow log that captures rejected traffic: what CIS asks for at least.
CAPTURES_REJECTS = ("ALL", "REJECT")


def collect_vpcs(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """DescribeVpcs + DescribeFlowLogs per region (both paginated); no flow-log call where
    the region has no VPC."""
    me = viewer_id(inv)
    session = session_of(inv)
    regions, error = regions_or_error(inv, VPC)
    if error is not None:
        yield error
        return
    for region in regions:
        client = session.client("ec2", region)
        try:
            vpcs = all_pages(client, "describe_vpcs", "Vpcs")
            flow_logs = all_pages(client, "describe_flow_logs", "FlowLogs") if vpcs else []
        except AWS_ERRORS as exc:
            yield failure(me, VPC, region, exc, "describing VPCs and their flow logs")
            continue
        by_vpc: dict[str, list[dict[str, Any]]] = {}
        for flow_log in flow_logs:
            by_vpc.setdefault(str(flow_log.get("ResourceId")), []).append(flow_log)
        for vpc in vpcs:
            if vpc.get("OwnerId", me) != me:
                continue  # shared with this account: its owner reports it and its flow logs
            vpc_id = vpc["VpcId"]
            logs = [_flow_log(f) for f in by_vpc.get(vpc_id, [])]
            active = [f for f in logs if f.get("FlowLogStatus") == "ACTIVE"]
            data = {
                "VpcId": vpc_id,
                "IsDefault": bool(vpc.get("IsDefault")),
                "CidrBlock": vpc.get("CidrBlock"),
                "OwnerId": vpc.get("OwnerId", me),
                "FlowLogs": logs,
                "CapturesRejectedTraffic": any(
                    f.get("TrafficType") in CAPTURES_REJECTS for f in active
                ),
            }
            rid = f"arn:{session.partition}:ec2:{region}:{me}:vpc/{vpc_id}"
            yield resource(VPC, rid, me, region, data)


def _flow_log(answer: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "FlowLogId",
        "FlowLogStatus",
        "DeliverLogsStatus",
        "TrafficType",
        "LogDestinationType",
        "LogDestination",
        "LogGroupName",
    )
    return {k: answer[k] for k in keep if k in answer}


KINDS = [
    ResourceKind(
        name=VPC,
        reads=(),
        cloud=NAME,
        description="Every VPC of the scanned regions, with the flow logs attached to it.",
        collect=collect_vpcs,
        stage=1,
    ),
]
