"""Who can read or change the Activity Log archive, offline: the immutability policy of the log
storage account must be locked when there is one."""

from __future__ import annotations

from logwarden.scanner.models import Status
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
