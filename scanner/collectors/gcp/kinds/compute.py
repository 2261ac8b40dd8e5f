"""``gcp.compute.*``: the VPC networks (with the Cloud DNS server policy bound to each), the
subnetworks and the backend services of each project.

Each kind is one listing per project (the subnetworks and backend services of every region in
one aggregated, paged call), made only when a selected control needs the kind. A network's DNS
logging needs two reads, the networks and the project's DNS policies: a failure of either is
an ERROR for the network kind, never a network without a policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.gcp.common import (
    GCP_ERRORS,
    NAME,
    failure,
    normalise,
    resource,
    session_of,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

Item = Resource | CollectionError

NETWORK = "gcp.compute.network"
SUBNETWORK = "gcp.compute.subnetwork"
BACKEND_SERVICE = "gcp.compute.backend_service"
COMPUTE = "//compute.googleapis.com/"
# projects/P/global/networks/N in a network URL (selfLink, a DNS policy's networkUrl)
NETWORK_PATH = re.compile(r"projects/(?P<project>[^/]+)/global/networks/(?P<network>[^/?#]+)")
REGION = re.compile(r"/regions/(?P<region>[^/]+)")


def compute_path(self_link: str) -> str:
    """``projects/...`` of a Compute Engine URL (its resource name), or the URL itself."""
    start = self_link.find("projects/")
    return self_link[start:] if start >= 0 else self_link


def region_of(self_link: str) -> str:
    """The region of a regional resource's URL; ``""`` for a global one."""
    found = REGION.search(self_link)
    return found["region"] if found else ""


def _list(inv: Inventory, client: str, method: str) -> list[dict[str, Any]]:
    session = session_of(inv)
    answer = getattr(session.client(client), method)(inv.owner_id, **session.call_options())
    return [dict(normalise(item)) for item in answer]


def network_key(url: str, project_names: set[str]) -> str | None:
    """The network a URL names, as ``<project id>/<network>``; None when it names a network
    of another project (or is not a network URL)."""
    found = NETWORK_PATH.search(url)
    if found is None or found["project"] not in project_names:
        return None
    return found["network"]


def dns_fields(network: str, policies: list[dict[str, Any]], names: set[str]) -> dict[str, Any]:
    """``DnsPolicies`` (the server policies bound to ``network``: name, enableLogging) and
    ``DnsLogging`` (one of them logs queries)."""
    bound = [
        {"name": str(p.get("name", "")), "enableLogging": p.get("enableLogging") is True}
        for p in policies
        for n in p.get("networks") or []
        if isinstance(n, dict) and network_key(str(n.get("networkUrl", "")), names) == network
    ]
    return {"DnsPolicies": bound, "DnsLogging": any(p["enableLogging"] for p in bound)}


def collect_networks(inv: Inventory) -> Iterator[Item]:
    """The project's VPC networks, each with the DNS server policies bound to it."""
    me = inv.owner_id
    try:
        networks = _list(inv, "compute", "list_networks")
    except GCP_ERRORS as exc:
        yield failure(me, NETWORK, exc, f"listing the VPC networks of project {me}")
        return
    if not networks:
        return
    try:
        policies = _list(inv, "dns", "list_policies")
    except GCP_ERRORS as exc:
        yield failure(me, NETWORK, exc, f"listing the Cloud DNS policies of project {me}")
        return
    tenant = inv.tenant
    number = str(tenant.attributes.get("number", "")) if tenant is not None else ""
    names = {me, number} - {""}
    for network in networks:
        path = compute_path(str(network.get("selfLink", "")))
        data = {**network, **dns_fields(str(network.get("name", "")), policies, names)}
        yield resource(NETWORK, COMPUTE + path, me, "", data)


def _regional(inv: Inventory, kind: str, method: str, what: str) -> Iterator[Item]:
    """Every item of an aggregated listing (all regions and global), with its region."""
    me = inv.owner_id
    try:
        items = _list(inv, "compute", method)
    except GCP_ERRORS as exc:
        yield failure(me, kind, exc, f"listing the {what} of project {me}")
        return
    for item in items:
        link = str(item.get("selfLink", ""))
        yield resource(kind, COMPUTE + compute_path(link), me, region_of(link), item)


def collect_subnetworks(inv: Inventory) -> Iterator[Item]:
    """Every subnetwork of the project, in every region."""
    return _regional(inv, SUBNETWORK, "list_subnetworks", "subnetworks")


def collect_backend_services(inv: Inventory) -> Iterator[Item]:
    """Every backend service of the project, global and regional."""
    return _regional(inv, BACKEND_SERVICE, "list_backend_services", "backend services")


KINDS = [
    ResourceKind(
        name=NETWORK,
        reads=(),
        cloud=NAME,
        description="VPC networks of the project, with the Cloud DNS policies bound to each.",
        collect=collect_networks,
        stage=1,
    ),
    ResourceKind(
        name=SUBNETWORK,
        reads=(),
        cloud=NAME,
        description="Subnetworks of the project in every region, with their flow-log settings.",
        collect=collect_subnetworks,
        stage=1,
    ),
    ResourceKind(
        name=BACKEND_SERVICE,
        reads=(),
        cloud=NAME,
        description="Backend services of the project, global and regional, with their logging.",
        collect=collect_backend_services,
        stage=1,
    ),
]
