"""The sandbox's service workloads: seeded as specified, each defect flips its one setting, and
the middleware answers ELBv2's default access-log attribute as AWS does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from logwarden_sandbox.aws_clients import ClientCache, Credentials
from logwarden_sandbox.aws_defects_services import SERVICE_DEFECTS
from logwarden_sandbox.aws_faults import describe_request
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone

HOME = "us-east-1"
REGIONS = (HOME, "eu-west-1")


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer() as running:
        yield running
        running.reset()


def seed(server: MotoServer, *defects: str) -> World:
    server.reset()
    zone = standard_landing_zone(members=1, regions=REGIONS, defects=defects)
    return seed_landing_zone(zone, endpoint_url=server.endpoint_url)


def workload(
    server: MotoServer, world: World, service: str, region: str = HOME, account: str = "workload-1"
) -> Any:
    """A client acting in ``account`` (name or id) through AssumeRole, as the seeder does."""
    clients = ClientCache(server.endpoint_url)
    role = clients.get("sts", HOME).assume_role(
        RoleArn=world.role_arn(account), RoleSessionName="test"
    )
    return clients.get(service, region, Credentials.from_sts(role["Credentials"]))


def test_the_compliant_services_are_seeded(server: MotoServer) -> None:
    world = seed(server)
    eks = workload(server, world, "eks")
    logging = eks.describe_cluster(name="payments")["cluster"]["logging"]["clusterLogging"]
    assert {"api", "audit", "authenticator"} <= set(logging[0]["types"]) and logging[0]["enabled"]
    rds = workload(server, world, "rds")
    [mysql] = rds.describe_db_instances(DBInstanceIdentifier="orders-mysql")["DBInstances"]
    assert "audit" in mysql["EnabledCloudwatchLogsExports"]
    [aurora] = rds.describe_db_clusters(DBClusterIdentifier="ledger-aurora")["DBClusters"]
    assert aurora["EnabledCloudwatchLogsExports"] == ["postgresql"]
    elbv2 = workload(server, world, "elbv2")
    types = {
        lb["LoadBalancerName"]: lb["Type"]
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
    }
    assert types == {"web": "application", "tcp": "network", "appliances": "gateway"}
    # every VPC of every account and region has query logging to the central bucket
    for account in world.accounts.values():
        for region in REGIONS:
            ec2 = workload(server, world, "ec2", region, account)
            vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
            resolver = workload(server, world, "route53resolver", region, account)
            associated = {
                a["ResourceId"]
                for a in resolver.list_resolver_query_log_config_associations()[
                    "ResolverQueryLogConfigAssociations"
                ]
            }
            assert vpcs and vpcs == associated, (account, region)
            [config] = resolver.list_resolver_query_log_configs()["ResolverQueryLogConfigs"]
            assert config["DestinationArn"] == f"arn:aws:s3:::{world.log_bucket}"


def test_the_service_defects_flip_their_settings(server: MotoServer) -> None:
    world = seed(server, *SERVICE_DEFECTS)
    eks = workload(server, world, "eks")
    types = eks.describe_cluster(name="payments")["cluster"]["logging"]["clusterLogging"]
    assert [e["types"] for e in types if e["enabled"]] == [["api"]]
    rds = workload(server, world, "rds")
    [mysql] = rds.describe_db_instances(DBInstanceIdentifier="orders-mysql")["DBInstances"]
    assert sorted(mysql["EnabledCloudwatchLogsExports"]) == ["error", "slowquery"]
    resolver = workload(server, world, "route53resolver")
    associated = {
        a["ResourceId"]
        for a in resolver.list_resolver_query_log_config_associations()[
            "ResolverQueryLogConfigAssociations"
        ]
    }
    assert world.services["vpc"].rsplit("/", 1)[1] not in associated
    assert {d.rows[0].resource_id for d in world.defects.values()} == {
        world.services[k] for k in ("eks:payments", "rds:orders-mysql", "lb:web", "vpc")
    }


def test_elbv2_answers_the_default_access_log_attribute_as_aws_does(server: MotoServer) -> None:
    """moto leaves access_logs.s3.enabled out until it is set; AWS answers "false"."""
    world = seed(server, "alb_no_access_logs")
    elbv2 = workload(server, world, "elbv2")
    web = world.services["lb:web"]
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=web)["Attributes"]
    assert {"Key": "access_logs.s3.enabled", "Value": "false"} in attributes


@pytest.mark.parametrize(
    ("method", "path", "body", "named"),
    [
        ("GET", "/clusters", b"", "eks:ListClusters"),
        ("GET", "/clusters/payments", b"", "eks:DescribeCluster"),
        (
            "POST",
            "/",
            b"Action=DescribeLoadBalancers&Version=2015-12-01",
            "elbv2:DescribeLoadBalancers",
        ),
        (
            "POST",
            "/",
            b"Action=DescribeLoadBalancers&Version=2012-06-01",
            "elb:DescribeLoadBalancers",
        ),
    ],
)
def test_requests_are_named_as_botocore_names_them(
    method: str, path: str, body: bytes, named: str
) -> None:
    import io

    signing = "eks" if path.startswith("/clusters") else "elasticloadbalancing"
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded" if body else "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/{HOME}/{signing}/aws4_request",
    }
    info = describe_request(environ, lambda _key: "123456789012")
    assert f"{info.service}:{info.operation}" == named


def test_a_lean_zone_seeds_nothing_per_region(server: MotoServer) -> None:
    # the scale benchmark's world: no Security Hub, flow logs or query logging in any region
    # (moto builds an EC2 backend per account-region they touch), the rest as compliant
    server.reset()
    zone = standard_landing_zone(members=1, regions=REGIONS)
    zone.logging.per_region = False
    zone.services.query_logging = False
    world = seed_landing_zone(zone, endpoint_url=server.endpoint_url)
    for region in REGIONS:
        securityhub = workload(server, world, "securityhub", region)
        with pytest.raises(securityhub.exceptions.InvalidAccessException):
            securityhub.describe_hub()
        assert workload(server, world, "ec2", region).describe_flow_logs()["FlowLogs"] == []
        resolver = workload(server, world, "route53resolver", region)
        assert resolver.list_resolver_query_log_configs()["ResolverQueryLogConfigs"] == []
    assert world.services  # the service workloads themselves are still there
