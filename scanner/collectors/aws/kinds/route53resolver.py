"""``aws.route53resolver.vpc``: every VPC an account owns, with the Route 53 Resolver query
logging configurations associated with it.

The VPCs come from ``aws.ec2.vpc`` (one ``DescribeVpcs`` per region serves the flow-log and the
query-logging controls; a region whose VPCs could not be listed is an error here too). Per
region: ``ListResolverQueryLogConfigAssociations`` and, only when there is an association,
``ListResolverQueryLogConfigs`` (the configurations this account created or that are shared
with it: their names and destinations). A VPC shared with this account by another is left to
its owner, who associates query logging with it (``aws.ec2.vpc`` lists only its own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from logwarden.scanner.collectors.aws.common import NAME, RESOLVER_VPC, all_pages, resource
from logwarden.scanner.collectors.aws.kinds.ec2 import VPC
from logwarden.scanner.collectors.aws.regional import Item, collect_by_region
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

#: The association status under which queries are logged.
ACTIVE = "ACTIVE"
_VPC_FIELDS = ("VpcId", "OwnerId", "CidrBlock", "IsDefault")


@dataclasses.dataclass(frozen=True)
class _Vpcs:
    """The account's own VPCs by region, and the regions whose VPCs could not be listed."""

    by_region: Mapping[str, list[Resource]]
    errors: Mapping[str, CollectionError]

    @classmethod
    def of(cls, inv: Inventory) -> _Vpcs:
        listed = inv.get(VPC)
        by_region: dict[str, list[Resource]] = {}
        for vpc in listed.resources:
            by_region.setdefault(vpc.region, []).append(vpc)
        return cls(by_region, {e.region: e for e in listed.errors})


def _read_region(vpcs: _Vpcs, session: AwsSession, me: str, region: str) -> Iterator[Item]:
    unlisted = vpcs.errors.get(region) or vpcs.errors.get("")
    if unlisted is not None:
        yield dataclasses.replace(
            unlisted,
            kind=RESOLVER_VPC,
            region=region,
            message=f"the VPCs could not be listed: {unlisted.message}",
        )
        return
    own = vpcs.by_region.get(region, [])
    if not own:
        return
    resolver = session.client("route53resolver", region)
    associations = all_pages(
        resolver,
        "list_resolver_query_log_config_associations",
        "ResolverQueryLogConfigAssociations",
    )
    configs = (
        {
            c["Id"]: c
            for c in all_pages(
                resolver, "list_resolver_query_log_configs", "ResolverQueryLogConfigs"
            )
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
    for vpc in sorted((v.data for v in own), key=lambda v: str(v["VpcId"])):
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
    vpcs = _Vpcs.of(inv)
    return collect_by_region(
        inv,
        RESOLVER_VPC,
        "VPCs owned by the account",
        lambda session, me, region: _read_region(vpcs, session, me, region),
    )


KINDS = [
    ResourceKind(
        name=RESOLVER_VPC,
        reads=(VPC,),
        cloud=NAME,
        description="The account's VPCs with their Route 53 Resolver query logging.",
        collect=collect_vpcs,
        stage=2,
    ),
]
