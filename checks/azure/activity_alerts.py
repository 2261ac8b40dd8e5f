"""CIS Azure v3.0.0 6.2.1-6.2.10 (v2.1.0 5.2.1-5.2.10): does an activity log alert rule notify
someone of every event of one operation in one subscription?

A rule (``Microsoft.Insights/activityLogAlerts``, api-version 2020-10-01) covers requirement R
for subscription S when all four parts hold; each is YES, NO or UNKNOWN, and the rule's verdict
is their three-valued AND (one NO decides; else one UNKNOWN makes the rule UNKNOWN):

1. **Condition.** Every term of ``condition.allOf`` admits *every* event of R's operation in S.
   Such an event has a fixed ``category`` (``Administrative``: an ARM write or delete, including
   ``Microsoft.Security/securitySolutions``, as Microsoft's built-in policy 3b980d31 expects),
   ``operationName`` (R's), ``resourceProvider`` and ``resourceType`` (R's); everything else
   (``resourceId``, ``resourceGroup``, ``caller``, ``level``, ``status``, ``subStatus``,
   ``properties.*``) varies from event to event. A leaf term admits every event when its field
   is one of the fixed four and R's value is its ``equals`` or one of its ``containsAny``
   (compared case-insensitively, as Azure does); a leaf on a varying field narrows (NO: CIS
   says the rule must not filter on level, status or caller). An ``anyOf`` term admits every
   event when one of its alternatives does on its own (alternatives that only together span
   R's events, e.g. every status listed, are not combined: a safe NO). A missing term only
   widens: no ``category`` or ``operationName`` term matches every category or operation. A
   field Azure does not document, a term mixing ``anyOf`` with ``field``, or a value that is
   not a string is UNKNOWN.
2. **Enabled.** ``enabled`` is not false (the spec's default is true).
3. **Scope.** Azure documents ``scopes`` as "resource IDs that will be used as prefixes: the
   alert will only apply to Activity Log events with resource IDs that fall under one of these
   prefixes". S's events have resource IDs under ``/subscriptions/S``, so only the scope
   ``/subscriptions/S`` (any case, with or without the leading or trailing slash) admits all of
   them. A resource group or resource below S admits only part (NO). A management group, even
   one above S in ``ancestry`` or the tenant root group, is no prefix of those IDs (NO, and the
   reason names the fix); Microsoft support called management-group targets unsupported for
   these rules (MicrosoftDocs/azure-docs#33530). The tenant-level rules of
   ``Microsoft.AlertsManagement/tenantActivityLogAlerts`` (preview, for tenant and
   management-group events) are another resource type: a rule of another ``type`` is NO.
4. **Actions.** At least one action group of ``actions.actionGroups`` delivers (see
   ``action_groups``); a group that was not read (absent from ``action_groups``) is UNKNOWN.

Not covered by CIS nor here: policy assignments made *at a management group* are logged in that
group's activity log, not the subscription's; a subscription rule never sees them.

The operation names, cross-checked, are in ``alert_requirements``.

Sources:
- https://learn.microsoft.com/en-us/rest/api/monitor/activity-log-alerts/create-or-update?view=rest-monitor-2020-10-01
- https://github.com/Azure/azure-rest-api-specs/blob/main/specification/monitor/resource-manager/Microsoft.Insights/stable/2020-10-01/activityLogAlerts_API.json
- https://github.com/MicrosoftDocs/azure-docs/issues/33530
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from logwarden.checks.azure.action_groups import Verdict, delivers, name_of
from logwarden.checks.azure.alert_requirements import AlertRequirement

ALERT_TYPE = "microsoft.insights/activitylogalerts"
GROUP_SCOPE = "/providers/microsoft.management/managementgroups/"
# the fields Azure documents whose value differs between two events of one operation
VARYING = frozenset({"resourceid", "resourcegroup", "caller", "level", "status", "substatus"})


@dataclass(frozen=True)
class Coverage:
    """Whether a rule (or the best of a subscription's rules) covers a requirement.

    ``relevant``: the rule names the operation or admits it (a near miss worth reporting).
    """

    verdict: Verdict
    reason: str
    alert: str = ""
    relevant: bool = False

    @property
    def covered(self) -> bool:
        return self.verdict is Verdict.YES


@dataclass(frozen=True)
class _Part:
    verdict: Verdict
    reason: str = ""


def _all(parts: Sequence[_Part]) -> _Part:
    """Three-valued AND: a NO decides (with every NO's reason), else an UNKNOWN does."""
    for verdict in (Verdict.NO, Verdict.UNKNOWN):
        reasons = [p.reason for p in parts if p.verdict is verdict]
        if reasons:
            return _Part(verdict, "; ".join(reasons))
    return _Part(Verdict.YES, parts[-1].reason if parts else "")


def _any(parts: Sequence[_Part], joiner: str = "; ") -> _Part:
    """Three-valued OR: a YES decides (with its reason), else an UNKNOWN does."""
    for verdict in (Verdict.YES, Verdict.UNKNOWN):
        found = [p.reason for p in parts if p.verdict is verdict]
        if found:
            return _Part(verdict, found[0] if verdict is Verdict.YES else "; ".join(found))
    return _Part(Verdict.NO, joiner.join(p.reason for p in parts))


def covers(
    alert: Mapping[str, Any],
    requirement: AlertRequirement,
    subscription_id: str,
    ancestry: Sequence[str],
    action_groups: Mapping[str, Mapping[str, Any] | None],
) -> Coverage:
    """Whether the ARM resource ``alert`` covers ``requirement`` for the subscription.

    ``ancestry``: the management groups above the subscription (names, any order); it only
    words the reason. ``action_groups``: action group id -> its ARM resource, or None when it
    does not exist; a group missing from the map was not read.
    """
    name = name_of(alert, "(unnamed rule)")
    kind = alert.get("type")
    if isinstance(kind, str) and kind.lower() != ALERT_TYPE:
        return Coverage(Verdict.NO, f"a {kind} rule is not judged as an {ALERT_TYPE} rule", name)
    props = alert.get("properties")
    if not isinstance(props, Mapping):
        return Coverage(Verdict.UNKNOWN, "its properties are missing from the answer", name, True)
    condition = _condition(props.get("condition"), requirement)
    relevant = condition.verdict is not Verdict.NO or _names_operation(
        props.get("condition"), requirement.operation
    )
    verdict = _all(
        [
            condition,
            _enabled(props.get("enabled")),
            _scope(props.get("scopes"), subscription_id, ancestry),
            _actions(props.get("actions"), action_groups),
        ]
    )
    if verdict.verdict is not Verdict.YES:
        return Coverage(verdict.verdict, verdict.reason, name, relevant)
    reason = (
        f"activity log alert rule {name} fires on every {requirement.operation} event in "
        f"subscription {subscription_id}; {verdict.reason}"
    )
    return Coverage(Verdict.YES, reason, name, relevant=True)


def combine(
    requirement: AlertRequirement, subscription_id: str, results: Sequence[Coverage]
) -> Coverage:
    """The subscription's answer from every rule's: one covering rule is enough."""
    covering = [r for r in results if r.covered]
    if covering:
        return covering[0]
    what = f"{requirement.title} ({requirement.operation})"
    unknown = [r for r in results if r.verdict is Verdict.UNKNOWN]
    if unknown:
        shown = "; ".join(f"{r.alert}: {r.reason}" for r in unknown)
        why = f"could not be evaluated: whether {what} is alerted on depends on {shown}"
        return Coverage(Verdict.UNKNOWN, why, relevant=True)
    near = [r for r in results if r.relevant]
    others = len(results) - len(near)
    message = (
        f"no activity log alert rule notifies anyone of {what} in subscription {subscription_id}"
    )
    if near:
        message += " (" + "; ".join(f"{r.alert}: {r.reason}" for r in near) + ")"
    if others:
        message += f"; {others} other rule(s) do not alert on {requirement.operation}"
    return Coverage(Verdict.NO, message, relevant=bool(near))


def _condition(condition: Any, requirement: AlertRequirement) -> _Part:
    terms = condition.get("allOf") if isinstance(condition, Mapping) else None
    if not isinstance(terms, list) or not terms:
        return _Part(Verdict.UNKNOWN, "its condition has no allOf terms")
    return _all([_term(term, requirement) for term in terms])


def _term(term: Any, requirement: AlertRequirement) -> _Part:
    if not isinstance(term, Mapping):
        return _Part(Verdict.UNKNOWN, f"condition term {term!r} is not an object")
    alternatives = term.get("anyOf")
    if alternatives is None:
        return _leaf(term, requirement)
    if any(term.get(k) is not None for k in ("field", "equals", "containsAny")):
        return _Part(Verdict.UNKNOWN, "a condition term mixes anyOf with field/equals/containsAny")
    if not isinstance(alternatives, list) or not alternatives:
        return _Part(Verdict.UNKNOWN, "a condition term has an empty or unreadable anyOf")
    either = _any([_leaf(leaf, requirement) for leaf in alternatives], joiner=" or ")
    if either.verdict is Verdict.NO:
        return _Part(
            Verdict.NO, f"no alternative of its anyOf admits all of them ({either.reason})"
        )
    return either


def _leaf(term: Any, requirement: AlertRequirement) -> _Part:
    values = _values(term)
    if values is None:
        return _Part(Verdict.UNKNOWN, f"condition term {term!r} is unreadable")
    field = str(term["field"])
    key = field.lower()
    shown = f"{field} = {values[0]!r}" if term.get("equals") is not None else f"{field} in {values}"
    operation = requirement.operation
    fixed = requirement.fixed_value(key)
    if fixed is not None:
        if fixed.lower() in {v.lower() for v in values}:
            return _Part(Verdict.YES)
        return _Part(Verdict.NO, f"it requires {shown}; every {operation} event has {fixed!r}")
    if key in VARYING or key.startswith("properties"):
        return _Part(Verdict.NO, f"it requires {shown}, which only some {operation} events have")
    return _Part(Verdict.UNKNOWN, f"it requires {shown}, a field Azure does not document here")


def _values(term: Any) -> list[str] | None:
    """The values a leaf compares its field with; None when the leaf is malformed."""
    if not isinstance(term, Mapping) or not isinstance(term.get("field"), str) or not term["field"]:
        return None
    equals, contains = term.get("equals"), term.get("containsAny")
    if (equals is None) == (contains is None):
        return None
    values = [equals] if equals is not None else contains
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return values


def _names_operation(condition: Any, operation: str) -> bool:
    """Whether a term of the condition (or an anyOf alternative) is on operationName and lists
    the operation."""
    terms = condition.get("allOf") if isinstance(condition, Mapping) else None
    leaves: list[Any] = []
    for term in terms if isinstance(terms, list) else []:
        nested = term.get("anyOf") if isinstance(term, Mapping) else None
        leaves += nested if isinstance(nested, list) else [term]
    for leaf in leaves:
        values = _values(leaf) or []
        named = operation.lower() in {v.lower() for v in values}
        if named and str(leaf["field"]).lower() == "operationname":
            return True
    return False


def _enabled(enabled: Any) -> _Part:
    if enabled is None or enabled is True:
        return _Part(Verdict.YES)
    if enabled is False:
        return _Part(Verdict.NO, "the rule is disabled")
    return _Part(Verdict.UNKNOWN, f"its 'enabled' flag {enabled!r} is unreadable")


def _normalized(scope: str) -> str:
    return "/" + scope.strip().strip("/").lower()


def _scope(scopes: Any, subscription_id: str, ancestry: Sequence[str]) -> _Part:
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        return _Part(Verdict.UNKNOWN, "its scopes are unreadable")
    mine = f"/subscriptions/{subscription_id.lower()}"
    normalized = {_normalized(s): s for s in scopes}
    if mine in normalized:
        return _Part(Verdict.YES)
    if not scopes:
        return _Part(Verdict.NO, "it has no scope")
    inside = [s for n, s in normalized.items() if n.startswith(mine + "/")]
    if inside:
        return _Part(
            Verdict.NO,
            f"it is scoped to part of subscription {subscription_id} only ({', '.join(inside)}): "
            "events elsewhere in the subscription do not fire it",
        )
    above = {g.lower() for g in ancestry}
    groups = [
        s
        for n, s in normalized.items()
        if n.startswith(GROUP_SCOPE) and n[len(GROUP_SCOPE) :] in above
    ]
    if groups:
        return _Part(
            Verdict.NO,
            f"its scope {', '.join(groups)} is a management group above subscription "
            f"{subscription_id}, but Azure matches these scopes as prefixes of the event's "
            f"resource ID, which starts with {mine}: add {mine} to its scopes",
        )
    return _Part(
        Verdict.NO,
        f"its scopes ({', '.join(scopes)}) do not include subscription {subscription_id}",
    )


def _actions(actions: Any, action_groups: Mapping[str, Mapping[str, Any] | None]) -> _Part:
    if not isinstance(actions, Mapping):
        return _Part(Verdict.UNKNOWN, "its actions are missing from the answer")
    entries = actions.get("actionGroups") or []
    if not isinstance(entries, list):
        return _Part(Verdict.UNKNOWN, "its action groups are unreadable")
    if not entries:
        return _Part(Verdict.NO, "it notifies no action group")
    known = {k.lower(): v for k, v in action_groups.items()}
    parts: list[_Part] = []
    for entry in entries:
        gid = entry.get("actionGroupId") if isinstance(entry, Mapping) else None
        if not isinstance(gid, str) or not gid:
            parts.append(_Part(Verdict.UNKNOWN, f"action group entry {entry!r} has no id"))
        elif gid.lower() not in known:
            parts.append(_Part(Verdict.UNKNOWN, f"action group {gid} was not read"))
        else:
            delivery = delivers(known[gid.lower()], gid)
            parts.append(_Part(delivery.verdict, delivery.reason))
    return _any(parts)
