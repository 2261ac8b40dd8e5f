"""The pure derivations of the GCP collector: effective audit config, sink filters, destinations."""

from __future__ import annotations

import pytest

from logwarden.scanner.collectors.gcp.audit import effective_audit_config
from logwarden.scanner.collectors.gcp.common import error_code
from logwarden.scanner.collectors.gcp.sinks import destination, sink_doc


def config(service: str, *types: str, exempted: tuple[str, ...] = ()) -> dict:
    return {
        "service": service,
        "auditLogConfigs": [{"logType": t, "exemptedMembers": list(exempted)} for t in types],
    }


def test_log_types_are_the_union_of_the_chain_and_services_inherit_all_services() -> None:
    doc = effective_audit_config(
        "p",
        [
            ("organizations/1", [config("allServices", "ADMIN_READ")]),
            (
                "folders/2",
                [
                    config("allServices", "DATA_WRITE"),
                    config("bigquery.googleapis.com", "DATA_READ"),
                ],
            ),
            ("projects/p", []),
        ],
    )
    assert doc["AllServices"]["LogTypes"] == ["ADMIN_READ", "DATA_WRITE"]
    assert doc["AllServices"]["SetAt"] == {
        "ADMIN_READ": ["organizations/1"],
        "DATA_WRITE": ["folders/2"],
    }
    assert doc["MissingAllServicesLogTypes"] == ["DATA_READ"]
    assert doc["Services"]["bigquery.googleapis.com"]["LogTypes"] == [
        "ADMIN_READ",
        "DATA_READ",
        "DATA_WRITE",
    ]
    assert doc["Hierarchy"] == ["organizations/1", "folders/2", "projects/p"]


def test_service_specific_configs_never_count_as_all_services() -> None:
    doc = effective_audit_config(
        "p",
        [
            (
                "organizations/1",
                [config("storage.googleapis.com", "ADMIN_READ", "DATA_READ", "DATA_WRITE")],
            )
        ],
    )
    assert doc["AllServices"]["LogTypes"] == []
    assert doc["MissingAllServicesLogTypes"] == ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]


def test_exemptions_anywhere_are_listed_with_their_origin() -> None:
    doc = effective_audit_config(
        "p",
        [
            ("organizations/1", [config("allServices", "DATA_READ", exempted=("user:a@x.com",))]),
            (
                "projects/p",
                [config("sql.googleapis.com", "DATA_WRITE", exempted=("user:b@x.com",))],
            ),
        ],
    )
    assert doc["ExemptedMembers"] == [
        {
            "member": "user:a@x.com",
            "logType": "DATA_READ",
            "service": "allServices",
            "setAt": "organizations/1",
        },
        {
            "member": "user:b@x.com",
            "logType": "DATA_WRITE",
            "service": "sql.googleapis.com",
            "setAt": "projects/p",
        },
    ]


def test_unspecified_log_types_are_ignored() -> None:
    doc = effective_audit_config(
        "p", [("projects/p", [config("allServices", "LOG_TYPE_UNSPECIFIED")])]
    )
    assert doc["AllServices"]["LogTypes"] == []


def audit_doc(text: str, *exclusions: dict, parent: str = "organizations/1") -> dict:
    return sink_doc(
        {
            "name": "s",
            "destination": "storage.googleapis.com/b",
            "filter": text,
            "exclusions": list(exclusions),
        },
        parent,
    )


def test_a_sink_exports_audit_logs_only_when_every_type_is_certain() -> None:
    doc = audit_doc('logName:"cloudaudit.googleapis.com"')
    assert doc["ExportedAuditLogTypes"] == ["activity", "data_access", "system_event", "policy"]
    assert doc["ExportsAuditLogs"] is doc["RoutesAuditLogs"] is True
    assert doc["AuditLogTypes"]["policy"] == {
        "Exported": True,
        "Verdict": "TRUE",
        "Reason": "every entry is exported",
    }
    doc = audit_doc('logName:"cloudaudit.googleapis.com" -logName:"%2Fdata_access"')
    assert doc["ExportedAuditLogTypes"] == ["activity", "system_event", "policy"]
    assert doc["ExportsAuditLogs"] is False and doc["RoutesAuditLogs"] is True
    assert doc["AuditLogTypes"]["data_access"] == {
        "Exported": False,
        "Verdict": "FALSE",
        "Reason": 'not exported: -logName:"%2Fdata_access" (excludes them)',
    }


