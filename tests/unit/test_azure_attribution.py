"""Azure drift attribution: Activity Log events matched to drifted resources, and the
emulator's Activity Log (``$filter``, ``$select``, paging, faults) read by the real
azure-mgmt-monitor client over HTTPS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from logwarden.scanner.audit_events import Subject
from logwarden.scanner.collectors import azure as azure_plugin
from logwarden.scanner.collectors.azure import parse_settings
from logwarden.scanner.collectors.azure.attribution.activity_log import (
    TENANT_GAP,
    audit_event,
    event_filter,
    log_of,
    match,
)
from logwarden.scanner.collectors.azure.settings import AzureSettings
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Tenant
from logwarden_sandbox.azure_activity import FilterError, event_document, parse_filter
from logwarden_sandbox.azure_changes import (
    delete_activity_log_setting,
    record_activity,
    remove_activity_log_category,
)
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_tenant import ALL_CATEGORIES
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM

SUB = "11111111-2222-4333-8444-555555555555"
OTHER = "99999999-2222-4333-8444-555555555555"
SETTING_ID = f"/subscriptions/{SUB}/providers/microsoft.insights/diagnosticSettings/to-central"
WORKSPACE_ID = (
    f"/subscriptions/{SUB}/resourceGroups/rg-logging/providers/"
    "Microsoft.OperationalInsights/workspaces/law-central"
)
STORAGE_ID = (
    f"/subscriptions/{SUB}/resourceGroups/rg-logging/providers/"
    "Microsoft.Storage/storageAccounts/stactivitylogs01"
)
CONTAINER_ID = f"{STORAGE_ID}/blobServices/default/containers/insights-activity-logs"
SUB_ASSIGNMENT = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments/lz"
MG_ASSIGNMENT = (
    "/providers/Microsoft.Management/managementGroups/mg-landingzones/providers/"
    "Microsoft.Authorization/policyAssignments/activity-log-lz"
)
START = "2026-01-10T00:00:00+00:00"
END = "2026-01-11T00:00:00+00:00"
INSIDE = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2026, 1, 9, 23, 59, 59, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 1, 11, 0, 0, 1, tzinfo=dt.UTC)
LAST_SECOND = dt.datetime(2026, 1, 11, 0, 0, 0, 700000, tzinfo=dt.UTC)
DIAG = "microsoft.insights/diagnosticSettings"
EVENTS = "/providers/microsoft.insights/eventtypes/management/values"
WS = "Microsoft.OperationalInsights/workspaces"
SA = "Microsoft.Storage/storageAccounts"
PA = "Microsoft.Authorization/policyAssignments"
IMMUTABILITY = f"{SA}/blobServices/containers/immutabilityPolicies"


def subject(kind: str, rid: str, removed: bool = False) -> Subject:
    return Subject("azure", kind, rid, log_of(rid), "", () if removed else ("X",), removed)


def event(
    operation: str,
    resource: str,
    status: str = "Succeeded",
    when: dt.datetime = INSIDE,
    correlation: str | None = None,
    ip: str = "192.0.2.44",
) -> dict[str, Any]:
    return event_document(
        tenant_id="t",
        operation=operation,
        resource_id=resource,
        principal="bob@contoso.example",
        source_ip=ip,
        status=status,
        when=when,
        correlation_id=correlation,
    )


MATCHING = [
    # kind, subject id, operation, event resource, status, time, counts
    ("setting", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Succeeded", INSIDE, True),
    (
        "setting-upper-case",
        SETTING_ID,
        f"{DIAG}/write".upper(),
        SETTING_ID.upper(),
        "Succeeded",
        INSIDE,
        True,
    ),
    ("setting-delete", SETTING_ID, f"{DIAG}/delete", SETTING_ID, "Succeeded", INSIDE, True),
    ("setting-read", SETTING_ID, f"{DIAG}/read", SETTING_ID, "Succeeded", INSIDE, False),
    ("setting-failed", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Failed", INSIDE, False),
    ("setting-started", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Started", INSIDE, False),
    ("setting-accepted", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Accepted", INSIDE, False),
    ("setting-before", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Succeeded", BEFORE, False),
    ("setting-after", SETTING_ID, f"{DIAG}/write", SETTING_ID, "Succeeded", AFTER, False),
    (
        "setting-last-second",
        SETTING_ID,
        f"{DIAG}/write",
        SETTING_ID,
        "Succeeded",
        LAST_SECOND,
        True,
    ),
    ("setting-other", SETTING_ID, f"{DIAG}/write", f"{SETTING_ID}-2", "Succeeded", INSIDE, False),
    ("workspace", WORKSPACE_ID, f"{WS}/write", WORKSPACE_ID, "Succeeded", INSIDE, True),
    (
        "workspace-table",
        WORKSPACE_ID,
        f"{WS}/tables/write",
        f"{WORKSPACE_ID}/tables/AzureActivity",
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "workspace-keys",
        WORKSPACE_ID,
        f"{WS}/sharedKeys/action",
        WORKSPACE_ID,
        "Succeeded",
        INSIDE,
        False,
    ),
    (
        "workspace-prefix",
        WORKSPACE_ID,
        f"{WS}/write",
        f"{WORKSPACE_ID}2",
        "Succeeded",
        INSIDE,
        False,
    ),
    ("workspace-delete", WORKSPACE_ID, f"{WS}/delete", WORKSPACE_ID, "Succeeded", INSIDE, True),
    ("storage", STORAGE_ID, f"{SA}/write", STORAGE_ID, "Succeeded", INSIDE, True),
    (
        "storage-lifecycle",
        STORAGE_ID,
        f"{SA}/managementPolicies/write",
        f"{STORAGE_ID}/managementPolicies/default",
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "storage-lock",
        STORAGE_ID,
        f"{IMMUTABILITY}/lock/action",
        f"{CONTAINER_ID}/immutabilityPolicies/default",
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "storage-immutability",
        STORAGE_ID,
        f"{IMMUTABILITY}/delete",
        f"{CONTAINER_ID}/immutabilityPolicies/default",
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "storage-container",
        STORAGE_ID,
        f"{SA}/blobServices/containers/write",
        CONTAINER_ID,
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "storage-list-keys",
        STORAGE_ID,
        f"{SA}/listKeys/action",
        STORAGE_ID,
        "Succeeded",
        INSIDE,
        False,
    ),
    ("storage-workspace-op", STORAGE_ID, f"{WS}/write", STORAGE_ID, "Succeeded", INSIDE, False),
    ("assignment", SUB_ASSIGNMENT, f"{PA}/write", SUB_ASSIGNMENT, "Succeeded", INSIDE, True),
    (
        "assignment-delete",
        SUB_ASSIGNMENT,
        f"{PA}/delete",
        SUB_ASSIGNMENT.upper(),
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "assignment-mg",
        MG_ASSIGNMENT,
        f"{PA}/write",
        MG_ASSIGNMENT.lower(),
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "assignment-exemption",
        SUB_ASSIGNMENT,
        "Microsoft.Authorization/policyExemptions/write",
        SUB_ASSIGNMENT,
        "Succeeded",
        INSIDE,
        False,
    ),
    ("compliance", MG_ASSIGNMENT, f"{PA}/write", MG_ASSIGNMENT, "Succeeded", INSIDE, True),
    (
        "compliance-evaluation",
        MG_ASSIGNMENT,
        "Microsoft.PolicyInsights/policyStates/triggerEvaluation/action",
        MG_ASSIGNMENT,
        "Succeeded",
        INSIDE,
        False,
    ),
    (
        "unknown-kind-write",
        f"{STORAGE_ID}/x/y",
        f"{SA}/x/write",
        f"{STORAGE_ID}/x/y",
        "Succeeded",
        INSIDE,
        True,
    ),
    (
        "unknown-kind-action",
        f"{STORAGE_ID}/x/y",
        f"{SA}/x/run/action",
        f"{STORAGE_ID}/x/y",
        "Succeeded",
        INSIDE,
        False,
    ),
]
KINDS = {
    "setting": "azure.monitor.activity_log_setting",
    "workspace": "azure.loganalytics.workspace",
    "storage": "azure.storage.log_account",
    "assignment": "azure.policy.assignment",
    "compliance": "azure.policy.activity_log_compliance",
    "unknown": "azure.example.thing",
}


@pytest.mark.parametrize(
    ("kind", "rid", "operation", "resource", "status", "when", "counts"),
    [(KINDS[m[0].split("-")[0]], *m[1:]) for m in MATCHING],
    ids=[m[0] for m in MATCHING],
)
def test_events_are_matched_to_subjects_per_kind(
    kind: str,
    rid: str,
    operation: str,
    resource: str,
    status: str,
    when: dt.datetime,
    counts: bool,
) -> None:
    doc = event(operation, resource, status, when)
    found = match(subject(kind, rid), [doc], START, END, "activity-log x")
    assert [e.event_id for e in found] == ([doc["eventDataId"]] if counts else [])


def test_started_and_succeeded_count_once_oldest_first() -> None:
    s = subject(KINDS["setting"], SETTING_ID)
    later = INSIDE + dt.timedelta(hours=1)
    docs = [
        event(f"{DIAG}/write", SETTING_ID, "Succeeded", later, "c2", ip="198.51.100.7"),
        event(f"{DIAG}/write", SETTING_ID, "Started", INSIDE - dt.timedelta(seconds=1), "c1"),
        event(f"{DIAG}/write", SETTING_ID, "Succeeded", INSIDE, "c1"),
        event(f"{DIAG}/write", SETTING_ID, "Succeeded", INSIDE + dt.timedelta(seconds=3), "c1"),
    ]
    found = match(s, docs, START, END, "activity-log /subscriptions/x")
    assert [e.event_id for e in found] == [docs[2]["eventDataId"], docs[0]["eventDataId"]]
    assert [e.source_ip for e in found] == ["192.0.2.44", "198.51.100.7"]


def test_only_administrative_events_count() -> None:
    s = subject(KINDS["setting"], SETTING_ID)
    doc = event(f"{DIAG}/write", SETTING_ID)
    assert len(match(s, [doc], START, END, "x")) == 1
    doc["category"] = {"value": "Policy", "localizedValue": "Policy"}
    assert match(s, [doc], START, END, "x") == []
    del doc["category"]  # not selected: the operation decides
    assert len(match(s, [doc], START, END, "x")) == 1


def test_an_event_becomes_an_audit_event() -> None:
    doc = event(f"{DIAG}/write", SETTING_ID.upper())
    got = audit_event(doc, "activity-log /subscriptions/s")
    assert got.principal == "bob@contoso.example"
    assert got.action == f"{DIAG}/write"
    assert got.time == "2026-01-10T12:00:00.000000Z"
    assert got.source_ip == "192.0.2.44"
    assert got.source == "activity-log /subscriptions/s"
    assert got.event_id == doc["eventDataId"]
    assert got.resource == SETTING_ID.upper()
    del doc["httpRequest"]
    assert audit_event(doc, "x").source_ip == ""


def test_the_log_of_a_resource_is_its_subscription_or_the_tenant() -> None:
    assert log_of(SETTING_ID.upper()) == SUB
    assert log_of(MG_ASSIGNMENT) == ""
    assert log_of("/providers/Microsoft.Management/managementGroups/mg") == ""


# ---------------------------------------------------------------- the emulator's $filter


def test_the_collectors_filter_is_one_the_emulator_parses_to_the_same_window() -> None:
    parsed = parse_filter(event_filter(START, END, SETTING_ID))
    assert parsed.start == dt.datetime.fromisoformat(START)
    assert parsed.end == dt.datetime(2026, 1, 11, 0, 0, 0, 999999, tzinfo=dt.UTC)
    assert (parsed.field, parsed.value) == ("resourceId", SETTING_ID)


FILTERS = [
    ("window", f"eventTimestamp ge '{START}' and eventTimestamp le '{END}'", ["a", "b", "c"]),
    ("start-only", "eventTimestamp ge '2026-01-10T12:30:00Z'", ["b", "c"]),
    (
        "seven-digits-and-case",
        "EVENTTIMESTAMP GE '2026-01-10T00:00:00.0000000Z' AND eventTimestamp le "
        "'2026-01-10T12:00:00.0000000Z'",
        ["a"],
    ),
    ("resource", f"eventTimestamp ge '{START}' and resourceUri eq 'SETTING'", ["a"]),
    (
        "resource-group",
        f"eventTimestamp ge '{START}' and resourceGroupName eq 'RG-LOGGING'",
        ["b", "c"],
    ),
    ("correlation", f"eventTimestamp ge '{START}' and correlationId eq 'corr-b'", ["b"]),
    (
        "channels",
        f"eventTimestamp ge '{START}' and eventChannels eq 'Admin, Operation'",
        ["a", "b", "c"],
    ),
    ("quoted", f"eventTimestamp ge '{START}' and resourceGroupName eq 'it''s'", []),
]
BAD_FILTERS = [
    ("empty", ""),
    ("no-start", f"eventTimestamp le '{END}'"),
    ("or", f"eventTimestamp ge '{START}' or resourceUri eq 'x'"),
    ("unknown-field", f"eventTimestamp ge '{START}' and caller eq 'bob'"),
    ("two-eq", f"eventTimestamp ge '{START}' and resourceUri eq 'x' and correlationId eq 'y'"),
    ("not-a-time", "eventTimestamp ge 'yesterday'"),
]


@pytest.fixture(scope="module")
def box() -> Iterator[AzureSandbox]:
    sandbox = start_azure_sandbox(page_size=2)
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _token(box: AzureSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)


def get(box: AzureSandbox, path: str, **params: str) -> requests.Response:
    return requests.get(
        f"{box.server.base_url}{path}",
        params={"api-version": "2015-04-01", **params},
        headers={"Authorization": f"Bearer {box.server.token}"},
        verify=box.server.ca_path,
        timeout=10,
    )


@pytest.fixture(scope="module")
def filtered() -> Iterator[tuple[AzureSandbox, str, dict[str, str]]]:
    """A sandbox whose platform log holds a (on a setting), b, c (on an account in rg-logging)
    at 12:00, 13:00, 14:00; yields it, the setting's id and the names by event id."""
    fresh = start_azure_sandbox()
    sub = fresh.world.subscriptions[PLATFORM]
    setting = f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/s"
    account = f"/subscriptions/{sub}/resourceGroups/rg-logging/providers/{SA}/a"
    ids = {}
    for name, rid, hour in (("a", setting, 12), ("b", account, 13), ("c", account, 14)):
        doc = record_activity(
            fresh, f"{SA}/write", rid, when=INSIDE.replace(hour=hour), correlation_id=f"corr-{name}"
        )
        ids[doc["eventDataId"]] = name
    with fresh:
        yield fresh, setting, ids


