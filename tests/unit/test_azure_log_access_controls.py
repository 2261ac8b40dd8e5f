"""Who can read or change the logs, offline: the immutability policy of the log storage account
must be locked when there is one, shared keys refused; the Entra ID tenant's logs must be
exported; only allowed principals may hold a role that reads the central logs."""

from __future__ import annotations

import pytest

from logwarden.checks.azure.log_access import READS, granted
from logwarden.scanner.collectors.azure.kinds.entra import PERMISSION
from logwarden.scanner.models import CollectionError, KindCollection, Resource, Status
from tests import azure_alert_docs as a
from tests import azure_docs as d
from tests.offline import rows, statuses

LOCKED = "azure.storage.log_account_immutability_locked"
KEPT = "azure.storage.log_account_retention"


def _storage(w: d.World) -> dict:
    return w.doc(d.PLATFORM, d.ACCOUNTS)


def test_a_locked_container_policy_passes() -> None:
    [row] = rows(d.scan(d.compliant_world()), LOCKED)
    assert (row.status, row.tenant_id, row.resource_id) == (Status.PASS, d.PLATFORM, d.STORAGE)


def test_an_unlocked_container_policy_fails_and_says_which_while_retention_still_passes() -> None:
    world = d.compliant_world()
    _storage(world)["Immutability"]["ContainerPolicy"]["State"] = "Unlocked"
    report = d.scan(world)
    [row] = rows(report, LOCKED)
    assert row.status is Status.FAIL
    assert "ContainerPolicy.State" in row.message and "Unlocked" in row.message
    assert statuses(report, KEPT) == {Status.PASS}  # the period still counts there


def test_an_unlocked_account_policy_fails_even_beside_a_locked_container_policy() -> None:
    world = d.compliant_world()
    _storage(world)["Immutability"]["AccountPolicy"] = {"Days": 730, "State": "Unlocked"}
    [row] = rows(d.scan(world), LOCKED)
    assert row.status is Status.FAIL and "AccountPolicy.State" in row.message


def test_no_immutability_policy_is_not_judged_here() -> None:
    world = d.compliant_world()
    _storage(world)["Immutability"] = {}
    _storage(world).pop("ImmutabilityDays")
    report = d.scan(world)
    assert {r.status for r in rows(report, LOCKED)} <= {Status.SKIPPED}
    assert statuses(report, KEPT) == {Status.PASS}  # its lifecycle rule keeps the logs


# ---- azure.storage.log_account_shared_key_disabled

SHARED_KEY = "azure.storage.log_account_shared_key_disabled"


@pytest.mark.parametrize(
    ("value", "status"),
    [(False, Status.PASS), (True, Status.FAIL), (None, Status.FAIL), ("false", Status.FAIL)],
    ids=["false", "true", "absent-means-allowed", "a-string-is-not-false"],
)
def test_shared_key_access(value: object, status: Status) -> None:
    world = d.compliant_world()
    props = _storage(world)["properties"]
    props.pop("allowSharedKeyAccess")
    if value is not None:
        props["allowSharedKeyAccess"] = value
    [row] = rows(d.scan(world), SHARED_KEY)
    assert (row.status, row.resource_id) == (status, d.STORAGE)


# ---- azure.entra.tenant_logs_exported

ENTRA = "azure.entra.tenant_logs_exported"


def _entra(world: d.World, *settings: Resource) -> d.World:
    world.org[a.ENTRA] = KindCollection(resources=settings)
    return world


def test_the_tenant_exporting_audit_and_sign_in_logs_passes_once_for_the_organization() -> None:
    [row] = rows(d.scan(d.compliant_world()), ENTRA)
    assert (row.status, row.tenant_id, row.resource_id) == (Status.PASS, "mg-contoso", "mg-contoso")
    assert "AuditLogs by entra-to-central" in row.message


@pytest.mark.parametrize(
    ("settings", "status", "words"),
    [
        ((), Status.FAIL, "has no diagnostic setting"),
        ((a.entra_doc(categories=("AuditLogs",)),), Status.FAIL, "exports SignInLogs"),
        ((a.entra_doc(destinations=()),), Status.FAIL, "exports AuditLogs, SignInLogs"),
        (
            (
                a.entra_doc("audit", ("AuditLogs",)),
                a.entra_doc("sign-ins", ("SignInLogs",), ("storage",)),
            ),
            Status.PASS,
            "SignInLogs by sign-ins",
        ),
        (
            (a.entra_doc("audit", ("AuditLogs",)), a.entra_doc("x", ("SignInLogs",), ())),
            Status.FAIL,
            "exports SignInLogs",
        ),
    ],
    ids=["none", "no-sign-ins", "no-destination", "split-over-two", "split-one-sends-nowhere"],
)
def test_entra_settings(settings: tuple[Resource, ...], status: Status, words: str) -> None:
    [row] = rows(d.scan(_entra(d.compliant_world(), *settings)), ENTRA)
    assert row.status is status and words in row.message, row.message


def test_the_required_categories_are_a_parameter() -> None:
    report = d.scan(d.compliant_world(), entra_log_categories=["AuditLogs", "ProvisioningLogs"])
    [row] = rows(report, ENTRA)
    assert row.status is Status.FAIL and "ProvisioningLogs" in row.message


