"""Find the projects to scan: an organization or a folder (recursively), or a static list.

A tenant is an ACTIVE project: ``id`` = project id, ``parents`` = the chain of resource names
from the organization down to the project's parent, ``attributes`` = ``{"number", "name"}``.
The scope (``Organization``) is ``organizations/N`` or ``folders/N``; with a static list of
projects it is ``gcp-projects`` and the organization facts are not collected.
"""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.gcp import hierarchy
from logwarden.scanner.collectors.gcp.common import GCP_ERRORS, NAME, failure, normalise
from logwarden.scanner.collectors.gcp.session import GcpSession
from logwarden.scanner.collectors.gcp.settings import GcpSettings
from logwarden.scanner.models import CollectionError, Discovery, Organization, Tenant

KIND = "discovery"
STATIC_SCOPE = "gcp-projects"


def discover(settings: GcpSettings) -> Discovery:
    """Organizations and tenants for the configured mode; failures are values in ``errors``."""
    session = settings.session
    if settings.mode == "projects":
        return _static(settings)
    try:
        root = settings.scope_root or _only_organization(session)
    except GCP_ERRORS as exc:
        hint = "searching the organizations visible to the credentials"
        return Discovery(errors=[failure("", KIND, exc, hint)])
    except LookupError as exc:
        return Discovery(errors=[CollectionError(NAME, "", KIND, "", "NoOrganization", str(exc))])
    try:
        tree = hierarchy.walk(session, root)
    except GCP_ERRORS as exc:
        return Discovery(errors=[failure(root, KIND, exc, f"reading {root}")])
    errors = [
        failure(root, KIND, exc, f"listing the folders and projects of {parent}")
        for parent, exc in tree.failures
    ]
    doc = tree.nodes[root]
    label = "GCP organization" if root.startswith("organizations/") else "GCP folder"
    organization = Organization(
        cloud=NAME,
        id=root,
        name=f"{label} {doc.get('displayName') or root}",
        facts_available=True,
    )
    tenants = [
        _tenant(project, root, tree.path(str(project.get("parent", ""))))
        for pid, project in sorted(tree.projects.items())
        if pid not in settings.exclude_projects
    ]
    return Discovery(organizations=[organization], tenants=tenants, errors=errors)


def _only_organization(session: GcpSession) -> str:
    """The one organization the credentials can see (``organizations.search``)."""
    found: list[Any] = list(
        session.client("organizations").search_organizations(**session.call_options())
    )
    names = sorted(str(normalise(o).get("name", "")) for o in found)
    if len(names) != 1:
        seen = ", ".join(names) or "none"
        raise LookupError(
            f"clouds.gcp.organization is not set and the credentials see {len(names)} "
            f"organizations ({seen}); fix: set clouds.gcp.organization to the numeric id"
        )
    return names[0]


def _tenant(project: dict[str, Any], scope: str, parents: tuple[str, ...]) -> Tenant:
    name = str(project.get("name", ""))
    return Tenant(
        cloud=NAME,
        id=str(project["projectId"]),
        name=str(project.get("displayName") or project["projectId"]),
        organization_id=scope,
        parents=parents,
        attributes={"number": name.removeprefix("projects/"), "name": name},
    )


def _static(settings: GcpSettings) -> Discovery:
    organization = Organization(
        cloud=NAME, id=STATIC_SCOPE, name="GCP projects", facts_available=False
    )
    tenants = [
        Tenant(cloud=NAME, id=pid, name=pid, organization_id=STATIC_SCOPE)
        for pid in settings.projects
    ]
    return Discovery(organizations=[organization], tenants=tenants)
