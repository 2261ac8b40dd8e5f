"""The resource hierarchy: organizations, folders and projects, read once per scan.

Every read goes through the session memo, so discovery, the organization kinds and the
per-project kinds share one ``get``/``list``/``getIamPolicy`` call per node. Node names are
resource names: ``organizations/N``, ``folders/N``, ``projects/<id or number>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.collectors.gcp.common import GCP_ERRORS, normalise
from logwarden.scanner.collectors.gcp.session import GcpSession

ACTIVE = "ACTIVE"


GETTERS = {"organizations": "get_organization", "folders": "get_folder", "projects": "get_project"}


def client_for(name: str) -> str:
    """The session client that reads node ``name`` (named after the resource collection)."""
    collection = name.split("/", 1)[0]
    if collection not in GETTERS:
        raise ValueError(f"not a resource-manager node: {name!r}")
    return collection


def get_node(session: GcpSession, name: str) -> dict[str, Any]:
    """An organization, folder or project document (``GetX``), memoised."""

    def call() -> dict[str, Any]:
        collection = client_for(name)
        method = getattr(session.client(collection), GETTERS[collection])
        return dict(normalise(method(name=name, **session.call_options())))

    return session.memo(("rm:get", name), call)


def full_iam_policy(session: GcpSession, name: str) -> dict[str, Any]:
    """The IAM policy of a node (``getIamPolicy``, version 3), bindings included, memoised."""

    def call() -> dict[str, Any]:
        client = session.client(client_for(name))
        request = {"resource": name, "options": {"requested_policy_version": 3}}
        return dict(normalise(client.get_iam_policy(request=request, **session.call_options())))

    return session.memo(("rm:iam", name), call)


def iam_policy(session: GcpSession, name: str) -> dict[str, Any]:
    """The IAM policy of a node without its bindings: ``version``, ``etag``, ``auditConfigs``."""
    return {k: v for k, v in full_iam_policy(session, name).items() if k != "bindings"}


def audit_configs(session: GcpSession, name: str) -> list[dict[str, Any]]:
    """The ``auditConfigs`` of a node's IAM policy (empty list when none)."""
    return list(iam_policy(session, name).get("auditConfigs") or [])


def ancestry(session: GcpSession, parent: str) -> tuple[str, ...]:
    """The chain of nodes from the top (usually the organization) down to ``parent``."""
    chain: list[str] = []
    node = parent
    while node and node.startswith(("folders/", "organizations/")) and node not in chain:
        chain.append(node)
        if node.startswith("organizations/"):
            break
        node = str(get_node(session, node).get("parent", ""))
    return tuple(reversed(chain))


def children(session: GcpSession, parent: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The direct child folders and projects of a node (all pages), memoised."""

    def call() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        opts = session.call_options()
        folders = [
            dict(normalise(f))
            for f in session.client("folders").list_folders(parent=parent, **opts)
        ]
        projects = [
            dict(normalise(p))
            for p in session.client("projects").list_projects(parent=parent, **opts)
        ]
        for node in folders:
            session.remember(("rm:get", node["name"]), node)
        for node in projects:  # GetProject answers by id as well as by number
            session.remember(("rm:get", f"projects/{node['projectId']}"), node)
        return folders, projects

    return session.memo(("rm:children", parent), call)


@dataclass
class Tree:
    """Everything below a scope root (an organization or a folder), and the nodes above it."""

    root: str
    above: tuple[str, ...] = ()  # ancestors of the root, top first
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # root + folders below
    child_folders: dict[str, list[str]] = field(default_factory=dict)
    child_projects: dict[str, list[str]] = field(default_factory=dict)  # ACTIVE project ids
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # ACTIVE, by project id
    failures: list[tuple[str, Exception]] = field(default_factory=list)

    def path(self, node: str) -> tuple[str, ...]:
        """Ancestors of ``node`` from the top down, ``node`` included."""
        chain: list[str] = []
        current: str = node
        while current in self.nodes and current not in chain:
            chain.append(current)
            if current == self.root:
                break
            current = str(self.nodes[current].get("parent", ""))
        return (*self.above, *reversed(chain))


def walk(session: GcpSession, root: str) -> Tree:
    """The tree below ``root`` (breadth first); a failing subtree is recorded, not raised.

    Raises a Google error only when the root itself cannot be read.
    """

    def call() -> Tree:
        tree = Tree(root=root)
        tree.nodes[root] = get_node(session, root)
        if root.startswith("folders/"):
            tree.above = ancestry(session, str(tree.nodes[root].get("parent", "")))
        queue = [root]
        while queue:
            parent = queue.pop(0)
            try:
                folders, projects = children(session, parent)
            except GCP_ERRORS as exc:
                tree.failures.append((parent, exc))
                continue
            tree.child_folders[parent] = []
            tree.child_projects[parent] = []
            for folder in folders:
                if folder.get("state", ACTIVE) != ACTIVE:
                    continue
                tree.nodes[folder["name"]] = folder
                tree.child_folders[parent].append(folder["name"])
                queue.append(folder["name"])
            for project in projects:
                if project.get("state", ACTIVE) != ACTIVE:
                    continue
                tree.projects[project["projectId"]] = project
                tree.child_projects[parent].append(project["projectId"])
        return tree

    return session.memo(("rm:walk", root), call)
