"""The service workloads of the offline AWS world (``tests.aws_docs.compliant_world``): their
documents as the collectors write them (docs/resource-kinds.md), compliant.

The workload account runs an EKS cluster, a MySQL instance, an Aurora PostgreSQL cluster, a
SQL Server instance (no audit log type: not evaluated), an Application, a Network and a
Gateway Load Balancer; every account has one VPC per region with query logging.
"""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.aws.kinds.eks import enabled_log_types
from logwarden.scanner.collectors.aws.kinds.rds import audit_log_types
from logwarden.scanner.models import Resource

EKS = "aws.eks.cluster"
RDS = "aws.rds.database"
ELB = "aws.elbv2.load_balancer"
VPC = "aws.route53resolver.vpc"
HOME = "us-east-1"
CLUSTER_ARN = "arn:aws:eks:us-east-1:{account}:cluster/payments"


def eks_doc(account: str, logging: list[dict[str, Any]] | None = None) -> Resource:
    entries = logging or [
        {"types": ["api", "audit", "authenticator"], "enabled": True},
        {"types": ["controllerManager", "scheduler"], "enabled": False},
    ]
    data = {
        "name": "payments",
        "arn": CLUSTER_ARN.format(account=account),
        "version": "1.31",
        "status": "ACTIVE",
        "logging": {"clusterLogging": entries},
        "EnabledLogTypes": enabled_log_types({"clusterLogging": entries}),
    }
    return Resource(EKS, data["arn"], account, HOME, data)


def rds_doc(
    account: str, name: str, engine: str, exports: list[str], *, cluster: bool = False
) -> Resource:
    kind = "cluster" if cluster else "db"
    arn = f"arn:aws:rds:{HOME}:{account}:{kind}:{name}"
    types = audit_log_types(engine)
    data: dict[str, Any] = {
        "Name": name,
        "Kind": "cluster" if cluster else "instance",
        "Engine": engine,
        "EnabledCloudwatchLogsExports": sorted(exports),
        "AuditLogTypes": types,
        "AuditLogsExported": [t for t in types if t in exports],
    }
    if cluster:
        data |= {"DBClusterIdentifier": name, "DBClusterArn": arn, "Members": [f"{name}-1"]}
    else:
        data |= {"DBInstanceIdentifier": name, "DBInstanceArn": arn}
    return Resource(RDS, arn, account, HOME, data)


def elb_doc(account: str, name: str, lb_type: str, *, enabled: bool = True) -> Resource:
    short = {"application": "app", "network": "net", "gateway": "gwy"}[lb_type]
    arn = f"arn:aws:elasticloadbalancing:{HOME}:{account}:loadbalancer/{short}/{name}/0123456789abcdef"
    data: dict[str, Any] = {
        "LoadBalancerArn": arn,
        "LoadBalancerName": name,
        "Name": name,
        "Type": lb_type,
        "AccessLogsSupported": lb_type != "gateway",
    }
    if lb_type != "gateway":
        bucket = "elb-logs-222222222222" if enabled else ""
        data["Attributes"] = {
            "access_logs.s3.enabled": "true" if enabled else "false",
            "access_logs.s3.bucket": bucket,
            "access_logs.s3.prefix": "",
        }
        data |= {"AccessLogsEnabled": enabled, "AccessLogsBucket": bucket, "AccessLogsPrefix": ""}
    return Resource(ELB, arn, account, HOME, data)


def vpc_doc(account: str, region: str, *, status: str | None = "ACTIVE") -> Resource:
    vpc_id = f"vpc-{account[-4:]}{region[-1]}"
    config = {
        "ConfigId": f"rslvr-qlc-{region}",
        "ConfigName": f"dns-queries-{region}",
        "DestinationArn": "arn:aws:s3:::org-trail-logs-222222222222",
        "ConfigOwnerId": account,
    }
    logging = (
        []
        if status is None
        else [{**config, "AssociationId": "rslvr-qla-1", "ConfigArn": "", "Status": status}]
    )
    data = {
        "VpcId": vpc_id,
        "OwnerId": account,
        "IsDefault": True,
        "Name": vpc_id,
        "QueryLogConfigs": logging,
        "ActiveQueryLogConfigs": [config for a in logging if a["Status"] == "ACTIVE"],
    }
    return Resource(VPC, f"arn:aws:ec2:{region}:{account}:vpc/{vpc_id}", account, region, data)


def service_kinds(
    account: str, workload: bool, regions: tuple[str, ...]
) -> dict[str, list[Resource]]:
    """The service kinds of one account of the compliant world."""
    kinds: dict[str, list[Resource]] = {EKS: [], RDS: [], ELB: []}
    if workload:
        kinds[EKS] = [eks_doc(account)]
        kinds[RDS] = [
            rds_doc(account, "orders-mysql", "mysql", ["audit", "error"]),
            rds_doc(account, "ledger", "aurora-postgresql", ["postgresql"], cluster=True),
            rds_doc(account, "reports-mssql", "sqlserver-se", ["error"]),
        ]
        kinds[ELB] = [
            elb_doc(account, "web", "application"),
            elb_doc(account, "tcp", "network"),
            elb_doc(account, "appliances", "gateway"),
        ]
    kinds[VPC] = [vpc_doc(account, region) for region in regions]
    return kinds
