"""The project resources of the offline GCP model (``tests.gcp_docs``): networks with their DNS
policies, subnetworks, backend services and Cloud SQL instances, as the APIs answer them.

``build`` turns them into documents with the collectors' own derivations (``dns_fields``,
``flag_map``, ``compute_path``), so the offline tests exercise those as well as the rules.
"""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.gcp.kinds.compute import (
    BACKEND_SERVICE,
    COMPUTE,
    NETWORK,
    SUBNETWORK,
    compute_path,
    dns_fields,
    region_of,
)
from logwarden.scanner.collectors.gcp.kinds.sql import CLOUDSQL, SQL_INSTANCE, flag_map
from logwarden.scanner.models import Resource

API = "https://www.googleapis.com/compute/v1/"
REGION = "europe-west1"
# The flags of a compliant PostgreSQL instance (the others are left at PostgreSQL's defaults).
PG_FLAGS = {
    "log_connections": "on",
    "log_disconnections": "on",
    "log_statement": "ddl",
    "cloudsql.enable_pgaudit": "on",
}


def network_url(project: str, network: str) -> str:
    return f"{API}projects/{project}/global/networks/{network}"


def network(project: str, name: str) -> dict[str, Any]:
    return {"name": name, "selfLink": network_url(project, name), "autoCreateSubnetworks": False}


def policy(project: str, name: str, *networks: str, logging: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "enableLogging": logging,
        "networks": [{"networkUrl": network_url(project, n)} for n in networks],
    }


def subnet(project: str, name: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": name,
        "selfLink": f"{API}projects/{project}/regions/{REGION}/subnetworks/{name}",
        "network": network_url(project, "vpc"),
        "region": f"{API}projects/{project}/regions/{REGION}",
        "purpose": "PRIVATE",
        "enableFlowLogs": True,
        "logConfig": {
            "enable": True,
            "aggregationInterval": "INTERVAL_5_SEC",
            "flowSampling": 1.0,
            "metadata": "INCLUDE_ALL_METADATA",
        },
    }
    doc.update(changes)
    return doc


def backend(project: str, name: str, region: str = "", **changes: Any) -> dict[str, Any]:
    where = f"regions/{region}" if region else "global"
    doc: dict[str, Any] = {
        "name": name,
        "selfLink": f"{API}projects/{project}/{where}/backendServices/{name}",
        "loadBalancingScheme": "EXTERNAL_MANAGED",
        "protocol": "HTTPS",
        "logConfig": {"enable": True, "sampleRate": 1.0},
    }
    doc.update(changes)
    return doc


def instance(project: str, name: str, version: str = "POSTGRES_15", **flags: str) -> dict[str, Any]:
    return {
        "name": name,
        "project": project,
        "databaseVersion": version,
        "instanceType": "CLOUD_SQL_INSTANCE",
        "region": REGION,
        "settings": {"databaseFlags": [{"name": k, "value": v} for k, v in flags.items()]},
    }


def compliant(project: str) -> dict[str, list[dict[str, Any]]]:
    """One compliant resource of every kind, in ``project``."""
    return {
        "networks": [network(project, "vpc")],
        "policies": [policy(project, "dns-logging", "vpc")],
        "subnetworks": [subnet(project, "app")],
        "backend_services": [backend(project, "web"), backend(project, "api", REGION)],
        "instances": [instance(project, "orders-db", **PG_FLAGS)],
    }


def build(project: str, facts: dict[str, list[dict[str, Any]]]) -> dict[str, list[Resource]]:
    """The documents of the project-resource kinds for ``facts`` (see :func:`compliant`)."""

    def compute(kind: str, doc: dict[str, Any]) -> Resource:
        link = doc["selfLink"]
        return Resource(kind, COMPUTE + compute_path(link), project, region_of(link), doc)

    policies = facts.get("policies", [])
    networks = [
        compute(NETWORK, {**n, **dns_fields(n["name"], policies, {project})})
        for n in facts.get("networks", [])
    ]
    sql = [
        Resource(
            SQL_INSTANCE,
            f"{CLOUDSQL}projects/{project}/instances/{doc['name']}",
            project,
            doc["region"],
            {**doc, "DatabaseFlags": flag_map(doc.get("settings"))},
        )
        for doc in facts.get("instances", [])
    ]
    return {
        NETWORK: networks,
        SUBNETWORK: [compute(SUBNETWORK, s) for s in facts.get("subnetworks", [])],
        BACKEND_SERVICE: [compute(BACKEND_SERVICE, b) for b in facts.get("backend_services", [])],
        SQL_INSTANCE: sql,
    }
