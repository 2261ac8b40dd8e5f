"""Real-world sink filters, each with what it exports of every audit log type.

Verdicts are written as four letters in the order activity, data_access, system_event, policy:
``T`` every entry is exported, ``F`` none is, ``U`` it cannot be decided (it depends on another
field, one project's log name, an undocumented reading...). Only ``T`` counts for
``gcp.logging.org_sink``. Sources: Google's aggregated-sink, audit-log and query-language
documentation, the built-in ``_Required`` / ``_Default`` sinks, CIS GCP 2.4-2.11 metric
filters, and filters seen in Terraform modules and blog posts.
"""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.gcp.audit_filter import Tri, evaluate, kinds_below, sink_verdicts
from logwarden.scanner.collectors.gcp.log_names import AUDIT_LOG_TYPES
from logwarden.scanner.collectors.gcp.logging_query import parse

LETTERS = {Tri.TRUE: "T", Tri.FALSE: "F", Tri.UNKNOWN: "U"}
ORG = "organizations/123"
REQUIRED = (
    'LOG_ID("cloudaudit.googleapis.com/activity") OR LOG_ID("externalaudit.googleapis.com/activity")'
    ' OR LOG_ID("cloudaudit.googleapis.com/system_event")'
    ' OR LOG_ID("externalaudit.googleapis.com/system_event")'
    ' OR LOG_ID("cloudaudit.googleapis.com/access_transparency")'
    ' OR LOG_ID("externalaudit.googleapis.com/access_transparency")'
)
DEFAULT = (
    'NOT LOG_ID("cloudaudit.googleapis.com/activity") AND NOT LOG_ID("externalaudit.googleapis.com/activity")'
    ' AND NOT LOG_ID("cloudaudit.googleapis.com/system_event")'
    ' AND NOT LOG_ID("externalaudit.googleapis.com/system_event")'
    ' AND NOT LOG_ID("cloudaudit.googleapis.com/access_transparency")'
    ' AND NOT LOG_ID("externalaudit.googleapis.com/access_transparency")'
)
CIS_METRIC_FILTERS = {
    "2.4 project ownership": (
        '(protoPayload.serviceName="cloudresourcemanager.googleapis.com") AND (ProjectOwnership OR'
        ' projectOwnerInvitee) OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE"'
        ' AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner") OR'
        ' (protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND'
        ' protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")'
    ),
    "2.5 audit configuration": (
        'protoPayload.methodName="SetIamPolicy" AND'
        " protoPayload.serviceData.policyDelta.auditConfigDeltas:*"
    ),
    "2.6 custom roles": (
        'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" OR'
        ' protoPayload.methodName="google.iam.admin.v1.DeleteRole" OR'
        ' protoPayload.methodName="google.iam.admin.v1.UpdateRole")'
    ),
    "2.7 firewall rules": (
        'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch"'
        ' OR protoPayload.methodName:"compute.firewalls.insert" OR'
        ' protoPayload.methodName:"compute.firewalls.delete")'
    ),
    "2.8 routes": (
        'resource.type="gce_route" AND (protoPayload.methodName:"compute.routes.delete" OR'
        ' protoPayload.methodName:"compute.routes.insert")'
    ),
    "2.9 networks": (
        'resource.type="gce_network" AND (protoPayload.methodName:"compute.networks.insert" OR'
        ' protoPayload.methodName:"compute.networks.patch" OR'
        ' protoPayload.methodName:"compute.networks.delete" OR'
        ' protoPayload.methodName:"compute.networks.removePeering" OR'
        ' protoPayload.methodName:"compute.networks.addPeering")'
    ),
    "2.10 bucket IAM": (
        'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermissions"'
    ),
    "2.11 SQL configuration": 'protoPayload.methodName="cloudsql.instances.update"',
}

