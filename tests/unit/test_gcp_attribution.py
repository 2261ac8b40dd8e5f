"""GCP drift attribution from Cloud Audit Logs.

Pure parts first: entries (built by the sandbox as Google writes them, then unpacked by the
collector) matched to subjects of every kind, table-driven; which logs each subject needs,
inheritance included. Then the read path: the real ``LoggingServiceV2Client`` against the
sandbox's gRPC fake (filter terms, window bounds, paging, resource names, faults), and the
sandbox's own changes read back through the cloud's ``attribute``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from google.api_core.exceptions import InvalidArgument
from google.iam.v1 import policy_pb2
from google.protobuf import json_format

from logwarden.scanner import engine
from logwarden.scanner.audit_events import Subject
from logwarden.scanner.collectors import gcp as gcp_plugin
from logwarden.scanner.collectors.gcp import GcpSettings, parse_settings
from logwarden.scanner.collectors.gcp.attribution import audit_logs
from logwarden.scanner.collectors.gcp.attribution.records import AuditRecord, record_of
from logwarden.scanner.collectors.gcp.attribution.targets import (
    LOGGING,
    RESOURCE_MANAGER,
    STORAGE,
    Hierarchy,
    target_for,
)
from logwarden.scanner.collectors.gcp.audit import effective_audit_config
from logwarden.scanner.inventory import Inventory
from logwarden_sandbox import gcp_changes, gcp_entries
from logwarden_sandbox.gcp_auditlog import admin_activity
from logwarden_sandbox.gcp_faults import FakeError
from logwarden_sandbox.gcp_world import log_bucket_id
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, UNSET_ENV, GcpSandbox, GcpServers, standard_org
from tests.catalogue import registry

RM_ID = "//cloudresourcemanager.googleapis.com/"
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

# A small hierarchy for the pure tests: Platform (21) holds lw-logging, Workloads (22) lw-app.
ORG, PLATFORM, WORKLOADS = "organizations/1", "folders/21", "folders/22"
HIERARCHY = Hierarchy(
    ancestors={
        "projects/lw-app": (ORG, WORKLOADS),
        "projects/lw-logging": (ORG, PLATFORM),
        PLATFORM: (ORG,),
        WORKLOADS: (ORG,),
    },
    numbers={"301": "lw-app", "302": "lw-logging"},
)


def subject(kind: str, rid: str, tenant: str, *paths: str) -> Subject:
    return Subject("gcp", kind, rid, tenant, "", paths or ("x",))


EFFECTIVE = subject(
    "gcp.audit.effective_config",
    f"{RM_ID}projects/lw-app/effectiveAuditConfig",
    "lw-app",
    "Exemptions",
)
FOLDER_AUDIT = subject(
    "gcp.resourcemanager.folder", f"{RM_ID}{WORKLOADS}", ORG, "AuditConfigs", "IamPolicyEtag"
)
FOLDER_ETAG = subject("gcp.resourcemanager.folder", f"{RM_ID}{WORKLOADS}", ORG, "IamPolicyEtag")
FOLDER_CHILDREN = subject("gcp.resourcemanager.folder", f"{RM_ID}{WORKLOADS}", ORG, "Projects")
ORG_SINK = subject(
    "gcp.logging.org_sink", f"//logging.googleapis.com/{ORG}/sinks/org-audit", ORG, "filter"
)
FOLDER_SINK = subject(
    "gcp.logging.org_sink", f"//logging.googleapis.com/{WORKLOADS}/sinks/w", ORG, "disabled"
)
PROJECT_SINK = subject(
    "gcp.logging.sink", "//logging.googleapis.com/projects/lw-app/sinks/app-audit", "lw-app"
)
LOG_BUCKET = subject(
    "gcp.logging.bucket",
    log_bucket_id("lw-logging", "org-audit"),
    "lw-logging",
    "retentionDays",
)
STORAGE_BUCKET = subject(
    "gcp.storage.bucket",
    "//storage.googleapis.com/projects/_/buckets/lw-archive",
    "lw-logging",
    "retentionPolicy.isLocked",
)
INSTANCE = subject(
    "gcp.compute.instance",
    "//compute.googleapis.com/projects/lw-app/zones/europe-west1-b/instances/vm-1",
    "lw-app",
)


def audit_delta(*log_types: str, member: str = "") -> policy_pb2.PolicyDelta:
    action = policy_pb2.AuditConfigDelta.Action.REMOVE
    return policy_pb2.PolicyDelta(
        audit_config_deltas=[
            policy_pb2.AuditConfigDelta(
                action=action, service="allServices", log_type=t, exempted_member=member
            )
            for t in log_types
        ]
    )


BINDING_DELTA = policy_pb2.PolicyDelta(
    binding_deltas=[
        policy_pb2.BindingDelta(
            action=policy_pb2.BindingDelta.Action.ADD, role="roles/viewer", member="user:e@x"
        )
    ]
)
DATA_DELTA = audit_delta("DATA_READ", "DATA_WRITE")


def record(
    parent: str,
    method: str,
    resource: str,
    service: str = RESOURCE_MANAGER,
    at: dt.datetime = T0,
    **extra: Any,
) -> AuditRecord:
    """An entry as the sandbox writes it, read back by the collector."""
    entry = admin_activity(
        parent,
        insert_id=f"id-{method}-{resource}",
        service=service,
        method=method,
        resource=resource,
        principal="carol@example.com",
        source_ip="198.51.100.77",
        at=at,
        **extra,
    )
    found = record_of(entry)
    assert found is not None
    return found


def set_policy(node: str, **extra: Any) -> AuditRecord:
    return record(node, "SetIamPolicy", node, **extra)


def sink_call(verb: str, name: str, service: str = LOGGING) -> AuditRecord:
    parent = name.split("/sinks/")[0]
    return record(parent, f"google.logging.v2.ConfigServiceV2.{verb}", name, service)


def bucket_call(verb: str, name: str, **extra: Any) -> AuditRecord:
    method = f"google.logging.v2.ConfigServiceV2.{verb}"
    return record("projects/lw-logging", method, name, LOGGING, **extra)


def storage_call(method: str, name: str = "lw-archive") -> AuditRecord:
    return record("projects/lw-logging", method, f"projects/_/buckets/{name}", STORAGE)


CENTRAL = "projects/lw-logging/locations/global/buckets/org-audit"
MASK = {"@type": "type.googleapis.com/google.iam.v1.SetIamPolicyRequest", "policy": {}}

CASES: list[tuple[str, Subject, AuditRecord, bool]] = [
    # effective audit config: the project and every node above it, audit-config changes only
    ("folder-above", EFFECTIVE, set_policy(WORKLOADS, delta=DATA_DELTA), True),
    ("organization-above", EFFECTIVE, set_policy(ORG, delta=DATA_DELTA), True),
    ("the-project-by-number", EFFECTIVE, set_policy("projects/301", delta=DATA_DELTA), True),
    ("sibling-folder", EFFECTIVE, set_policy(PLATFORM, delta=DATA_DELTA), False),
    ("other-project", EFFECTIVE, set_policy("projects/lw-logging", delta=DATA_DELTA), False),
    ("bindings-only-delta", EFFECTIVE, set_policy(WORKLOADS, delta=BINDING_DELTA), False),
    (
        "exemption-delta",
        EFFECTIVE,
        set_policy(WORKLOADS, delta=audit_delta("DATA_READ", member="user:x@example.com")),
        True,
    ),
    (
        "request-mask-without-audit-configs",
        EFFECTIVE,
        set_policy(WORKLOADS, request={**MASK, "updateMask": "bindings,etag"}),
        False,
    ),
    ("request-without-mask", EFFECTIVE, set_policy(WORKLOADS, request=MASK), False),
    (
        "request-mask-with-audit-configs",
        EFFECTIVE,
        set_policy(WORKLOADS, request={**MASK, "updateMask": "auditConfigs,bindings,etag"}),
        True,
    ),
    ("nothing-logged-but-the-call", EFFECTIVE, set_policy(WORKLOADS), True),
    (
        "failed-call",
        EFFECTIVE,
        set_policy(WORKLOADS, delta=DATA_DELTA, status="PERMISSION_DENIED"),
        False,
    ),
    ("read-only", EFFECTIVE, record(WORKLOADS, "GetIamPolicy", WORKLOADS), False),
    ("project-moved", EFFECTIVE, record("projects/lw-app", "MoveProject", "projects/301"), True),
    ("folder-above-moved", EFFECTIVE, record(WORKLOADS, "MoveFolder", WORKLOADS), True),
    ("sibling-moved", EFFECTIVE, record(PLATFORM, "MoveFolder", PLATFORM), False),
    (
        "v3-method-name",
        EFFECTIVE,
        record(
            WORKLOADS,
            "google.cloud.resourcemanager.v3.Folders.SetIamPolicy",
            WORKLOADS,
            delta=DATA_DELTA,
        ),
        True,
    ),
    ("wrong-service", EFFECTIVE, set_policy(WORKLOADS, delta=DATA_DELTA, service=LOGGING), False),
    # the folder itself
    ("folder-audit-change", FOLDER_AUDIT, set_policy(WORKLOADS, delta=DATA_DELTA), True),
    ("folder-bindings-vs-audit", FOLDER_AUDIT, set_policy(WORKLOADS, delta=BINDING_DELTA), False),
    ("folder-bindings-vs-etag", FOLDER_ETAG, set_policy(WORKLOADS, delta=BINDING_DELTA), True),
    ("folder-vs-project-below", FOLDER_AUDIT, set_policy("projects/lw-app"), False),
    ("folder-vs-its-own-move", FOLDER_AUDIT, record(WORKLOADS, "MoveFolder", WORKLOADS), False),
    (
        "project-moved-in",
        FOLDER_CHILDREN,
        record(
            "projects/lw-logging",
            "MoveProject",
            "projects/302",
            request={"name": "projects/302", "destinationParent": WORKLOADS},
        ),
        True,
    ),
    (
        "project-moved-elsewhere",
        FOLDER_CHILDREN,
        record(
            "projects/lw-logging",
            "MoveProject",
            "projects/302",
            request={"name": "projects/302", "destinationParent": PLATFORM},
        ),
        False,
    ),
    # sinks, in the log of the node that owns them
    ("org-sink-updated", ORG_SINK, sink_call("UpdateSink", f"{ORG}/sinks/org-audit"), True),
    ("org-sink-deleted", ORG_SINK, sink_call("DeleteSink", f"{ORG}/sinks/org-audit"), True),
    ("org-sink-read", ORG_SINK, sink_call("GetSink", f"{ORG}/sinks/org-audit"), False),
    ("another-sink", ORG_SINK, sink_call("UpdateSink", f"{ORG}/sinks/other"), False),
    ("folder-sink", FOLDER_SINK, sink_call("CreateSink", f"{WORKLOADS}/sinks/w"), True),
    ("project-sink", PROJECT_SINK, sink_call("UpdateSink", "projects/301/sinks/app-audit"), True),
    (
        "sink-wrong-service",
        ORG_SINK,
        sink_call("UpdateSink", f"{ORG}/sinks/org-audit", STORAGE),
        False,
    ),
    # log buckets
    ("bucket-updated", LOG_BUCKET, bucket_call("UpdateBucket", CENTRAL), True),
    ("bucket-updated-async", LOG_BUCKET, bucket_call("UpdateBucketAsync", CENTRAL), True),
    ("bucket-deleted", LOG_BUCKET, bucket_call("DeleteBucket", CENTRAL), True),
    ("bucket-listed", LOG_BUCKET, bucket_call("ListBuckets", CENTRAL), False),
    (
        "bucket-update-refused",
        LOG_BUCKET,
        bucket_call("UpdateBucket", CENTRAL, status="FAILED_PRECONDITION"),
        False,
    ),
    (
        "other-bucket",
        LOG_BUCKET,
        bucket_call("UpdateBucket", CENTRAL.replace("org-audit", "_Default")),
        False,
    ),
    # Cloud Storage buckets
    ("storage-updated", STORAGE_BUCKET, storage_call("storage.buckets.update"), True),
    ("storage-iam-set", STORAGE_BUCKET, storage_call("storage.setIamPermissions"), True),
    ("storage-locked", STORAGE_BUCKET, storage_call("LockRetentionPolicy"), True),
    ("storage-read", STORAGE_BUCKET, storage_call("storage.buckets.get"), False),
    ("storage-iam-read", STORAGE_BUCKET, storage_call("storage.getIamPermissions"), False),
    ("other-storage-bucket", STORAGE_BUCKET, storage_call("storage.buckets.update", "b"), False),
    # any other kind: a mutating call that names it
    (
        "other-kind-changed",
        INSTANCE,
        record(
            "projects/lw-app",
            "v1.compute.instances.setMetadata",
            "projects/lw-app/zones/europe-west1-b/instances/vm-1",
            "compute.googleapis.com",
        ),
        True,
    ),
    (
        "other-kind-read",
        INSTANCE,
        record(
            "projects/lw-app",
            "v1.compute.instances.get",
            "projects/lw-app/zones/europe-west1-b/instances/vm-1",
            "compute.googleapis.com",
        ),
        False,
    ),
]


@pytest.mark.parametrize(
    ("subject", "entry", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_entries_are_matched_to_the_subjects_they_changed(
    subject: Subject, entry: AuditRecord, expected: bool
) -> None:
    assert target_for(subject, HIERARCHY).matches(entry, HIERARCHY) is expected


@pytest.mark.parametrize(
    ("subject", "logs", "services"),
    [
        (EFFECTIVE, (ORG, WORKLOADS, "projects/lw-app"), {RESOURCE_MANAGER}),
        (FOLDER_AUDIT, (WORKLOADS,), {RESOURCE_MANAGER}),
        (ORG_SINK, (ORG,), {LOGGING}),
        (FOLDER_SINK, (WORKLOADS,), {LOGGING}),
        (PROJECT_SINK, ("projects/lw-app",), {LOGGING}),
        (LOG_BUCKET, ("projects/lw-logging",), {LOGGING}),
        (STORAGE_BUCKET, ("projects/lw-logging",), {STORAGE}),
        (INSTANCE, ("projects/lw-app",), None),
    ],
    ids=lambda v: v.kind if isinstance(v, Subject) else None,
)
def test_each_subject_reads_its_owner_and_for_inherited_settings_its_ancestors(
    subject: Subject, logs: tuple[str, ...], services: set[str] | None
) -> None:
    target = target_for(subject, HIERARCHY)
    assert target.logs == logs
    assert target.services == (frozenset(services) if services is not None else None)


def test_subjects_sharing_a_log_read_it_once_with_the_union_of_their_services() -> None:
    other = subject(
        "gcp.audit.effective_config",
        f"{RM_ID}projects/lw-logging/effectiveAuditConfig",
        "lw-logging",
    )
    targets = [target_for(s, HIERARCHY) for s in (EFFECTIVE, other, FOLDER_AUDIT, LOG_BUCKET)]
    assert audit_logs.plan(targets) == {
        ORG: {RESOURCE_MANAGER},
        WORKLOADS: {RESOURCE_MANAGER},
        "projects/lw-app": {RESOURCE_MANAGER},
        PLATFORM: {RESOURCE_MANAGER},
        "projects/lw-logging": {RESOURCE_MANAGER, LOGGING},
    }
    assert audit_logs.plan([*targets, target_for(INSTANCE, HIERARCHY)])["projects/lw-app"] is None


def test_the_log_filter_names_the_activity_log_the_window_and_the_services() -> None:
    text = audit_logs.log_filter(
        WORKLOADS, "2026-12-01T09:00:00+00:00", "2026-12-02T10:00:00+01:00", {STORAGE, LOGGING}
    )
    assert text == (
        f'logName="{WORKLOADS}/logs/cloudaudit.googleapis.com%2Factivity" '
        'AND timestamp>"2026-12-01T09:00:00Z" AND timestamp<"2026-12-02T09:00:01Z" '
        'AND protoPayload.serviceName=("logging.googleapis.com" OR "storage.googleapis.com")'
    )
    assert len(gcp_entries.parse_filter(text)) == 4  # the fake understands every term
    precise = audit_logs.log_filter(
        WORKLOADS, "2026-12-01T09:00:00Z", "2026-12-02T09:00:00.250000Z", [RESOURCE_MANAGER]
    )
    assert precise.endswith(
        'timestamp<="2026-12-02T09:00:00.250000Z" '
        'AND protoPayload.serviceName="cloudresourcemanager.googleapis.com"'
    )


def test_an_entry_is_unpacked_from_the_audit_log_payload() -> None:
    found = set_policy(WORKLOADS, delta=DATA_DELTA, request={**MASK, "updateMask": "auditConfigs"})
    assert (found.service, found.verb, found.resource) == (
        RESOURCE_MANAGER,
        "SetIamPolicy",
        WORKLOADS,
    )
    assert (found.principal, found.source_ip, found.succeeded) == (
        "carol@example.com",
        "198.51.100.77",
        True,
    )
    assert found.log_name == f"{WORKLOADS}/logs/cloudaudit.googleapis.com%2Factivity"
    assert found.time == T0
    assert found.delta is not None
    assert {d["logType"] for d in found.delta["auditConfigDeltas"]} == {"DATA_READ", "DATA_WRITE"}
    assert found.request["updateMask"] == "auditConfigs"


@pytest.mark.parametrize(
    "text",
    [
        'severity>="ERROR"',
        'logName:"cloudaudit"',
        'logName=("a" OR "b")',
        'timestamp>"yesterday"',
        'timestamp>"2026-12-01T09:00:00"',
        'logName="a" OR logName="b"',
        'protoPayload.methodName="SetIamPolicy"',
    ],
)
def test_the_fake_refuses_filter_terms_it_does_not_serve(text: str) -> None:
    with pytest.raises(FakeError) as caught:
        gcp_entries.parse_filter(text)
    assert caught.value.code == "INVALID_ARGUMENT"


def test_the_fake_filter_terms_select_entries() -> None:
    entries = [
        admin_activity(
            parent,
            insert_id=str(i),
            service=service,
            method="M",
            resource=parent,
            principal="p",
            source_ip="",
            at=T0 + dt.timedelta(minutes=i),
        )
        for i, (parent, service) in enumerate(
            [(ORG, RESOURCE_MANAGER), (ORG, LOGGING), (WORKLOADS, RESOURCE_MANAGER), (ORG, STORAGE)]
        )
    ]
    log = f"{ORG}/logs/cloudaudit.googleapis.com%2Factivity"

    def ids(text: str, parents: tuple[str, ...] = (ORG, WORKLOADS), order: str = "") -> list[str]:
        return [e.insert_id for e in gcp_entries.select(entries, parents, text, order, "").entries]

    assert ids("") == ["0", "1"]  # first page: two entries
    assert ids("", (WORKLOADS,)) == ["2"]  # resource names bound the search
    assert ids(f'logName="{log}" AND timestamp>="2026-12-01T09:01:00Z"') == ["1", "3"]
    assert ids(f'logName="{log}"', order="timestamp desc") == ["3", "1"]
    both = f'protoPayload.serviceName=("{LOGGING}" OR "{STORAGE}")'
    assert ids(both) == ["1", "3"]
    assert ids(
        f'timestamp="2026-12-01T10:02:00+01:00" AND protoPayload.serviceName="{RESOURCE_MANAGER}"'
    ) == ["2"]
    with pytest.raises(FakeError):
        gcp_entries.select(entries, (ORG,), "", "insertId asc", "")


# --- the read path: the real client against the sandbox's gRPC fake -------------------------


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


def inventories(box: GcpSandbox) -> list[Inventory]:
    """The inventories of a scan of the sandbox, discovered (nothing collected yet)."""
    settings = parse_settings(box.config_section, "test.yaml")
    reg = registry()
    scan = engine.discover(reg.clouds, {"gcp": settings}, reg.kinds(["gcp"]), {})
    assert scan.errors == []
    return [scan.scopes[0].inventory, *scan.scopes[0].tenants]


def effective(project: str) -> Subject:
    return subject(
        "gcp.audit.effective_config", f"{RM_ID}projects/{project}/effectiveAuditConfig", project
    )


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def reads(servers: GcpServers) -> dict[str, int]:
    return {r: n for (api, m, r), n in servers.state.calls.items() if m == "ListLogEntries"}


def test_window_bounds_paging_and_order_through_the_real_client(servers: GcpServers) -> None:
    box = servers.sandbox(standard_org())
    start, end = T0, T0 + dt.timedelta(hours=1)
    folder = "folders/2000000002"
    # seconds after start, recorded out of order; the end, given to the second, covers it
    offsets = [0, 3600, 3601, -1, 1, 1800, 2, 3600.5]
    for offset in offsets:
        gcp_changes.record_activity(
            box,
            folder,
            service=RESOURCE_MANAGER,
            method="SetIamPolicy",
            resource=folder,
            principal=f"u{offset}@example.com",
            source_ip="",
            at=start + dt.timedelta(seconds=offset),
        )
    gcp_changes.record_activity(  # another log: never read for the folder
        box,
        "projects/lw-app-1",
        service=RESOURCE_MANAGER,
        method="SetIamPolicy",
        resource="projects/lw-app-1",
        principal="other@example.com",
        source_ip="",
        at=start + dt.timedelta(seconds=5),
    )
    session = inventories(box)[0].session
    read = audit_logs.read_log(session, folder, iso(start), iso(end), {RESOURCE_MANAGER})
    assert read.error == ""
    # (start, end]: the entry at the start is before the window, the one at the end inside
    assert [r.principal for r in read.records] == [
        f"u{s}@example.com" for s in (1, 2, 1800, 3600, 3600.5)
    ]
    assert reads(servers) == {folder: 3}  # five entries, two a page
    assert audit_logs.read_log(session, folder, iso(start), iso(end), {LOGGING}).records == []
    project = audit_logs.read_log(session, "projects/lw-app-1", iso(start), iso(end), None)
    assert [r.principal for r in project.records] == ["other@example.com"]


def test_the_fake_answers_invalid_argument_to_a_filter_it_does_not_serve(
    servers: GcpServers,
) -> None:
    box = servers.sandbox(standard_org())
    client = inventories(box)[0].session.client("logging")
    with pytest.raises(InvalidArgument, match="does not understand"):
        list(
            client.list_log_entries(
                request={"resource_names": ["projects/lw-logging"], "filter": "severity>=ERROR"},
                retry=None,
            )
        )


def test_the_sandbox_change_is_attributed_through_the_hook_and_each_log_read_once(
    servers: GcpServers,
) -> None:
    box = servers.sandbox(standard_org())
    invs = inventories(box)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    change = gcp_changes.remove_data_access_logs(box)
    decoy = gcp_changes.grant_role(box, "folders/2000000002")  # bindings only, same folder
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    folder = subject(
        "gcp.resourcemanager.folder",
        f"{RM_ID}folders/2000000002",
        box.world.scope_id,
        "AuditConfigs",
        "IamPolicyEtag",
    )
    subjects = [effective(p) for p in box.world.project_ids] + [folder]
    answers = gcp_plugin.attribute(subjects, iso(start), iso(end), invs)
    assert answers is not None
    found = {a.subject.resource_id: a for a in answers}
    assert [a.subject for a in answers] == subjects
    below = gcp_changes.projects_below(box.world.org, "folders/2000000002")
    assert below == ["lw-app-1", "lw-app-2"]
    for project in box.world.project_ids:
        attribution = found[effective(project).resource_id]
        assert attribution.error == ""
        events = [(e.principal, e.action, e.source_ip, e.event_id) for e in attribution.events]
        expected = [("carol@example.com", "SetIamPolicy", "198.51.100.77", change["insertId"])]
        assert events == (expected if project in below else []), project
    folder_events = found[folder.resource_id].events
    assert [e.event_id for e in folder_events] == [change["insertId"]]  # not the decoy's
    assert folder_events[0].source == change["logName"]
    assert folder_events[0].resource == "folders/2000000002"
    assert decoy["insertId"] != change["insertId"]
    # every log on some chain, once: the organization, both folders, the four projects
    assert reads(servers) == {
        box.world.scope_id: 1,
        "folders/2000000001": 1,
        "folders/2000000002": 1,
        **{f"projects/{p}": 1 for p in box.world.project_ids},
    }


def test_an_unreadable_log_is_an_error_on_the_subjects_that_need_it(servers: GcpServers) -> None:
    box = servers.sandbox(standard_org())
    invs = inventories(box)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    org_change = gcp_changes.record_activity(
        box,
        box.world.scope_id,
        service=RESOURCE_MANAGER,
        method="SetIamPolicy",
        resource=box.world.scope_id,
        principal="erin@example.com",
        source_ip="203.0.113.1",
        delta=DATA_DELTA,
    )
    servers.faults.add("folders/2000000002", "PERMISSION_DENIED", "logging", "ListLogEntries")
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    answers = audit_logs.attribute(
        [effective("lw-app-1"), effective("lw-shared")], iso(start), iso(end), invs
    )
    app, shared = answers
    assert app.error.startswith("PERMISSION_DENIED: cannot read folders/2000000002/logs/")
    assert [e.event_id for e in app.events] == [org_change["insertId"]]  # the rest was read
    assert shared.error == ""
    assert [e.principal for e in shared.events] == ["erin@example.com"]


def test_credentials_that_cannot_be_built_are_an_error_not_an_exception() -> None:
    settings = GcpSettings(credentials="service-account-file", service_account_file="/nonexistent")
    inv = Inventory(
        cloud="gcp",
        tenant=None,
        organization=None,
        kinds=registry().kinds(["gcp"]),
        session_factory=lambda: gcp_plugin.open_session(settings, None, None),
    )
    (answer,) = audit_logs.attribute([EFFECTIVE], iso(T0), iso(T0), [inv])
    assert answer.events == []
    assert answer.error.startswith("FileNotFoundError: the GCP credentials")


def test_the_registered_gcp_cloud_attributes_from_cloud_audit_logs() -> None:
    cloud = registry().clouds["gcp"]
    assert cloud.attribute is gcp_plugin.attribute
    (answer,) = cloud.attribute([EFFECTIVE], iso(T0), iso(T0), [])
    assert answer.error


def test_the_hierarchy_comes_from_what_the_scan_holds(servers: GcpServers) -> None:
    box = servers.sandbox(standard_org())
    invs = inventories(box)
    calls = sum(servers.state.calls.values())
    found = audit_logs.hierarchy_of(invs)
    assert sum(servers.state.calls.values()) == calls  # no Google call
    assert found.chain("projects/lw-app-1") == (box.world.scope_id, "folders/2000000002")
    assert found.chain("projects/3000000003") == found.chain("projects/lw-app-1")
    assert found.canonical("projects/3000000001/sinks/s") == "projects/lw-logging/sinks/s"


# --- the sandbox's changes ------------------------------------------------------------------


def served_effective(box: GcpSandbox, project: str) -> dict[str, Any]:
    """The effective audit config of ``project`` from the policies the fake serves now."""
    org = box.world.org
    spec = org.project(project)
    chain = [org.org_name]
    if spec.parent is not None:
        chain.append(org.folder_name(spec.parent))
    nodes = [*chain, f"projects/{org.project_number(project)}"]
    policies = box.servers.state.snapshot.policies
    sources = [(n, json_format.MessageToDict(policies[n]).get("auditConfigs", [])) for n in nodes]
    return effective_audit_config(project, sources)


def test_removing_inherited_data_access_logs_exempts_the_domain_at_the_folder(
    servers: GcpServers,
) -> None:
    box = servers.sandbox(standard_org())
    entry = gcp_changes.remove_data_access_logs(box)
    payload = entry["protoPayload"]
    assert (payload["methodName"], payload["resourceName"]) == (
        "SetIamPolicy",
        "folders/2000000002",
    )
    assert payload["authenticationInfo"]["principalEmail"] == "carol@example.com"
    assert payload["requestMetadata"]["callerIp"] == "198.51.100.77"
    assert entry["logName"] == "folders/2000000002/logs/cloudaudit.googleapis.com%2Factivity"
    for project in ("lw-app-1", "lw-app-2"):
        doc = served_effective(box, project)
        assert {e["member"] for e in doc["ExemptedMembers"]} == {"domain:example.com"}
        assert {e["logType"] for e in doc["ExemptedMembers"]} == {"DATA_READ", "DATA_WRITE"}
    assert served_effective(box, "lw-shared")["ExemptedMembers"] == []
    assert len(servers.state.entries()) == 1


def test_removing_data_access_logs_set_on_the_folder_drops_the_log_types(
    servers: GcpServers,
) -> None:
    box = servers.sandbox(standard_org(["audit_config_at_folders"]))
    assert served_effective(box, "lw-app-1")["MissingAllServicesLogTypes"] == []
    gcp_changes.remove_data_access_logs(box)
    for project in ("lw-app-1", "lw-app-2"):
        doc = served_effective(box, project)
        assert doc["MissingAllServicesLogTypes"] == ["DATA_READ", "DATA_WRITE"]
        assert doc["ExemptedMembers"] == []
    assert served_effective(box, "lw-shared")["MissingAllServicesLogTypes"] == []
    assert box.world.org.folder("workloads").audit_configs[0].log_types == ("ADMIN_READ",)


def test_a_refused_retention_change_is_logged_and_never_attributed(servers: GcpServers) -> None:
    box = servers.sandbox(standard_org())  # the central bucket is locked
    invs = inventories(box)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    refused = gcp_changes.shorten_log_bucket_retention(box)
    assert refused["protoPayload"]["status"]["code"] == 9  # FAILED_PRECONDITION
    key = "projects/3000000001/locations/global/buckets/org-audit"
    assert servers.state.snapshot.log_buckets[key].retention_days == 365
    bucket = subject("gcp.logging.bucket", log_bucket_id("lw-logging", "org-audit"), "lw-logging")
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    (answer,) = audit_logs.attribute([bucket], iso(start), iso(end), invs)
    assert (answer.events, answer.error) == ([], "")

    box = servers.sandbox(standard_org(["log_bucket_unlocked"]))
    invs = inventories(box)
    done = gcp_changes.shorten_log_bucket_retention(box, days=30)
    assert "status" not in done["protoPayload"]
    assert servers.state.snapshot.log_buckets[key].retention_days == 30
    (answer,) = audit_logs.attribute([bucket], iso(start), iso(end), invs)
    assert [(e.principal, e.action) for e in answer.events] == [
        ("dave@example.com", "google.logging.v2.ConfigServiceV2.UpdateBucket")
    ]
    with pytest.raises(ValueError, match="_Required"):
        gcp_changes.shorten_log_bucket_retention(
            box, "projects/lw-logging/locations/global/buckets/_Required"
        )
