"""Activity log alert rules judged against CIS Azure 6.2.1-6.2.10 (``checks/azure/activity_alerts``).

Each row is one rule (its ARM resource as ``GET .../activityLogAlerts`` returns it, api-version
2020-10-01) and the action groups read for it, with the expected verdict: ``Y`` the rule
notifies someone of every event of the operation in the subscription, ``N`` it does not, ``U``
it cannot be told from what was read (the control's row is then an ERROR, never a PASS).
"""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.checks.azure.action_groups import Verdict
from logwarden.checks.azure.activity_alerts import Coverage, combine, covers
from logwarden.checks.azure.alert_requirements import BY_KEY, REQUIREMENTS, AlertRequirement

SUB = "0b1f6471-1bf0-4dda-aec3-111122223333"
OTHER_SUB = "9c4e2a71-77aa-4d1e-bb55-444455556666"
ROOT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # the tenant root group is named after the tenant
ANCESTRY = (ROOT, "mg-contoso", "mg-landingzones")
MG = "/providers/Microsoft.Management/managementGroups/"
AG = f"/subscriptions/{SUB}/resourceGroups/rg-monitor/providers/microsoft.insights/actionGroups/ag-secops"
AG2 = f"/subscriptions/{SUB}/resourceGroups/rg-monitor/providers/microsoft.insights/actionGroups/ag-noc"
EMAIL = {"name": "secops", "emailAddress": "secops@contoso.com", "status": "Enabled"}
NSG_WRITE = BY_KEY["create_update_nsg"]
LETTER = {Verdict.YES: "Y", Verdict.NO: "N", Verdict.UNKNOWN: "U"}


def leaf(field: str, value: str | list[str]) -> dict[str, Any]:
    """A leaf condition: ``equals`` for a string, ``containsAny`` for a list."""
    key = "containsAny" if isinstance(value, list) else "equals"
    return {"field": field, key: value}