# (name, filter, exclusions, verdicts, a text some cause of each non-T type contains)
CASES: list[tuple[str, str, list[dict[str, Any]], str, str]] = [
    ("empty filter: every log entry (CIS 2.2)", "", [], "TTTT", ""),
    ("Google's aggregated audit sink", 'logName:"cloudaudit.googleapis.com"', [], "TTTT", ""),
    ("with /logs/ prefix", 'logName:"/logs/cloudaudit.googleapis.com"', [], "TTTT", ""),
    (
        "the four log ids",
        'LOG_ID("cloudaudit.googleapis.com/activity") OR LOG_ID("cloudaudit.googleapis.com/data_access")'
        ' OR log_id("cloudaudit.googleapis.com/system_event")'
        ' OR log_id("cloudaudit.googleapis.com/policy")',
        [],
        "TTTT",
        "",
    ),
    (
        "the four encoded log names",
        'logName:"/logs/cloudaudit.googleapis.com%2Factivity" OR'
        ' logName:"/logs/cloudaudit.googleapis.com%2Fdata_access" OR'
        ' logName:"/logs/cloudaudit.googleapis.com%2Fsystem_event" OR'
        ' logName:"/logs/cloudaudit.googleapis.com%2Fpolicy"',
        [],
        "TTTT",
        "",
    ),
    (
        "a value list on logName",
        'logName:("cloudaudit.googleapis.com" OR "externalaudit.googleapis.com")',
        [],
        "TTTT",
        "",
    ),
    (
        "the AuditLog payload type",
        'protoPayload."@type"="type.googleapis.com/google.cloud.audit.AuditLog"',
        [],
        "TTTT",
        "",
    ),
    (
        "audit logs, or errors of anything",
        'severity>=ERROR OR logName : "cloudaudit.googleapis.com"',
        [],
        "TTTT",
        "",
    ),
    (
        "comments and line breaks",
        '-- every audit log\nlogName:"cloudaudit.googleapis.com" -- all four types\n',
        [],
        "TTTT",
        "",
    ),
    (
        "the issue: audit logs AND NOT Data Access",
        'logName:"cloudaudit.googleapis.com" AND NOT logName:"cloudaudit.googleapis.com%2Fdata_access"',
        [],
        "TFTT",
        'NOT logName:"cloudaudit.googleapis.com%2Fdata_access" (excludes them)',
    ),
    (
        "the same with '-' and implicit AND",
        '(logName:"cloudaudit.googleapis.com") -logName:"data_access"',
        [],
        "TFTT",
        '-logName:"data_access" (excludes them)',
    ),
    (
        "Data Access left out in one project only",
        'logName:"cloudaudit.googleapis.com" AND'
        ' NOT logName="projects/noisy-etl/logs/cloudaudit.googleapis.com%2Fdata_access"',
        [],
        "TUTT",
        "some projects, folders or organizations only",
    ),
    (
        "the built-in _Required sink",
        REQUIRED,
        [],
        "TFTF",
        'LOG_ID("cloudaudit.googleapis.com/activity") (matches none of them)',
    ),
    (
        "the built-in _Default sink",
        DEFAULT,
        [],
        "FTFT",
        "(excludes them)",
    ),
    (
        "OR binds tighter than AND",
        'logName:"cloudaudit.googleapis.com" OR severity>=ERROR'
        ' AND NOT LOG_ID("cloudaudit.googleapis.com/data_access")',
        [],
        "TFTT",
        'NOT LOG_ID("cloudaudit.googleapis.com/data_access") (excludes them)',
    ),
    (
        "a severity restriction",
        'logName:"cloudaudit.googleapis.com" AND severity>=WARNING',
        [],
        "UUUU",
        "severity>=WARNING (a term on severity)",
    ),
    (
        "a resource.type restriction",
        'logName:"cloudaudit.googleapis.com" resource.type=("gce_instance" OR "gcs_bucket")',
        [],
        "UUUU",
        "(a term on resource.type)",
    ),
    (
        "a methodName restriction",
        'logName:"cloudaudit.googleapis.com" AND NOT protoPayload.methodName:"storage.objects.get"',
        [],
        "UUUU",
        "(a term on protoPayload.methodName)",
    ),
    (
        "the log id written with '/' in logName",
        'logName:"cloudaudit.googleapis.com/activity" OR logName:"cloudaudit.googleapis.com/data_access"',
        [],
        "UUFF",
        'logName:"cloudaudit.googleapis.com/',
    ),
    (
        "one organization's own activity log",
        'logName="organizations/123/logs/cloudaudit.googleapis.com%2Factivity"',
        [],
        "UFFF",
        "",
    ),
    (
        "a regular expression it decides",
        'logName=~"/logs/cloudaudit\\.googleapis\\.com%2F" AND logName!~"data_access$"',
        [],
        "TFTT",
        "(excludes them)",
    ),
    (
        "a regular expression it does not decide",
        'logName=~"cloudaudit.googleapis.com%2F(activity|data_access|system_event|policy)"',
        [],
        "UUUU",
        "a regular expression logwarden does not decide",
    ),
    (
        "a global restriction",
        '"cloudaudit.googleapis.com"',
        [],
        "UUUU",
        "a global restriction",
    ),
    (
        "lower-case 'and' is a search term",
        'logName:"cloudaudit.googleapis.com" and logName:"cloudaudit.googleapis.com"',
        [],
        "UUUU",
        "and (a global restriction",
    ),
    (
        "a source() restriction",
        'logName:"cloudaudit.googleapis.com" AND source(projects/p)',
        [],
        "UUUU",
        "function source() is not decided",
    ),
    (
        "an exclusion of Data Access logs",
        'logName:"cloudaudit.googleapis.com"',
        [{"name": "no-da", "filter": 'LOG_ID("cloudaudit.googleapis.com/data_access")'}],
        "TFTT",
        "exclusion no-da",
    ),
    (
        "a disabled exclusion",
        'logName:"cloudaudit.googleapis.com"',
        [{"name": "off", "filter": 'logName:"cloudaudit"', "disabled": True}],
        "TTTT",
        "",
    ),
    (
        "an exclusion of application logs only",
        "",
        [{"name": "noise", "filter": 'LOG_ID("stdout") OR LOG_ID("stderr") OR LOG_ID("requests")'}],
        "TTTT",
        "",
    ),
    (
        "an exclusion on another field",
        "",
        [{"name": "debug", "filter": 'resource.type="k8s_container" AND severity<=DEBUG'}],
        "UUUU",
        "exclusion debug: ",
    ),
    (
        "an exclusion sampling Data Access logs",
        'logName:"cloudaudit.googleapis.com"',
        [
            {
                "name": "half",
                "filter": 'log_id("cloudaudit.googleapis.com/data_access") sample(insertId, 0.5)',
            }
        ],
        "TUTT",
        "function sample() is not decided",
    ),
    (
        "a filter that does not parse",
        'logName:"cloudaudit.googleapis.com" AND (severity>=ERROR',
        [],
        "UUUU",
        "the filter does not parse: expected ')'",
    ),
    (
        "an exclusion that does not parse",
        'logName:"cloudaudit.googleapis.com"',
        [{"name": "bad", "filter": "logName:cloudaudit.googleapis.com"}],
        "UUUU",
        "exclusion bad does not parse",
    ),
    ("negated audit logs", 'NOT logName:"cloudaudit.googleapis.com"', [], "FFFF", ""),
    (
        "negated group",
        'NOT (resource.type="gce_instance" OR logName:"cloudaudit.googleapis.com")',
        [],
        "FFFF",
        "",
    ),
]