def _read_all(box: AzureSandbox, path: str, **params: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = get(box, path, **params).json()
    while True:
        out += page["value"]
        if not page.get("nextLink"):
            return out
        page = requests.get(
            page["nextLink"],
            headers={"Authorization": f"Bearer {box.server.token}"},
            verify=box.server.ca_path,
            timeout=10,
        ).json()


@pytest.mark.parametrize(("text", "names"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_the_emulator_filters_the_log(
    filtered: tuple[AzureSandbox, str, dict[str, str]], text: str, names: list[str]
) -> None:
    sandbox, setting, ids = filtered
    path = f"{setting.split('/providers/')[0]}{EVENTS}"
    found = _read_all(sandbox, path, **{"$filter": text.replace("SETTING", setting.upper())})
    assert sorted(ids[e["eventDataId"]] for e in found) == names
    times = [e["eventTimestamp"] for e in found]
    assert times == sorted(times, reverse=True)  # newest first, as the API lists them


@pytest.mark.parametrize("text", [f[1] for f in BAD_FILTERS], ids=[f[0] for f in BAD_FILTERS])
def test_the_emulator_refuses_filters_the_api_refuses(
    filtered: tuple[AzureSandbox, str, dict[str, str]], text: str
) -> None:
    sandbox, setting, _ = filtered
    answer = get(sandbox, f"{setting.split('/providers/')[0]}{EVENTS}", **{"$filter": text})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadRequest"
    with pytest.raises(FilterError):
        parse_filter(text)


def test_select_keeps_only_the_named_properties_and_paging_carries_it(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[ONLINE]
    setting = f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/s"
    for minute in range(5):
        record_activity(box, f"{DIAG}/write", setting, when=INSIDE.replace(minute=minute))
    path = f"/subscriptions/{sub}{EVENTS}"
    found = _read_all(
        box, path, **{"$filter": f"eventTimestamp ge '{START}'", "$select": "caller,eventDataId"}
    )
    assert len(found) == 5
    assert {tuple(sorted(e)) for e in found} == {("caller", "eventDataId")}


# ---------------------------------------------------------------- through the hook and the SDK


def settings_of(box: AzureSandbox) -> AzureSettings:
    return parse_settings(box.config)


def inventories(settings: AzureSettings, subs: list[str]) -> list[Inventory]:
    """Like the engine: the organization inventory first, then one per subscription."""
    pool = settings.pool
    out = [Inventory(cloud="azure", tenant=None, organization=None, kinds={})]  # no session
    for sub in subs:
        out.append(
            Inventory(
                cloud="azure",
                tenant=Tenant(cloud="azure", id=sub, name=sub),
                organization=None,
                kinds={},
                session_factory=lambda sub=sub: pool.for_subscription(sub),
            )
        )
    return out


def _setting(sub: str) -> str:
    return (
        f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/activity-to-central"
    )


def test_one_query_per_subscription_and_window_through_the_sdk(box: AzureSandbox) -> None:
    platform, corp = box.world.subscriptions[PLATFORM], box.world.subscriptions[CORP]
    for minute in range(5):  # pages of 2: the SDK follows three nextLinks
        record_activity(box, f"{DIAG}/write", _setting(corp), when=INSIDE.replace(minute=minute))
    record_activity(box, f"{WS}/write", box.world.workspaces["law-central"], when=INSIDE)
    record_activity(box, f"{DIAG}/write", _setting(platform), status="Failed", when=INSIDE)
    subjects = [
        subject(KINDS["setting"], _setting(corp)),
        subject(KINDS["setting"], _setting(platform)),
        subject(KINDS["workspace"], box.world.workspaces["law-central"]),
    ]
    before = box.server.count("GET", "*/eventtypes/management/values")
    answer = azure_plugin.attribute(
        subjects=subjects,
        start=START,
        end=END,
        inventories=inventories(settings_of(box), [platform, corp]),
    )
    assert answer is not None
    got = {a.subject.resource_id: a for a in answer}
    assert [len(got[s.resource_id].events) for s in subjects] == [5, 0, 1]
    assert all(a.error == "" for a in answer)
    corp_events = got[_setting(corp)].events
    assert [e.time for e in corp_events] == sorted(e.time for e in corp_events)
    assert {e.source for e in corp_events} == {f"activity-log /subscriptions/{corp}"}
    # corp: 3 pages; platform (setting and workspace share one query): 1 page
    assert box.server.count("GET", "*/eventtypes/management/values") - before == 4


def test_a_denied_log_is_the_error_of_its_subjects_only(box: AzureSandbox) -> None:
    online, corp = box.world.subscriptions[ONLINE], box.world.subscriptions[CORP]
    record_activity(box, f"{DIAG}/write", _setting(online), when=INSIDE)
    rule = box.server.faults.add(
        FaultRule(403, subscription=corp, path="*/eventtypes/management/values")
    )
    try:
        answer = azure_plugin.attribute(
            subjects=[
                subject(KINDS["setting"], _setting(corp)),
                subject(KINDS["setting"], _setting(online)),
            ],
            start=START,
            end=END,
            inventories=inventories(settings_of(box), [online, corp]),
        )
    finally:
        box.server.faults.clear()
    assert answer is not None and rule.hits == 1
    denied, fine = answer
    assert denied.events == [] and denied.error.startswith("AuthorizationFailed: ")
    assert f"Activity Log of subscription {corp}" in denied.error
    assert fine.error == "" and len(fine.events) >= 1


def test_management_group_assignments_are_read_from_the_tenant_log(box: AzureSandbox) -> None:
    assignment = box.world.assignments["activity-log-lz"]
    sub = box.world.subscriptions[CORP]
    s = subject(KINDS["assignment"], assignment)
    invs = inventories(settings_of(box), [sub])
    (nothing,) = azure_plugin.attribute(subjects=[s], start=START, end=END, inventories=invs) or [
        None
    ]
    assert nothing is not None and nothing.events == [] and nothing.error == TENANT_GAP
    record_activity(box, f"{PA}/write", assignment.upper(), when=INSIDE, principal="ops@contoso")
    before = box.server.count("GET", EVENTS)
    (found,) = azure_plugin.attribute(subjects=[s], start=START, end=END, inventories=invs) or [
        None
    ]
    assert found is not None and found.error == ""
    assert [(e.principal, e.source) for e in found.events] == [
        ("ops@contoso", "activity-log tenant")
    ]
    assert box.server.count("GET", EVENTS) == before + 1


def test_without_any_session_every_subject_gets_the_reason(box: AzureSandbox) -> None:
    offline = [Inventory(cloud="azure", tenant=None, organization=None, kinds={})]
    answer = azure_plugin.attribute(
        subjects=[subject(KINDS["setting"], SETTING_ID)],
        start=START,
        end=END,
        inventories=offline,
    )
    assert answer is not None and answer[0].error.startswith("Offline: ")


# ---------------------------------------------------------------- the sandbox's changes


def test_removing_a_category_edits_the_setting_and_logs_started_and_succeeded() -> None:
    with start_azure_sandbox() as fresh:
        sub = fresh.world.subscriptions[CORP]
        doc = remove_activity_log_category(fresh, sub, category="Policy", source_ip="203.0.113.9")
        served = get(fresh, f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings")
        logs = served.json()["value"][0]["properties"]["logs"]
        assert {entry["category"] for entry in logs if entry["enabled"]} == set(ALL_CATEGORIES) - {
            "Policy"
        }  # allLogs is now listed category by category
        assert [entry["category"] for entry in logs if not entry["enabled"]] == ["Policy"]
        assert doc["operationName"]["value"] == f"{DIAG}/write"
        assert doc["status"]["value"] == "Succeeded"
        assert doc["category"]["value"] == "Administrative"
        assert doc["caller"] == "bob@contoso.example"
        assert doc["claims"]["ipaddr"] == doc["httpRequest"]["clientIpAddress"] == "203.0.113.9"
        assert doc["subscriptionId"] == sub
        assert log_of(doc["resourceId"]) == sub
        events = _read_all(
            fresh,
            f"/subscriptions/{sub}{EVENTS}",
            **{"$filter": "eventTimestamp ge '2000-01-01T00:00:00Z'"},
        )
        assert sorted(e["status"]["value"] for e in events) == ["Started", "Succeeded"]
        assert {e["correlationId"] for e in events} == {doc["correlationId"]}
        with pytest.raises(ValueError, match="has no diagnostic setting exporting Policy"):
            remove_activity_log_category(fresh, sub, category="Policy")


def test_default_subscription_is_the_first_exporting_the_category() -> None:
    with start_azure_sandbox(("activity_log_no_security",)) as fresh:
        doc = remove_activity_log_category(fresh)
        assert doc["subscriptionId"] == fresh.world.subscriptions[PLATFORM]
        second = remove_activity_log_category(fresh)  # platform has no Security any more
        assert second["subscriptionId"] == fresh.world.subscriptions[ONLINE]  # corp never had it
        gone = delete_activity_log_setting(fresh, fresh.world.subscriptions[ONLINE])
        assert gone["operationName"]["value"] == f"{DIAG}/delete"
        assert gone["httpRequest"]["method"] == "DELETE"
        sub = fresh.world.subscriptions[ONLINE]
        served = get(fresh, f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings")
        assert served.json()["value"] == []
        with pytest.raises(ValueError, match="no subscription has a diagnostic setting exporting"):
            remove_activity_log_category(fresh, category="Security")
