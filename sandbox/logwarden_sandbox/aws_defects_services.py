"""Named defects of the sandbox's service workloads, one per service-audit-log control.

Each is ``(description, apply, rows, members)`` as :class:`logwarden_sandbox.aws_defects.Defect`
takes them (that module adds these to its ``DEFECTS``); every one flips one setting of
:class:`~logwarden_sandbox.aws_zone_services.ServicesSpec` in the workload account
(``workload-1``), so each needs one member account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from logwarden_sandbox.aws_seed_services import workload_account
from logwarden_sandbox.aws_zone import Expectation, LandingZone, World

EKS_AUDIT = "aws.eks.control_plane_audit_logs"
RDS_AUDIT = "aws.rds.audit_logs_exported"
ELB_ACCESS = "aws.elbv2.access_logs"
QUERY_LOGGING = "aws.route53resolver.query_logging"

Apply = Callable[[LandingZone], None]
Rows = Callable[[LandingZone, World], list[Expectation]]


def _fails(check: str, key: str) -> Rows:
    """The one FAIL row of ``check`` on the seeded resource ``key`` of the workload account."""
    return lambda z, w: [Expectation(check, w.accounts[workload_account(z)], w.services[key])]


def _eks_api_only(zone: LandingZone) -> None:
    zone.services.clusters[0].log_types = ("api",)


def _mysql_error_only(zone: LandingZone) -> None:
    zone.services.databases[0].exports = ("error", "slowquery")


def _alb_no_access_logs(zone: LandingZone) -> None:
    zone.services.load_balancers[0].access_logs = False


def _vpc_no_query_logging(zone: LandingZone) -> None:
    zone.services.vpc_without_query_logging = True


SERVICE_DEFECTS: Mapping[str, tuple[str, Apply, Rows, int]] = {
    "eks_no_audit_logs": (
        "EKS cluster payments sends only its api log (no audit, no authenticator)",
        _eks_api_only,
        _fails(EKS_AUDIT, "eks:payments"),
        1,
    ),
    "rds_no_audit_export": (
        "RDS MySQL instance orders-mysql exports error and slowquery logs, no audit or general log",
        _mysql_error_only,
        _fails(RDS_AUDIT, "rds:orders-mysql"),
        1,
    ),
    "alb_no_access_logs": (
        "Application Load Balancer web has access logs off",
        _alb_no_access_logs,
        _fails(ELB_ACCESS, "lb:web"),
        1,
    ),
    "vpc_no_query_logging": (
        "workload-1's own VPC has no Route 53 Resolver query logging configuration",
        _vpc_no_query_logging,
        _fails(QUERY_LOGGING, "vpc"),
        1,
    ),
}
