"""``azure.authorization.log_access``: who holds a role on a log destination, and what the role
allows, for the central Log Analytics workspace and the Activity Log storage account.

One document per workspace (``azure.loganalytics.workspace``) and storage account
(``azure.storage.log_account``) of the subscription, made from azure-mgmt-authorization
(api-version 2022-04-01): ``role_assignments.list_for_scope(<destination id>)`` lists the
assignments at the destination, inherited from every scope above it (resource group,
subscription, management groups, the tenant root) and below it (a blob container), paged
through ``nextLink``; ``role_definitions.get_by_id`` reads each role they name once per scan,
by the id the assignment spells (a built-in role assigned at a management group is named
``/providers/...``, in a subscription ``/subscriptions/{id}/providers/...``). The document keeps the role's
permissions as they are: ``checks/azure/log_access.py`` decides which of them read the logs.
A role that could not be read is ``Role.State: Unreadable`` (``Reason`` says why): what
depends on it is undecided, never allowed. Collected only when a selected control needs it
(stage 3, after the stage-2 workspaces and accounts it reads).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    STORAGE_ACCOUNT,
    WORKSPACE,
    failure,
    inherited,
    resource,
    session_of,
    subscription_of,
    to_json,
    unread,
)
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

LOG_ACCESS = "azure.authorization.log_access"
DESTINATIONS = ((WORKSPACE, "workspace"), (STORAGE_ACCOUNT, "storage"))


def _scope_path(rid: str) -> str:
    """An ARM id as the SDK's ``{scope}`` / ``{roleId}`` path parameter (no leading slash)."""
    return rid.strip().lstrip("/")


def read_role(pool: SessionPool, definition_id: str) -> dict[str, Any]:
    """A role definition's ``State`` and, when it exists, its name and permissions; read once
    per scan (by its GUID), never raises Azure errors."""
    try:
        doc: dict[str, Any] = pool.memo(
            ("role-definition", definition_id.rstrip("/").lower()),
            functools.partial(_read_role, pool, definition_id),
        )
    except AZURE_ERRORS as exc:
        return unread(exc, f"role {definition_id}")
    props = doc.get("properties") or {}
    return {
        "State": "Exists",
        "RoleName": props.get("roleName"),
        "RoleType": props.get("type"),
        "Permissions": props.get("permissions") or [],
    }


def _read_role(pool: SessionPool, definition_id: str) -> dict[str, Any]:
    client = pool.tenant_session().client("authorization")
    return to_json(client.role_definitions.get_by_id(_scope_path(definition_id)))


def _assignment(pool: SessionPool, doc: dict[str, Any], destination: str) -> dict[str, Any]:
    props = doc.get("properties") or {}
    scope = str(props.get("scope") or "")
    low, target = scope.rstrip("/").lower(), destination.rstrip("/").lower()
    where = "at" if low == target else "below" if low.startswith(target + "/") else "above"
    definition = str(props.get("roleDefinitionId") or "")
    return {
        "id": doc.get("id"),
        "PrincipalId": props.get("principalId"),
        "PrincipalType": props.get("principalType"),
        "Scope": scope,
        "Where": where,
        "Condition": props.get("condition"),
        "RoleDefinitionId": definition,
        "Role": read_role(pool, definition)
        if definition
        else {"State": "Unreadable", "Reason": "the assignment names no role definition"},
    }


def _access(inv: Inventory, dest: Resource, kind: str) -> Resource | CollectionError:
    sub = subscription_of(inv)
    session = session_of(inv)
    try:
        client = session.client("authorization")
        listed = [to_json(a) for a in client.role_assignments.list_for_scope(_scope_path(dest.id))]
    except AZURE_ERRORS as exc:
        return failure(sub, LOG_ACCESS, exc, f"listing the role assignments on {dest.id}")
    assignments = [_assignment(session.pool, a, dest.id) for a in listed]
    data = {
        "id": dest.id,
        "Name": dest.data.get("name"),
        "Type": kind,
        "Assignments": sorted(assignments, key=lambda a: str(a.get("id") or "").lower()),
    }
    return resource(LOG_ACCESS, dest.id, sub, dest.region, data)


def collect(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One document per log destination this subscription holds (or reads for an unscanned
    owner)."""
    for source, kind in DESTINATIONS:
        yield from inherited(inv, source, LOG_ACCESS, source)
        for dest in inv.get(source).resources:
            yield _access(inv, dest, kind)


KINDS = [
    ResourceKind(
        name=LOG_ACCESS,
        reads=(WORKSPACE, STORAGE_ACCOUNT),
        cloud=NAME,
        description="Role assignments on the log workspaces and storage accounts, with their roles.",
        collect=collect,
        stage=3,
    ),
]
