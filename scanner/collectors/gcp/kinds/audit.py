"""``gcp.audit.effective_config``: the effective audit configuration of each project."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.gcp import hierarchy
from logwarden.scanner.collectors.gcp.audit import effective_audit_config
from logwarden.scanner.collectors.gcp.common import (
    EFFECTIVE_AUDIT,
    GCP_ERRORS,
    NAME,
    PROJECT,
    RM,
    failure,
    rekind,
    resource,
    session_of,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def collect_effective(inv: Inventory) -> Iterator[Item]:
    """The project's audit configs merged over every organization and folder above it."""
    me = inv.owner_id
    session = session_of(inv)
    own = inv.get(PROJECT)
    for err in own.errors:
        yield rekind(err, EFFECTIVE_AUDIT, me, "the project's own audit config")
    if own.errors or not own.resources:
        return
    project = own.resources[0].data
    tenant = inv.tenant
    try:
        chain = (tenant.parents if tenant is not None else ()) or hierarchy.ancestry(
            session, str(project.get("parent", ""))
        )
    except GCP_ERRORS as exc:
        yield failure(me, EFFECTIVE_AUDIT, exc, "reading the folders above the project")
        return
    sources: list[tuple[str, list[dict[str, Any]]]] = []
    failed = False
    for node in chain:
        try:
            sources.append((node, hierarchy.audit_configs(session, node)))
        except GCP_ERRORS as exc:
            yield failure(
                me, EFFECTIVE_AUDIT, exc, f"reading the IAM policy of {node} (an ancestor)"
            )
            failed = True
    if failed:
        return  # a partial merge could hide an exemption or show a log type as missing
    sources.append((f"projects/{me}", list(project.get("AuditConfigs") or [])))
    data = effective_audit_config(me, sources)
    data = {"name": f"projects/{me}", **data}
    yield resource(EFFECTIVE_AUDIT, f"{RM}projects/{me}/effectiveAuditConfig", me, "", data)


KINDS = [
    ResourceKind(
        name=EFFECTIVE_AUDIT,
        reads=(PROJECT,),
        cloud=NAME,
        description="The project's audit configs merged over its organization and folders.",
        collect=collect_effective,
        stage=1,
        # summaries of Sources (the configs of the project and its ancestors)
        derived=(
            "AllServices",
            "MissingAllServicesLogTypes",
            "Services",
            "ExemptedMembers",
            "Exemptions",
        ),
    ),
]
