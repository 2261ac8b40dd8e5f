"""``azure.policy.assignment`` and ``azure.policy.activity_log_compliance``.

Assignments: ``GET /subscriptions/{id}/providers/Microsoft.Authorization/policyAssignments``
with ``$filter=atScope()``, which returns the assignments made at the subscription *and* at
every management group above it, so inheritance needs no walk of the hierarchy. An assignment
of a policy set (initiative) is resolved by reading the set definition once per scan. Whether
a management group in ``notScopes`` is above the subscription needs the groups above it
(``ancestry``): known from discovery in management-group mode, read otherwise only when an
activity-log assignment has such a ``notScopes`` entry.

Compliance: one Policy Insights query per subscription (``POST .../policyStates/latest/
queryResults`` filtered on the activity-log policy's definition name), made only when an
assignment of that policy applies; the states are grouped per assignment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.ancestry import AncestryUnavailable, chain_of, known_chain
from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_POLICY,
    ACTIVITY_LOG_POLICY_ID,
    ASSIGNMENT,
    AZURE_ERRORS,
    COMPLIANCE,
    NAME,
    failure,
    inherited,
    problem,
    resource,
    same_id,
    session_of,
    subscription_of,
    to_json,
)
from logwarden.scanner.collectors.azure.session import AzureSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError
MG_SCOPE = "/providers/microsoft.management/managementgroups/"
SET_MARK = "/providers/microsoft.authorization/policysetdefinitions/"


def scope_type(scope: str, sub: str) -> str:
    """``subscription``, ``managementGroup``, ``resourceGroup`` or ``other``."""
    low = scope.lower().rstrip("/")
    if low == f"/subscriptions/{sub}":
        return "subscription"
    if low.startswith(MG_SCOPE):
        return "managementGroup"
    if low.startswith(f"/subscriptions/{sub}/resourcegroups/"):
        return "resourceGroup"
    return "other"


def excluded_by(not_scopes: list[Any], sub: str, parents: tuple[str, ...]) -> list[str]:
    """The ``notScopes`` that take the whole subscription out of an assignment."""
    mine = {f"/subscriptions/{sub}"} | {f"{MG_SCOPE}{p.lower()}" for p in parents}
    return [str(s) for s in not_scopes if str(s).lower().rstrip("/") in mine]


def set_members(session: AzureSession, set_id: str) -> list[str]:
    """The policy definition ids of a policy set, read once per scan; raises Azure errors."""

    def read() -> list[str]:
        parts = [p for p in set_id.split("/") if p]
        name = parts[-1]
        low = set_id.lower()
        if low.startswith(MG_SCOPE):
            client = session.pool.tenant_session().client("policy")
            found = client.policy_set_definitions.get_at_management_group(parts[3], name)
        elif low.startswith("/subscriptions/"):
            owner = session.pool.for_subscription(parts[1])
            found = owner.client("policy").policy_set_definitions.get(name)
        else:
            found = session.client("policy").policy_set_definitions.get_built_in(name)
        members = (to_json(found).get("properties") or {}).get("policyDefinitions") or []
        return [str(m.get("policyDefinitionId") or "") for m in members if isinstance(m, dict)]

    return list(session.pool.memo(("policy-set", set_id.lower()), read))


def _assignment(session: AzureSession, inv: Inventory, doc: dict[str, Any]) -> dict[str, Any]:
    """The derived fields; ``AppliesToSubscription`` is None while a management group in
    ``notScopes`` may or may not be above the subscription (see :func:`decide`)."""
    sub = subscription_of(inv)
    props = doc.get("properties") or {}
    definition = str(props.get("policyDefinitionId") or "")
    scope = str(props.get("scope") or "")
    kind = scope_type(scope, sub)
    members = set_members(session, definition) if SET_MARK in definition.lower() else [definition]
    derived = {
        "Name": doc.get("name"),
        "DisplayName": props.get("displayName"),
        "PolicyDefinitionId": definition,
        "PolicyDefinitionIds": members,
        "IncludesActivityLogPolicy": any(same_id(m, ACTIVITY_LOG_POLICY_ID) for m in members),
        "Scope": scope,
        "ScopeType": kind,
        "Inherited": kind == "managementGroup",
        "EnforcementMode": props.get("enforcementMode") or "Default",
    }
    known = known_chain(inv)
    partial = known if known is not None else (inv.tenant.parents if inv.tenant else ())
    decide(derived, list(props.get("notScopes") or []), sub, partial, complete=known is not None)
    return derived


def decide(
    derived: dict[str, Any],
    not_scopes: list[Any],
    sub: str,
    chain: tuple[str, ...],
    *,
    complete: bool,
) -> None:
    """Set ``ExcludedBy`` and ``AppliesToSubscription`` from the management groups above the
    subscription (``chain``; ``complete`` False: maybe only some of them). It stays None
    when a management group in ``notScopes`` might be above the subscription."""
    excluded = excluded_by(not_scopes, sub, chain)
    derived["ExcludedBy"] = excluded
    applies = derived["ScopeType"] in ("subscription", "managementGroup") and not excluded
    groups = [s for s in not_scopes if str(s).lower().startswith(MG_SCOPE)]
    derived["AppliesToSubscription"] = None if applies and groups and not complete else applies


def collect_assignments(inv: Inventory) -> Iterator[Item]:
    """Every policy assignment that applies at the subscription (its own and inherited)."""
    sub = subscription_of(inv)
    session = session_of(inv)
    try:
        client = session.client("policy")
        found = [to_json(a) for a in client.policy_assignments.list(filter="atScope()")]
    except AZURE_ERRORS as exc:
        yield failure(sub, ASSIGNMENT, exc, "listing policy assignments (atScope)")
        return
    derived: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for doc in sorted(found, key=lambda d: str(d.get("id", "")).lower()):
        try:
            derived.append((doc, _assignment(session, inv, doc)))
        except AZURE_ERRORS as exc:
            definition = (doc.get("properties") or {}).get("policyDefinitionId")
            yield failure(
                sub, ASSIGNMENT, exc, f"reading policy set {definition} of {doc.get('id')}"
            )
    unknown = _complete_chains(inv, derived)
    for doc, data in derived:
        if unknown is not None and _open(data):
            groups = [s for s in doc["properties"]["notScopes"] if MG_SCOPE in str(s).lower()]
            yield problem(
                sub,
                ASSIGNMENT,
                unknown.code,
                f"assignment {doc.get('id')} excludes management group(s) {', '.join(groups)} "
                f"(notScopes), and whether subscription {sub} is below them is unknown: "
                f"{unknown.message}",
            )
            continue
        yield resource(ASSIGNMENT, str(doc.get("id")), sub, "", {**doc, **data})


def _open(derived: dict[str, Any]) -> bool:
    return derived["AppliesToSubscription"] is None and bool(derived["IncludesActivityLogPolicy"])


def _complete_chains(
    inv: Inventory, derived: list[tuple[dict[str, Any], dict[str, Any]]]
) -> CollectionError | None:
    """Decide the open assignments from the subscription's whole chain, read only when an
    activity-log assignment needs it; the failure when it could not be read."""
    if not any(_open(data) for _, data in derived):
        return None
    sub = subscription_of(inv)
    try:
        chain = chain_of(inv)
    except AZURE_ERRORS as exc:
        return failure(sub, ASSIGNMENT, exc, "the management-group chain (getEntities)")
    except AncestryUnavailable as exc:
        return problem(sub, ASSIGNMENT, exc.code, exc.message)
    for doc, data in derived:
        if data["AppliesToSubscription"] is None:
            not_scopes = list((doc.get("properties") or {}).get("notScopes") or [])
            decide(data, not_scopes, sub, chain, complete=True)
    return None


def compliance_state(states: list[dict[str, Any]]) -> str | None:
    """``NonCompliant`` if any state says so, else the common state; None without states."""
    values = {str(s.get("complianceState") or "").lower() for s in states}
    if not values:
        return None
    if "noncompliant" in values:
        return "NonCompliant"
    if values == {"compliant"}:
        return "Compliant"
    return "/".join(sorted(str(s.get("complianceState") or "Unknown") for s in states))


def _query_states(session: AzureSession, sub: str) -> list[dict[str, Any]]:
    from azure.mgmt.policyinsights.models import QueryOptions

    options = QueryOptions(filter=f"policyDefinitionName eq '{ACTIVITY_LOG_POLICY}'")
    client = session.client("insights")
    pages = client.policy_states.list_query_results_for_subscription(
        "latest", sub, query_options=options
    )
    return [to_json(s) for s in pages]


def collect_compliance(inv: Inventory) -> Iterator[Item]:
    """The latest compliance of each applying activity-log policy assignment."""
    sub = subscription_of(inv)
    got = inv.get(ASSIGNMENT)
    yield from inherited(inv, ASSIGNMENT, COMPLIANCE, "policy assignments")
    wanted = [
        a
        for a in got.resources
        if a.data.get("IncludesActivityLogPolicy") and a.data.get("AppliesToSubscription")
    ]
    if got.errors or not wanted:
        return
    try:
        states = _query_states(session_of(inv), sub)
    except AZURE_ERRORS as exc:
        yield failure(sub, COMPLIANCE, exc, "querying Policy Insights for the activity-log policy")
        return
    for assignment in wanted:
        mine = [s for s in states if same_id(s.get("policyAssignmentId"), assignment.id)]
        data: dict[str, Any] = {
            "Name": assignment.data.get("Name"),
            "PolicyAssignmentId": assignment.id,
            "EnforcementMode": assignment.data.get("EnforcementMode"),
            "States": mine,
        }
        state = compliance_state(mine)
        if state is not None:
            data["ComplianceState"] = state
            data["Timestamp"] = max(str(s.get("timestamp") or "") for s in mine) or None
        yield resource(COMPLIANCE, assignment.id, sub, "", data)


KINDS = [
    ResourceKind(
        name=ASSIGNMENT,
        reads=(),
        cloud=NAME,
        description="Policy assignments in effect at the subscription (own and inherited).",
        collect=collect_assignments,
        stage=1,
    ),
    ResourceKind(
        name=COMPLIANCE,
        reads=(ASSIGNMENT,),
        cloud=NAME,
        description="Policy Insights compliance of each activity-log policy assignment.",
        collect=collect_compliance,
    ),
]
