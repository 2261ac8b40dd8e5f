"""Find the organization and the workspaces (the toy cloud's tenants) to scan."""

from __future__ import annotations

from logwarden.scanner.models import DISCOVERY, CollectionError, Discovery, Organization, Tenant
from logwarden_toy.api import ToyApiError
from logwarden_toy.settings import ToySettings

CLOUD = "toy"


def discover(settings: ToySettings) -> Discovery:
    """Every listed workspace (or those of ``clouds.toy.workspaces``); failures are values."""
    try:
        org_doc = settings.api.organization()
        listed = settings.api.list_workspaces()
    except ToyApiError as exc:
        error = CollectionError(CLOUD, "", DISCOVERY, "", exc.code, exc.message)
        return Discovery(errors=[error])
    org = Organization(CLOUD, org_doc["id"], org_doc["name"])
    wanted = settings.workspaces or tuple(w["id"] for w in listed)
    names = {w["id"]: w["name"] for w in listed}
    tenants = [Tenant(CLOUD, w, names[w], organization_id=org.id) for w in wanted if w in names]
    errors = [
        CollectionError(CLOUD, w, DISCOVERY, "", "NotFound", f"workspace {w} is not listed")
        for w in wanted
        if w not in names
    ]
    return Discovery(organizations=[org], tenants=tenants, errors=errors)
