"""The organization's structure, read once per scan and shared by discovery and the org kinds.

Accounts are listed per parent (``ListAccountsForParent``) while walking the OU tree, so each
account's path from the root is known without one ``ListParents`` call per account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.collectors.aws.common import AWS_ERRORS
from logwarden.scanner.collectors.aws.session import AwsSession


@dataclass
class OrgTree:
    """What ``DescribeOrganization``, ``ListRoots`` and the per-parent listings returned."""

    organization: dict[str, Any]
    roots: list[dict[str, Any]]
    # id -> {"Id", "Name", "Type": ROOT|ORGANIZATIONAL_UNIT, "Arn", "ParentId"}
    parents: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: list[dict[str, Any]] = field(default_factory=list)  # each with "ParentId"
    # (parent id, exception) for every listing that failed: the tree is then incomplete.
    failures: list[tuple[str, Exception]] = field(default_factory=list)

    def path(self, parent_id: str) -> list[dict[str, Any]]:
        """The chain root first, ``parent_id`` last, as ``{Id, Type, Name}``."""
        chain: list[dict[str, Any]] = []
        current: str | None = parent_id
        while current is not None and current in self.parents:
            node = self.parents[current]
            chain.append({"Id": node["Id"], "Type": node["Type"], "Name": node.get("Name", "")})
            current = node.get("ParentId")
        return list(reversed(chain))

    @property
    def scp_enabled(self) -> bool:
        """SERVICE_CONTROL_POLICY is enabled on the (first) root."""
        return any(
            t.get("Type") == "SERVICE_CONTROL_POLICY" and t.get("Status") == "ENABLED"
            for root in self.roots[:1]
            for t in root.get("PolicyTypes", [])
        )


def describe_organization(session: AwsSession) -> dict[str, Any]:
    """``DescribeOrganization`` once per session; raises the AWS error."""

    def call() -> dict[str, Any]:
        return dict(session.client("organizations").describe_organization()["Organization"])

    return session.memo("organizations:describe", call)


def org_tree(session: AwsSession) -> OrgTree:
    """Walk the organization once per session; raises only when the root cannot be read."""
    return session.memo("organizations:tree", lambda: _walk(session))


def _walk(session: AwsSession) -> OrgTree:
    client = session.client("organizations")
    org = describe_organization(session)
    roots = client.get_paginator("list_roots").paginate().build_full_result()["Roots"]
    tree = OrgTree(organization=org, roots=list(roots))
    pending: list[str] = []
    for root in roots:
        tree.parents[root["Id"]] = {**root, "Type": "ROOT", "ParentId": None}
        pending.append(root["Id"])
    ou_pages = client.get_paginator("list_organizational_units_for_parent")
    account_pages = client.get_paginator("list_accounts_for_parent")
    while pending:
        parent = pending.pop(0)
        try:
            ous = ou_pages.paginate(ParentId=parent).build_full_result()["OrganizationalUnits"]
        except AWS_ERRORS as exc:
            tree.failures.append((parent, exc))
            ous = []
        for ou in ous:
            tree.parents[ou["Id"]] = {**ou, "Type": "ORGANIZATIONAL_UNIT", "ParentId": parent}
            pending.append(ou["Id"])
        try:
            accounts = account_pages.paginate(ParentId=parent).build_full_result()["Accounts"]
        except AWS_ERRORS as exc:
            tree.failures.append((parent, exc))
            accounts = []
        tree.accounts.extend({**a, "ParentId": parent} for a in accounts)
    tree.accounts.sort(key=lambda a: a["Id"])
    return tree


@dataclass
class ScpIndex:
    """Every SCP with its targets; from ListPolicies + ListTargetsForPolicy (1 + P calls)."""

    policies: list[dict[str, Any]]
    targets: dict[str, list[dict[str, Any]]]  # policy id -> targets
    failures: list[tuple[str, Exception]] = field(default_factory=list)

    def attached_to(self, target_id: str) -> list[str]:
        """Policy ids attached directly to a root, OU or account, sorted."""
        return sorted(
            pid
            for pid, targets in self.targets.items()
            if any(t["TargetId"] == target_id for t in targets)
        )


def scp_index(session: AwsSession) -> ScpIndex:
    """SCPs and their targets, once per session; raises when the policies cannot be listed."""

    def call() -> ScpIndex:
        client = session.client("organizations")
        pages = client.get_paginator("list_policies").paginate(Filter="SERVICE_CONTROL_POLICY")
        policies = list(pages.build_full_result()["Policies"])
        index = ScpIndex(policies=policies, targets={})
        target_pages = client.get_paginator("list_targets_for_policy")
        for pol in policies:
            try:
                got = target_pages.paginate(PolicyId=pol["Id"]).build_full_result()
            except AWS_ERRORS as exc:
                index.failures.append((pol["Id"], exc))
                continue
            index.targets[pol["Id"]] = list(got["Targets"])
        return index

    return session.memo("organizations:scps", call)
