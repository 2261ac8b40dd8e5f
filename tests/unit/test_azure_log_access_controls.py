"""Who can read or change the logs, offline: the immutability policy of the log storage account
must be locked when there is one; the Entra ID tenant's logs must be exported."""

from __future__ import annotations

import pytest

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
