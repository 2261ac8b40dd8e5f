"""The service-audit-log controls (EKS, RDS, ELBv2, Route 53 Resolver), offline: pass, fail and
the tricky cases, over the documents the collectors write (tests/aws_docs_services.py)."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.models import CollectionError, KindCollection, Resource, Status
from tests import aws_docs as d
from tests import aws_docs_services as s
from tests.offline import rows, scan_world

EKS = "aws.eks.control_plane_audit_logs"
RDS = "aws.rds.audit_logs_exported"
ELB = "aws.elbv2.access_logs"
DNS = "aws.route53resolver.query_logging"


def verdicts(check: str, kind: str, docs: list[Resource], **errors: Any) -> dict[str, Status]:
    """Scan the compliant world with the workload account's ``kind`` replaced by ``docs``:
    ``{resource id: status}`` of ``check`` in that account."""
    world = d.compliant_world()
    world.tenants[d.WORK][kind] = docs
    report = scan_world(world, **errors)
    return {r.resource_id: r.status for r in rows(report, check, d.WORK)}


def only(result: dict[str, Status]) -> Status:
    [status] = result.values()
    return status


# --- EKS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logging", "expected"),
    [
        ([{"types": ["audit", "authenticator"], "enabled": True}], Status.PASS),
        # two enabled entries together cover both types
        (
            [
                {"types": ["audit"], "enabled": True},
                {"types": ["authenticator", "api"], "enabled": True},
            ],
            Status.PASS,
        ),
        ([{"types": ["api", "audit"], "enabled": True}], Status.FAIL),  # no authenticator
        ([{"types": ["authenticator"], "enabled": True}], Status.FAIL),  # no audit
        # named, but in a disabled entry: not sent anywhere
        (
            [
                {"types": ["api"], "enabled": True},
                {"types": ["audit", "authenticator"], "enabled": False},
            ],
            Status.FAIL,
        ),
        ([{"types": ["api", "audit", "authenticator"], "enabled": False}], Status.FAIL),
    ],
)
def test_eks_needs_audit_and_authenticator_enabled(
    logging: list[dict[str, Any]], expected: Status
) -> None:
    assert only(verdicts(EKS, s.EKS, [s.eks_doc(d.WORK, logging)])) is expected


def test_eks_failure_names_what_is_missing() -> None:
    world = d.compliant_world()
    world.tenants[d.WORK][s.EKS] = [s.eks_doc(d.WORK, [{"types": ["audit"], "enabled": True}])]
    [row] = rows(scan_world(world), EKS, d.WORK)
    assert row.status is Status.FAIL
    assert "authenticator" in row.message and row.message.startswith("payments:")
    assert row.evidence["EnabledLogTypes"] == ["audit"]


# --- RDS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "exports", "cluster", "expected"),
    [
        ("mysql", ["audit"], False, Status.PASS),
        ("mysql", ["general"], False, Status.PASS),  # the general log records every statement
        ("mysql", ["error", "slowquery"], False, Status.FAIL),
        ("mariadb", [], False, Status.FAIL),
        ("postgres", ["postgresql", "upgrade"], False, Status.PASS),
        ("postgres", ["upgrade"], False, Status.FAIL),
        ("aurora-mysql", ["audit"], True, Status.PASS),
        ("aurora-mysql", ["error", "slowquery"], True, Status.FAIL),
        ("aurora-postgresql", [], True, Status.FAIL),
        ("oracle-ee", ["audit", "alert"], False, Status.PASS),
        ("oracle-se2", ["alert", "listener"], False, Status.FAIL),
        ("docdb", ["profiler"], True, Status.FAIL),
        ("neptune", ["audit"], True, Status.PASS),
    ],
)
def test_rds_counts_the_audit_log_type_of_each_engine(
    engine: str, exports: list[str], cluster: bool, expected: Status
) -> None:
    doc = s.rds_doc(d.WORK, "db1", engine, exports, cluster=cluster)
    assert only(verdicts(RDS, s.RDS, [doc])) is expected


@pytest.mark.parametrize("engine", ["sqlserver-ee", "sqlserver-se", "db2-se", "custom-oracle-ee"])
def test_rds_engines_without_an_audit_log_export_are_not_evaluated(engine: str) -> None:
    """SQL Server audits go to S3 (SQLSERVER_AUDIT option); no CloudWatch export to judge."""
    assert verdicts(RDS, s.RDS, [s.rds_doc(d.WORK, "db1", engine, ["error"])]) == {}


# --- ELBv2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lb_type", ["application", "network"])
def test_load_balancers_pass_with_access_logs_and_fail_without(lb_type: str) -> None:
    on, off = s.elb_doc(d.WORK, "on", lb_type), s.elb_doc(d.WORK, "off", lb_type, enabled=False)
    result = verdicts(ELB, s.ELB, [on, off])
    assert result == {on.id: Status.PASS, off.id: Status.FAIL}


def test_gateway_load_balancers_are_not_evaluated() -> None:
    assert verdicts(ELB, s.ELB, [s.elb_doc(d.WORK, "gw", "gateway")]) == {}


def test_access_logs_enabled_without_a_bucket_fail() -> None:
    doc = s.elb_doc(d.WORK, "web", "application")
    doc.data["AccessLogsBucket"] = ""  # type: ignore[index]
    assert only(verdicts(ELB, s.ELB, [doc])) is Status.FAIL


# --- Route 53 Resolver ---------------------------------------------------------------------


def test_a_vpc_with_an_active_query_log_config_passes_naming_config_and_destination() -> None:
    world = d.compliant_world()
    report = scan_world(world)
    vpcs = rows(report, DNS, d.WORK)
    assert {r.status for r in vpcs} == {Status.PASS} and len(vpcs) == len(d.REGIONS)
    for row in vpcs:
        assert f"dns-queries-{row.region}" in row.message, row.message
    [active] = vpcs[0].evidence["ActiveQueryLogConfigs"]
    assert active["DestinationArn"] == "arn:aws:s3:::org-trail-logs-222222222222"


@pytest.mark.parametrize("status", [None, "ACTION_NEEDED", "FAILED", "CREATING", "DELETING"])
def test_a_vpc_without_an_active_association_fails(status: str | None) -> None:
    docs = [s.vpc_doc(d.WORK, "us-east-1", status=status), s.vpc_doc(d.WORK, "eu-west-1")]
    result = verdicts(DNS, s.VPC, docs)
    assert result == {docs[0].id: Status.FAIL, docs[1].id: Status.PASS}


# --- not used, not readable ----------------------------------------------------------------

SERVICES = [(EKS, s.EKS), (RDS, s.RDS), (ELB, s.ELB), (DNS, s.VPC)]


@pytest.mark.parametrize(("check", "kind"), SERVICES)
def test_an_account_without_the_service_is_skipped_with_the_reason(check: str, kind: str) -> None:
    reason = "no such resources in the scanned regions (us-east-1, eu-west-1)"
    world = d.compliant_world()
    report = scan_world(world, errors={(d.WORK, kind): KindCollection(not_applicable=reason)})
    [row] = rows(report, check, d.WORK)
    assert row.status is Status.SKIPPED and reason in row.message


@pytest.mark.parametrize(("check", "kind"), SERVICES)
@pytest.mark.parametrize("code", ["AccessDenied", "ThrottlingException"])
def test_an_unreadable_region_is_an_error_never_a_pass(check: str, kind: str, code: str) -> None:
    world = d.compliant_world()
    kept = [r for r in world.tenants[d.WORK][kind] if r.region != "eu-west-1"]
    err = CollectionError("aws", d.WORK, kind, "eu-west-1", code, "injected")
    report = scan_world(
        world, errors={(d.WORK, kind): KindCollection(resources=tuple(kept), errors=(err,))}
    )
    got = {r.resource_id: r.status for r in rows(report, check, d.WORK)}
    assert got[f"{kind}@eu-west-1"] is Status.ERROR
    assert code in next(r.message for r in rows(report, check, d.WORK) if r.status is Status.ERROR)
    assert all(v is not Status.PASS for k, v in got.items() if "eu-west-1" in k)
    assert int(report.exit_code) == 3
