"""azure.authorization.log_readers_allowed: only allowed principals can read the central logs.

Who can read them is decided from each role assignment on the log destination (at it,
inherited from any scope above, or below it on a blob container) and its role definition's
permissions, wildcards included: a role reads

- a Log Analytics workspace when its ``actions`` (less ``notActions``) allow a query
  (``.../workspaces/query/read``, a table's ``.../query/<table>/read``, the legacy
  ``.../analytics/query/action`` or ``.../search/action``; ``*/read`` does, as Reader's does)
  or its ``dataActions`` allow ``.../workspaces/tables/data/read``;
- a storage account when its ``actions`` can obtain a key or a key-signed SAS (``listKeys``,
  ``regenerateKey``, ``ListAccountSas``, ``listServiceSas``: ``*`` does, as Owner's and
  Contributor's do) or its ``dataActions`` allow ``.../blobs/read`` (Storage Blob Data Reader,
  Contributor, Owner).

A principal whose object id is not in ``log_reader_principals`` and holds such a role FAILs
the destination's row; a role that could not be read leaves an outsider undecided (ERROR,
never PASS). A condition on an assignment (ABAC) may narrow it: it is shown, not evaluated
(the principal still counts as a reader). Deny assignments are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from logwarden.scanner.models import CheckContext, Outcome, Resource, Status

LOG_ACCESS = "azure.authorization.log_access"
WORKSPACE_READS: tuple[tuple[str, str], ...] = (
    ("actions", "Microsoft.OperationalInsights/workspaces/query/read"),
    ("actions", "Microsoft.OperationalInsights/workspaces/query/AzureActivity/read"),
    ("actions", "Microsoft.OperationalInsights/workspaces/analytics/query/action"),
    ("actions", "Microsoft.OperationalInsights/workspaces/search/action"),
    ("dataActions", "Microsoft.OperationalInsights/workspaces/tables/data/read"),
)
STORAGE_READS: tuple[tuple[str, str], ...] = (
    ("actions", "Microsoft.Storage/storageAccounts/listKeys/action"),
    ("actions", "Microsoft.Storage/storageAccounts/regenerateKey/action"),
    ("actions", "Microsoft.Storage/storageAccounts/ListAccountSas/action"),
    ("actions", "Microsoft.Storage/storageAccounts/listServiceSas/action"),
    ("dataActions", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"),
)
READS = {"workspace": WORKSPACE_READS, "storage": STORAGE_READS}
EXCLUDED = {"actions": "notActions", "dataActions": "notDataActions"}


def _matches(pattern: Any, operation: str) -> bool:
    """Whether an RBAC action pattern (``*`` spans any characters) allows ``operation``;
    Azure compares operations without case."""
    if not isinstance(pattern, str) or not pattern:
        return False
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, operation, re.IGNORECASE) is not None


def granted(permissions: Iterable[Any], reads: Iterable[tuple[str, str]]) -> list[str]:
    """The operations of ``reads`` that a role's permission blocks allow (each block: its
    actions less its notActions, its dataActions less its notDataActions; blocks add up)."""
    out: list[str] = []
    blocks = [p for p in permissions if isinstance(p, Mapping)]
    for field, operation in reads:
        for block in blocks:
            allowed = any(_matches(p, operation) for p in block.get(field) or [])
            removed = any(_matches(p, operation) for p in block.get(EXCLUDED[field]) or [])
            if allowed and not removed:
                out.append(operation)
                break
    return out


def _reader(assignment: Mapping[str, Any], grants: list[str], allowed: set[str]) -> dict[str, Any]:
    role = assignment.get("Role") or {}
    principal = str(assignment.get("PrincipalId") or "")
    return {
        "PrincipalId": principal,
        "PrincipalType": assignment.get("PrincipalType"),
        "Role": role.get("RoleName") or assignment.get("RoleDefinitionId"),
        "Scope": assignment.get("Scope"),
        "Where": assignment.get("Where"),
        "Grants": grants,
        "Condition": assignment.get("Condition"),
        "Allowed": principal.lower() in allowed,
    }


def _describe(reader: Mapping[str, Any]) -> str:
    where = {"at": "on it", "above": "inherited from", "below": "below it, on"}.get(
        str(reader["Where"]), "at"
    )
    scope = "" if reader["Where"] == "at" else f" {reader['Scope']}"
    return (
        f"{reader['PrincipalType'] or 'principal'} {reader['PrincipalId']} "
        f"({reader['Role']}, {where}{scope})"
    )


def judge(doc: Resource, allowed: set[str]) -> Outcome:
    """One destination's row."""
    reads = READS.get(str(doc.data.get("Type")), ())
    readers, undecided = [], []
    for assignment in doc.data.get("Assignments") or []:
        role = assignment.get("Role") or {}
        state = role.get("State")
        if state == "Exists":
            grants = granted(role.get("Permissions") or [], reads)
            if grants:
                readers.append(_reader(assignment, grants, allowed))
        elif state != "NotFound":  # a deleted role grants nothing; an unread one may
            principal = str(assignment.get("PrincipalId") or "").lower()
            if principal not in allowed:
                undecided.append(f"{assignment.get('PrincipalId')}: {role.get('Reason')}")
    name = doc.data.get("Name") or doc.id
    evidence = {"Readers": readers, "Undecided": undecided, "Type": doc.data.get("Type")}
    outsiders = [r for r in readers if not r["Allowed"]]
    if outsiders:
        who = "; ".join(_describe(r) for r in outsiders)
        message = (
            f"{len(outsiders)} principal(s) outside log_reader_principals can read the logs in "
            f"{name}: {who}"
        )
        return Outcome(Status.FAIL, message, doc.id, doc.region, evidence)
    if undecided:
        message = (
            f"could not be evaluated: whether these principals can read the logs in {name} "
            f"depends on roles that could not be read ({'; '.join(undecided)})"
        )
        return Outcome(Status.ERROR, message, doc.id, doc.region, evidence)
    if readers:
        who = ", ".join(sorted({str(r["PrincipalId"]) for r in readers}))
        message = f"only allowed principals can read the logs in {name} ({who})"
    else:
        message = f"no role assignment grants read access to the logs in {name}"
    return Outcome(Status.PASS, message, doc.id, doc.region, evidence)


def log_readers_allowed(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per log destination (workspace, storage account) of the subscription."""
    allowed = {str(p).lower() for p in ctx.param("log_reader_principals") or []}
    for doc in ctx.resources(LOG_ACCESS):
        yield judge(doc, allowed)
