"""A policy assignment whose ``notScopes`` names a management group above the subscription does
not apply to it, in every discovery mode: the chain of management groups comes from discovery
(management-group mode) or from the Entities API (``getEntities``, read once per scan and only
when an assignment needs it); when it cannot be read the dependent rows are ERROR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox.azure_server import ArmServer, FaultRule
from logwarden_sandbox.azure_tenant import AssignmentSpec, TenantSpec
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM, standard_tenant
from tests.azure_live import row, scan

ASSIGNED = "azure.policy.activity_log_policy_assigned"
COMPLIANT = "azure.policy.activity_log_policy_compliant"
ENTITIES = "/providers/microsoft.management/getentities"
LANDING_ZONES = "/providers/Microsoft.Management/managementGroups/mg-landingzones"
GROUP = "/providers/Microsoft.Management/managementGroups/{groupId}"


def excluding(scope: str, group: str) -> TenantSpec:
    """The standard tenant whose activity-log assignment is at ``scope`` and excludes
    ``group`` (the landing zones' own assignment is gone)."""
    tenant = standard_tenant()
    tenant.assignments = [a for a in tenant.assignments if a.name != "activity-log-lz"]
    tenant.assignments.append(AssignmentSpec("activity-log-all", scope, not_scopes=[group]))
    return tenant


def _modes(tenant: TenantSpec) -> list[Any]:
    ids = [s.id for s in tenant.subscriptions]
    return [
        pytest.param("subscriptions-visible", {}, True, id="subscriptions-visible"),
        pytest.param("subscriptions", {"subscriptions": ids}, True, id="subscriptions"),
        pytest.param("management-group", {}, False, id="management-group"),
    ]


@pytest.mark.parametrize(("mode", "section", "reads_entities"), _modes(standard_tenant()))
def test_a_management_group_in_not_scopes_excludes_the_subscriptions_below_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    section: dict[str, Any],
    reads_entities: bool,
) -> None:
    tenant = excluding("mg-contoso", "mg-landingzones")
    with ArmServer(tenant, page_size=3) as server:
        _, report = scan(server, tmp_path, monkeypatch, mode=mode, **section)
        posts, gets = server.count("POST", ENTITIES), server.count("GET", ENTITIES)
    for name in (CORP, ONLINE):
        sub = tenant.subscription(name).id
        assigned = row(report, ASSIGNED, sub)
        assert assigned["status"] == "FAIL", assigned["message"]
        compliant = row(report, COMPLIANT, sub)
        assert compliant["status"] == "SKIPPED", compliant["message"]
        assert (
            f"activity-log-all excludes it through notScopes {LANDING_ZONES}"
            in (compliant["message"])
        )
    platform = tenant.subscription(PLATFORM).id
    assert row(report, ASSIGNED, platform)["status"] == "PASS"
    assert row(report, COMPLIANT, platform)["status"] == "PASS"
    # 5 groups and 3 subscriptions, 3 a page: three POSTs carrying $skiptoken, never a GET
    assert (posts, gets) == ((3, 0) if reads_entities else (0, 0))


def test_a_group_above_the_scanned_management_group_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = excluding("", "mg-contoso")  # at the tenant root, excluding the group above
    with ArmServer(tenant) as server:
        _, report = scan(server, tmp_path, monkeypatch, management_group_id="mg-landingzones")
        assert server.count("POST", ENTITIES) == 0  # $expand=ancestors gave the chain
    assert {t["name"] for t in report["tenants"]} == {CORP, ONLINE}
    for name in (CORP, ONLINE):
        sub = tenant.subscription(name).id
        assert row(report, ASSIGNED, sub)["status"] == "FAIL"
        assert row(report, COMPLIANT, sub)["status"] == "SKIPPED"


def test_no_entities_read_without_a_management_group_in_not_scopes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = standard_tenant(defects=("policy_excluded",))  # notScopes names a subscription
    with ArmServer(tenant) as server:
        _, report = scan(server, tmp_path, monkeypatch, mode="subscriptions-visible")
        assert server.count("*", ENTITIES) == 0
    assert row(report, ASSIGNED, tenant.subscription(CORP).id)["status"] == "FAIL"


@pytest.mark.parametrize(("status", "code"), [(403, "AuthorizationFailed"), (429, "Throttled")])
def test_unreadable_ancestry_makes_the_dependent_rows_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int, code: str
) -> None:
    tenant = excluding("mg-contoso", "mg-landingzones")
    with ArmServer(tenant) as server:
        server.faults.add(FaultRule(status, path=ENTITIES))
        exit_code, report = scan(server, tmp_path, monkeypatch, mode="subscriptions-visible")
        assert server.count("POST", ENTITIES) == 1  # read once per scan, failure memoised
    for name in (PLATFORM, CORP, ONLINE):
        sub = tenant.subscription(name).id
        for check in (ASSIGNED, COMPLIANT):
            found = row(report, check, sub)
            assert found["status"] == "ERROR", found["message"]
            assert code in found["message"] and "mg-landingzones" in found["message"]
    assert exit_code == 3


@pytest.mark.parametrize(
    ("stripped", "section", "status", "said"),
    [
        # getEntities without parentNameChain: the direct parent (mg-landingzones) alone is not
        # the whole chain, so whether mg-contoso is above is unknown
        (
            {"field": "parentNameChain", "path": ENTITIES},
            {"mode": "subscriptions-visible"},
            "ERROR",
            "parentNameChain",
        ),
        # the scanned group's answer without details.parent is not the root group (that one
        # is named after the tenant): its ancestors chain still says what is above it
        (
            {"field": "parent", "template": GROUP},
            {"management_group_id": "mg-landingzones"},
            "FAIL",
            "AppliesToSubscription is false",
        ),
    ],
    ids=["entities-without-parentNameChain", "group-without-parent"],
)
def test_an_answer_without_a_hierarchy_field_never_loses_a_group_above(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stripped: dict[str, str],
    section: dict[str, Any],
    status: str,
    said: str,
) -> None:
    tenant = excluding("", "mg-contoso")  # at the root, excluding the group above the zones
    with ArmServer(tenant) as server:
        rule = server.faults.add(FaultRule(body="strip", **stripped))
        code, report = scan(server, tmp_path, monkeypatch, **section)
        assert rule.hits > 0
    for name in (CORP, ONLINE):
        found = row(report, ASSIGNED, tenant.subscription(name).id)
        assert found["status"] == status, found["message"]  # a lost group would PASS it
        assert said in found["message"]
    assert code == (3 if status == "ERROR" else 1)
