"""The project resources of the GCP sandbox: VPC networks, subnetworks, backend services (Compute
Engine v1), DNS server policies (Cloud DNS v1) and Cloud SQL instances (Cloud SQL Admin v1).

:class:`ProjectResources` says what a project holds; :func:`seed` gives the standard
organization its compliant resources; :func:`route` serves them on the REST fake
(``gcp_rest``), with the paths, shapes and paging of Google's APIs:

- ``GET /compute/v1/projects/P/global/networks`` (``NetworkList``),
  ``/compute/v1/projects/P/aggregated/subnetworks`` and ``.../aggregated/backendServices``
  (aggregated lists: items keyed by scope, ``regions/R`` or ``global``, and a scope with
  nothing on the page carries the warning ``NO_RESULTS_ON_PAGE``, as Google answers), JSON
  as Compute Engine's REST reference describes it (a test parses every answer with
  ``google-cloud-compute``'s message classes, refusing unknown fields; the fake itself does not
  import that library, whose import takes seconds);
- ``GET /dns/v1/projects/P/policies`` (``dns#policiesListResponse``) and
  ``GET /v1/projects/P/instances`` (``sql#instancesList``), JSON as the discovery documents
  describe it.

Every listing pages :data:`PAGE_SIZE` items at a time (``pageToken`` / ``nextPageToken``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from logwarden_sandbox.gcp_faults import FakeError

if TYPE_CHECKING:
    from logwarden_sandbox.gcp_state import FakeGcp
    from logwarden_sandbox.gcp_world import GcpOrg

PAGE_SIZE = 2
COMPUTE_API = "https://www.googleapis.com/compute/v1/"
EMPTY_REGION = "regions/us-east1"  # a region with nothing in it: answered with a warning
PG_FLAGS = {  # a compliant PostgreSQL instance (other flags at PostgreSQL's defaults)
    "log_connections": "on",
    "log_disconnections": "on",
    "log_statement": "ddl",
    "cloudsql.enable_pgaudit": "on",
}
ROUTES = {
    re.compile(r"^/compute/v1/projects/(?P<project>[^/]+)/global/networks$"): "networks",
    re.compile(r"^/compute/v1/projects/(?P<project>[^/]+)/aggregated/subnetworks$"): "subnetworks",
    re.compile(r"^/compute/v1/projects/(?P<project>[^/]+)/aggregated/backendServices$"): "backends",
    re.compile(r"^/dns/v1/projects/(?P<project>[^/]+)/policies$"): "policies",
    re.compile(r"^/v1/projects/(?P<project>[^/]+)/instances$"): "instances",
}
CALLS = {  # what the fake counts: (api, operation as Google names it)
    "networks": ("compute", "networks.list"),
    "subnetworks": ("compute", "subnetworks.aggregatedList"),
    "backends": ("compute", "backendServices.aggregatedList"),
    "policies": ("dns", "policies.list"),
    "instances": ("sqladmin", "instances.list"),
}


@dataclass
class SubnetSpec:
    """A subnetwork; ``flow_logs=None``: flow logs never configured (no logConfig)."""

    name: str
    region: str = "europe-west1"
    purpose: str = "PRIVATE"
    flow_logs: bool | None = True
    sampling: float | None = 1.0
    interval: str = "INTERVAL_5_SEC"
    metadata: str = "INCLUDE_ALL_METADATA"


@dataclass
class NetworkSpec:
    """A custom-mode VPC network; ``dns_policy=None``: no DNS server policy is bound to it."""

    name: str
    subnets: list[SubnetSpec] = field(default_factory=list)
    dns_policy: str | None = "dns-logging"
    dns_logging: bool = True


@dataclass
class BackendSpec:
    """A backend service (``region=""``: global); ``logging=None``: no logConfig."""

    name: str
    region: str = ""
    scheme: str = "EXTERNAL_MANAGED"
    protocol: str = "HTTPS"
    logging: bool | None = True
    sample_rate: float | None = 1.0


@dataclass
class SqlSpec:
    """A Cloud SQL instance with its database flags (name -> value)."""

    name: str
    version: str = "POSTGRES_15"
    region: str = "europe-west1"
    flags: dict[str, str] = field(default_factory=lambda: dict(PG_FLAGS))


@dataclass
class ProjectResources:
    """What one project holds (a project without an entry holds nothing)."""

    networks: list[NetworkSpec] = field(default_factory=list)
    backends: list[BackendSpec] = field(default_factory=list)
    sql: list[SqlSpec] = field(default_factory=list)


def seed(org: GcpOrg) -> None:
    """The compliant resources of the standard organization: a network with four subnets
    (one proxy-only, one Private Service Connect) and four backend services in ``lw-shared``;
    a network and a PostgreSQL and a MySQL instance in ``lw-app-1``; a PostgreSQL instance
    in ``lw-app-2``. ``lw-logging`` holds none."""
    org.resources["lw-shared"] = ProjectResources(
        networks=[
            NetworkSpec(
                "shared-vpc",
                [
                    SubnetSpec("shared-eu"),
                    SubnetSpec("shared-us", region="us-central1"),
                    SubnetSpec("shared-proxy", purpose="REGIONAL_MANAGED_PROXY", flow_logs=None),
                    SubnetSpec(
                        "shared-psc",
                        region="us-central1",
                        purpose="PRIVATE_SERVICE_CONNECT",
                        flow_logs=None,
                    ),
                ],
            )
        ],
        backends=[
            BackendSpec("web"),
            BackendSpec("api-eu", region="europe-west1", protocol="HTTP"),
            BackendSpec("legacy-web", scheme="EXTERNAL", protocol="HTTP2", sample_rate=0.5),
            BackendSpec("internal-tcp", "europe-west1", "INTERNAL", "TCP", logging=None),
        ],
    )
    org.resources["lw-app-1"] = ProjectResources(
        networks=[NetworkSpec("app-vpc", [SubnetSpec("app-eu")], dns_policy="app-dns")],
        sql=[SqlSpec("orders-db"), SqlSpec("reports-db", "MYSQL_8_0", flags={})],
    )
    upper = {name: value.upper() for name, value in PG_FLAGS.items()}  # Cloud SQL takes either
    org.resources["lw-app-2"] = ProjectResources(
        sql=[SqlSpec("billing-db", "POSTGRES_14", flags=upper)]
    )


def network_id(project: str, network: str) -> str:
    """The logwarden resource id of a network (``gcp.compute.network``)."""
    return f"//compute.googleapis.com/projects/{project}/global/networks/{network}"


def subnet_id(project: str, region: str, subnet: str) -> str:
    """The logwarden resource id of a subnetwork."""
    return f"//compute.googleapis.com/projects/{project}/regions/{region}/subnetworks/{subnet}"


def backend_id(project: str, backend: str, region: str = "") -> str:
    """The logwarden resource id of a backend service."""
    where = f"regions/{region}" if region else "global"
    return f"//compute.googleapis.com/projects/{project}/{where}/backendServices/{backend}"


def sql_id(project: str, instance: str) -> str:
    """The logwarden resource id of a Cloud SQL instance."""
    return f"//cloudsql.googleapis.com/projects/{project}/instances/{instance}"


Enter = Callable[[str, str, str, str | None], None]


def route(enter: Enter, fake: FakeGcp, path: str, query: dict[str, str]) -> str | None:
    """The answer to ``GET path`` when it is one of the resource listings, else None.

    ``enter(api, operation, resource, project)`` counts the call and applies its faults."""
    for pattern, listing in ROUTES.items():
        found = pattern.match(path)
        if found is None:
            continue
        project = found["project"]
        api, operation = CALLS[listing]
        token = query.get("pageToken", "")
        page = f"?pageToken={token}" if token else ""  # each page is one API object read
        enter(api, operation, f"projects/{project}{page}", project)
        if fake.project_number(project) is None:
            raise FakeError(
                "PERMISSION_DENIED",
                f"project {project} does not exist or the caller may not see it",
            )
        pid = fake.project_id(fake.project_number(project)) or project
        held = fake.snapshot.resources.get(pid) or ProjectResources()
        return _ANSWERS[listing](pid, held, token)
    return None


def _page(items: list[Any], token: str) -> tuple[list[Any], str]:
    start = int(token or 0)
    end = start + PAGE_SIZE
    return items[start:end], (str(end) if end < len(items) else "")


def _networks(pid: str, held: ProjectResources, token: str) -> str:
    items, next_token = _page(held.networks, token)
    answer: dict[str, Any] = {
        "kind": "compute#networkList",
        "id": f"projects/{pid}/global/networks",
        "selfLink": f"{COMPUTE_API}projects/{pid}/global/networks",
        "items": [
            {
                "kind": "compute#network",
                "id": str(1000 + i),
                "name": n.name,
                "selfLink": f"{COMPUTE_API}projects/{pid}/global/networks/{n.name}",
                "autoCreateSubnetworks": False,
                "routingConfig": {"routingMode": "REGIONAL"},
                "subnetworks": [
                    f"{COMPUTE_API}projects/{pid}/regions/{s.region}/subnetworks/{s.name}"
                    for s in n.subnets
                ],
            }
            for i, n in enumerate(items)
        ],
    }
    if next_token:
        answer["nextPageToken"] = next_token
    return json.dumps(answer)


def _subnet(pid: str, network: str, spec: SubnetSpec) -> dict[str, Any]:
    subnet: dict[str, Any] = {
        "kind": "compute#subnetwork",
        "name": spec.name,
        "network": f"{COMPUTE_API}projects/{pid}/global/networks/{network}",
        "region": f"{COMPUTE_API}projects/{pid}/regions/{spec.region}",
        "selfLink": f"{COMPUTE_API}projects/{pid}/regions/{spec.region}/subnetworks/{spec.name}",
        "ipCidrRange": "10.0.0.0/24",
        "purpose": spec.purpose,
        "stackType": "IPV4_ONLY",
    }
    if spec.flow_logs is not None:
        subnet["enableFlowLogs"] = spec.flow_logs
        config: dict[str, Any] = {"enable": spec.flow_logs}
        if spec.flow_logs:
            config |= {"aggregationInterval": spec.interval, "metadata": spec.metadata}
            if spec.sampling is not None:
                config["flowSampling"] = spec.sampling
        subnet["logConfig"] = config
    return subnet


def _backend(pid: str, spec: BackendSpec) -> dict[str, Any]:
    where = f"regions/{spec.region}" if spec.region else "global"
    service: dict[str, Any] = {
        "kind": "compute#backendService",
        "name": spec.name,
        "selfLink": f"{COMPUTE_API}projects/{pid}/{where}/backendServices/{spec.name}",
        "loadBalancingScheme": spec.scheme,
        "protocol": spec.protocol,
        "timeoutSec": 30,
        "fingerprint": "bG9nd2FyZGVu",
    }
    if spec.region:
        service["region"] = f"{COMPUTE_API}projects/{pid}/regions/{spec.region}"
    if spec.logging is not None:
        config: dict[str, Any] = {"enable": spec.logging}
        if spec.logging and spec.sample_rate is not None:
            config["sampleRate"] = spec.sample_rate
        service["logConfig"] = config
    return service


def _scoped(items: list[tuple[str, Any]], token: str, kind: str, attr: str, pid: str) -> str:
    """An aggregated list page: items grouped by scope, and an empty region with its warning."""
    page, next_token = _page(items, token)
    scopes: dict[str, dict[str, Any]] = {}
    for scope, item in page:
        scopes.setdefault(scope, {attr: []})[attr].append(item)
    scopes[EMPTY_REGION] = {
        "warning": {
            "code": "NO_RESULTS_ON_PAGE",
            "message": "There are no results for scope 'us-east1' on this page.",
            "data": [{"key": "scope", "value": EMPTY_REGION}],
        }
    }
    answer: dict[str, Any] = {
        "kind": kind,
        "id": f"projects/{pid}/aggregated/{attr}",
        "selfLink": f"{COMPUTE_API}projects/{pid}/aggregated/{attr}",
        "items": scopes,
    }
    if next_token:
        answer["nextPageToken"] = next_token
    return json.dumps(answer)


def _subnetworks(pid: str, held: ProjectResources, token: str) -> str:
    items = [
        (f"regions/{s.region}", _subnet(pid, n.name, s)) for n in held.networks for s in n.subnets
    ]
    return _scoped(items, token, "compute#subnetworkAggregatedList", "subnetworks", pid)


def _backends(pid: str, held: ProjectResources, token: str) -> str:
    items = [
        (f"regions/{b.region}" if b.region else "global", _backend(pid, b)) for b in held.backends
    ]
    return _scoped(items, token, "compute#backendServiceAggregatedList", "backendServices", pid)


def _policies(pid: str, held: ProjectResources, token: str) -> str:
    policies = [
        {
            "kind": "dns#policy",
            "id": str(5000 + i),
            "name": n.dns_policy,
            "description": "",
            "enableInboundForwarding": False,
            "enableLogging": n.dns_logging,
            "networks": [
                {
                    "kind": "dns#policyNetwork",
                    "networkUrl": f"{COMPUTE_API}projects/{pid}/global/networks/{n.name}",
                }
            ],
        }
        for i, n in enumerate(held.networks)
        if n.dns_policy is not None
    ]
    items, next_token = _page(policies, token)
    answer: dict[str, Any] = {"kind": "dns#policiesListResponse", "policies": items}
    if next_token:
        answer["nextPageToken"] = next_token
    return json.dumps(answer)


def _instances(pid: str, held: ProjectResources, token: str) -> str:
    instances = [
        {
            "kind": "sql#instance",
            "name": s.name,
            "project": pid,
            "databaseVersion": s.version,
            "region": s.region,
            "gceZone": f"{s.region}-b",
            "instanceType": "CLOUD_SQL_INSTANCE",
            "backendType": "SECOND_GEN",
            "state": "RUNNABLE",
            "connectionName": f"{pid}:{s.region}:{s.name}",
            "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{pid}/instances/{s.name}",
            "settings": {
                "kind": "sql#settings",
                "tier": "db-custom-2-7680",
                "settingsVersion": "3",
                "availabilityType": "ZONAL",
                "databaseFlags": [{"name": k, "value": v} for k, v in s.flags.items()],
            },
        }
        for s in held.sql
    ]
    items, next_token = _page(instances, token)
    answer: dict[str, Any] = {"kind": "sql#instancesList", "items": items}
    if next_token:
        answer["nextPageToken"] = next_token
    return json.dumps(answer)


_ANSWERS: dict[str, Callable[[str, ProjectResources, str], str]] = {
    "networks": _networks,
    "subnetworks": _subnetworks,
    "backends": _backends,
    "policies": _policies,
    "instances": _instances,
}
