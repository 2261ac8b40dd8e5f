"""Every ARM call the Azure collectors make, broken one at a time in the emulator (refused with
403, failing with 500, throttled with 429, or answered with a broken body): a fault may only
turn rows into ERROR, and the exit code is 3 (1 when findings remain), never 4.

The calls are the declared table ``logwarden.scanner.collectors.azure.responses.OPERATIONS``; the clean
runs (a scan in every mode, a drift attribution) make no call missing from it, each row of it
is made by one of them, and each call is broken in the first run that makes it, so neither the
table nor this test can go stale. Scans run in-process
(``tests.fault_rule``) on the standard tenant with one defect (so findings remain), a policy
set defined at a subscription and a built-in one (so every way of reading a set is used), and
a subscription that an assignment excludes through a management group and that exports to an
event hub (so getEntities and the Event Hubs read are made; see :func:`fault_tenant`), with
one SDK retry and millisecond back-offs: every fault outlives the retries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner.audit_events import Subject
from logwarden.scanner.collectors import azure as azure_plugin
from logwarden.scanner.collectors.azure import parse_settings
from logwarden.scanner.collectors.azure.common import ACTIVITY_LOG_SETTING, ASSIGNMENT, MALFORMED
from logwarden.scanner.collectors.azure.responses import OPERATIONS, Operation, operation_for
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Tenant
from logwarden_sandbox.azure_changes import record_activity
from logwarden_sandbox.azure_sandbox import AzureSandbox, scan_section, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_tenant import (
    ACTIVITY_LOG_POLICY,
    ALLOWED_LOCATIONS_POLICY,
    AssignmentSpec,
    EventHubSpec,
    SettingSpec,
    SubscriptionSpec,
    TenantSpec,
)
from logwarden_sandbox.azure_zone import AUDIT, CORP, ONLINE, PLATFORM, STORAGE, standard_tenant
from tests.fault_rule import Baseline, assert_only_errors, field_faults, scan

MG_MODE, VISIBLE, STATIC, ATTRIBUTION = (
    "management-group",
    "subscriptions-visible",
    "subscriptions",
    "attribution",
)
SCANS = (MG_MODE, VISIBLE, STATIC)  # each call is exercised in the first run that makes it
# Calls read for something else in a later run, broken there too: listing the subscriptions
# gives their states in management-group mode and is the discovery of subscriptions-visible.
ALSO = {"Subscriptions_List": (VISIBLE,)}
# Calls whose answer no row depends on: the display name and state of a listed subscription
# (none of this world is disabled; one whose read fails is scanned).
NAMES_ONLY = {"Subscriptions_Get"}
FAULTS: dict[str, dict[str, Any]] = {
    "truncated": {"body": "truncate"},
    "garbage": {"body": "garbage"},
    "non-utf8": {"body": "non-utf8"},
    "reset": {"body": "reset"},
    "denied": {"status": 403},
    "500": {"status": 500},
    "throttled": {"status": 429},  # every attempt: it outlives the SDK's retry
}
START = "2026-01-10T00:00:00+00:00"
END = "2026-01-11T00:00:00+00:00"
INSIDE = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
EVENTS, HUB = "sandbox-events", "evhns-central"


def fault_tenant() -> TenantSpec:
    """The standard tenant, lz-corp's setting without Security (a finding), lz-online's with
    the ``allLogs`` group (so some answer has a ``categoryGroup``), and policy sets defined at
    a subscription and built in, each assigned where a scan reads it.

    And ``sandbox-events`` in mg-sandbox, whose only activity-log assignment (at mg-contoso)
    excludes mg-sandbox (notScopes: outside management-group mode the chain is read from
    getEntities; a wrong chain would PASS it), and whose Alert and Policy reach only an event
    hub (the namespace's authorization rule is read; unread, the categories are unknown)."""
    tenant = standard_tenant(defects=["activity_log_no_security"])
    tenant.subscription(ONLINE).settings[0] = SettingSpec(groups=("allLogs",))
    tenant.policy_sets["corp-logging"] = (f"sub:{CORP}", (ACTIVITY_LOG_POLICY,))
    tenant.policy_sets["builtin-locations"] = ("builtin", (ALLOWED_LOCATIONS_POLICY,))
    tenant.assignments += [
        AssignmentSpec("corp-logging", f"sub:{CORP}", policy="set:corp-logging"),
        AssignmentSpec("online-locations", f"sub:{ONLINE}", policy="set:builtin-locations"),
        AssignmentSpec("activity-log-contoso", "mg-contoso", not_scopes=["mg-sandbox"]),
    ]
    tenant.subscription(PLATFORM).event_hubs.append(EventHubSpec(HUB))
    to_workspace = SettingSpec("to-workspace", categories=AUDIT[:2], groups=())
    to_hub = SettingSpec("to-hub", None, event_hub=HUB, categories=AUDIT[2:], groups=())
    tenant.subscriptions.append(
        SubscriptionSpec(EVENTS, "mg-sandbox", settings=[to_workspace, to_hub])
    )
    return tenant


def cases(op: Operation, run: str) -> list[Any]:
    """Every fault of ``op`` (each field fault unless no row depends on it), in ``run`` ("":
    the first run that makes it)."""
    faults = [(rule, name) for name, rule in FAULTS.items()]
    if op.name not in NAMES_ONLY:
        faults += [({"body": f, "field": k}, f"{f}-{k}") for f, k in field_faults(op.required)]
    suffix = f"-{run}" if run else ""
    return [pytest.param(op, rule, run, id=f"{op.name}-{label}{suffix}") for rule, label in faults]


CASES = [
    case for op in OPERATIONS for run in ("", *ALSO.get(op.name, ())) for case in cases(op, run)
]


@pytest.fixture(scope="module")
def box() -> Iterator[AzureSandbox]:
    sandbox = start_azure_sandbox(tenant=fault_tenant(), retry_total=1, backoff=0.001)
    # account-level immutability (off), so every field the collectors read is in some answer
    account = sandbox.server.state.objects[sandbox.world.storage_accounts[STORAGE].lower()]
    account["properties"]["immutableStorageWithVersioning"] = {"enabled": False}
    with sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def _env(box: AzureSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)


def section(box: AzureSandbox, mode: str) -> dict[str, Any]:
    """The ``clouds.azure`` section of a scan in ``mode``."""
    out = scan_section(box.server, mode=mode, retry_total=1, backoff=0.001)
    if mode == STATIC:
        out["subscriptions"] = [{"id": i} for i in sorted(box.world.subscriptions.values())]
    return out


def subjects(box: AzureSandbox) -> list[Subject]:
    """A setting (its subscription's log) and a management-group assignment (the tenant log)."""
    corp = box.world.subscriptions[CORP]
    setting = (
        f"/subscriptions/{corp}/providers/microsoft.insights/diagnosticSettings/activity-to-central"
    )
    assignment = box.world.assignments["activity-log-lz"]
    return [
        Subject("azure", ACTIVITY_LOG_SETTING, setting, corp, "", ("properties",)),
        Subject("azure", ASSIGNMENT, assignment, corp, "", ("properties",)),
    ]


def record_changes(box: AzureSandbox) -> None:
    """Each subject changed once inside the window, so a clean read attributes both."""
    setting, assignment = (s.resource_id for s in subjects(box))
    for rid, op in ((setting, "microsoft.insights/diagnosticSettings/write"),
                    (assignment, "Microsoft.Authorization/policyAssignments/write")):  # fmt: skip
        record_activity(box, op, rid, when=INSIDE, correlation_id=f"fault-test {rid}")


def attribute(box: AzureSandbox, subjects: list[Subject]) -> list[Any]:
    """Drift attribution of ``subjects`` through the cloud's ``attribute``, as the engine calls it."""
    settings = parse_settings(section(box, MG_MODE))
    corp = box.world.subscriptions[CORP]
    inventory = Inventory(
        cloud="azure",
        tenant=Tenant(cloud="azure", id=corp, name=CORP),
        organization=None,
        kinds={},
        session_factory=lambda: settings.pool.for_subscription(corp),
    )
    answer = azure_plugin.CLOUD.attribute(subjects, START, END, [inventory])
    assert answer is not None
    return answer


@pytest.fixture(scope="module")
def baseline(box: AzureSandbox, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """Every clean run, in order (module fixtures run before the autouse environment)."""
    record_changes(box)
    found = Baseline()
    cwd = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
        for key, value in box.env.items():
            patch.setenv(key, value)
        for run in (*SCANS, ATTRIBUTION):
            before = len(box.server.calls)
            if run == ATTRIBUTION:
                answer = attribute(box, subjects(box))
                assert [(a.error, len(a.events)) for a in answer] == [("", 1), ("", 1)]
            else:
                found.scans[run] = scan("azure", section(box, run), cwd, run)
            calls = box.server.calls[before:]
            found.made[run] = {op.name for m, p in calls if (op := operation_for(m, p))}
            unknown = sorted({f"{m} {p}" for m, p in calls if operation_for(m, p) is None})
            assert unknown == [], f"{run}: calls missing from azure.responses.OPERATIONS"
    return found


@pytest.mark.parametrize(("op", "rule", "run"), CASES)
def test_a_fault_only_turns_rows_into_error(
    box: AzureSandbox,
    baseline: Baseline,
    tmp_path: Path,
    op: Operation,
    rule: dict[str, Any],
    run: str,
) -> None:
    where = run or baseline.where(op.name)
    assert op.name in baseline.made.get(where, set()), f"no clean run ({run}) makes {op.name}"
    injected = box.server.faults.add(FaultRule(method=op.method, template=op.template, **rule))
    try:
        if where == ATTRIBUTION:
            answer = attribute(box, subjects(box))
        else:
            faulted = scan("azure", section(box, where), tmp_path, "faulted")
    finally:
        box.server.faults.clear()
    assert injected.hits > 0, f"the scan never made {op.name}"
    if where == ATTRIBUTION:
        # the log the fault broke is an error of its subjects, never "nobody changed it"
        broken = [a for a in answer if op.matches("GET", _log_path(a.subject))]
        assert broken and all(a.error and not a.events for a in broken), answer
        return
    clean = baseline.scans[where]
    if op.name in NAMES_ONLY:
        assert (faulted.rows, faulted.code) == (clean.rows, clean.code)
        return
    assert_only_errors(clean, faulted)
    if rule.get("body", "reset") != "reset":
        # a collection error says so, or the row of a destination that could not be read
        said = [e["code"] for e in faulted.errors] + [
            r["message"] for r in faulted.report["results"] if r["status"] == "ERROR"
        ]
        assert any(MALFORMED in text for text in said), faulted.explain()


def _log_path(subject: Subject) -> str:
    parts = [p for p in subject.resource_id.split("/") if p]
    prefix = f"/subscriptions/{parts[1]}" if parts[0].lower() == "subscriptions" else ""
    return f"{prefix}/providers/Microsoft.Insights/eventtypes/management/values"


def test_the_table_names_every_call_the_clean_runs_make_and_each_is_made(
    baseline: Baseline,
) -> None:
    # the baseline fails on a call missing from the table; here: no row of it is dead
    made = set().union(*baseline.made.values())
    assert {op.name for op in OPERATIONS} - made == set()


def test_a_value_the_sdk_model_refuses_is_an_error_too(
    box: AzureSandbox, baseline: Baseline, tmp_path: Path
) -> None:
    # a state's timestamp is not declared: the policy lets it through, the SDK's model refuses
    # it (DeserializationError, not an AzureError)
    [states] = [op for op in OPERATIONS if op.name.startswith("PolicyStates_")]
    rule = FaultRule(body="mistype", field="timestamp", method="POST", template=states.template)
    box.server.faults.add(rule)
    try:
        faulted = scan("azure", section(box, MG_MODE), tmp_path, "faulted")
    finally:
        box.server.faults.clear()
    assert rule.hits > 0
    assert_only_errors(baseline.scans[MG_MODE], faulted)
    assert any("does not fit the SDK's model" in e["message"] for e in faulted.errors)
