"""``aws.route53resolver.vpc``: every VPC an account owns, with the Route 53 Resolver query
logging configurations associated with it.

Per region: ``DescribeVpcs``, ``ListResolverQueryLogConfigAssociations`` and, only when there
is an association, ``ListResolverQueryLogConfigs`` (the configurations this account created or
that are shared with it: their names and destinations). A VPC shared with this account by
another (``OwnerId`` differs) is left to its owner, who associates query logging with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import NAME, RESOLVER_VPC, resource
from logwarden.scanner.collectors.aws.regional import Item, collect_by_region
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import ResourceKind

#: The association status under which queries are logged.
ACTIVE = "ACTIVE"
_VPC_FIELDS = ("VpcId", "OwnerId", "CidrBlock", "IsDefault", "State")


def _all(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate() for item in page[key]]


def _read_region(session: AwsSession, me: str, region: str) -> Iterator[Item]:
    vpcs = _all(session.client("ec2", region), "describe_vpcs", "Vpcs")
    resolver = session.client("route53resolver", region)
    associations = _all(
        resolver,
        "list_resolver_query_log_config_associations",
        "ResolverQueryLogConfigAssociations",
    )
    configs = (
        {
            c["Id"]: c
            for c in _all(resolver, "list_resolver_query_log_configs", "ResolverQueryLogConfigs")
        }
        if associations
        else {}
    )
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    for assoc in associations:
        config = configs.get(assoc["ResolverQueryLogConfigId"], {})
        by_vpc.setdefault(assoc["ResourceId"], []).append(
            {
                "AssociationId": assoc.get("Id", ""),
                "ConfigId": assoc["ResolverQueryLogConfigId"],
                "ConfigName": config.get("Name"),
                "ConfigArn": config.get("Arn"),
                "DestinationArn": config.get("DestinationArn"),
                "ConfigOwnerId": config.get("OwnerId"),  # another account's, when shared
                "Status": assoc["Status"],
            }
        )
    for vpc in sorted(vpcs, key=lambda v: v["VpcId"]):
        if vpc["OwnerId"] != me:
            continue
        logging = sorted(by_vpc.get(vpc["VpcId"], []), key=lambda a: a["ConfigId"])
        data = {key: vpc[key] for key in _VPC_FIELDS if key in vpc}
        data["Name"] = vpc["VpcId"]
        data["QueryLogConfigs"] = logging
        data["ActiveQueryLogConfigs"] = [
            {k: a[k] for k in ("ConfigId", "ConfigName", "DestinationArn", "ConfigOwnerId")}
            for a in logging
            if a["Status"] == ACTIVE
        ]
        rid = f"arn:{session.partition}:ec2:{region}:{me}:vpc/{vpc['VpcId']}"
        yield resource(RESOLVER_VPC, rid, me, region, data)


def collect_vpcs(inv: Inventory) -> Iterator[Item]:
    """The account's own VPCs with their query logging, per region; ``NotApplicable`` without any."""
    return collect_by_region(inv, RESOLVER_VPC, "VPCs owned by the account", _read_region)


KINDS = [
    ResourceKind(
        name=RESOLVER_VPC,
        reads=(),
        cloud=NAME,
        description="The account's VPCs with their Route 53 Resolver query logging.",
        collect=collect_vpcs,
        stage=1,
        volatile=("State",),  # pending, available
    ),
]