def letters(sink_filter: str, exclusions: list[dict[str, Any]], parent: str = ORG) -> str:
    verdicts = sink_verdicts(sink_filter, exclusions, kinds_below(parent))
    return "".join(LETTERS[verdicts[t].value] for t in AUDIT_LOG_TYPES)


@pytest.mark.parametrize(
    ("name", "sink_filter", "exclusions", "expected", "cause"), CASES, ids=[c[0] for c in CASES]
)
def test_real_world_filters(
    name: str, sink_filter: str, exclusions: list[dict[str, Any]], expected: str, cause: str
) -> None:
    verdicts = sink_verdicts(sink_filter, exclusions, kinds_below(ORG))
    assert "".join(LETTERS[verdicts[t].value] for t in AUDIT_LOG_TYPES) == expected, name
    for log_type, letter in zip(AUDIT_LOG_TYPES, expected, strict=True):
        causes = verdicts[log_type].causes
        assert bool(causes) is (letter != "T"), (log_type, causes)
        assert not causes or any(cause in c for c in causes), (log_type, causes)


@pytest.mark.parametrize("metric", CIS_METRIC_FILTERS, ids=list(CIS_METRIC_FILTERS))
def test_cis_metric_filters_parse_and_export_no_audit_type_for_certain(metric: str) -> None:
    """The CIS 2.4-2.11 log-based metric filters (reused by the metrics controls) parse; as
    sink filters they narrow audit logs by other fields, so no type is certain."""
    assert letters(CIS_METRIC_FILTERS[metric], []) == "UUUU"


def test_a_folder_sink_does_not_need_the_organizations_own_logs() -> None:
    """(``logName:"organizations/"`` alone would also match a project named
    ``organizations``.)"""
    text = 'logName:"cloudaudit.googleapis.com" AND NOT logName:"organizations/123/logs/"'
    assert letters(text, [], "folders/7") == "TTTT"
    assert letters(text, [], ORG) == "UUUU"


def test_evaluation_names_the_term_as_written() -> None:
    text = 'logName:"cloudaudit.googleapis.com"\n  AND   NOT    LOG_ID("cloudaudit.googleapis.com/policy")'
    tree = parse(text)
    assert not isinstance(tree, type(None))
    verdict = evaluate(tree, "policy", text)  # type: ignore[arg-type]
    assert verdict.value is Tri.FALSE
    assert verdict.causes == ('NOT LOG_ID("cloudaudit.googleapis.com/policy") (excludes them)',)


@pytest.mark.parametrize(
    "term",
    [
        'logName:"cloudaudit.googleapis.com/data_access"',
        'logName="projects/p/logs/cloudaudit.googleapis.com/data_access"',
        'LOG_ID("cloudaudit.googleapis.com%2Fdata_access")',
        'LOG_ID("CloudAudit.googleapis.com/data_access")',
    ],
)
def test_spellings_whose_meaning_is_not_documented_are_not_decided(term: str) -> None:
    """Log names hold the log id URL-encoded ('%2F'); log_id() takes it unencoded. Where a
    filter writes the other form, or other letter case in log_id(), Google does not say
    whether it matches: neither the term nor its negation decides anything."""
    for text in (term, f"NOT {term}"):
        verdict = sink_verdicts(text, [], kinds_below(ORG))["data_access"]
        assert verdict.value is Tri.UNKNOWN
        assert "not documented" in verdict.causes[0], verdict.causes