def test_a_refused_tenant_read_is_an_error_that_names_the_permission() -> None:
    err = CollectionError(
        "azure", "", a.ENTRA, "", "AuthorizationFailed", f"{PERMISSION}: HTTP 403: denied"
    )
    world = d.compliant_world()
    world.org[a.ENTRA] = KindCollection(errors=(err,))
    report = d.scan(world)
    [row] = rows(report, ENTRA)
    assert row.status is Status.ERROR
    assert "microsoft.aadiam/diagnosticSettings/read" in row.message
    assert "AuthorizationFailed" in row.message
    assert int(report.exit_code) == 3


# ---- azure.authorization.log_readers_allowed

READERS = "azure.authorization.log_readers_allowed"
OWNER = {"actions": ["*"]}
CONTRIBUTOR = {"actions": ["*"], "notActions": ["Microsoft.Authorization/*/Write"]}
READER = {"actions": ["*/read"]}
BLOB_READER = {
    "actions": ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
    "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
}
BLOB_OWNER = {"dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"]}
LA_READER = {
    "actions": ["*/read", "Microsoft.OperationalInsights/workspaces/search/action"],
    "notActions": ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
}
KEY_OPERATOR = {"actions": ["Microsoft.Storage/storageAccounts/listkeys/action"]}
NO_KEYS = {
    "actions": ["*"],
    "notActions": [
        "Microsoft.Storage/storageAccounts/list*",
        "Microsoft.Storage/storageAccounts/regeneratekey/action",
    ],
}
LIST_ONLY_BLOCKED = {"actions": ["*"], "notActions": ["Microsoft.Storage/storageAccounts/list*"]}
TABLE_READER = {"actions": ["Microsoft.OperationalInsights/workspaces/query/AzureActivity/read"]}


@pytest.mark.parametrize(
    ("permissions", "kind", "reads"),
    [
        (OWNER, "workspace", True),
        (OWNER, "storage", True),
        (CONTRIBUTOR, "storage", True),
        (READER, "workspace", True),  # */read includes workspaces/query/read
        (READER, "storage", False),  # but lists no key
        (LA_READER, "workspace", True),
        (BLOB_READER, "storage", True),
        (BLOB_READER, "workspace", False),
        (BLOB_OWNER, "storage", True),
        (KEY_OPERATOR, "storage", True),  # operations compare without case
        (NO_KEYS, "storage", False),  # notActions remove the key and SAS listings
        (LIST_ONLY_BLOCKED, "storage", True),  # regenerating a key returns the keys too
        (TABLE_READER, "workspace", True),  # a table-level query of the Activity Log
        (a.NETWORK_CONTRIBUTOR, "workspace", False),
        ({"actions": ["Microsoft.OperationalInsights/*/read"]}, "workspace", True),
        ({"dataActions": ["*"], "notDataActions": ["*/read"]}, "storage", False),
    ],
)
def test_which_roles_read_the_logs(permissions: dict, kind: str, reads: bool) -> None:
    assert bool(granted([permissions], READS[kind])) is reads


def test_permission_blocks_add_up() -> None:
    blocks = [{"actions": ["Microsoft.Network/*"]}, {"actions": ["*"], "notActions": ["*"]}, OWNER]
    assert granted(blocks, READS["storage"])


def _access(world: d.World, kind: str, *assignments: dict) -> None:
    docs = {doc.data["Type"]: doc.data for doc in world.docs[d.PLATFORM][a.LOG_ACCESS]}
    docs[kind]["Assignments"] = list(assignments)


def _row(report: object, rid: str) -> object:
    [row] = [r for r in rows(report, READERS) if r.resource_id == rid]  # type: ignore[arg-type]
    return row


def test_compliant_destinations_pass_one_row_each_where_they_live() -> None:
    report = d.scan(d.compliant_world())
    found = rows(report, READERS)
    assert sorted((r.tenant_id, r.resource_id, r.status) for r in found) == sorted(
        [(d.PLATFORM, d.WORKSPACE, Status.PASS), (d.PLATFORM, d.STORAGE, Status.PASS)]
    )
    assert all("no role assignment grants read" in r.message for r in found)


