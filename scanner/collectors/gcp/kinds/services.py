"""``gcp.serviceusage.service`` (the Cloud Asset Inventory API of each project, CIS GCP 2.13) and
``gcp.accessapproval.settings`` (the organization's Access Approval settings, CIS GCP 2.15).

A project whose Cloud Asset API is not enabled answers ``state: DISABLED``: that is the finding,
not an error. A Service Usage call that fails (the Service Usage API itself disabled, denied,
throttled) is an error of the kind, and so an ERROR row.
"""

from __future__ import annotations

from collections.abc import Iterator

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp import monitoring_api
from logwarden.scanner.collectors.gcp.common import (
    ACCESS_APPROVAL,
    ACCESS_APPROVAL_API,
    GCP_ERRORS,
    NAME,
    SERVICE,
    SERVICE_USAGE,
    failure,
    resource,
    session_of,
)
from logwarden.scanner.collectors.gcp.kinds.resourcemanager import scope_tree
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError


def collect_services(inv: Inventory) -> Iterator[Item]:
    """The project's Cloud Asset Inventory API (``services.get``)."""
    me = inv.owner_id
    service = monitoring_api.CLOUD_ASSET
    try:
        doc = monitoring_api.get_service(session_of(inv), me, service)
    except GCP_ERRORS as exc:
        yield failure(me, SERVICE, exc, f"reading the state of {service} in project {me}")
        return
    rid = f"{SERVICE_USAGE}projects/{me}/services/{service}"
    yield resource(SERVICE, rid, me, "", {**doc, "projectId": me, "Service": service})


def collect_access_approval(inv: Inventory) -> Iterator[Item]:
    """The Access Approval settings of the organization scanned (or above the folder)."""
    tree, errors = scope_tree(inv, ACCESS_APPROVAL)
    yield from errors
    if tree is None:
        return
    orgs = [n for n in (*tree.above, tree.root) if n.startswith("organizations/")]
    for node in orgs:
        try:
            doc = monitoring_api.access_approval_settings(session_of(inv), node)
        except NotFound:  # never configured: nothing is enrolled
            doc = {"name": f"{node}/accessApprovalSettings", "enrolledServices": []}
        except GCP_ERRORS as exc:
            yield failure(
                tree.root, ACCESS_APPROVAL, exc, f"reading the Access Approval settings of {node}"
            )
            continue
        rid = f"{ACCESS_APPROVAL_API}{node}/accessApprovalSettings"
        data = {**doc, "Parent": node, "Enrolled": bool(doc.get("enrolledServices"))}
        yield resource(ACCESS_APPROVAL, rid, tree.root, "", data)


KINDS = [
    ResourceKind(
        name=SERVICE,
        reads=(),
        cloud=NAME,
        description="The project's Cloud Asset Inventory API and whether it is enabled.",
        collect=collect_services,
        stage=1,
    ),
    ResourceKind(
        name=ACCESS_APPROVAL,
        reads=(),
        cloud=NAME,
        description="The organization's Access Approval settings (enrolled services).",
        collect=collect_access_approval,
        organization=True,
    ),
]