def any_of(*leaves: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": list(leaves)}


def admin(operation: str) -> list[dict[str, Any]]:
    """The condition CIS prescribes: category Administrative and the operation."""
    return [leaf("category", "Administrative"), leaf("operationName", operation)]


def rule(
    terms: list[Any] | None = None,
    *,
    scopes: Any = (f"/subscriptions/{SUB}",),
    enabled: Any = True,
    groups: Any = (AG,),
) -> dict[str, Any]:
    """An activity log alert rule resource (the CIS rule for NSG writes unless told)."""
    props: dict[str, Any] = {
        "scopes": list(scopes) if isinstance(scopes, tuple) else scopes,
        "condition": {"allOf": admin(NSG_WRITE.operation) if terms is None else terms},
        "actions": {"actionGroups": [{"actionGroupId": g} for g in groups]},
        "enabled": enabled,
    }
    if enabled is None:
        del props["enabled"]
    return {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg-monitor/providers/microsoft.insights/activityLogAlerts/alert-1",
        "name": "alert-1",
        "type": "Microsoft.Insights/ActivityLogAlerts",
        "location": "Global",
        "properties": props,
    }


def group(enabled: Any = True, **receivers: list[dict[str, Any]]) -> dict[str, Any]:
    """An action group resource; one enabled email receiver unless receivers are given."""
    props: dict[str, Any] = {"groupShortName": "secops", "enabled": enabled}
    props.update(receivers if receivers else {"emailReceivers": [EMAIL]})
    if enabled is None:
        del props["enabled"]
    return {"id": AG, "name": AG.rsplit("/", 1)[-1], "properties": props}


GOOD = {AG: group()}


def judge(
    alert: dict[str, Any],
    requirement: AlertRequirement = NSG_WRITE,
    groups: dict[str, dict[str, Any] | None] | None = None,
) -> Coverage:
    return covers(alert, requirement, SUB, ANCESTRY, GOOD if groups is None else groups)


def test_every_requirement_is_covered_by_its_own_operation_and_no_other() -> None:
    for wanted in REQUIREMENTS:
        for configured in REQUIREMENTS:
            result = judge(rule(admin(configured.operation)), wanted)
            assert result.covered == (wanted is configured), (wanted.key, configured.key, result)
            if not result.covered:
                assert f"every {wanted.operation} event has" in result.reason


def test_the_operations_are_the_cis_ones() -> None:
    # one spelling check per resource family (CIS / Prowler / Steampipe / Azure Policy agree)
    operations = {r.operation for r in REQUIREMENTS}
    for resource in (
        "Microsoft.Authorization/policyAssignments",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Security/securitySolutions",
        "Microsoft.Sql/servers/firewallRules",
        "Microsoft.Network/publicIPAddresses",
    ):
        assert {f"{resource}/write", f"{resource}/delete"} <= operations


OP = NSG_WRITE.operation
CATEGORY = leaf("category", "Administrative")
OPERATION = leaf("operationName", OP)

CONDITIONS = [
    # case, widening and alternatives
    pytest.param(
        [leaf("category", "administrative"), leaf("operationName", OP.lower())],
        "Y",
        "",
        id="values-in-another-case",
    ),
    pytest.param(
        [leaf("CATEGORY", "Administrative"), leaf("OperationName", OP.upper())],
        "Y",
        "",
        id="field-names-in-another-case",
    ),
    pytest.param([OPERATION], "Y", "", id="no-category-term-matches-every-category"),
    pytest.param([CATEGORY], "Y", "", id="no-operation-term-matches-every-operation"),
    pytest.param(
        [CATEGORY, leaf("operationName", ["Microsoft.Network/networkSecurityGroups/delete", OP])],
        "Y",
        "",
        id="containsAny-including-it",
    ),
    pytest.param(
        [CATEGORY, leaf("operationName", ["Microsoft.Network/networkSecurityGroups/delete"])],
        "N",
        "every Microsoft.Network/networkSecurityGroups/write event has",
        id="containsAny-without-it",
    ),
    pytest.param(
        [
            CATEGORY,
            any_of(leaf("operationName", "Microsoft.Sql/servers/firewallRules/write"), OPERATION),
        ],
        "Y",
        "",
        id="anyOf-second-alternative",
    ),
    pytest.param(
        [CATEGORY, any_of(OPERATION, leaf("caller", "ops@contoso.com"))],
        "Y",
        "",
        id="anyOf-with-one-wide-alternative",
    ),
    pytest.param(
        [
            CATEGORY,
            any_of(
                leaf("operationName", "Microsoft.Network/networkSecurityGroups/delete"),
                leaf("operationName", "Microsoft.Network/publicIPAddresses/write"),
            ),
        ],
        "N",
        "no alternative of its anyOf",
        id="anyOf-without-it",
    ),
    pytest.param(
        [CATEGORY, OPERATION, any_of(leaf("status", "Succeeded"), leaf("status", "Failed"))],
        "N",
        "no alternative of its anyOf",
        id="anyOf-alternatives-not-combined",
    ),
    pytest.param(
        [leaf("category", ["Security", "Administrative"]), OPERATION],
        "Y",
        "",
        id="category-containsAny-with-administrative",
    ),
    pytest.param(
        [leaf("category", "Security"), OPERATION],
        "N",
        "has 'Administrative'",
        id="category-security",
    ),
    # narrowing only by the requirement's own resource
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceType", "Microsoft.Network/networkSecurityGroups")],
        "Y",
        "",
        id="resourceType-its-own",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceType", "microsoft.network/NETWORKSECURITYGROUPS")],
        "Y",
        "",
        id="resourceType-its-own-in-another-case",
    ),
    pytest.param(
        [CATEGORY, leaf("resourceType", "Microsoft.Network/networkSecurityGroups")],
        "Y",
        "",
        id="resourceType-without-operation",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceProvider", "Microsoft.Network")],
        "Y",
        "",
        id="resourceProvider-its-own",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceType", "Microsoft.Network/publicIPAddresses")],
        "N",
        "has 'Microsoft.Network/networkSecurityGroups'",
        id="resourceType-another",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceProvider", "Microsoft.Compute")],
        "N",
        "has 'Microsoft.Network'",
        id="resourceProvider-another",
    ),
    # narrowing to some events
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceGroup", "rg-prod")],
        "N",
        "resourceGroup = 'rg-prod', which only some",
        id="resourceGroup",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("resourceId", f"/subscriptions/{SUB}")],
        "N",
        "which only some",
        id="resourceId",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("status", "Succeeded")],
        "N",
        "status = 'Succeeded', which only some",
        id="status",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("subStatus", "Created")], "N", "which only some", id="subStatus"
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("caller", "admin@contoso.com")],
        "N",
        "caller = 'admin@contoso.com'",
        id="caller",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("level", ["Error", "Critical"])],
        "N",
        "level in ['Error', 'Critical']",
        id="level",
    ),
    pytest.param(
        [CATEGORY, OPERATION, leaf("properties.statusCode", "Created")],
        "N",
        "which only some",
        id="properties-field",
    ),
    # what cannot be read
    pytest.param(
        [CATEGORY, OPERATION, leaf("eventName", "BeginRequest")],
        "U",
        "a field Azure does not document",
        id="undocumented-field",
    ),
    pytest.param(
        [CATEGORY, {"field": "operationName", "equals": OP, "containsAny": [OP]}],
        "U",
        "is unreadable",
        id="equals-and-containsAny",
    ),
    pytest.param(
        [CATEGORY, {"field": "operationName"}], "U", "is unreadable", id="leaf-without-value"
    ),
    pytest.param(
        [CATEGORY, {"field": "operationName", "equals": 7}],
        "U",
        "is unreadable",
        id="value-not-a-string",
    ),
    pytest.param(
        [CATEGORY, {"field": "operationName", "anyOf": [OPERATION]}],
        "U",
        "mixes anyOf",
        id="anyOf-mixed-with-field",
    ),
    pytest.param([CATEGORY, {"anyOf": []}], "U", "empty or unreadable anyOf", id="anyOf-empty"),
    pytest.param([], "U", "no allOf terms", id="allOf-empty"),
    # a definite NO wins over what cannot be read
    pytest.param(
        [leaf("caller", "x@contoso.com"), leaf("eventName", "BeginRequest")],
        "N",
        "caller",
        id="narrowing-beats-unreadable",
    ),
]


