"""Destinations that exist, are gone or cannot be read; categories across settings; the
``audit`` group: the two Activity Log controls over offline documents (tests/azure_docs.py).

A destination counts only when it exists: gone is a FAIL, unreadable (or not verified) is an
ERROR when the answer depends on it, never a PASS.
"""

from __future__ import annotations

import pytest

from logwarden.scanner.models import Status
from tests import azure_docs as d
from tests.offline import rows

EXPORTED = "azure.monitor.activity_log_exported"
CATEGORIES = "azure.monitor.activity_log_categories"
GONE = {"State": "NotFound", "Reason": "Log Analytics workspace X does not exist (404)"}
DENIED = {"State": "Unreadable", "Reason": "could not be read (AuthorizationFailed: HTTP 403)"}
UNVERIFIED = {"State": "NotVerified", "Reason": "logwarden does not read partner solutions"}
ADMIN_SECURITY = ["Administrative", "Security"]
ALERT_POLICY = ["Alert", "Policy"]
OTHER_WORKSPACE = d.WORKSPACE.replace("law-central", "law-other")

Setting = tuple[list[str], list[str], str]  # categories, groups, destinations (setting_doc)

# (case, the settings of lz-online, destination states by id, exported, categories, words)
CASES: list[tuple[str, list[Setting], dict[str, dict[str, str]], Status, Status, str]] = [
    ("all exist", [(d.AUDIT, [], "workspace")], {}, Status.PASS, Status.PASS, "exports"),
    (
        "the workspace is gone",
        [(d.AUDIT, [], "workspace")],
        {d.WORKSPACE: GONE},
        Status.FAIL,
        Status.FAIL,
        "does not exist",
    ),
    (
        "the workspace cannot be read",
        [(d.AUDIT, [], "workspace")],
        {d.WORKSPACE: DENIED},
        Status.ERROR,
        Status.ERROR,
        "AuthorizationFailed",
    ),
    (
        "the workspace is gone, the storage account of the same setting exists",
        [(d.ALL, ["allLogs"], "workspace,storage")],
        {d.WORKSPACE: GONE},
        Status.FAIL,
        Status.PASS,
        "",
    ),
    (
        "a gone workspace and a second setting to one that exists",
        [(d.AUDIT, [], "workspace"), (d.AUDIT, [], f"workspace={OTHER_WORKSPACE}")],
        {d.WORKSPACE: GONE},
        Status.PASS,
        Status.PASS,
        "law-other",
    ),
    (
        "an unreadable workspace and a second setting to one that exists",
        [(d.AUDIT, [], "workspace"), (d.AUDIT, [], f"workspace={OTHER_WORKSPACE}")],
        {d.WORKSPACE: DENIED},
        Status.PASS,
        Status.PASS,
        "",
    ),
    (
        "storage only, gone",
        [(d.AUDIT, [], "storage")],
        {d.STORAGE: GONE},
        Status.FAIL,
        Status.FAIL,
        "does not exist",
    ),
    (
        "storage only, cannot be read",
        [(d.AUDIT, [], "storage")],
        {d.STORAGE: DENIED},
        Status.FAIL,
        Status.ERROR,
        "AuthorizationFailed",
    ),
    ("event hub only, exists", [(d.AUDIT, [], "eventhub")], {}, Status.FAIL, Status.PASS, ""),
    (
        "event hub only, gone",
        [(d.AUDIT, [], "eventhub")],
        {d.EVENT_HUB: GONE},
        Status.FAIL,
        Status.FAIL,
        "does not count",
    ),
    (
        "event hub only, cannot be read",
        [(d.AUDIT, [], "eventhub")],
        {d.EVENT_HUB: DENIED},
        Status.FAIL,
        Status.ERROR,
        "could not be verified",
    ),
    (
        "a partner solution only: not verified",
        [(d.AUDIT, [], "partner")],
        {d.PARTNER: UNVERIFIED},
        Status.FAIL,
        Status.ERROR,
        "partner",
    ),
    (
        "two settings to existing destinations export the four together",
        [(ADMIN_SECURITY, [], "workspace"), (ALERT_POLICY, [], "storage")],
        {},
        Status.PASS,
        Status.PASS,
        "together",
    ),
    (
        "two settings, the second one's storage account is gone",
        [(ADMIN_SECURITY, [], "workspace"), (ALERT_POLICY, [], "storage")],
        {d.STORAGE: GONE},
        Status.PASS,
        Status.FAIL,
        "Alert and Policy are not exported",
    ),
    (
        "two settings, the second one's storage account cannot be read",
        [(ADMIN_SECURITY, [], "workspace"), (ALERT_POLICY, [], "storage")],
        {d.STORAGE: DENIED},
        Status.PASS,
        Status.ERROR,
        "Alert and Policy reach only destinations that could not be verified",
    ),
    (
        "two settings, the second one has no destination",
        [(ADMIN_SECURITY, [], "workspace"), (ALERT_POLICY, [], "")],
        {},
        Status.PASS,
        Status.FAIL,
        "it has no destination",
    ),
    (
        "two settings that miss Policy between them",
        [(ADMIN_SECURITY, [], "workspace"), (["Alert"], [], "storage")],
        {},
        Status.PASS,
        Status.FAIL,
        "Policy is not exported",
    ),
    (
        "categoryGroup audit alone",
        [([], ["audit"], "workspace")],
        {},
        Status.FAIL,
        Status.FAIL,
        "categoryGroup audit is not documented to include Administrative, Security, Alert and "
        "Policy for the subscription Activity Log; use allLogs or list the categories",
    ),
    (
        "allLogs with audit",
        [(d.ALL, ["allLogs", "audit"], "workspace")],
        {},
        Status.PASS,
        Status.PASS,
        "",
    ),
]


