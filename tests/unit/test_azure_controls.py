"""Every Azure control passes on the compliant tenant and fails on its own defect, offline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import azure_docs as d
from tests.catalogue import control_ids
from tests.offline import rows, statuses

EXPORTED = "azure.monitor.activity_log_exported"
CATEGORIES = "azure.monitor.activity_log_categories"
RETENTION = "azure.loganalytics.retention"
ASSIGNED = "azure.policy.activity_log_policy_assigned"
COMPLIANT = "azure.policy.activity_log_policy_compliant"
PRIVATE = "azure.storage.log_account_private"
CMK = "azure.storage.log_account_cmk"
KEPT = "azure.storage.log_account_retention"


def test_compliant_tenant_passes_every_azure_control() -> None:
    report = d.scan(d.compliant_world())
    assert {r.check_id for r in report.results} == control_ids("azure")
    bad = [(r.check_id, r.tenant_name, r.message) for r in report.results if r.status != "PASS"]
    assert bad == []
    assert int(report.exit_code) == 0
    # the central workspace and storage account are evaluated once, where they live
    for check in (RETENTION, PRIVATE, CMK, KEPT):
        assert [(r.tenant_id, r.resource_id.split("/")[-1]) for r in rows(report, check)] == [
            (d.PLATFORM, "law-central" if check == RETENTION else "stactivitylogs01")
        ]


def test_tricky_cases_of_the_compliant_tenant() -> None:
    """allLogs counts, and so do the four categories listed one by one; an assignment
    inherited from a management group counts."""
    world = d.compliant_world()
    assert world.doc(d.CORP, d.SETTING)["EnabledCategoryGroups"] == ["allLogs"]
    online = world.doc(d.ONLINE, d.SETTING)
    assert (online["EnabledCategoryGroups"], online["EnabledCategories"]) == ([], d.AUDIT)
    assert world.doc(d.CORP, d.ASSIGNMENT, 1)["Inherited"] is True
    report = d.scan(world)
    for sub in (d.CORP, d.ONLINE):
        assert statuses(report, CATEGORIES, sub) == {Status.PASS}
        assert statuses(report, ASSIGNED, sub) == {Status.PASS}
        assert "activity-log-lz" in rows(report, ASSIGNED, sub)[0].message


def _assignment(w: d.World, sub: str) -> dict:
    return w.doc(sub, d.ASSIGNMENT, 1)


def _no_assignment(w: d.World, sub: str) -> None:
    w.docs[sub][d.ASSIGNMENT].pop(1)
    w.docs[sub][d.COMPLIANCE] = []


def _setting(w: d.World, sub: str) -> dict:
    return w.doc(sub, d.SETTING)


def _storage(w: d.World) -> dict:
    return w.doc(d.PLATFORM, d.ACCOUNTS)


def _compliance(w: d.World, sub: str, state: str) -> None:
    doc = w.doc(sub, d.COMPLIANCE)
    doc.update(ComplianceState=state, States=[{"complianceState": state}])


# (name, mutate, failing control, failing subscription)
DEFECTS: list[tuple[str, Callable[[d.World], object], str, str]] = [
    ("no diagnostic setting", lambda w: w.set(d.CORP, d.SETTING), EXPORTED, d.CORP),
    (
        "setting to storage only fails the workspace part",
        lambda w: w.set(
            d.ONLINE, d.SETTING, d.setting_doc(d.ONLINE, d.ALL, ["allLogs"], to="storage")
        ),
        EXPORTED,
        d.ONLINE,
    ),
    (
        "setting names a workspace but enables nothing",
        lambda w: _setting(w, d.CORP).update(EnabledCategories=[]),
        EXPORTED,
        d.CORP,
    ),
    ("no diagnostic setting", lambda w: w.set(d.CORP, d.SETTING), CATEGORIES, d.CORP),
    (
        "Security category missing",
        lambda w: _setting(w, d.CORP).update(
            EnabledCategories=[c for c in d.ALL if c != "Security"]
        ),
        CATEGORIES,
        d.CORP,
    ),
    (
        "a setting without destination does not count",
        lambda w: w.set(d.ONLINE, d.SETTING, d.setting_doc(d.ONLINE, d.AUDIT, [], to="")),
        CATEGORIES,
        d.ONLINE,
    ),
    (
        "workspace keeps 30 days",
        lambda w: w.doc(d.PLATFORM, d.WORKSPACES).update(ActivityLogTotalRetentionDays=30),
        RETENTION,
        d.PLATFORM,
    ),
    (
        "workspace retention unknown",
        lambda w: w.doc(d.PLATFORM, d.WORKSPACES).pop("ActivityLogTotalRetentionDays"),
        RETENTION,
        d.PLATFORM,
    ),
    ("policy not assigned", lambda w: _no_assignment(w, d.ONLINE), ASSIGNED, d.ONLINE),
    (
        "enforcementMode DoNotEnforce",
        lambda w: _assignment(w, d.CORP).update(EnforcementMode="DoNotEnforce"),
        ASSIGNED,
        d.CORP,
    ),
    (
        "subscription excluded by notScopes",
        lambda w: _assignment(w, d.CORP).update(
            AppliesToSubscription=False, ExcludedBy=[f"/subscriptions/{d.CORP}"]
        ),
        ASSIGNED,
        d.CORP,
    ),
    ("non-compliant", lambda w: _compliance(w, d.CORP, "NonCompliant"), COMPLIANT, d.CORP),
    (
        "public blob access allowed",
        lambda w: _storage(w).update(AllowBlobPublicAccess=True),
        PRIVATE,
        d.PLATFORM,
    ),
    (
        "log container public",
        lambda w: _storage(w)["ActivityLogContainer"]["properties"].update(
            publicAccess="Container"
        ),
        PRIVATE,
        d.PLATFORM,
    ),
    (
        "Microsoft-managed key",
        lambda w: _storage(w).update(CustomerManagedKey=False, KeySource="Microsoft.Storage"),
        CMK,
        d.PLATFORM,
    ),
    (
        "no immutability, lifecycle deletes at 30 days",
        lambda w: (
            _storage(w).pop("ImmutabilityDays"),
            _storage(w).update(LogLifecycle={"Rules": ["x"], "DeleteAfterDays": 30}),
        ),
        KEPT,
        d.PLATFORM,
    ),
    (
        "short immutability and no lifecycle",
        lambda w: (_storage(w).update(ImmutabilityDays=100), _storage(w).pop("LogLifecycle")),
        KEPT,
        d.PLATFORM,
    ),
    (
        "neither immutability nor lifecycle",
        lambda w: (_storage(w).pop("ImmutabilityDays"), _storage(w).pop("LogLifecycle")),
        KEPT,
        d.PLATFORM,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "check_id", "sub"),
    [pytest.param(m, c, s, id=f"{c.split('.')[-1]}: {n}") for n, m, c, s in DEFECTS],
)
def test_each_defect_fails_its_control_and_only_there(
    mutate: Callable[[d.World], object], check_id: str, sub: str
) -> None:
    world = d.copy_world(d.compliant_world())
    mutate(world)
    report = d.scan(world)
    failed = {(r.check_id, r.tenant_id) for r in report.results if r.status is Status.FAIL}
    assert (check_id, sub) in failed
    assert {c for c, _ in failed} <= {check_id, EXPORTED, CATEGORIES}
    assert statuses(report, check_id, sub) == {Status.FAIL}
    others = [s for s in d.NAMES if s != sub]
    for other in others:
        assert Status.FAIL not in statuses(report, check_id, other)


def test_storage_only_setting_passes_the_categories_part() -> None:
    world = d.compliant_world()
    world.set(d.ONLINE, d.SETTING, d.setting_doc(d.ONLINE, d.ALL, ["allLogs"], to="storage"))
    report = d.scan(world)
    assert statuses(report, EXPORTED, d.ONLINE) == {Status.FAIL}
    assert statuses(report, CATEGORIES, d.ONLINE) == {Status.PASS}
    assert "storage" in rows(report, EXPORTED, d.ONLINE)[0].message


def test_expected_workspace_is_compared_without_case() -> None:
    world = d.compliant_world()
    same = d.scan(world, expected_workspace_id=d.WORKSPACE.upper())
    assert statuses(same, EXPORTED) == {Status.PASS}
    other = d.WORKSPACE.replace("law-central", "law-other")
    report = d.scan(world, expected_workspace_id=other)
    assert statuses(report, EXPORTED) == {Status.FAIL}
    row = rows(report, EXPORTED, d.CORP)[0]
    assert "law-other" in row.message and row.evidence["ExpectedWorkspaceId"] == other


def test_no_compliance_state_yet_is_an_error_with_a_clear_message() -> None:
    world = d.compliant_world()
    assignment = world.doc(d.ONLINE, d.ASSIGNMENT, 1)
    world.set(d.ONLINE, d.COMPLIANCE, d.compliance_doc(d.ONLINE, assignment, None))
    report = d.scan(world)
    [row] = rows(report, COMPLIANT, d.ONLINE)
    assert row.status is Status.ERROR
    assert "no compliance state yet" in row.message and "trigger-scan" in row.message
    assert int(report.exit_code) == 3


def test_unassigned_policy_skips_the_compliance_control_with_the_reason() -> None:
    world = d.compliant_world()
    _no_assignment(world, d.ONLINE)
    report = d.scan(world)
    [row] = rows(report, COMPLIANT, d.ONLINE)
    assert row.status is Status.SKIPPED and "activity_log_policy_assigned" in row.message


def test_workspace_in_another_subscription_is_evaluated_where_it_lives() -> None:
    report = d.scan(d.compliant_world())
    assert rows(report, RETENTION, d.CORP) == []
    [row] = rows(report, RETENTION, d.PLATFORM)
    assert row.resource_id == d.WORKSPACE and row.evidence["ActivityLogTotalRetentionDays"] == 730


def test_storage_retention_alternatives() -> None:
    world = d.compliant_world()
    _storage(world).pop("ImmutabilityDays")
    _storage(world).update(LogLifecycle={"Rules": ["archive"], "DeleteAfterDays": None})
    assert statuses(d.scan(world), KEPT) == {Status.PASS}  # a lifecycle that never deletes
    world = d.compliant_world()
    _storage(world).pop("LogLifecycle")
    assert statuses(d.scan(world), KEPT) == {Status.PASS}  # immutability alone
    assert statuses(d.scan(world, log_retention_days=400), KEPT) == {Status.FAIL}


def test_collection_errors_are_errors_never_pass() -> None:
    world = d.compliant_world()
    err = CollectionError(
        "azure", d.CORP, d.SETTING, "", "AuthorizationFailed", "HTTP 403: not allowed"
    )
    world.errors[(d.CORP, d.SETTING)] = KindCollection(errors=(err,))
    report = d.scan(world)
    for check in (EXPORTED, CATEGORIES):
        [row] = rows(report, check, d.CORP)
        assert row.status is Status.ERROR and "AuthorizationFailed" in row.message
    assert statuses(report, EXPORTED, d.ONLINE) == {Status.PASS}
    assert int(report.exit_code) == 3