def test_an_enabled_exclusion_counts_a_disabled_one_does_not() -> None:
    off = {"name": "off", "filter": 'logName:"cloudaudit.googleapis.com"', "disabled": True}
    on = {"name": "on", "filter": 'LOG_ID("cloudaudit.googleapis.com/data_access")'}
    assert audit_doc("", off)["ExportsAuditLogs"] is True
    doc = audit_doc("", off, on)
    assert doc["ExportedAuditLogTypes"] == ["activity", "system_event", "policy"]
    assert doc["AuditLogTypes"]["data_access"]["Reason"] == (
        'not exported: exclusion on (LOG_ID("cloudaudit.googleapis.com/data_access")) drops them'
    )
    assert (doc["Level"], doc["DestinationType"], doc["RoutesAuditLogs"]) == (
        "organization",
        "storage",
        True,
    )


@pytest.mark.parametrize(
    ("text", "routes"),
    [
        ("", True),
        ('LOG_ID("cloudaudit.googleapis.com/activity")', True),
        ('logName="projects/p/logs/cloudaudit.googleapis.com%2Factivity"', True),
        ('protoPayload."@type"="type.googleapis.com/google.cloud.audit.AuditLog"', True),
        ('NOT logName:"cloudaudit.googleapis.com"', False),
        ('logName!="projects/p/logs/cloudaudit.googleapis.com%2Factivity"', False),
        ('logName:"cloudaudit.googleapis.com" AND NOT logName:"cloudaudit.googleapis.com"', False),
        ('resource.type="gce_instance"', False),
        ("severity>=ERROR", False),
        ('logName:"cloudaudit.googleapis.com" AND (', False),
    ],
)
def test_which_destinations_receive_audit_logs(text: str, routes: bool) -> None:
    """A destination's buckets are checked (retention, lock) when its sink selects audit logs
    by name, or exports everything, and does not certainly leave every type out."""
    assert audit_doc(text)["RoutesAuditLogs"] is routes


@pytest.mark.parametrize(
    ("dest", "parts"),
    [
        (
            "logging.googleapis.com/projects/p/locations/eu/buckets/b",
            {"Type": "logging-bucket", "Project": "p", "Location": "eu", "Bucket": "b"},
        ),
        ("storage.googleapis.com/my-bucket", {"Type": "storage", "Bucket": "my-bucket"}),
        ("bigquery.googleapis.com/projects/p/datasets/d", {"Type": "bigquery", "Project": "p"}),
        ("pubsub.googleapis.com/projects/p/topics/t", {"Type": "pubsub", "Project": "p"}),
        ("logging.googleapis.com/projects/p", {"Type": "project", "Project": "p"}),
        ("splunk.example.com/x", {"Type": "other"}),
    ],
)
def test_destinations(dest: str, parts: dict) -> None:
    assert destination(dest) == parts


def test_built_in_sinks_are_marked() -> None:
    assert sink_doc({"name": "_Default", "destination": ""}, "projects/p")["BuiltIn"] is True
    assert sink_doc({"name": "mine", "destination": ""}, "projects/p")["BuiltIn"] is False


def test_error_codes_of_google_failures() -> None:
    from google.api_core import exceptions

    assert error_code(exceptions.PermissionDenied("no")) == ("PERMISSION_DENIED", "no")
    assert error_code(exceptions.ServiceUnavailable("down"))[0] == "UNAVAILABLE"
    assert error_code(exceptions.Forbidden("GET http://x/y: no"))[0] == "PERMISSION_DENIED"
    retry = exceptions.RetryError("deadline", exceptions.ServiceUnavailable("down"))
    assert error_code(retry) == ("UNAVAILABLE", "gave up retrying: down")
