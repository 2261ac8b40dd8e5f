"""The service-audit-log collectors (EKS, RDS, ELBv2, Route 53 Resolver) against moto, in
process: what each document holds, which calls are made, and what a failing region gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from moto import mock_aws

from logwarden.scanner.collectors.aws.kinds.rds import audit_log_types
from tests.unit.test_collect_aws_kinds import REGIONS, Scan, fail_in, scan

EKS, RDS = "aws.eks.cluster", "aws.rds.database"
ELB, VPC = "aws.elbv2.load_balancer", "aws.route53resolver.vpc"
HOME = REGIONS[0]


@pytest.fixture(autouse=True)
def aws() -> Iterator[str]:
    """An organization of one (management) account in moto; yields its id."""
    env = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": HOME,
    }.items():
        env.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.delenv(name, raising=False)
    with mock_aws():
        org = boto3.client("organizations").create_organization(FeatureSet="ALL")
        yield org["Organization"]["MasterAccountId"]
    env.undo()


def counted() -> tuple[Counter[str], dict[str, Any]]:
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    return calls, {"before-call": count}


def collect(kind: str, handlers: dict[str, Any] | None = None) -> tuple[Scan, str]:
    s = scan(handlers=handlers)
    [account] = s.tenants
    s.tenants[account].get(kind)
    return s, account


def subnets() -> list[str]:
    ec2 = boto3.client("ec2", HOME)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=f"{HOME}{z}")[
            "Subnet"
        ]["SubnetId"]
        for n, z in ((1, "a"), (2, "b"))
    ]


# --- EKS -----------------------------------------------------------------------------------


def _cluster(name: str, logging: dict[str, Any] | None = None, region: str = HOME) -> None:
    kwargs: dict[str, Any] = {"logging": logging} if logging else {}
    boto3.client("eks", region).create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": []},
        **kwargs,
    )


def test_eks_clusters_with_their_enabled_log_types(aws: str) -> None:
    _cluster(
        "audited", {"clusterLogging": [{"types": ["audit", "authenticator"], "enabled": True}]}
    )
    _cluster("silent")
    s, me = collect(EKS)
    resources, errors = s.get(me, EKS)
    assert errors == []
    docs = {r.data["name"]: r for r in resources}
    assert docs["audited"].data["EnabledLogTypes"] == ["audit", "authenticator"]
    assert docs["silent"].data["EnabledLogTypes"] == []  # every type listed, enabled: false
    assert docs["silent"].id == f"arn:aws:eks:{HOME}:{me}:cluster/silent"
    assert docs["silent"].region == HOME and docs["silent"].tenant_id == me


def test_an_account_without_clusters_is_not_applicable(aws: str) -> None:
    s, me = collect(EKS)
    reason = s.tenants[me].get(EKS).not_applicable
    assert reason == f"no EKS clusters in the scanned regions ({', '.join(REGIONS)})"


def test_a_region_that_cannot_be_listed_is_an_error_not_an_empty_region(aws: str) -> None:
    _cluster("audited", {"clusterLogging": [{"types": ["audit"], "enabled": True}]})
    s, me = collect(EKS, {"before-call": fail_in(REGIONS[1], "ListClusters")})
    resources, errors = s.get(me, EKS)
    assert [r.data["name"] for r in resources] == ["audited"]
    assert [(e.region, e.code) for e in errors] == [(REGIONS[1], "AccessDeniedException")]


def test_no_cluster_found_but_a_region_unreadable_is_an_error_not_not_applicable(aws: str) -> None:
    s, me = collect(EKS, {"before-call": fail_in(REGIONS[1], "ListClusters")})
    collection = s.tenants[me].get(EKS)
    assert collection.not_applicable is None and len(collection.errors) == 1


def test_a_cluster_that_cannot_be_described_is_an_error_of_its_region(aws: str) -> None:
    _cluster("one")
    s, me = collect(EKS, {"before-call": fail_in(HOME, "DescribeCluster")})
    resources, errors = s.get(me, EKS)
    assert resources == []
    assert [(e.region, e.code) for e in errors] == [(HOME, "AccessDeniedException")]
    assert "one" in errors[0].message


# --- RDS -----------------------------------------------------------------------------------


def _instance(name: str, engine: str, exports: list[str], cluster: str = "") -> None:
    kwargs: dict[str, Any] = {"DBClusterIdentifier": cluster} if cluster else {}
    if not cluster:
        kwargs |= {"AllocatedStorage": 20, "MasterUsername": "a", "MasterUserPassword": "password1"}
        kwargs["EnableCloudwatchLogsExports"] = exports
    boto3.client("rds", HOME).create_db_instance(
        DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.t3.micro", **kwargs
    )


def _db_cluster(name: str, engine: str, exports: list[str]) -> None:
    boto3.client("rds", HOME).create_db_cluster(
        DBClusterIdentifier=name,
        Engine=engine,
        MasterUsername="a",
        MasterUserPassword="password1",
        EnableCloudwatchLogsExports=exports,
    )


def test_rds_instances_and_clusters_with_their_audit_exports(aws: str) -> None:
    _instance("orders", "mysql", ["error", "audit"])
    _instance("mssql", "sqlserver-se", ["error"])
    _db_cluster("ledger", "aurora-postgresql", ["postgresql"])
    _instance("ledger-1", "aurora-postgresql", [], cluster="ledger")
    _db_cluster("headless", "aurora-mysql", [])  # no instance: no database runs
    s, me = collect(RDS)
    resources, errors = s.get(me, RDS)
    assert errors == []
    docs = {r.data["Name"]: r.data for r in resources}
    assert set(docs) == {"orders", "mssql", "ledger"}  # ledger-1 is judged through ledger
    assert docs["orders"]["AuditLogsExported"] == ["audit"]
    assert docs["orders"]["EnabledCloudwatchLogsExports"] == ["audit", "error"]
    assert docs["mssql"]["AuditLogTypes"] == []
    assert docs["ledger"]["Kind"] == "cluster" and docs["ledger"]["Members"] == ["ledger-1"]
    assert docs["ledger"]["AuditLogsExported"] == ["postgresql"]


def test_clusters_are_listed_only_where_an_instance_names_one(aws: str) -> None:
    _instance("orders", "postgres", [])
    calls, handlers = counted()
    s, me = collect(RDS, handlers)
    assert calls["rds.DescribeDBInstances"] == len(REGIONS)
    assert calls["rds.DescribeDBClusters"] == 0
    [doc] = s.get(me, RDS)[0]
    assert doc.data["AuditLogsExported"] == [] and doc.data["AuditLogTypes"] == ["postgresql"]


@pytest.mark.parametrize(
    ("engine", "types"),
    [
        ("mysql", ["audit", "general"]),
        ("aurora-mysql", ["audit", "general"]),
        ("postgres", ["postgresql"]),
        ("oracle-ee-cdb", ["audit"]),
        ("sqlserver-web", []),
        ("db2-ae", []),
    ],
)
def test_audit_log_types_per_engine(engine: str, types: list[str]) -> None:
    assert audit_log_types(engine) == types


# --- ELBv2 ---------------------------------------------------------------------------------


def _load_balancer(name: str, lb_type: str, subnet_ids: list[str], logs: bool | None) -> str:
    elbv2 = boto3.client("elbv2", HOME)
    arn = elbv2.create_load_balancer(Name=name, Subnets=subnet_ids, Type=lb_type)["LoadBalancers"][
        0
    ]["LoadBalancerArn"]
    if logs is not None:
        attributes = [{"Key": "access_logs.s3.enabled", "Value": str(logs).lower()}]
        if logs:
            attributes.append({"Key": "access_logs.s3.bucket", "Value": "elb-logs"})
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
    return str(arn)


def test_load_balancers_with_their_access_log_attributes(aws: str) -> None:
    ids = subnets()
    web = _load_balancer("web", "application", ids, True)
    tcp = _load_balancer("tcp", "network", ids, False)
    gateway = _load_balancer("gw", "gateway", ids[:1], None)
    calls, handlers = counted()
    s, me = collect(ELB, handlers)
    resources, errors = s.get(me, ELB)
    assert errors == []
    docs = {r.id: r.data for r in resources}
    assert docs[web]["AccessLogsEnabled"] is True and docs[web]["AccessLogsBucket"] == "elb-logs"
    assert docs[tcp]["AccessLogsEnabled"] is False
    assert (
        docs[gateway]["AccessLogsSupported"] is False and "AccessLogsEnabled" not in docs[gateway]
    )
    assert calls["elbv2.DescribeLoadBalancerAttributes"] == 2  # not the gateway


def test_attributes_that_do_not_say_whether_logs_are_on_are_an_error_not_off(aws: str) -> None:
    """moto (unlike AWS) omits access_logs.s3.enabled until it is set: an unreadable answer."""
    _load_balancer("web", "application", subnets(), None)
    s, me = collect(ELB)
    resources, errors = s.get(me, ELB)
    assert resources == []
    assert [(e.region, e.code) for e in errors] == [(HOME, "AttributeMissing")]


# --- Route 53 Resolver ---------------------------------------------------------------------


def _query_logging(vpc_id: str) -> str:
    resolver = boto3.client("route53resolver", HOME)
    config = resolver.create_resolver_query_log_config(
        Name="dns", DestinationArn="arn:aws:s3:::central-logs", CreatorRequestId="r1"
    )["ResolverQueryLogConfig"]
    resolver.associate_resolver_query_log_config(
        ResolverQueryLogConfigId=config["Id"], ResourceId=vpc_id
    )
    return str(config["Id"])


def test_vpcs_with_their_query_logging_configs(aws: str) -> None:
    ec2 = boto3.client("ec2", HOME)
    logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    config = _query_logging(logged)
    calls, handlers = counted()
    s, me = collect(VPC, handlers)
    resources, errors = s.get(me, VPC)
    assert errors == []
    docs = {r.data["VpcId"]: r for r in resources}
    assert docs[logged].id == f"arn:aws:ec2:{HOME}:{me}:vpc/{logged}"
    assert docs[logged].data["ActiveQueryLogConfigs"] == [
        {
            "ConfigId": config,
            "ConfigName": "dns",
            "DestinationArn": "arn:aws:s3:::central-logs",
            "ConfigOwnerId": me,
        }
    ]
    defaults = [r for r in resources if r.data["IsDefault"]]
    assert len(defaults) == len(REGIONS)  # moto, like AWS, has a default VPC per region
    assert all(r.data["ActiveQueryLogConfigs"] == [] for r in defaults)
    # the configurations are listed only where a VPC has an association
    assert calls["route53resolver.ListResolverQueryLogConfigs"] == 1
    assert calls["route53resolver.ListResolverQueryLogConfigAssociations"] == len(REGIONS)


def test_a_vpc_shared_by_another_account_is_left_to_its_owner(aws: str) -> None:
    def shared_vpcs(model: Any, context: dict[str, Any], **_: Any) -> Any:
        if model.name != "DescribeVpcs" or context.get("client_region") != HOME:
            return None
        vpcs = [
            {"VpcId": "vpc-mine", "OwnerId": aws, "IsDefault": False},
            {"VpcId": "vpc-shared", "OwnerId": "999999999999", "IsDefault": False},
        ]
        return AWSResponse("https://example.invalid", 200, HTTPHeaders(), None), {"Vpcs": vpcs}

    s, me = collect(VPC, {"before-call": shared_vpcs})
    resources, errors = s.get(me, VPC)
    assert errors == []
    assert "vpc-shared" not in {r.data["VpcId"] for r in resources}
    assert "vpc-mine" in {r.data["VpcId"] for r in resources}


def test_a_configuration_shared_by_the_log_archive_is_named_with_its_owner(aws: str) -> None:
    """Organizations share one configuration per region from the log archive (AWS RAM): the
    evidence says whose configuration logs the VPC, and where to."""
    vpc = boto3.client("ec2", HOME).create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    archive, shared = "222222222222", "rslvr-qlc-shared"
    answers = {
        "ListResolverQueryLogConfigAssociations": {
            "ResolverQueryLogConfigAssociations": [
                {
                    "Id": "rslvr-qla-1",
                    "ResolverQueryLogConfigId": shared,
                    "ResourceId": vpc,
                    "Status": "ACTIVE",
                },
                {
                    "Id": "rslvr-qla-2",
                    "ResolverQueryLogConfigId": "rslvr-qlc-gone",
                    "ResourceId": vpc,
                    "Status": "ACTIVE",
                },
            ]
        },
        "ListResolverQueryLogConfigs": {
            "ResolverQueryLogConfigs": [
                {
                    "Id": shared,
                    "Name": "org-dns",
                    "OwnerId": archive,
                    "DestinationArn": "arn:aws:s3:::central",
                    "ShareStatus": "SHARED_WITH_ME",
                }
            ]
        },
    }

    def shared_config(model: Any, context: dict[str, Any], **_: Any) -> Any:
        if model.name in answers and context.get("client_region") == HOME:
            return AWSResponse("https://example.invalid", 200, HTTPHeaders(), None), answers[
                model.name
            ]
        return None

    s, me = collect(VPC, {"before-call": shared_config})
    [doc] = [r.data for r in s.get(me, VPC)[0] if r.data["VpcId"] == vpc]
    assert doc["ActiveQueryLogConfigs"] == [
        {
            "ConfigId": "rslvr-qlc-gone",
            "ConfigName": None,
            "DestinationArn": None,
            "ConfigOwnerId": None,
        },  # associated, but not visible to this account
        {
            "ConfigId": shared,
            "ConfigName": "org-dns",
            "DestinationArn": "arn:aws:s3:::central",
            "ConfigOwnerId": archive,
        },
    ]
