"""A small, compliant GCP organization as normalized documents (docs/gcp.md).

Tests take ``compliant_model()``, change one fact (an audit config, a sink, a bucket), and
evaluate the real catalogue over ``build(model)`` offline. The derived fields are computed by
the collector's own pure functions (``effective_audit_config``, ``sink_doc``), so the tests
exercise the derivations as well as the rules.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.collectors.gcp.audit import effective_audit_config
from logwarden.scanner.collectors.gcp.sinks import sink_doc
from logwarden.scanner.models import Organization, Resource, Tenant
from tests import gcp_monitoring_docs, gcp_resource_docs

ORG = "organizations/111"
PLATFORM = "folders/21"
WORKLOADS = "folders/22"
LOGGING_PROJECT, APP = "lw-logging", "lw-app"
CENTRAL = f"projects/{LOGGING_PROJECT}/locations/global/buckets/org-audit"
ARCHIVE = "lw-archive"
RM = "//cloudresourcemanager.googleapis.com/"
LOGGING = "//logging.googleapis.com/"
STORAGE = "//storage.googleapis.com/projects/_/buckets/"
AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com"'


def all_services(*log_types: str, exempted: tuple[str, ...] = ()) -> dict[str, Any]:
    """An ``allServices`` audit config with ``log_types`` (default: all three)."""
    types = log_types or ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
    return {
        "service": "allServices",
        "auditLogConfigs": [{"logType": t, "exemptedMembers": list(exempted)} for t in types],
    }


def sink(name: str, destination: str, **changes: Any) -> dict[str, Any]:
    """A LogSink document as the collector normalises it (defaults: an aggregated audit sink)."""
    doc = {
        "name": name,
        "destination": destination,
        "filter": AUDIT_FILTER,
        "description": "",
        "disabled": False,
        "exclusions": [],
        "writerIdentity": "serviceAccount:service-1@gcp-sa-logging.iam.gserviceaccount.com",
        "includeChildren": True,
    }
    doc.update(changes)
    return doc


@dataclass
class Model:
    """The facts of a small organization; :func:`build` turns them into documents."""

    folders: dict[str, str] = field(default_factory=dict)  # folder -> parent
    projects: dict[str, str] = field(default_factory=dict)  # project id -> parent
    audit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # node -> auditConfigs
    sinks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # node -> sinks
    exists: dict[str, bool] = field(default_factory=dict)  # destination -> exists
    log_buckets: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> LogBucket
    storage: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> bucket
    alerting: dict[str, dict[str, Any]] = field(default_factory=dict)  # project -> document
    access: dict[str, dict[str, Any]] = field(default_factory=dict)  # bucket -> readers, roles
    # project -> networks, policies, subnetworks, ... (tests.gcp_resource_docs)
    resources: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)


def compliant_model() -> Model:
    """Org ``111`` with folders Platform (lw-logging) and Workloads (lw-app)."""
    return Model(
        folders={PLATFORM: ORG, WORKLOADS: ORG},
        projects={LOGGING_PROJECT: PLATFORM, APP: WORKLOADS},
        audit={ORG: [all_services()]},
        sinks={
            ORG: [sink("org-audit", f"logging.googleapis.com/{CENTRAL}")],
            PLATFORM: [sink("archive", f"storage.googleapis.com/{ARCHIVE}")],
        },
        exists={
            f"logging.googleapis.com/{CENTRAL}": True,
            f"storage.googleapis.com/{ARCHIVE}": True,
        },
        log_buckets={
            CENTRAL: {
                "retentionDays": 365,
                "locked": True,
                "cmekSettings": {
                    "kmsKeyName": "projects/lw-logging/locations/global/keyRings/l/cryptoKeys/k"
                },
            }
        },
        storage={
            ARCHIVE: {
                "retentionPolicy": {"retentionPeriod": 31536000, "isLocked": True},
                "RetentionDays": 365.0,
            }
        },
        resources={APP: gcp_resource_docs.compliant(APP)},
    )


@dataclass
class World:
    """Documents per kind: ``org`` for the organization, ``tenants[project][kind]``."""

    model: Model
    org: dict[str, list[Resource]] = field(default_factory=dict)
    tenants: dict[str, dict[str, list[Resource]]] = field(default_factory=dict)


def _path(model: Model, node: str) -> list[str]:
    chain: list[str] = []
    while node in model.folders:
        node = model.folders[node]
        chain.insert(0, node)
    return chain


def _node(model: Model, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "parent": model.folders.get(name, ""),
        "state": "ACTIVE",
        "AuditConfigs": model.audit.get(name, []),
        "InScope": True,
        "Path": _path(model, name),
        "Folders": [f for f, p in model.folders.items() if p == name],
        "Projects": [pid for pid, p in model.projects.items() if p == name],
    }


def _sink_resources(model: Model, node: str, tenant: str) -> list[Resource]:
    out = []
    for raw in model.sinks.get(node, []):
        doc = sink_doc(raw, node)
        if doc["DestinationType"] in ("logging-bucket", "storage") and doc["Level"] != "project":
            doc["DestinationExists"] = model.exists.get(raw["destination"], False)
        kind = "gcp.logging.sink" if doc["Level"] == "project" else "gcp.logging.org_sink"
        out.append(Resource(kind, f"{LOGGING}{node}/sinks/{raw['name']}", tenant, "", doc))
    return out


def build(model: Model) -> World:
    """The documents of every kind for ``model``."""
    world = World(model=model)
    world.org = {
        "gcp.resourcemanager.organization": [
            Resource("gcp.resourcemanager.organization", RM + ORG, ORG, "", _node(model, ORG))
        ],
        "gcp.resourcemanager.folder": [
            Resource("gcp.resourcemanager.folder", RM + f, ORG, "", _node(model, f))
            for f in model.folders
        ],
        "gcp.logging.org_sink": [
            r for node in (ORG, *model.folders) for r in _sink_resources(model, node, ORG)
        ],
        "gcp.accessapproval.settings": [gcp_monitoring_docs.access_approval_resource(ORG)],
    }
    for pid, parent in model.projects.items():
        name = f"projects/{pid}"
        chain = [*_path(model, parent), parent]
        sources = [(n, model.audit.get(n, [])) for n in chain] + [(name, model.audit.get(name, []))]
        effective = {"name": name, **effective_audit_config(pid, sources)}
        project: dict[str, Any] = {
            "name": name,
            "projectId": pid,
            "parent": parent,
            "state": "ACTIVE",
        }
        project["AuditConfigs"] = model.audit.get(name, [])
        kinds: dict[str, list[Resource]] = {
            "gcp.resourcemanager.project": [
                Resource("gcp.resourcemanager.project", RM + name, pid, "", project)
            ],
            "gcp.audit.effective_config": [
                Resource(
                    "gcp.audit.effective_config",
                    f"{RM}{name}/effectiveAuditConfig",
                    pid,
                    "",
                    effective,
                )
            ],
            "gcp.logging.sink": _sink_resources(model, name, pid),
            "gcp.logging.bucket": [
                Resource(
                    "gcp.logging.bucket",
                    LOGGING + bucket,
                    pid,
                    bucket.split("/")[3],
                    {"name": bucket, "projectId": pid, **data},
                )
                for bucket, data in model.log_buckets.items()
                if bucket.split("/")[1] == pid
            ],
            "gcp.monitoring.log_metric_alerts": [
                gcp_monitoring_docs.alerting_resource(pid, model.alerting.get(pid))
            ],
            "gcp.logging.exporting_sinks": [gcp_monitoring_docs.exporting_sinks_resource(pid, ORG)],
            "gcp.serviceusage.service": [gcp_monitoring_docs.cloud_asset_resource(pid)],
            "gcp.logging.destination_access": [
                gcp_monitoring_docs.destination_access_resource(
                    LOGGING + bucket, bucket, "logging-bucket", **model.access.get(bucket, {})
                )
                for bucket in model.log_buckets
                if bucket.split("/")[1] == pid
            ]
            + [
                gcp_monitoring_docs.destination_access_resource(
                    STORAGE + b, b, "storage", **model.access.get(b, {})
                )
                for b in model.storage
                if pid == LOGGING_PROJECT
            ],
            "gcp.storage.bucket": [
                Resource(
                    "gcp.storage.bucket",
                    STORAGE + b,
                    pid,
                    "eu",
                    {"name": b, "projectId": pid, **data},
                )
                for b, data in model.storage.items()
                if pid == LOGGING_PROJECT
            ],
        }
        kinds.update(gcp_resource_docs.build(pid, model.resources.get(pid, {})))
        world.tenants[pid] = kinds
    return world


def organization() -> Organization:
    return Organization(cloud="gcp", id=ORG, name="GCP organization example.com")


def tenants(world: World) -> list[Tenant]:
    model = world.model
    return [
        Tenant(
            cloud="gcp",
            id=pid,
            name=pid,
            organization_id=ORG,
            parents=(*_path(model, parent), parent),
        )
        for pid, parent in model.projects.items()
    ]


def copy_model(model: Model) -> Model:
    return copy.deepcopy(model)
