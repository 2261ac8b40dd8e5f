"""Who can read the audit log destinations, what the sinks' writers hold, and CMEK, offline
(the real catalogue over ``gcp.logging.destination_access`` and ``gcp.logging.bucket``)."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.checks.gcp.log_access import outside_reason
from logwarden.scanner.models import Status
from tests import gcp_docs as d
from tests import gcp_monitoring_docs as m
from tests.offline import rows, scan_gcp_world

READERS = "gcp.logging.log_readers_restricted"
WRITERS = "gcp.logging.sink_writer_least_privilege"
CMEK = "gcp.logging.bucket_cmek"
CENTRAL = f"{d.LOGGING}{d.CENTRAL}"


def central_rows(check: str, access: dict[str, Any] | None = None, **params: Any) -> list[Any]:
    model = d.compliant_model()
    if access is not None:
        model.access[d.CENTRAL] = access
    return [
        r
        for r in rows(scan_gcp_world(d.build(model), **params), check)
        if r.resource_id.startswith(CENTRAL)
    ]


def test_readers_of_the_organization_pass_and_are_listed() -> None:
    [row] = central_rows(READERS)
    assert row.status is Status.PASS
    assert row.evidence["readers"][0]["member"] == "group:auditors@example.com"


@pytest.mark.parametrize(
    ("member", "role", "words"),
    [
        ("allUsers", "roles/logging.viewer", "public"),
        ("allAuthenticatedUsers", "roles/viewer", "public"),
        ("user:contractor@gmail.com", "roles/logging.privateLogViewer", "outside the organization's domains (gmail.com)"),
        ("serviceAccount:etl@other-project.iam.gserviceaccount.com", "roles/logging.viewAccessor", "outside the scan"),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/p/*", "roles/logging.viewer", "not a principal of the organization"),
    ],
)  # fmt: skip
def test_readers_outside_the_organization_fail(member: str, role: str, words: str) -> None:
    readers = [m.reader("group:auditors@example.com"), m.reader(member, role, "organizations/111")]
    [row] = central_rows(READERS, {"readers": readers})
    assert row.status is Status.FAIL
    assert member in row.message and words in row.message
    assert "organizations/111" in row.message  # where the binding is granted


def test_the_allow_list_and_the_configured_domains_decide() -> None:
    readers = [m.reader("group:auditors@example.com"), m.reader("user:ops@partner.example")]
    [row] = central_rows(READERS, {"readers": readers})
    assert row.status is Status.FAIL
    [row] = central_rows(
        READERS, {"readers": readers}, organization_domains=["example.com", "partner.example"]
    )
    assert row.status is Status.PASS
    [row] = central_rows(
        READERS, {"readers": readers}, log_reader_allow_list=["group:auditors@example.com"]
    )
    assert row.status is Status.FAIL and "not in log_reader_allow_list" in row.message
    [row] = central_rows(
        READERS, {"readers": readers}, log_reader_allow_list=["group:*", "user:ops@*"]
    )
    assert row.status is Status.PASS


def test_scanned_projects_and_their_service_agents_are_inside() -> None:
    for member in (
        "serviceAccount:etl@lw-app.iam.gserviceaccount.com",
        "projectViewer:lw-logging",
        "group:secops@sub.example.com",
    ):
        assert outside_reason(member, ["example.com"], ["lw-app", "lw-logging"], []) == "", member
    agent = "serviceAccount:service-3000000001@gcp-sa-logging.iam.gserviceaccount.com"
    assert outside_reason(agent, ["example.com"], ["3000000001"], []) == ""
    assert outside_reason(agent, ["example.com"], ["4"], []) != ""


def test_a_writer_identity_with_more_than_the_writer_role_fails() -> None:
    [row] = central_rows(WRITERS)
    assert row.status is Status.PASS
    [row] = central_rows(WRITERS, {"writer_roles": ("roles/logging.admin",)})
    assert row.status is Status.FAIL
    assert "roles/logging.admin at projects/lw-logging" in row.message


def test_cmek_is_checked_only_when_asked() -> None:
    [row] = central_rows(CMEK)
    assert row.status is Status.SKIPPED and "require_log_bucket_cmek" in row.message
    [row] = central_rows(CMEK, require_log_bucket_cmek=True)
    assert row.status is Status.PASS
    model = d.compliant_model()
    del model.log_buckets[d.CENTRAL]["cmekSettings"]
    [row] = rows(scan_gcp_world(d.build(model), require_log_bucket_cmek=True), CMEK)
    assert row.status is Status.FAIL


def test_custom_roles_count_as_possible_readers() -> None:
    from logwarden.scanner.collectors.gcp.kinds.log_access import is_custom

    assert is_custom("organizations/111/roles/logReader")
    assert is_custom("projects/lw-logging/roles/auditRead")
    assert not is_custom("roles/logging.bucketWriter")
