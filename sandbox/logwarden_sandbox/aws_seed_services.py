"""Seed the service workloads of :class:`~logwarden_sandbox.aws_zone_services.ServicesSpec`.

Called by the seeder for every account (in its thread): the workload account gets a VPC with
two subnets in the home region, its EKS clusters, RDS databases and load balancers; then every
VPC of the account, in every region (moto gives each region a default VPC, as AWS does), is
associated with a Route 53 Resolver query logging configuration of that account and region
that delivers to the central log bucket. Returns the ids the defects' expectations need.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from logwarden_sandbox.aws_zone import MANAGEMENT, AccountSpec, LandingZone
from logwarden_sandbox.aws_zone_services import ServicesSpec

if TYPE_CHECKING:
    from logwarden_sandbox.aws_seed import Seeder

PASSWORD = "sandbox-password-1"  # moto stores it; nothing can connect
EKS_ROLE = "arn:aws:iam::{account}:role/logwarden-sandbox-eks"


def workload_account(zone: LandingZone) -> str:
    """The account that runs the service workloads (the management one if it is missing)."""
    names = {a.name for a in zone.accounts}
    return zone.services.account if zone.services.account in names else MANAGEMENT


def vpc_arn(region: str, account_id: str, vpc_id: str) -> str:
    """The resource id of ``aws.route53resolver.vpc``."""
    return f"arn:aws:ec2:{region}:{account_id}:vpc/{vpc_id}"


def seed_services(seeder: Seeder, spec: AccountSpec) -> dict[str, str]:
    """Seed ``spec``'s share of the services; returns ``{"<kind>:<name>": id}``."""
    services = seeder.zone.services
    ids: dict[str, str] = {}
    workload_vpc = ""
    if spec.name == workload_account(seeder.zone):
        workload_vpc, subnets = _network(seeder, spec.name, services)
        ids["vpc"] = vpc_arn(seeder.home, seeder.ids[spec.name], workload_vpc)
        ids.update(_clusters(seeder, spec.name, services, subnets))
        ids.update(_databases(seeder, spec.name, services))
        ids.update(_load_balancers(seeder, spec.name, services, subnets))
    if services.query_logging:
        skip = workload_vpc if services.vpc_without_query_logging else ""
        for region in seeder.zone.regions:
            _query_logging(seeder, spec.name, region, skip)
    return ids


def _network(seeder: Seeder, account: str, services: ServicesSpec) -> tuple[str, list[str]]:
    ec2 = seeder._client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock=services.vpc_cidr)["Vpc"]["VpcId"]
    prefix = services.vpc_cidr.rsplit(".", 2)[0]  # "10.20"
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"{prefix}.{n}.0/24", AvailabilityZone=f"{seeder.home}{zone}"
        )["Subnet"]["SubnetId"]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def _clusters(
    seeder: Seeder, account: str, services: ServicesSpec, subnets: list[str]
) -> dict[str, str]:
    eks = seeder._client("eks", account)
    ids = {}
    for cluster in services.clusters:
        logging: dict[str, Any] = {
            "clusterLogging": [{"types": list(cluster.log_types), "enabled": True}]
        }
        answer = eks.create_cluster(
            name=cluster.name,
            roleArn=EKS_ROLE.format(account=seeder.ids[account]),
            resourcesVpcConfig={"subnetIds": subnets},
            logging=logging,
        )
        ids[f"eks:{cluster.name}"] = answer["cluster"]["arn"]
    return ids


def _databases(seeder: Seeder, account: str, services: ServicesSpec) -> dict[str, str]:
    rds = seeder._client("rds", account)
    ids = {}
    for db in services.databases:
        credentials = {"MasterUsername": "admin", "MasterUserPassword": PASSWORD}
        if db.cluster:
            cluster = rds.create_db_cluster(
                DBClusterIdentifier=db.name,
                Engine=db.engine,
                EnableCloudwatchLogsExports=list(db.exports),
                **credentials,
            )["DBCluster"]
            rds.create_db_instance(
                DBInstanceIdentifier=f"{db.name}-1",
                DBClusterIdentifier=db.name,
                Engine=db.engine,
                DBInstanceClass="db.r6g.large",
            )
            ids[f"rds:{db.name}"] = cluster["DBClusterArn"]
        else:
            instance = rds.create_db_instance(
                DBInstanceIdentifier=db.name,
                Engine=db.engine,
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                EnableCloudwatchLogsExports=list(db.exports),
                **credentials,
            )["DBInstance"]
            ids[f"rds:{db.name}"] = instance["DBInstanceArn"]
    return ids


def _load_balancers(
    seeder: Seeder, account: str, services: ServicesSpec, subnets: list[str]
) -> dict[str, str]:
    elbv2 = seeder._client("elbv2", account)
    ids = {}
    for lb in services.load_balancers:
        # AWS makes a load balancer internet-facing unless told otherwise; moto leaves it out.
        scheme = {"Scheme": "internet-facing"} if lb.type != "gateway" else {}
        arn = elbv2.create_load_balancer(Name=lb.name, Subnets=subnets, Type=lb.type, **scheme)[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
        if lb.access_logs:
            elbv2.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": seeder.log_bucket},
                    {"Key": "access_logs.s3.prefix", "Value": f"elb/{seeder.ids[account]}"},
                ],
            )
        ids[f"lb:{lb.name}"] = arn
    return ids


def _query_logging(seeder: Seeder, account: str, region: str, skip_vpc: str) -> None:
    resolver = seeder._client("route53resolver", account, region)
    config = resolver.create_resolver_query_log_config(
        Name=f"dns-queries-{region}",
        DestinationArn=f"arn:aws:s3:::{seeder.log_bucket}",
        CreatorRequestId=str(uuid.uuid4()),
    )["ResolverQueryLogConfig"]
    me = seeder.ids[account]
    for vpc in seeder._client("ec2", account, region).describe_vpcs()["Vpcs"]:
        if vpc["OwnerId"] == me and vpc["VpcId"] != skip_vpc:
            resolver.associate_resolver_query_log_config(
                ResolverQueryLogConfigId=config["Id"], ResourceId=vpc["VpcId"]
            )
