"""The ten ``azure.monitor.alert_*`` controls (CIS Azure 6.2.1-6.2.10) over the offline tenant:
one row per subscription, PASS on the seeded rules, FAIL on each way a rule stops notifying
anyone, ERROR (never PASS) when a rule or its action group could not be read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from logwarden.checks.azure.alert_requirements import BY_KEY, REQUIREMENTS
from logwarden.checks.azure.alerts import control_id
from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import azure_alert_docs as a
from tests import azure_docs as d
from tests.catalogue import control_ids
from tests.offline import rows, statuses

NSG_WRITE = BY_KEY["create_update_nsg"]
NSG_CONTROL = control_id(NSG_WRITE)
ALERT_CONTROLS = {control_id(r) for r in REQUIREMENTS}


def _rule(world: d.World, sub: str, key: str = NSG_WRITE.key) -> dict[str, Any]:
    [doc] = [r.data for r in world.docs[sub][a.ALERT] if r.data["name"] == a.rule_name(key)]
    return doc  # type: ignore[return-value]


def _group(world: d.World) -> dict[str, Any]:
    return world.doc(d.CORP, a.ACTION_GROUP)


def test_every_requirement_has_its_control_in_the_catalogue() -> None:
    assert control_ids("azure") >= ALERT_CONTROLS


def test_compliant_tenant_passes_one_row_per_subscription() -> None:
    report = d.scan(d.compliant_world())
    for check in ALERT_CONTROLS:
        found = rows(report, check)
        assert sorted(r.tenant_id for r in found) == sorted(d.NAMES)
        assert {r.status for r in found} == {Status.PASS}
        assert {r.resource_id for r in found} == set(d.NAMES)
    row = rows(report, NSG_CONTROL, d.CORP)[0]
    assert row.evidence["CoveringRule"] == "alert-create-update-nsg"
    assert "ag-secops" in row.message


def _scope(scope: str) -> Callable[[d.World], None]:
    def mutate(w: d.World) -> None:
        _rule(w, d.CORP)["properties"]["scopes"] = [scope]

    return mutate


def _extra(field: str, value: str) -> Callable[[d.World], None]:
    def mutate(w: d.World) -> None:
        terms = _rule(w, d.CORP)["properties"]["condition"]["allOf"]
        terms.append({"field": field, "equals": value})

    return mutate


def _set(**props: Any) -> Callable[[d.World], None]:
    def mutate(w: d.World) -> None:
        _rule(w, d.CORP)["properties"].update(props)

    return mutate


def _remove(w: d.World) -> None:
    w.docs[d.CORP][a.ALERT] = [
        r for r in w.docs[d.CORP][a.ALERT] if r.data["name"] != a.rule_name(NSG_WRITE.key)
    ]


def _group_state(**props: Any) -> Callable[[d.World], None]:
    def mutate(w: d.World) -> None:
        _group(w)["properties"].update(props)

    return mutate


# (name, change to lz-corp, what the NSG-write row of lz-corp becomes, words of its message)
CASES: list[tuple[str, Callable[[d.World], object], Status, str]] = [
    ("no rule", _remove, Status.FAIL, "no activity log alert rule"),
    ("rule disabled", _set(enabled=False), Status.FAIL, "disabled"),
    (
        "scoped to its management group",
        _scope(f"{d.MG}mg-landingzones"),
        Status.FAIL,
        "management group above",
    ),
    (
        "scoped to the tenant root group",
        _scope(f"{d.MG}mg-contoso"),
        Status.FAIL,
        "management group above",
    ),
    (
        "scoped to one resource group",
        _scope(f"/subscriptions/{d.CORP}/resourceGroups/rg-network"),
        Status.FAIL,
        "part of subscription",
    ),
    (
        "scoped to another subscription",
        _scope(f"/subscriptions/{d.ONLINE}"),
        Status.FAIL,
        "do not include",
    ),
    ("narrowed to one resource group", _extra("resourceGroup", "rg-net"), Status.FAIL, "only some"),
    ("narrowed to level Critical", _extra("level", "Critical"), Status.FAIL, "only some"),
    ("narrowed to one caller", _extra("caller", "bob@contoso.com"), Status.FAIL, "only some"),
    (
        "narrowed to another resource type",
        _extra("resourceType", "Microsoft.Network/publicIPAddresses"),
        Status.FAIL,
        "every Microsoft.Network/networkSecurityGroups/write event has",
    ),
    ("category Security", _extra("category", "Security"), Status.FAIL, "'Administrative'"),
    ("no action group", _set(actions={"actionGroups": []}), Status.FAIL, "no action group"),
    ("group disabled", _group_state(enabled=False), Status.FAIL, "is disabled"),
    (
        "group's only receiver unsubscribed",
        _group_state(emailReceivers=[{"name": "secops", "status": "Disabled"}]),
        Status.FAIL,
        "no enabled receiver",
    ),
    ("group without receivers", _group_state(emailReceivers=[]), Status.FAIL, "no receiver"),
    (
        "an undocumented condition field",
        _extra("properties.x", "y"),
        Status.FAIL,
        "only some",
    ),
    (
        "narrowed by its own resource type and provider: still every event",
        lambda w: (
            _extra("resourceType", "microsoft.network/networksecuritygroups")(w),
            _extra("resourceProvider", "Microsoft.Network")(w),
        ),
        Status.PASS,
        "fires on every",
    ),
    (
        "scope spelled upper case with a trailing slash",
        _scope(f"/SUBSCRIPTIONS/{d.CORP.upper()}/"),
        Status.PASS,
        "fires on every",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "status", "words"),
    [pytest.param(m, s, w, id=n) for n, m, s, w in CASES],
)
def test_a_change_to_one_rule(
    mutate: Callable[[d.World], object], status: Status, words: str
) -> None:
    world = d.copy_world(d.compliant_world())
    mutate(world)
    report = d.scan(world)
    [row] = rows(report, NSG_CONTROL, d.CORP)
    assert row.status is status, row.message
    assert words in row.message
    changed = {(r.check_id, r.tenant_id) for r in report.results if r.status is not Status.PASS}
    # a change to the rule fails its control only; to lz-corp's group, every control of lz-corp
    group_changed = _group(world) != _group(d.compliant_world())
    allowed = {(c, d.CORP) for c in ALERT_CONTROLS} if group_changed else set()
    assert changed - allowed <= {(NSG_CONTROL, d.CORP)}


def test_a_broken_central_group_fails_every_subscription_it_serves() -> None:
    world = d.copy_world(d.compliant_world())
    for sub in d.NAMES:
        world.doc(sub, a.ACTION_GROUP)["properties"]["enabled"] = False
    report = d.scan(world)
    for check in ALERT_CONTROLS:
        assert statuses(report, check) == {Status.FAIL}


def test_a_near_miss_is_named_in_the_message_and_the_evidence() -> None:
    world = d.copy_world(d.compliant_world())
    _scope(f"{d.MG}mg-landingzones")(world)
    [row] = rows(d.scan(world), NSG_CONTROL, d.CORP)
    assert "alert-create-update-nsg" in row.message and "add /subscriptions/" in row.message
    assert row.evidence["Rules"]["alert-create-update-nsg"]["Verdict"] == "no"
    assert "alert-delete-nsg" in row.evidence["OtherRules"]


def test_an_unreadable_action_group_is_an_error_never_a_pass() -> None:
    world = d.copy_world(d.compliant_world())
    world.set(
        d.CORP,
        a.ACTION_GROUP,
        {
            "id": a.GROUP,
            "State": "Unreadable",
            "Reason": f"action group {a.GROUP} could not be read (AuthorizationFailed: denied)",
            "ErrorCode": "AuthorizationFailed",
            "NamedBy": ["alert-create-update-nsg"],
        },
    )
    report = d.scan(world)
    for check in ALERT_CONTROLS:
        [row] = rows(report, check, d.CORP)
        assert row.status is Status.ERROR, row.message
        assert "was not read" in row.message and "AuthorizationFailed: denied" in row.message
        assert a.GROUP in row.evidence["Unreadable"]
    assert statuses(report, NSG_CONTROL, d.ONLINE) == {Status.PASS}
    assert int(report.exit_code) == 3


def test_a_group_that_is_gone_fails() -> None:
    world = d.copy_world(d.compliant_world())
    world.set(d.CORP, a.ACTION_GROUP, {"id": a.GROUP, "State": "NotFound", "NamedBy": []})
    [row] = rows(d.scan(world), NSG_CONTROL, d.CORP)
    assert row.status is Status.FAIL and "does not exist" in row.message


def test_another_rule_that_covers_is_enough() -> None:
    world = d.copy_world(d.compliant_world())
    _set(enabled=False)(world)
    every = a.alert_doc(d.CORP, "alert-all", "x")
    every["properties"]["condition"]["allOf"][1] = {
        "anyOf": [{"field": "operationName", "equals": r.operation} for r in REQUIREMENTS]
    }
    world.docs[d.CORP][a.ALERT].append(d._res(a.ALERT, d.CORP, every))
    [row] = rows(d.scan(world), NSG_CONTROL, d.CORP)
    assert row.status is Status.PASS and row.evidence["CoveringRule"] == "alert-all"


@pytest.mark.parametrize("kind", [a.ALERT, a.ACTION_GROUP])
def test_a_collection_error_is_an_error_never_a_pass(kind: str) -> None:
    world = d.copy_world(d.compliant_world())
    err = CollectionError("azure", d.CORP, kind, "", "AuthorizationFailed", "HTTP 403: denied")
    world.errors[(d.CORP, kind)] = KindCollection(errors=(err,))
    report = d.scan(world)
    for check in ALERT_CONTROLS:
        [row] = rows(report, check, d.CORP)
        assert row.status is Status.ERROR and "AuthorizationFailed" in row.message
        assert statuses(report, check, d.ONLINE) == {Status.PASS}
