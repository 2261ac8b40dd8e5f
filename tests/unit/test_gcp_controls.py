"""Every GCP control passes on the compliant organization and fails on its own defect, offline
(the real catalogue over normalized documents, derived fields computed by the collector)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from logwarden.scanner.models import (
    CheckResult,
    CollectionError,
    KindCollection,
    ScanReport,
    Status,
)
from logwarden_sandbox.gcp_defects import DROPS_DATA_ACCESS
from tests import gcp_docs as d
from tests.catalogue import control_ids
from tests.offline import rows, scan_gcp_world, statuses

DATA_ACCESS = "gcp.audit.data_access_logs"
ORG_SINK = "gcp.logging.org_sink"
RETENTION = "gcp.logging.bucket_retention"
LOCKED = "gcp.logging.bucket_locked"
STORAGE_LOCKED = "gcp.storage.sink_bucket_locked"
ORG_AUDIT_SINK = f"logging.googleapis.com/{d.CENTRAL}"


def scan(model: d.Model, **parameters: Any) -> ScanReport:
    return scan_gcp_world(d.build(model), **parameters)


def gcp_rows(report: ScanReport, check_id: str, tenant: str | None = None) -> dict[str, Status]:
    return {r.tenant_id: r.status for r in rows(report, check_id, tenant)}


def test_compliant_organization_passes_every_gcp_control() -> None:
    report = scan(d.compliant_model(), require_log_bucket_cmek=True)
    gcp = [r for r in report.results if r.cloud == "gcp"]
    assert {r.check_id for r in gcp} == control_ids("gcp")
    assert [(r.check_id, r.tenant_id, r.message) for r in gcp if r.status is not Status.PASS] == []
    assert int(report.exit_code) == 0
    # one row per project for the audit config, one organization row for the sink
    assert gcp_rows(report, DATA_ACCESS) == {d.LOGGING_PROJECT: Status.PASS, d.APP: Status.PASS}
    assert [(r.tenant_id, r.resource_id) for r in rows(report, ORG_SINK)] == [(d.ORG, d.ORG)]
    # buckets are evaluated in the project that owns them
    assert [r.tenant_id for r in rows(report, RETENTION)] == [d.LOGGING_PROJECT]


def _org_sink(model: d.Model) -> dict:
    return model.sinks[d.ORG][0]


def _exempt_at(node: str) -> Callable[[d.Model], object]:
    def apply(model: d.Model) -> None:
        model.audit.setdefault(node, []).append(
            d.all_services("DATA_READ", exempted=("user:auditor@example.com",))
        )

    return apply


# (name, mutate the model, failing control, failing tenant (project id, or the org))
DEFECTS: list[tuple[str, Callable[[d.Model], object], str, str]] = [
    ("no audit config", lambda m: m.audit.pop(d.ORG), DATA_ACCESS, d.APP),
    (
        "DATA_WRITE missing",
        lambda m: m.audit.__setitem__(d.ORG, [d.all_services("ADMIN_READ", "DATA_READ")]),
        DATA_ACCESS,
        d.APP,
    ),
    (
        "service-specific config does not replace allServices",
        lambda m: m.audit.__setitem__(
            d.ORG, [{**d.all_services(), "service": "storage.googleapis.com"}]
        ),
        DATA_ACCESS,
        d.APP,
    ),
    ("member exempted at the organization", _exempt_at(d.ORG), DATA_ACCESS, d.APP),
    ("member exempted at a folder", _exempt_at(d.WORKLOADS), DATA_ACCESS, d.APP),
    ("member exempted in the project", _exempt_at(f"projects/{d.APP}"), DATA_ACCESS, d.APP),
    (
        "member exempted in a service-specific config",
        lambda m: m.audit.__setitem__(
            f"projects/{d.APP}",
            [
                {
                    "service": "bigquery.googleapis.com",
                    "auditLogConfigs": [
                        {"logType": "DATA_READ", "exemptedMembers": ["user:x@example.com"]}
                    ],
                }
            ],
        ),
        DATA_ACCESS,
        d.APP,
    ),
    ("no org sink", lambda m: m.sinks.pop(d.ORG), ORG_SINK, d.ORG),
    (
        "org sink without includeChildren",
        lambda m: _org_sink(m).update(includeChildren=False),
        ORG_SINK,
        d.ORG,
    ),
    ("org sink disabled", lambda m: _org_sink(m).update(disabled=True), ORG_SINK, d.ORG),
    (
        "org sink filter without audit logs",
        lambda m: _org_sink(m).update(filter='resource.type="gce_instance"'),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink filter negating audit logs",
        lambda m: _org_sink(m).update(filter='NOT logName:"cloudaudit.googleapis.com"'),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink filter negating Data Access logs",
        lambda m: _org_sink(m).update(filter=DROPS_DATA_ACCESS),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink filter narrowed by severity",
        lambda m: _org_sink(m).update(filter=f"{d.AUDIT_FILTER} AND severity>=NOTICE"),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink filter that does not parse",
        lambda m: _org_sink(m).update(filter=f"({d.AUDIT_FILTER}"),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink exclusion drops audit logs",
        lambda m: _org_sink(m).update(
            exclusions=[{"name": "x", "filter": 'logName:"cloudaudit.googleapis.com/data_access"'}]
        ),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink destination missing",
        lambda m: m.exists.__setitem__(ORG_AUDIT_SINK, False),
        ORG_SINK,
        d.ORG,
    ),
    (
        "org sink to BigQuery is not verified",
        lambda m: _org_sink(m).update(destination="bigquery.googleapis.com/projects/p/datasets/d"),
        ORG_SINK,
        d.ORG,
    ),
    (
        "bucket keeps 30 days",
        lambda m: m.log_buckets[d.CENTRAL].update(retentionDays=30),
        RETENTION,
        d.LOGGING_PROJECT,
    ),
    (
        "bucket unlocked",
        lambda m: m.log_buckets[d.CENTRAL].update(locked=False),
        LOCKED,
        d.LOGGING_PROJECT,
    ),
    (
        "storage retention not locked",
        lambda m: m.storage[d.ARCHIVE]["retentionPolicy"].update(isLocked=False),
        STORAGE_LOCKED,
        d.LOGGING_PROJECT,
    ),
    (
        "storage without retention policy",
        lambda m: m.storage[d.ARCHIVE].pop("retentionPolicy"),
        STORAGE_LOCKED,
        d.LOGGING_PROJECT,
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate", "check_id", "tenant"), DEFECTS, ids=[x[0] for x in DEFECTS]
)
def test_each_defect_fails_its_control(
    name: str, mutate: Callable[[d.Model], object], check_id: str, tenant: str
) -> None:
    model = d.compliant_model()
    mutate(model)
    report = scan(model)
    failed = {(r.check_id, r.tenant_id) for r in report.results if r.status is Status.FAIL}
    assert (check_id, tenant) in failed, name
    assert {c for c, _ in failed} == {check_id}, f"{name}: other controls failed too: {failed}"
    assert int(report.exit_code) == 1


def test_audit_config_only_at_a_folder_passes_for_every_project_below() -> None:
    model = d.compliant_model()
    model.audit = {d.PLATFORM: [d.all_services()], d.WORKLOADS: [d.all_services()]}
    assert gcp_rows(scan(model), DATA_ACCESS) == {
        d.LOGGING_PROJECT: Status.PASS,
        d.APP: Status.PASS,
    }


def test_audit_config_at_one_folder_only_covers_that_folder() -> None:
    model = d.compliant_model()
    model.audit = {d.WORKLOADS: [d.all_services()]}
    assert gcp_rows(scan(model), DATA_ACCESS) == {
        d.LOGGING_PROJECT: Status.FAIL,
        d.APP: Status.PASS,
    }


def test_log_types_are_the_union_over_the_hierarchy() -> None:
    model = d.compliant_model()
    model.audit = {
        d.ORG: [d.all_services("ADMIN_READ")],
        d.WORKLOADS: [d.all_services("DATA_READ")],
        f"projects/{d.APP}": [d.all_services("DATA_WRITE")],
    }
    report = scan(model)
    assert gcp_rows(report, DATA_ACCESS) == {d.LOGGING_PROJECT: Status.FAIL, d.APP: Status.PASS}
    failure = rows(report, DATA_ACCESS, d.LOGGING_PROJECT)[0]
    assert "DATA_READ" in failure.message and "AllServices.LogTypes" in failure.message


def test_service_specific_config_next_to_all_services_still_passes() -> None:
    model = d.compliant_model()
    model.audit[f"projects/{d.APP}"] = [
        {"service": "storage.googleapis.com", "auditLogConfigs": [{"logType": "DATA_READ"}]}
    ]
    assert statuses(scan(model), DATA_ACCESS) == {Status.PASS}


def test_exempted_member_is_reported_with_where_it_is_set() -> None:
    model = d.compliant_model()
    _exempt_at(d.WORKLOADS)(model)
    row = rows(scan(model), DATA_ACCESS, d.APP)[0]
    assert row.status is Status.FAIL
    assert "user:auditor@example.com" in row.message
    assert d.WORKLOADS in str(row.evidence)


def org_sink_row_with_filter(sink_filter: str) -> CheckResult:
    model = d.compliant_model()
    _org_sink(model)["filter"] = sink_filter
    row = rows(scan(model), ORG_SINK)[0]
    assert row.status is Status.FAIL
    return row


def test_a_sink_without_data_access_logs_fails_and_says_which_term() -> None:
    row = org_sink_row_with_filter(DROPS_DATA_ACCESS)
    assert (
        "org-audit at organizations/111: data_access audit logs not exported: NOT logName:"
        '"cloudaudit.googleapis.com%2Fdata_access" (excludes them)'
    ) in row.message
    sink_id = f"{d.LOGGING}{d.ORG}/sinks/org-audit"
    assert row.evidence["audit_log_types"][sink_id] == {
        "activity": "every entry is exported",
        "data_access": 'not exported: NOT logName:"cloudaudit.googleapis.com%2Fdata_access" '
        "(excludes them)",
        "system_event": "every entry is exported",
        "policy": "every entry is exported",
    }


def test_a_term_that_cannot_be_decided_is_named_with_the_types_it_leaves_open() -> None:
    row = org_sink_row_with_filter(f'{d.AUDIT_FILTER} resource.type!="k8s_cluster"')
    assert (
        "activity, data_access, system_event, policy audit logs not decided: "
        'resource.type!="k8s_cluster" (a term on resource.type)'
    ) in row.message


def test_the_central_bucket_is_still_checked_when_one_type_is_left_out() -> None:
    model = d.compliant_model()
    _org_sink(model)["filter"] = DROPS_DATA_ACCESS
    model.log_buckets[d.CENTRAL]["retentionDays"] = 30
    assert statuses(scan(model), RETENTION) == {Status.FAIL}


def test_an_inventory_without_per_type_verdicts_is_an_error_not_a_finding() -> None:
    world = d.build(d.compliant_model())
    sink = world.org["gcp.logging.org_sink"][0]
    del sink.data["AuditLogTypes"]  # as saved by a logwarden older than the verdicts
    report = scan_gcp_world(world)
    row = rows(report, ORG_SINK)[0]
    assert row.status is Status.ERROR
    assert "older logwarden" in row.message and sink.id in row.message
    assert int(report.exit_code) == 3


def test_project_level_sink_alone_does_not_cover_the_organization() -> None:
    model = d.compliant_model()
    model.sinks.pop(d.ORG)
    model.sinks[f"projects/{d.APP}"] = [d.sink("mine", ORG_AUDIT_SINK, includeChildren=False)]
    row = rows(scan(model), ORG_SINK)[0]
    assert row.status is Status.FAIL
    assert "lw-app" in row.message


def test_sinks_on_every_top_folder_cover_the_organization() -> None:
    model = d.compliant_model()
    model.sinks.pop(d.ORG)
    model.sinks[d.WORKLOADS] = [d.sink("workloads", ORG_AUDIT_SINK)]
    row = rows(scan(model), ORG_SINK)[0]
    assert row.status is Status.PASS, row.message
    assert "every folder" in row.message


def test_a_project_directly_under_the_organization_needs_the_org_sink() -> None:
    model = d.compliant_model()
    model.sinks.pop(d.ORG)
    model.sinks[d.WORKLOADS] = [d.sink("workloads", ORG_AUDIT_SINK)]
    model.projects["lw-orphan"] = d.ORG
    row = rows(scan(model), ORG_SINK)[0]
    assert row.status is Status.FAIL
    assert "lw-orphan" in row.message


def test_default_bucket_at_30_days_fails_retention_and_lock() -> None:
    model = d.compliant_model()
    default = f"projects/{d.LOGGING_PROJECT}/locations/global/buckets/_Default"
    _org_sink(model)["destination"] = f"logging.googleapis.com/{default}"
    model.exists[f"logging.googleapis.com/{default}"] = True
    model.log_buckets = {default: {"retentionDays": 30, "locked": False}}
    report = scan(model)
    assert statuses(report, RETENTION) == {Status.FAIL}
    assert statuses(report, LOCKED) == {Status.FAIL}
    assert rows(report, RETENTION)[0].resource_id.endswith("/buckets/_Default")
    assert statuses(report, ORG_SINK) == {Status.PASS}


def test_retention_parameter_is_honoured() -> None:
    model = d.compliant_model()
    model.log_buckets[d.CENTRAL]["retentionDays"] = 400
    assert statuses(scan(model, log_retention_days=400), RETENTION) == {Status.PASS}
    assert statuses(scan(model, log_retention_days=401), RETENTION) == {Status.FAIL}


@pytest.mark.parametrize(
    ("project", "kind", "check_id"),
    [
        (d.APP, "gcp.audit.effective_config", DATA_ACCESS),
        (d.LOGGING_PROJECT, "gcp.logging.bucket", RETENTION),
        (d.LOGGING_PROJECT, "gcp.storage.bucket", STORAGE_LOCKED),
        (None, "gcp.logging.org_sink", ORG_SINK),
    ],
)
def test_collection_error_is_an_error_row_never_a_pass(
    project: str | None, kind: str, check_id: str
) -> None:
    error = CollectionError("gcp", project or d.ORG, kind, "", "PERMISSION_DENIED", "denied")
    report = scan_gcp_world(
        d.build(d.compliant_model()),
        errors={(project, kind): KindCollection(errors=(error,))},
        require_log_bucket_cmek=True,
    )
    tenant = project or d.ORG
    assert statuses(report, check_id, tenant) == {Status.ERROR}
    assert "PERMISSION_DENIED" in rows(report, check_id, tenant)[0].message
    others = {r.status for r in report.results if r.cloud == "gcp" and r.tenant_id != tenant}
    assert others == {Status.PASS}
    assert int(report.exit_code) == 3


def test_controls_have_frameworks_and_remediation() -> None:
    from tests.offline import gcp_catalogue

    cat, _ = gcp_catalogue()
    assert set(cat.checks) == control_ids("gcp")
    for check in cat.checks.values():
        assert check.remediation.text and check.remediation.cli and check.remediation.terraform
        assert check.references and check.frameworks
    cis = {c.id: c.frameworks.get("cis-gcp-2.0") for c in cat.checks.values()}
    assert cis[DATA_ACCESS] == ("2.1",) and cis[ORG_SINK] == ("2.2",)
    assert cis[STORAGE_LOCKED] == ("2.3",)