@pytest.mark.parametrize(("terms", "expected", "because"), CONDITIONS)
def test_condition(terms: list[Any], expected: str, because: str) -> None:
    result = judge(rule(terms))
    assert LETTER[result.verdict] == expected, result.reason
    assert because in result.reason


def test_category_security_does_not_cover_a_security_solution_write() -> None:
    # Steampipe asks category = Security for 6.2.5; the ARM write is logged as Administrative
    requirement = BY_KEY["create_update_security_solution"]
    terms = [leaf("category", "Security"), leaf("operationName", requirement.operation)]
    result = judge(rule(terms), requirement)
    assert not result.covered and "has 'Administrative'" in result.reason


def test_classic_nsg_delete_does_not_cover_the_nsg_delete() -> None:
    terms = admin("Microsoft.ClassicNetwork/networkSecurityGroups/delete")
    assert not judge(rule(terms), BY_KEY["delete_nsg"]).covered


def test_a_resource_type_above_the_rule_type_does_not_cover() -> None:
    requirement = BY_KEY["create_update_sql_firewall_rule"]
    terms = [*admin(requirement.operation), leaf("resourceType", "Microsoft.Sql/servers")]
    result = judge(rule(terms), requirement)
    assert not result.covered and "'Microsoft.Sql/servers/firewallRules'" in result.reason


SCOPES = [
    pytest.param([f"/subscriptions/{SUB}"], "Y", "", id="the-subscription"),
    pytest.param([f"subscriptions/{SUB}"], "Y", "", id="without-leading-slash"),
    pytest.param([f"/subscriptions/{SUB.upper()}/"], "Y", "", id="other-case-trailing-slash"),
    pytest.param(
        [f"/subscriptions/{OTHER_SUB}", f"/subscriptions/{SUB}"], "Y", "", id="one-of-two"
    ),
    pytest.param(
        [f"/subscriptions/{SUB}/resourceGroups/rg-prod"],
        "N",
        "part of subscription",
        id="resource-group",
    ),
    pytest.param(
        [
            f"/subscriptions/{SUB}/resourceGroups/rg-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
        ],
        "N",
        "part of subscription",
        id="one-resource",
    ),
    pytest.param(
        [f"{MG}mg-landingzones"],
        "N",
        "is a management group above subscription",
        id="management-group-above",
    ),
    pytest.param(
        [f"{MG}{ROOT}"], "N", f"add /subscriptions/{SUB} to its scopes", id="tenant-root-group"
    ),
    pytest.param(
        [f"{MG}mg-sandbox"], "N", "do not include subscription", id="sibling-management-group"
    ),
    pytest.param(
        [f"/subscriptions/{OTHER_SUB}"],
        "N",
        "do not include subscription",
        id="another-subscription",
    ),
    pytest.param([], "N", "it has no scope", id="no-scope"),
    pytest.param(f"/subscriptions/{SUB}", "U", "scopes are unreadable", id="scopes-not-a-list"),
]