def world_with(settings: list[Setting], states: dict[str, dict[str, str]]) -> d.World:
    world = d.compliant_world()
    docs = [
        d.setting_doc(d.ONLINE, categories, groups, to=to, name=f"setting-{n}")
        for n, (categories, groups, to) in enumerate(settings, 1)
    ]
    world.set(d.ONLINE, d.SETTING, *docs)
    world.states = {rid.lower(): state for rid, state in states.items()}
    return world


@pytest.mark.parametrize(
    ("settings", "states", "exported", "categories", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_destinations_and_categories(
    settings: list[Setting],
    states: dict[str, dict[str, str]],
    exported: Status,
    categories: Status,
    words: str,
) -> None:
    report = d.scan(world_with(settings, states))
    [export_row] = rows(report, EXPORTED, d.ONLINE)
    [category_row] = rows(report, CATEGORIES, d.ONLINE)
    assert (export_row.status, category_row.status) == (exported, categories), (
        export_row.message,
        category_row.message,
    )
    failing = [r for r in (export_row, category_row) if r.status is not Status.PASS]
    assert any(words in r.message for r in failing or [export_row, category_row]), [
        r.message for r in (export_row, category_row)
    ]


def test_the_pass_names_every_setting_that_contributes() -> None:
    world = world_with([(ADMIN_SECURITY, [], "workspace"), (ALERT_POLICY, [], "storage")], {})
    [row] = rows(d.scan(world), CATEGORIES, d.ONLINE)
    assert row.message == (
        "diagnostic settings setting-1 (Administrative, Security) and setting-2 (Alert, Policy) "
        "together export Administrative, Security, Alert and Policy to destinations that exist"
    )
    assert row.evidence["Settings"]["setting-2"] == {
        "EnabledCategories": ALERT_POLICY,
        "EnabledCategoryGroups": [],
        "Destinations": {"storage": "Exists"},
        "Counts": True,
    }


def test_the_gone_workspace_is_named_in_the_failure() -> None:
    world = world_with([(d.AUDIT, [], "workspace")], {d.WORKSPACE: GONE})
    [row] = rows(d.scan(world), EXPORTED, d.ONLINE)
    assert "setting-1" in row.message and GONE["Reason"] in row.message
    assert row.evidence["Settings"]["setting-1"]["WorkspaceState"] == "NotFound"


def test_expected_workspace_that_is_gone_fails() -> None:
    world = world_with([(d.AUDIT, [], "workspace")], {d.WORKSPACE: GONE})
    report = d.scan(world, expected_workspace_id=d.WORKSPACE)
    [row] = rows(report, EXPORTED, d.ONLINE)
    assert row.status is Status.FAIL and "does not exist" in row.message


def test_a_destination_without_a_state_is_an_error_never_a_pass() -> None:
    world = world_with([(d.AUDIT, [], "workspace")], {})
    world.set(d.ONLINE, d.DESTINATION)  # no destination document was collected
    report = d.scan(world)
    for check in (EXPORTED, CATEGORIES):
        [row] = rows(report, check, d.ONLINE)
        assert row.status is Status.ERROR and "no state was collected" in row.message
