"""``aws.organizations.*``: the organization, its accounts and SCPs, collected once in the
management account's scope."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import (
    ACCOUNT,
    AWS_ERRORS,
    NAME,
    ORGANIZATION,
    POLICY,
    failure,
    resource,
    session_of,
    viewer_id,
)
from logwarden.scanner.collectors.aws.orgtree import OrgTree, ScpIndex, org_tree, scp_index
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind

Item = Resource | CollectionError


def require_org(inv: Inventory) -> None:
    """Organization kinds apply only where organization facts are collected."""
    org = inv.organization
    if org is None or not org.facts_available:
        raise NotApplicable(
            "organization facts are only collected with clouds.aws.mode 'organization' "
            "from the management account"
        )


def _tree(inv: Inventory, kind: str) -> tuple[OrgTree | None, list[CollectionError]]:
    owner = viewer_id(inv)
    try:
        tree = org_tree(session_of(inv))
    except AWS_ERRORS as exc:
        return None, [failure(owner, kind, "", exc, "reading the organization")]
    errors = [
        failure(owner, kind, "", exc, f"listing the children of {parent}")
        for parent, exc in tree.failures
    ]
    return tree, errors


def collect_organization(inv: Inventory) -> Iterator[Item]:
    """The organization with its roots; ``ScpEnabled`` derived from the root's policy types."""
    require_org(inv)
    tree, errors = _tree(inv, ORGANIZATION)
    yield from errors
    if tree is None:
        return
    org = dict(tree.organization)
    data = {**org, "Roots": tree.roots, "ScpEnabled": tree.scp_enabled}
    yield resource(ORGANIZATION, org["Arn"], str(org["MasterAccountId"]), "", data)


def _scps(inv: Inventory, kind: str) -> tuple[ScpIndex | None, list[CollectionError]]:
    owner = viewer_id(inv)
    try:
        index = scp_index(session_of(inv))
    except AWS_ERRORS as exc:
        return None, [failure(owner, kind, "", exc, "listing service control policies")]
    errors = [
        failure(owner, kind, "", exc, f"listing the targets of {pid}")
        for pid, exc in index.failures
    ]
    return index, errors


def collect_accounts(inv: Inventory) -> Iterator[Item]:
    """Every account of the organization with its parent path and the SCPs in effect."""
    require_org(inv)
    tree, errors = _tree(inv, ACCOUNT)
    yield from errors
    if tree is None:
        return
    index: ScpIndex | None = None
    if tree.scp_enabled:
        index, scp_errors = _scps(inv, ACCOUNT)
        yield from scp_errors
        if index is None or scp_errors:
            return  # EffectivePolicyIds would be incomplete: no account without it
    management = str(tree.organization["MasterAccountId"])
    for account in tree.accounts:
        path = tree.path(account["ParentId"])
        effective: list[str] = []
        if index is not None:
            for target in [*(node["Id"] for node in path), account["Id"]]:
                effective.extend(p for p in index.attached_to(target) if p not in effective)
        data = {k: v for k, v in account.items() if k != "ParentId"}
        data |= {
            "ParentPath": path,
            "IsManagementAccount": account["Id"] == management,
            "EffectivePolicyIds": effective,
        }
        yield resource(ACCOUNT, account["Arn"], account["Id"], "", data)


def collect_policies(inv: Inventory) -> Iterator[Item]:
    """Every SCP with its parsed content and its targets."""
    require_org(inv)
    owner = viewer_id(inv)
    index, errors = _scps(inv, POLICY)
    yield from errors
    if index is None:
        return
    client = session_of(inv).client("organizations")
    for summary in index.policies:
        pid = summary["Id"]
        if pid not in index.targets:
            continue  # its targets could not be read: already reported
        try:
            policy = client.describe_policy(PolicyId=pid)["Policy"]
        except AWS_ERRORS as exc:
            yield failure(owner, POLICY, "", exc, f"reading policy {pid}")
            continue
        data: dict[str, Any] = {
            **policy["PolicySummary"],
            "Content": parse_policy(policy["Content"]),
            "Targets": index.targets[pid],
        }
        yield resource(POLICY, summary["Arn"], owner, "", data)


def parse_policy(text: str) -> dict[str, Any]:
    """A policy document as JSON with ``Statement`` always a list."""
    doc = json.loads(text) if isinstance(text, str) else dict(text)
    statements = doc.get("Statement", [])
    doc["Statement"] = statements if isinstance(statements, list) else [statements]
    return doc


KINDS = [
    ResourceKind(
        name=ORGANIZATION,
        reads=(),
        cloud=NAME,
        description="The AWS organization: roots, feature set, whether SCPs are enabled.",
        collect=collect_organization,
        organization=True,
    ),
    ResourceKind(
        name=ACCOUNT,
        reads=(),
        cloud=NAME,
        description="Every account of the organization with its OU path and effective SCP ids.",
        collect=collect_accounts,
        organization=True,
    ),
    ResourceKind(
        name=POLICY,
        reads=(),
        cloud=NAME,
        description="Service control policies with their parsed content and targets.",
        collect=collect_policies,
        organization=True,
    ),
]