@pytest.mark.parametrize(
    ("kind", "assignment", "status", "words"),
    [
        (
            "workspace",
            a.role_assignment(
                "alice", "Reader", READER, f"{d.MG}mg-contoso", principal_type="User"
            ),
            Status.FAIL,
            "User alice (Reader, inherited from /providers/",
        ),
        (
            "storage",
            a.role_assignment("etl", "Storage Blob Data Reader", BLOB_READER, d.STORAGE, "at"),
            Status.FAIL,
            "(Storage Blob Data Reader, on it)",
        ),
        (
            "storage",
            a.role_assignment(
                "etl",
                "Storage Blob Data Owner",
                BLOB_OWNER,
                f"{d.STORAGE}/blobServices/default/containers/insights-activity-logs",
                "below",
            ),
            Status.FAIL,
            "below it, on",
        ),
        (
            "storage",
            a.role_assignment("bob", "Reader", READER, f"/subscriptions/{d.PLATFORM}"),
            Status.PASS,
            "no role assignment grants read",
        ),
        (
            "storage",
            a.role_assignment("bob", "Custom", None, d.STORAGE, "at", state="Unreadable"),
            Status.ERROR,
            "roles that could not be read",
        ),
        (
            "storage",
            a.role_assignment("bob", "Deleted", None, d.STORAGE, "at", state="NotFound"),
            Status.PASS,
            "no role assignment grants read",
        ),
    ],
    ids=[
        "inherited-reader",
        "blob-reader-at",
        "container-below",
        "reader-no-keys",
        "unread-role",
        "deleted-role",
    ],
)
def test_a_principal_outside_the_allow_list(
    kind: str, assignment: dict, status: Status, words: str
) -> None:
    world = d.compliant_world()
    _access(world, kind, assignment)
    row = _row(d.scan(world), d.WORKSPACE if kind == "workspace" else d.STORAGE)
    assert row.status is status and words in row.message, row.message


def test_allowed_principals_pass_and_are_listed_in_the_evidence() -> None:
    world = d.compliant_world()
    readers = [
        a.role_assignment("SecOps", "Log Analytics Reader", LA_READER, d.WORKSPACE, "at"),
        a.role_assignment("scanner", "Reader", READER, f"{d.MG}mg-contoso"),
        a.role_assignment("alice", "Custom", None, d.WORKSPACE, "at", state="Unreadable"),
    ]
    _access(world, "workspace", *readers)
    report = d.scan(world, log_reader_principals=["secops", "SCANNER", "alice"])
    row = _row(report, d.WORKSPACE)
    assert row.status is Status.PASS, row.message
    assert "SecOps" in row.message and "scanner" in row.message
    listed = {r["PrincipalId"]: r for r in row.evidence["Readers"]}
    assert set(listed) == {"SecOps", "scanner"}
    assert listed["scanner"]["Where"] == "above" and listed["scanner"]["Allowed"] is True
    assert "Microsoft.OperationalInsights/workspaces/query/read" in listed["scanner"]["Grants"]
    # the allow-list is per principal: another reader still fails
    _access(world, "workspace", *readers, a.role_assignment("eve", "Owner", OWNER, d.WORKSPACE))
    row = _row(d.scan(world, log_reader_principals=["secops", "scanner"]), d.WORKSPACE)
    assert row.status is Status.FAIL and "eve" in row.message and "SecOps" not in row.message


def test_an_unreadable_log_access_is_an_error() -> None:
    world = d.compliant_world()
    err = CollectionError("azure", d.PLATFORM, a.LOG_ACCESS, "", "AuthorizationFailed", "HTTP 403")
    world.errors[(d.PLATFORM, a.LOG_ACCESS)] = KindCollection(errors=(err,))
    report = d.scan(world)
    assert statuses(report, READERS) == {Status.ERROR}


# ---- azure.dns.query_logging

DNS = "azure.dns.query_logging"


def _network(world: d.World, *policies: dict) -> str:
    doc = a.network_doc(d.CORP, "vnet-corp", *policies)
    world.set(d.CORP, a.NETWORK, doc)
    return str(doc["id"])


def test_every_network_logged_through_a_hub_policy_passes() -> None:
    report = d.scan(d.compliant_world())
    found = rows(report, DNS)
    assert sorted(r.tenant_id for r in found) == sorted(d.NAMES)
    assert {r.status for r in found} == {Status.PASS}
    assert "dnspol-hub" in found[0].message


@pytest.mark.parametrize(
    ("policies", "status", "words"),
    [
        ((), Status.FAIL, "no DNS security policy is linked"),
        ((a.dns_policy(workspaces=()),), Status.FAIL, "sends its query logs"),
        ((a.dns_policy(state="Unreadable"),), Status.ERROR, "could not be read"),
        ((a.dns_policy(state="NotFound"),), Status.FAIL, "sends its query logs"),
        (
            (a.dns_policy(state="Unreadable"), a.dns_policy("/x/dnspol-2")),
            Status.PASS,
            "dnspol-2",
        ),
    ],
    ids=["no-policy", "policy-without-logs", "unreadable", "gone", "another-policy-logs"],
)
def test_dns_query_logging(policies: tuple[dict, ...], status: Status, words: str) -> None:
    world = d.compliant_world()
    rid = _network(world, *policies)
    [row] = [r for r in rows(d.scan(world), DNS) if r.resource_id == rid]
    assert row.status is status and words in row.message, row.message


def test_the_expected_workspace_is_required_when_set() -> None:
    world = d.compliant_world()
    elsewhere = d.WORKSPACE.replace("law-central", "law-dns")
    rid = _network(world, a.dns_policy(workspaces=(elsewhere,)))
    report = d.scan(world, expected_workspace_id=d.WORKSPACE.upper())
    [row] = [r for r in rows(report, DNS) if r.resource_id == rid]
    assert row.status is Status.FAIL and "law-central" in row.message.lower()
    assert statuses(report, DNS, d.ONLINE) == {Status.PASS}