@pytest.mark.parametrize(("scopes", "expected", "because"), SCOPES)
def test_scope(scopes: Any, expected: str, because: str) -> None:
    result = judge(rule(scopes=scopes))
    assert LETTER[result.verdict] == expected, result.reason
    assert because in result.reason


ENABLED = [
    pytest.param(True, "Y", "", id="enabled"),
    pytest.param(None, "Y", "", id="absent-defaults-to-enabled"),
    pytest.param(False, "N", "the rule is disabled", id="disabled"),
    pytest.param("false", "U", "'enabled' flag 'false' is unreadable", id="not-a-boolean"),
]


@pytest.mark.parametrize(("enabled", "expected", "because"), ENABLED)
def test_enabled(enabled: Any, expected: str, because: str) -> None:
    result = judge(rule(enabled=enabled))
    assert LETTER[result.verdict] == expected, result.reason
    assert because in result.reason


WEBHOOK = {"name": "pager", "serviceUri": "https://pager.contoso.com/hook"}
ARM_ROLE = {"name": "owners", "roleId": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}
ACTIONS = [
    pytest.param(
        (AG,), GOOD, "Y", "ag-secops is enabled with 1 active receiver(s)", id="enabled-email"
    ),
    pytest.param((AG.upper(),), GOOD, "Y", "", id="id-in-another-case"),
    pytest.param(
        (AG,), {AG: group(webhookReceivers=[WEBHOOK])}, "Y", "", id="webhook-without-status"
    ),
    pytest.param((AG,), {AG: group(armRoleReceivers=[ARM_ROLE])}, "Y", "", id="arm-role"),
    pytest.param(
        (AG,),
        {AG: group(incidentReceivers=[{"name": "icm"}])},
        "Y",
        "",
        id="receiver-kind-of-a-later-version",
    ),
    pytest.param((), GOOD, "N", "it notifies no action group", id="no-action-group"),
    pytest.param((AG,), {AG: None}, "N", "ag-secops does not exist", id="group-deleted"),
    pytest.param(
        (AG,), {AG: group(enabled=False)}, "N", "ag-secops is disabled", id="group-disabled"
    ),
    pytest.param(
        (AG,),
        {AG: group(emailReceivers=[], smsReceivers=[])},
        "N",
        "has no receiver",
        id="no-receivers",
    ),
    pytest.param(
        (AG,),
        {AG: group(emailReceivers=[{**EMAIL, "status": "Disabled"}])},
        "N",
        "no enabled receiver (secops (Disabled))",
        id="receiver-unsubscribed",
    ),
    pytest.param(
        (AG,),
        {
            AG: group(
                smsReceivers=[
                    {
                        "name": "duty",
                        "countryCode": "1",
                        "phoneNumber": "5555550100",
                        "status": "NotSpecified",
                    }
                ]
            )
        },
        "N",
        "no enabled receiver",
        id="receiver-not-specified",
    ),
    pytest.param(
        (AG2, AG),
        {AG: group(), AG2: group(enabled=False)},
        "Y",
        "",
        id="one-of-two-groups-delivers",
    ),
    pytest.param((AG,), {}, "U", "was not read", id="group-not-read"),
    pytest.param(
        (AG2, AG),
        {AG: group(enabled=False)},
        "U",
        "ag-noc was not read",
        id="unread-beats-disabled",
    ),
    pytest.param(
        (AG,),
        {AG: group(enabled=None)},
        "U",
        "no readable 'enabled' flag",
        id="group-without-enabled",
    ),
    pytest.param(
        (AG,),
        {AG: group(emailReceivers=[{"name": "secops", "emailAddress": "secops@contoso.com"}])},
        "U",
        "status of receiver(s) secops",
        id="email-without-status",
    ),
    pytest.param((AG,), {AG: {"id": AG}}, "U", "no properties", id="group-without-properties"),
]


