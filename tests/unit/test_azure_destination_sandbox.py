"""Activity Log destinations through the real azure-mgmt clients, against the ARM emulator: a
destination that is gone is a FAIL, one that cannot be read an ERROR of the subscription whose
setting points there (wherever the destination lives); settings count together."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.scanner.collectors.azure import parse_settings
from logwarden.scanner.collectors.azure.kinds.monitor import destination_state
from logwarden_sandbox.azure_sandbox import TOKEN_ENV, scan_section
from logwarden_sandbox.azure_server import ArmServer, FaultRule
from logwarden_sandbox.azure_tenant import (
    EventHubSpec,
    SettingSpec,
    StorageSpec,
    TenantSpec,
    event_hub_rule_id,
)
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM, STORAGE, WORKSPACE, standard_tenant
from tests.azure_live import row, scan

EXPORTED = "azure.monitor.activity_log_exported"
CATEGORIES = "azure.monitor.activity_log_categories"
RETENTION = "azure.loganalytics.retention"
HUB = "evhns-logging"
AUDIT = ("Administrative", "Security", "Alert", "Policy")


def _online(tenant: TenantSpec, *settings: SettingSpec) -> TenantSpec:
    tenant.subscription(ONLINE).settings = list(settings)
    return tenant


def test_a_deleted_workspace_fails_export_without_an_expected_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = standard_tenant()
    tenant.workspace(WORKSPACE)[1].exists = False
    with ArmServer(tenant) as server:
        code, report = scan(server, tmp_path, monkeypatch, mode="subscriptions-visible")
        reads = server.count("GET", f"*/workspaces/{WORKSPACE}")
    assert reads == 1  # read once, by the owner; the destination states reuse that answer
    for name in (PLATFORM, CORP, ONLINE):
        sub = tenant.subscription(name).id
        exported = row(report, EXPORTED, sub)
        assert exported["status"] == "FAIL", exported["message"]
        assert "does not exist" in exported["message"] and WORKSPACE in exported["message"]
    # platform and corp also send to the storage account, which exists: their categories count
    assert row(report, CATEGORIES, tenant.subscription(CORP).id)["status"] == "PASS"
    online = row(report, CATEGORIES, tenant.subscription(ONLINE).id)
    assert online["status"] == "FAIL" and "does not count" in online["message"]
    assert code == 1


def test_an_unreadable_workspace_is_an_error_of_each_subscription_sending_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = standard_tenant()
    owner = tenant.subscription(PLATFORM).id
    with ArmServer(tenant) as server:
        server.faults.add(FaultRule(403, subscription=owner, path=f"*/workspaces/{WORKSPACE}"))
        code, report = scan(server, tmp_path, monkeypatch)
    for name in (CORP, ONLINE):  # the workspace lives in the platform subscription
        exported = row(report, EXPORTED, tenant.subscription(name).id)
        assert exported["status"] == "ERROR", exported["message"]
        assert "AuthorizationFailed" in exported["message"]
    online = row(report, CATEGORIES, tenant.subscription(ONLINE).id)
    assert online["status"] == "ERROR" and "could not be verified" in online["message"]
    assert row(report, CATEGORIES, tenant.subscription(CORP).id)["status"] == "PASS"
    assert code == 3


@pytest.mark.parametrize(
    ("exists", "fault", "status"),
    [(True, None, "PASS"), (False, None, "FAIL"), (True, 403, "ERROR"), (True, 500, "ERROR")],
)
def test_event_hub_destinations_count_only_when_they_exist(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    exists: bool,
    fault: int | None,
    status: str,
) -> None:
    tenant = standard_tenant()
    tenant.subscription(PLATFORM).event_hubs = [EventHubSpec(HUB, exists=exists)]
    hub_only = SettingSpec(workspace=None, event_hub=HUB, categories=AUDIT, groups=())
    _online(tenant, hub_only)
    tenant.subscription(CORP).settings.append(SettingSpec("to-hub", None, event_hub=HUB))
    with ArmServer(tenant) as server:
        if fault:
            server.faults.add(FaultRule(fault, path="*/authorizationrules/*"))
        code, report = scan(server, tmp_path, monkeypatch)
        reads = server.count("GET", "*/namespaces/evhns-logging/authorizationrules/*")
    assert reads == 1  # once per scan, for both subscriptions that send there
    online = tenant.subscription(ONLINE).id
    categories = row(report, CATEGORIES, online)
    assert categories["status"] == status, categories["message"]
    assert row(report, EXPORTED, online)["status"] == "FAIL"  # an event hub is no workspace
    assert row(report, CATEGORIES, tenant.subscription(CORP).id)["status"] == "PASS"
    assert code in (1, 3)


def test_a_deleted_storage_account_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = standard_tenant()
    tenant.subscription(PLATFORM).storage_accounts.append(StorageSpec("stgone", exists=False))
    _online(tenant, SettingSpec(workspace=None, storage="stgone", categories=AUDIT, groups=()))
    with ArmServer(tenant) as server:
        _, report = scan(server, tmp_path, monkeypatch)
    categories = row(report, CATEGORIES, tenant.subscription(ONLINE).id)
    assert categories["status"] == "FAIL" and "stgone does not exist" in categories["message"]


def test_two_settings_export_the_four_categories_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = _online(
        standard_tenant(),
        SettingSpec("admin-security", categories=AUDIT[:2], groups=()),
        SettingSpec("alert-policy", None, storage=STORAGE, categories=AUDIT[2:], groups=()),
    )
    with ArmServer(tenant) as server:
        code, report = scan(server, tmp_path, monkeypatch)
    categories = row(report, CATEGORIES, tenant.subscription(ONLINE).id)
    assert categories["status"] == "PASS", categories["message"]
    assert "admin-security (Administrative, Security)" in categories["message"]
    assert "alert-policy (Alert, Policy)" in categories["message"]
    assert code == 0


def test_the_audit_group_alone_fails_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = _online(standard_tenant(), SettingSpec(groups=("audit",)))
    with ArmServer(tenant) as server:
        _, report = scan(server, tmp_path, monkeypatch)
    categories = row(report, CATEGORIES, tenant.subscription(ONLINE).id)
    assert categories["status"] == "FAIL"
    assert "categoryGroup audit is not documented to include" in categories["message"]
    assert "use allLogs or list the categories" in categories["message"]


def test_an_event_hubs_own_rule_names_no_destination_and_is_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Azure Monitor takes only a namespace's rule in eventHubAuthorizationRuleId (ARM refuses
    # microsoft.eventhub/namespaces/eventhubs/authorizationrules there)
    tenant = standard_tenant()
    tenant.subscription(PLATFORM).event_hubs = [EventHubSpec(HUB)]
    namespace = event_hub_rule_id(tenant, HUB).split("/authorizationRules/")[0]
    own_rule = f"{namespace}/eventhubs/insights-activity-logs/authorizationRules/send"
    with ArmServer(tenant) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        pool = parse_settings(scan_section(server)).pool
        state = destination_state(pool, "eventhub", own_rule)
        assert server.calls == []
    assert state["State"] == "NotFound"
    assert "is not the id of an event hub namespace authorization rule" in state["Reason"]
