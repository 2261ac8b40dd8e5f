"""The workloads of the AWS sandbox whose service audit logs the catalogue checks.

:class:`ServicesSpec` (``LandingZone.services``) says what one workload account runs in the home
region, in a VPC of its own: EKS clusters, RDS databases, Elastic Load Balancing v2 load
balancers; and whether every VPC of every account and region has Route 53 Resolver query
logging. Compliant by default; the named defects of
:mod:`logwarden_sandbox.aws_defects_services` flip one setting each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Control-plane log types of a compliant cluster.
AUDIT_LOG_TYPES = ("api", "audit", "authenticator")


@dataclass
class ClusterSpec:
    """An EKS cluster and the control-plane log types it sends to CloudWatch Logs."""

    name: str
    log_types: tuple[str, ...] = AUDIT_LOG_TYPES


@dataclass
class DatabaseSpec:
    """An RDS DB instance, or (``cluster``) a DB cluster with one instance."""

    name: str
    engine: str
    exports: tuple[str, ...]
    cluster: bool = False


@dataclass
class LoadBalancerSpec:
    """An ELBv2 load balancer; ``access_logs`` for application and network types only."""

    name: str
    type: str
    access_logs: bool = True


@dataclass
class ServicesSpec:
    """The service workloads (in ``account``, home region) and DNS query logging everywhere."""

    account: str = "workload-1"  # falls back to the management account when absent
    vpc_cidr: str = "10.20.0.0/16"
    clusters: list[ClusterSpec] = field(default_factory=lambda: [ClusterSpec("payments")])
    databases: list[DatabaseSpec] = field(
        default_factory=lambda: [
            DatabaseSpec("orders-mysql", "mysql", ("audit", "error")),
            DatabaseSpec("ledger-aurora", "aurora-postgresql", ("postgresql",), cluster=True),
        ]
    )
    load_balancers: list[LoadBalancerSpec] = field(
        default_factory=lambda: [
            LoadBalancerSpec("web", "application"),
            LoadBalancerSpec("tcp", "network"),
            LoadBalancerSpec("appliances", "gateway", access_logs=False),
        ]
    )
    query_logging: bool = True  # every VPC of every account and region
    vpc_without_query_logging: bool = False  # the workload VPC is left out
