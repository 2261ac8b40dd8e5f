"""The Azure kinds through the real azure-mgmt clients, over HTTPS, against the ARM emulator."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from logwarden.scanner import engine
from logwarden.scanner.collectors.azure import (
    all_kinds,
    discover,
    open_session,
    parse_settings,
)
from logwarden.scanner.collectors.azure.settings import AzureSettings
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Discovery
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import ArmServer, FaultRule
from logwarden_sandbox.azure_tenant import AssignmentSpec, workspace_id
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM, STORAGE, WORKSPACE, standard_tenant

SETTING = "azure.monitor.activity_log_setting"
ASSIGNMENT = "azure.policy.assignment"
COMPLIANCE = "azure.policy.activity_log_compliance"
WORKSPACES = "azure.loganalytics.workspace"
ACCOUNTS = "azure.storage.log_account"


@pytest.fixture(scope="module")
def box() -> Iterator[AzureSandbox]:
    sandbox = start_azure_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _token(box: AzureSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)


def settings_for(server: ArmServer, **changes: Any) -> AzureSettings:
    section = {
        "mode": "management-group",
        "management_group_id": "mg-contoso",
        "credential": "static-token",
        "token_env": "LOGWARDEN_AZURE_SANDBOX_TOKEN",
        "arm_endpoint": server.base_url,
        "ca_bundle": server.ca_path,
        "retry_total": 1,
        "retry_backoff_factor": 0.01,
        "retry_backoff_max": 0.02,
    }
    section.update(changes)
    return parse_settings({k: v for k, v in section.items() if v is not None})


def scan_inventories(settings: AzureSettings) -> tuple[Discovery, dict[str, Inventory]]:
    """Discover, then collect stage 1 and 2 of every subscription like the engine does."""
    found = discover(settings=settings)
    assert found is not None
    kinds = {k.name: k for k in all_kinds()}
    org = found.organizations[0] if found.organizations else None
    scope = engine.Scope_(
        organization=org,  # type: ignore[arg-type]
        inventory=Inventory(cloud="azure", tenant=None, organization=org, kinds=kinds),
    )
    for tenant in found.tenants:
        scope.tenants.append(
            Inventory(
                cloud="azure",
                tenant=tenant,
                organization=org,
                kinds=kinds,
                session_factory=functools.partial(
                    open_session,
                    tenant=tenant,
                    organization=org,
                    settings=settings,
                ),
            )
        )
    engine.link_peers(scope)
    for stage in (1, 2):
        for inv in scope.tenants:
            for kind in kinds.values():
                if kind.stage == stage:
                    inv.get(kind.name)
    return found, {inv.tenant.name: inv for inv in scope.tenants if inv.tenant}


def data(inv: Inventory, kind: str) -> list[dict[str, Any]]:
    got = inv.get(kind)
    assert got.errors == ()
    return [dict(r.data) for r in got.resources]


def test_management_group_discovery_gives_chains(box: AzureSandbox) -> None:
    found, _ = scan_inventories(settings_for(box.server))
    assert found.errors == []
    assert [(o.id, o.facts_available) for o in found.organizations] == [("mg-contoso", True)]
    parents = {t.name: t.parents for t in found.tenants}
    assert parents == {
        PLATFORM: ("mg-contoso", "mg-platform"),
        CORP: ("mg-contoso", "mg-landingzones"),
        ONLINE: ("mg-contoso", "mg-landingzones"),
    }
    assert {t.id for t in found.tenants} == set(box.world.subscriptions.values())
    # 3 groups + 3 subscriptions below mg-contoso: three pages of two, absolute nextLinks
    assert box.server.count("GET", "*/managementgroups/mg-contoso/descendants") >= 3


def test_visible_and_static_discovery(box: AzureSandbox) -> None:
    visible = discover(
        settings=settings_for(box.server, mode="subscriptions-visible", management_group_id=None),
    )
    assert visible is not None and visible.errors == []
    assert [o.id for o in visible.organizations] == [box.world.tenant_id]
    assert sorted(t.name for t in visible.tenants) == sorted([PLATFORM, CORP, ONLINE])
    corp = box.world.subscriptions[CORP]
    missing = "00000000-0000-4000-8000-000000000000"
    static = discover(
        settings=settings_for(
            box.server,
            mode="subscriptions",
            management_group_id=None,
            subscriptions=[corp, {"id": missing, "name": "gone"}],
            exclude_subscriptions=[],
        ),
    )
    assert static is not None and static.errors == []
    assert [(t.id, t.name) for t in static.tenants] == [(corp, CORP), (missing, "gone")]


def test_activity_log_settings_are_normalised(box: AzureSandbox) -> None:
    _, invs = scan_inventories(settings_for(box.server))
    platform, corp, online = (data(invs[n], SETTING)[0] for n in (PLATFORM, CORP, ONLINE))
    assert len(platform["EnabledCategories"]) == 8 and platform["EnabledCategoryGroups"] == []
    assert corp["EnabledCategoryGroups"] == ["allLogs"] and "Security" in corp["EnabledCategories"]
    assert online["EnabledCategories"] == ["Administrative", "Alert", "Policy", "Security"]
    assert corp["Destinations"] == ["workspace", "storage"] and online["Destinations"] == [
        "workspace"
    ]
    assert corp["WorkspaceId"] == box.world.workspaces[WORKSPACE]
    assert corp["properties"]["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]


def test_assignments_inherited_and_through_an_initiative(box: AzureSandbox) -> None:
    _, invs = scan_inventories(settings_for(box.server))
    corp = {a["Name"]: a for a in data(invs[CORP], ASSIGNMENT)}
    assert set(corp) == {"allowed-locations", "activity-log-lz"}
    lz = corp["activity-log-lz"]
    assert (lz["Inherited"], lz["ScopeType"], lz["IncludesActivityLogPolicy"]) == (
        True,
        "managementGroup",
        True,
    )
    assert corp["allowed-locations"]["IncludesActivityLogPolicy"] is False
    platform = {a["Name"]: a for a in data(invs[PLATFORM], ASSIGNMENT)}
    baseline = platform["logging-baseline"]
    assert baseline["ScopeType"] == "subscription" and baseline["IncludesActivityLogPolicy"]
    assert len(baseline["PolicyDefinitionIds"]) == 2
    compliance = data(invs[PLATFORM], COMPLIANCE)
    assert [(c["Name"], c["ComplianceState"]) for c in compliance] == [
        ("logging-baseline", "Compliant")
    ]


def test_workspace_and_storage_are_read_once_in_their_own_subscription(
    box: AzureSandbox,
) -> None:
    before = box.server.count("GET", "*/workspaces/law-central")
    _, invs = scan_inventories(settings_for(box.server))
    assert box.server.count("GET", "*/workspaces/law-central") == before + 1
    assert data(invs[CORP], WORKSPACES) == [] and data(invs[CORP], ACCOUNTS) == []
    [ws] = invs[PLATFORM].get(WORKSPACES).resources
    assert ws.tenant_id == box.world.subscriptions[PLATFORM]
    assert ws.data["ActivityLogRetention"] == {
        "Source": "table",
        "InteractiveDays": 90,
        "TotalDays": 730,
        "ArchiveDays": 640,
    }
    assert ws.data["ReceivesActivityLogsFrom"] == sorted(box.world.subscriptions.values())
    [acct] = data(invs[PLATFORM], ACCOUNTS)
    assert acct["ImmutabilityDays"] == 365 and acct["ImmutabilityLocked"] is True
    assert acct["LogLifecycle"] == {"Rules": ["activity-logs"], "DeleteAfterDays": 2555}
    assert (acct["AllowBlobPublicAccess"], acct["CustomerManagedKey"]) == (False, True)


def test_destination_of_an_unscanned_owner_is_read_by_a_sender(box: AzureSandbox) -> None:
    corp = box.world.subscriptions[CORP]
    settings = settings_for(
        box.server, mode="subscriptions", management_group_id=None, subscriptions=[corp]
    )
    _, invs = scan_inventories(settings)
    [ws] = invs[CORP].get(WORKSPACES).resources
    assert ws.tenant_id == corp and ws.id == box.world.workspaces[WORKSPACE]
    assert [a.id for a in invs[CORP].get(ACCOUNTS).resources] == [
        box.world.storage_accounts[STORAGE]
    ]


def test_policy_states_page_through_posted_next_links(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = standard_tenant()
    tenant.assignments.append(AssignmentSpec("activity-log-corp", f"sub:{CORP}"))
    with ArmServer(tenant, page_size=1) as server:
        monkeypatch.setenv("LOGWARDEN_AZURE_SANDBOX_TOKEN", server.token)
        _, invs = scan_inventories(settings_for(server))
        states = data(invs[CORP], COMPLIANCE)
        posts = server.count("POST", "*/policystates/latest/queryresults")
    assert sorted(s["Name"] for s in states) == ["activity-log-corp", "activity-log-lz"]
    assert all(s["ComplianceState"] == "Compliant" for s in states)
    assert posts == 2  # two states, one per page: the second page is a POST to @odata.nextLink


@pytest.mark.parametrize(
    ("status", "code", "attempts"),
    [
        (403, "AuthorizationFailed", 1),
        (429, "SubscriptionRequestsThrottled", 2),
        (500, "InternalServerError", 2),
    ],
)
def test_errors_of_one_subscription_are_values(
    box: AzureSandbox, status: int, code: str, attempts: int
) -> None:
    online = box.world.subscriptions[ONLINE]
    rule = box.server.faults.add(
        FaultRule(status, subscription=online, path="*/diagnosticsettings")
    )
    try:
        _, invs = scan_inventories(settings_for(box.server))
    finally:
        box.server.faults.clear()
    [err] = invs[ONLINE].get(SETTING).errors
    assert (err.code, err.tenant_id, err.kind) == (code, online, SETTING)
    assert f"HTTP {status}" in err.message
    assert rule.hits == attempts  # retry_total=1: throttling and 500 are retried once
    assert invs[CORP].get(SETTING).errors == ()


def test_missing_workspace_is_reported_where_it_should_be(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = standard_tenant()
    tenant.workspace(WORKSPACE)[1].exists = False
    with ArmServer(tenant) as server:
        monkeypatch.setenv("LOGWARDEN_AZURE_SANDBOX_TOKEN", server.token)
        # the owner is scanned, so the owner reports the workspace it should hold
        _, invs = scan_inventories(settings_for(server))
    [err] = invs[PLATFORM].get(WORKSPACES).errors
    assert err.code == "WorkspaceNotFound"
    assert workspace_id(tenant, WORKSPACE).split("/")[-1] in err.message


def test_a_wrong_token_is_an_error_not_a_pass(
    box: AzureSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    found, _ = scan_inventories(settings_for(box.server))
    monkeypatch.setenv("LOGWARDEN_AZURE_SANDBOX_TOKEN", "not-the-token")
    settings = settings_for(box.server)
    broken = discover(settings=settings)
    assert broken is not None and broken.tenants == []
    assert broken.errors[0].code in ("InvalidAuthenticationToken", "401")
    monkeypatch.delenv("LOGWARDEN_AZURE_SANDBOX_TOKEN")
    unset = discover(settings=settings_for(box.server))
    assert unset is not None and unset.errors[0].code == "CredentialUnavailable"
    assert found.errors == []


def test_import_has_no_side_effects() -> None:
    code = (
        "import sys, logwarden.scanner.collectors.azure as a, logwarden.checks.azure;"
        "a.all_kinds();"
        "bad = [m for m in sys.modules if m.startswith(('azure.identity', 'azure.mgmt', 'boto',"
        " 'botocore', 'google', 'moto'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