@pytest.mark.parametrize(("ids", "groups", "expected", "because"), ACTIONS)
def test_action_groups(
    ids: tuple[str, ...], groups: dict[str, Any], expected: str, because: str
) -> None:
    result = judge(rule(groups=ids), groups=groups)
    assert LETTER[result.verdict] == expected, result.reason
    assert because in result.reason


def test_actions_missing_from_the_answer_is_unknown() -> None:
    alert = rule()
    del alert["properties"]["actions"]
    result = judge(alert)
    assert result.verdict is Verdict.UNKNOWN and "actions are missing" in result.reason


def test_a_disabled_rule_is_no_even_when_its_group_was_not_read() -> None:
    result = judge(rule(enabled=False), groups={})
    assert result.verdict is Verdict.NO and result.reason == "the rule is disabled"


def test_a_tenant_level_rule_is_not_judged_as_a_subscription_rule() -> None:
    alert = {**rule(), "type": "Microsoft.AlertsManagement/tenantActivityLogAlerts"}
    result = judge(alert)
    assert result.verdict is Verdict.NO and "not judged" in result.reason


def test_every_reason_is_given_at_once() -> None:
    alert = rule([CATEGORY, OPERATION, leaf("caller", "x@contoso.com")], enabled=False)
    reason = judge(alert, groups={AG: group(enabled=False)}).reason
    assert "caller" in reason and "disabled" in reason and "ag-secops is disabled" in reason


def test_covering_reason_names_the_rule_and_the_group() -> None:
    result = judge(rule())
    assert result.covered and result.alert == "alert-1"
    assert result.reason == (
        f"activity log alert rule alert-1 fires on every {OP} event in subscription {SUB}; "
        "action group ag-secops is enabled with 1 active receiver(s)"
    )


def _named(alert: dict[str, Any], name: str) -> dict[str, Any]:
    return {**alert, "name": name}


def _combined(*alerts: dict[str, Any], groups: dict[str, Any] | None = None) -> Coverage:
    results = [judge(a, groups=groups) for a in alerts]
    return combine(NSG_WRITE, SUB, results)


def test_combine_no_rule() -> None:
    result = _combined()
    assert result.verdict is Verdict.NO
    assert result.reason == (
        "no activity log alert rule notifies anyone of Create or Update Network Security Group "
        f"({OP}) in subscription {SUB}"
    )


def test_combine_one_covering_rule_is_enough() -> None:
    narrow = _named(rule([CATEGORY, OPERATION, leaf("status", "Failed")]), "failures-only")
    result = _combined(narrow, _named(rule(), "nsg-changes"))
    assert result.covered and result.alert == "nsg-changes"


def test_combine_shows_near_misses_and_counts_the_others() -> None:
    narrow = _named(rule([CATEGORY, OPERATION, leaf("status", "Failed")]), "failures-only")
    other = _named(rule(admin("Microsoft.Network/publicIPAddresses/delete")), "pip-deletes")
    health = _named(rule([leaf("category", "ServiceHealth")]), "service-health")
    result = _combined(narrow, other, health)
    assert result.verdict is Verdict.NO
    assert "(failures-only: it requires status = 'Failed'" in result.reason
    assert "pip-deletes" not in result.reason
    assert result.reason.endswith(f"; 2 other rule(s) do not alert on {OP}")


def test_combine_unknown_when_a_possible_cover_could_not_be_read() -> None:
    other = _named(rule(admin("Microsoft.Network/publicIPAddresses/delete")), "pip-deletes")
    result = _combined(other, _named(rule(), "nsg-changes"), groups={})
    assert result.verdict is Verdict.UNKNOWN
    assert result.reason.startswith("could not be evaluated: ")
    assert f"nsg-changes: action group {AG} was not read" in result.reason
    assert "pip-deletes" not in result.reason
