"""``gcp.resourcemanager.*``: the organization, folders and projects with their audit configs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.gcp import hierarchy
from logwarden.scanner.collectors.gcp.common import (
    FOLDER,
    GCP_ERRORS,
    NAME,
    ORGANIZATION,
    PROJECT,
    RM,
    failure,
    resource,
    session_of,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, NotApplicable, Resource, ResourceKind

Item = Resource | CollectionError


def require_facts(inv: Inventory) -> None:
    """Raise ``NotApplicable`` unless an organization or a folder is being scanned."""
    org = inv.organization
    if org is None or not org.facts_available:
        raise NotApplicable(
            "organization and folder facts are only collected with clouds.gcp.mode "
            "'organization' or 'folder'"
        )


def scope_tree(inv: Inventory, kind: str) -> tuple[hierarchy.Tree | None, list[CollectionError]]:
    """The hierarchy below the scanned organization or folder, and the subtrees not listed."""
    require_facts(inv)
    assert inv.organization is not None
    root = inv.organization.id
    try:
        tree = hierarchy.walk(session_of(inv), root)
    except GCP_ERRORS as exc:
        return None, [failure(root, kind, exc, f"reading {root}")]
    errors = [
        failure(root, kind, exc, f"listing the folders and projects of {parent}")
        for parent, exc in tree.failures
    ]
    return tree, errors


def _policy_fields(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "AuditConfigs": list(policy.get("auditConfigs") or []),
        "IamPolicyVersion": policy.get("version"),
        "IamPolicyEtag": policy.get("etag"),
    }


def _node_doc(inv: Inventory, tree: hierarchy.Tree, name: str) -> dict[str, Any]:
    session = session_of(inv)
    doc = hierarchy.get_node(session, name)
    policy = hierarchy.iam_policy(session, name)
    in_scope = name in tree.nodes
    path = tree.path(name) if in_scope else hierarchy.ancestry(session, name)
    return {
        **doc,
        **_policy_fields(policy),
        "InScope": in_scope,
        "Path": list(path[:-1]),
        "Folders": tree.child_folders.get(name, []),
        "Projects": tree.child_projects.get(name, []),
    }


def collect_organization(inv: Inventory) -> Iterator[Item]:
    """The organization (the scope root, or the organization above the scanned folder)."""
    tree, errors = scope_tree(inv, ORGANIZATION)
    yield from errors
    if tree is None:
        return
    orgs = [n for n in (*tree.above, tree.root) if n.startswith("organizations/")]
    for name in orgs:
        try:
            data = _node_doc(inv, tree, name)
        except GCP_ERRORS as exc:
            yield failure(tree.root, ORGANIZATION, exc, f"reading {name} and its IAM policy")
            continue
        yield resource(ORGANIZATION, RM + name, tree.root, "", data)


def collect_folders(inv: Inventory) -> Iterator[Item]:
    """Every folder in scope, and the folders above the scanned folder."""
    tree, errors = scope_tree(inv, FOLDER)
    yield from errors
    if tree is None:
        return
    names = [n for n in (*tree.above, *tree.nodes) if n.startswith("folders/")]
    for name in names:
        try:
            data = _node_doc(inv, tree, name)
        except GCP_ERRORS as exc:
            yield failure(tree.root, FOLDER, exc, f"reading {name} and its IAM policy")
            continue
        yield resource(FOLDER, RM + name, tree.root, "", data)


def collect_project(inv: Inventory) -> Iterator[Item]:
    """The project (``GetProject``) with the audit configs of its own IAM policy."""
    me = inv.owner_id
    session = session_of(inv)
    name = f"projects/{me}"
    try:
        doc = hierarchy.get_node(session, name)
        policy = hierarchy.iam_policy(session, name)
    except GCP_ERRORS as exc:
        yield failure(me, PROJECT, exc, f"reading {name} and its IAM policy")
        return
    yield resource(PROJECT, RM + name, me, "", {**doc, **_policy_fields(policy)})


KINDS = [
    ResourceKind(
        name=ORGANIZATION,
        reads=(),
        cloud=NAME,
        description="The organization with the audit configs of its IAM policy.",
        collect=collect_organization,
        organization=True,
    ),
    ResourceKind(
        name=FOLDER,
        reads=(),
        cloud=NAME,
        description="Folders in scope (and above a scanned folder) with their audit configs.",
        collect=collect_folders,
        organization=True,
    ),
    ResourceKind(
        name=PROJECT,
        reads=(),
        cloud=NAME,
        description="The project with the audit configs of its own IAM policy.",
        collect=collect_project,
        stage=1,
    ),
]
