"""The GCP kinds through the real Google clients against the sandbox fakes on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from logwarden.scanner import engine
from logwarden.scanner.collectors.gcp import parse_settings
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import KindCollection
from logwarden_sandbox.gcp_world import World, log_bucket_id, storage_bucket_id
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, UNSET_ENV, GcpServers, standard_org
from tests.catalogue import registry

ORG = "organizations/1000000001"
PLATFORM, WORKLOADS = "folders/2000000001", "folders/2000000002"
PROJECTS = ["lw-app-1", "lw-app-2", "lw-logging", "lw-shared"]
CENTRAL = log_bucket_id("lw-logging", "org-audit")


@pytest.fixture(autouse=True)
def _sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SANDBOX_ENV.items():
        monkeypatch.setenv(key, value)
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def scan_input(servers: GcpServers, world: World, **overrides: Any) -> engine.ScanInput:
    servers.load(world)
    settings = parse_settings(servers.config(world, **overrides), "test.yaml")
    return engine.discover(registry().clouds, {"gcp": settings}, registry().kinds(["gcp"]), {})


def tenant(scan: engine.ScanInput, project: str) -> Inventory:
    return next(i for i in scan.scopes[0].tenants if i.owner_id == project)


def collect(scan: engine.ScanInput) -> None:
    """Collect every staged kind in stage order, as the engine does."""
    for stage in (1, 2):
        for inv in scan.scopes[0].tenants:
            for name, kind in inv.kinds.items():
                if kind.stage == stage:
                    inv.get(name)


def docs(collection: KindCollection) -> dict[str, dict[str, Any]]:
    assert collection.errors == (), collection.errors
    return {r.id: dict(r.data) for r in collection.resources}


def test_organization_discovery(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org())
    assert scan.errors == []
    scope = scan.scopes[0]
    assert (scope.organization.id, scope.organization.name) == (ORG, "GCP organization example.com")
    tenants = {i.owner_id: i.tenant for i in scope.tenants}
    assert sorted(tenants) == PROJECTS
    app = tenants["lw-app-1"]
    assert app is not None
    assert app.parents == (ORG, WORKLOADS)
    assert app.attributes["number"] == "3000000003"
    assert app.name == "Application 1"


def test_every_kind_reads_each_api_object_once(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org())
    collect(scan)
    org_inv = scan.scopes[0].inventory
    for kind in ("gcp.resourcemanager.organization", "gcp.resourcemanager.folder"):
        assert org_inv.get(kind).errors == ()
    assert org_inv.get("gcp.logging.org_sink").errors == ()
    calls = servers.state.calls
    assert calls and max(calls.values()) == 1, calls
    iam = {r for (_, m, r) in calls if m.endswith("getIamPolicy")}
    assert iam == {ORG, PLATFORM, WORKLOADS, *(f"projects/{p}" for p in PROJECTS)}
    assert ("storage", "buckets.get", "lw-audit-archive") in calls


def test_organization_and_folder_documents(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org())
    org_inv = scan.scopes[0].inventory
    org = docs(org_inv.get("gcp.resourcemanager.organization"))
    doc = org[f"//cloudresourcemanager.googleapis.com/{ORG}"]
    assert doc["AuditConfigs"][0]["service"] == "allServices"
    assert {c["logType"] for c in doc["AuditConfigs"][0]["auditLogConfigs"]} == {
        "ADMIN_READ",
        "DATA_READ",
        "DATA_WRITE",
    }
    assert (doc["Folders"], doc["Projects"], doc["InScope"]) == ([PLATFORM, WORKLOADS], [], True)
    assert "bindings" not in doc
    folders = docs(org_inv.get("gcp.resourcemanager.folder"))
    workloads = folders[f"//cloudresourcemanager.googleapis.com/{WORKLOADS}"]
    assert (workloads["displayName"], workloads["parent"], workloads["Path"]) == (
        "Workloads",
        ORG,
        [ORG],
    )
    assert workloads["Projects"] == ["lw-app-1", "lw-app-2"]


def test_effective_audit_config_merges_the_folder_exemption(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(["folder_exempts_member"]))
    effective = docs(tenant(scan, "lw-app-2").get("gcp.audit.effective_config"))
    doc = next(iter(effective.values()))
    assert doc["Hierarchy"] == [ORG, WORKLOADS, "projects/lw-app-2"]
    assert doc["AllServices"]["LogTypes"] == ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]
    assert doc["ExemptedMembers"] == [
        {
            "member": "serviceAccount:etl@lw-app-1.iam.gserviceaccount.com",
            "logType": "DATA_READ",
            "service": "allServices",
            "setAt": WORKLOADS,
        }
    ]
    platform = next(
        iter(docs(tenant(scan, "lw-shared").get("gcp.audit.effective_config")).values())
    )
    assert platform["ExemptedMembers"] == []


def test_sinks_at_every_level(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org())
    org_sinks = docs(scan.scopes[0].inventory.get("gcp.logging.org_sink"))
    org_audit = org_sinks[f"//logging.googleapis.com/{ORG}/sinks/org-audit"]
    assert org_audit["includeChildren"] is True
    assert org_audit["DestinationExists"] is True
    assert org_audit["ExportsAuditLogs"] is True and org_audit["Level"] == "organization"
    assert org_audit["writerIdentity"].startswith("serviceAccount:")
    archive = org_sinks[f"//logging.googleapis.com/{PLATFORM}/sinks/platform-archive"]
    assert (archive["DestinationType"], archive["DestinationExists"]) == ("storage", True)
    own = docs(tenant(scan, "lw-app-1").get("gcp.logging.sink"))
    assert {d["name"]: d["BuiltIn"] for d in own.values()} == {"_Required": True, "_Default": True}
    assert {d["includeChildren"] for d in own.values()} == {False}


def test_missing_destination_is_reported_on_the_sink(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(["org_sink_destination_missing"]))
    org_sinks = docs(scan.scopes[0].inventory.get("gcp.logging.org_sink"))
    assert (
        org_sinks[f"//logging.googleapis.com/{ORG}/sinks/org-audit"]["DestinationExists"] is False
    )


def test_log_and_storage_buckets_are_read_in_their_owner_project(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(["project_sink_short_retention"]))
    collect(scan)
    logging_project = tenant(scan, "lw-logging")
    buckets = docs(logging_project.get("gcp.logging.bucket"))
    assert list(buckets) == [CENTRAL]
    central = buckets[CENTRAL]
    assert (central["retentionDays"], central["locked"], central["location"]) == (
        365,
        True,
        "global",
    )
    assert central["WrittenBy"] == [f"//logging.googleapis.com/{ORG}/sinks/org-audit"]
    app = docs(tenant(scan, "lw-app-2").get("gcp.logging.bucket"))
    assert app[log_bucket_id("lw-app-2", "app-audit")]["retentionDays"] == 30
    assert docs(tenant(scan, "lw-app-1").get("gcp.logging.bucket")) == {}
    storage = docs(logging_project.get("gcp.storage.bucket"))
    archive = storage[storage_bucket_id("lw-audit-archive")]
    assert archive["retentionPolicy"]["isLocked"] is True
    assert archive["RetentionDays"] == 365
    assert archive["projectNumber"] == "3000000001"
    assert docs(tenant(scan, "lw-shared").get("gcp.storage.bucket")) == {}


def test_permission_denied_on_one_project_is_an_error_of_that_project_only(
    servers: GcpServers,
) -> None:
    scan = scan_input(servers, standard_org())
    servers.faults.add("lw-app-2", "PERMISSION_DENIED")
    collect(scan)
    app2 = tenant(scan, "lw-app-2")
    for kind in ("gcp.resourcemanager.project", "gcp.audit.effective_config", "gcp.logging.sink"):
        errors = app2.get(kind).errors
        assert [e.code for e in errors] == ["PERMISSION_DENIED"], kind
        assert app2.get(kind).resources == ()
    assert [e.code for e in app2.get("gcp.logging.bucket").errors] == ["PERMISSION_DENIED"]
    for project in ("lw-app-1", "lw-logging", "lw-shared"):
        inv = tenant(scan, project)
        assert all(not c.errors for c in inv.collected().values()), project


def test_unavailable_and_disabled_apis_are_errors_without_retries(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org())
    servers.faults.add("lw-app-1", "UNAVAILABLE", "logging")
    servers.faults.add("lw-shared", "SERVICE_DISABLED", "resourcemanager")
    started = time.monotonic()
    collect(scan)
    assert time.monotonic() - started < 5
    sinks = tenant(scan, "lw-app-1").get("gcp.logging.sink").errors
    assert [e.code for e in sinks] == ["UNAVAILABLE"]
    assert servers.state.calls[("logging", "ListSinks", "projects/lw-app-1")] == 1  # retry=None
    disabled = tenant(scan, "lw-shared").get("gcp.resourcemanager.project").errors
    assert [e.code for e in disabled] == ["PERMISSION_DENIED"]
    assert "SERVICE_DISABLED" in disabled[0].message
    assert tenant(scan, "lw-app-1").get("gcp.audit.effective_config").errors == ()


def test_transient_errors_are_retried_until_the_deadline(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(), retry_deadline=0.5)
    servers.faults.add("lw-app-1", "UNAVAILABLE", "logging")
    inv = tenant(scan, "lw-app-1")
    errors = inv.get("gcp.logging.sink").errors
    assert [e.code for e in errors] == ["UNAVAILABLE"]
    assert "gave up retrying" in errors[0].message
    assert servers.state.calls[("logging", "ListSinks", "projects/lw-app-1")] >= 1


def test_folder_mode_scans_the_folder_and_reads_the_organization_above(
    servers: GcpServers,
) -> None:
    scan = scan_input(
        servers,
        standard_org(["folder_exempts_member"]),
        mode="folder",
        folder="2000000002",
        organization=None,
    )
    assert scan.errors == []
    scope = scan.scopes[0]
    assert scope.organization.id == WORKLOADS
    assert sorted(i.owner_id for i in scope.tenants) == ["lw-app-1", "lw-app-2"]
    app = tenant(scan, "lw-app-1").tenant
    assert app is not None and app.parents == (ORG, WORKLOADS)
    orgs = docs(scope.inventory.get("gcp.resourcemanager.organization"))
    assert [d["InScope"] for d in orgs.values()] == [False]
    folders = docs(scope.inventory.get("gcp.resourcemanager.folder"))
    assert [d["name"] for d in folders.values()] == [WORKLOADS]
    effective = next(
        iter(docs(tenant(scan, "lw-app-1").get("gcp.audit.effective_config")).values())
    )
    assert effective["Hierarchy"] == [ORG, WORKLOADS, "projects/lw-app-1"]
    sinks = docs(scope.inventory.get("gcp.logging.org_sink"))
    assert f"//logging.googleapis.com/{ORG}/sinks/org-audit" in sinks  # inherited from above


def test_projects_mode_has_no_organization_facts_but_walks_each_ancestry(
    servers: GcpServers,
) -> None:
    scan = scan_input(
        servers,
        standard_org(["project_sink_short_retention"]),
        mode="projects",
        projects=["lw-app-2"],
        organization=None,
    )
    scope = scan.scopes[0]
    assert (scope.organization.id, scope.organization.facts_available) == ("gcp-projects", False)
    assert scope.inventory.get("gcp.logging.org_sink").not_applicable
    collect(scan)
    inv = tenant(scan, "lw-app-2")
    effective = next(iter(docs(inv.get("gcp.audit.effective_config")).values()))
    assert effective["Hierarchy"] == [ORG, WORKLOADS, "projects/lw-app-2"]
    assert list(docs(inv.get("gcp.logging.bucket"))) == [log_bucket_id("lw-app-2", "app-audit")]


def test_a_destination_in_an_unscanned_project_is_reported_once(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(), exclude_projects=["lw-logging"])
    collect(scan)
    first = tenant(scan, "lw-app-1")
    codes = [e.code for e in first.get("gcp.logging.bucket").errors]
    assert codes == ["LogBucketNotScanned"]
    assert [e.code for e in first.get("gcp.storage.bucket").errors] == ["SinkBucketNotScanned"]
    for project in ("lw-app-2", "lw-shared"):
        assert tenant(scan, project).get("gcp.logging.bucket").errors == ()


def test_pagination_of_projects_and_sinks(servers: GcpServers) -> None:
    world = standard_org()
    from logwarden_sandbox.gcp_world import ProjectSpec, SinkSpec

    for n in range(3, 8):
        world.org.projects.append(ProjectSpec(f"lw-app-{n}", "workloads"))
    world.org.project("lw-app-3").sinks += [
        SinkSpec(f"extra-{n}", "pubsub.googleapis.com/projects/lw-app-3/topics/t") for n in range(3)
    ]
    scan = scan_input(servers, world)
    assert len(scan.scopes[0].tenants) == 9
    sinks = tenant(scan, "lw-app-3").get("gcp.logging.sink").resources
    assert len(sinks) == 5  # three pages of two


def test_unreadable_root_is_a_discovery_error(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(), organization="999")
    assert scan.scopes == []
    assert [e.code for e in scan.errors] == ["PERMISSION_DENIED"]
    assert "organizations/999" in scan.errors[0].message


def test_the_only_visible_organization_is_found(servers: GcpServers) -> None:
    scan = scan_input(servers, standard_org(), organization=None)
    assert scan.scopes[0].organization.id == ORG
