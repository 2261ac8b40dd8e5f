"""CIS GCP 2.4-2.11 offline: a log-based metric with the CIS filter and an alert policy with an
enabled channel, wherever the project's logs are counted (the real catalogue over documents)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from logwarden.checks.gcp.cis_metric_filters import BY_CIS_ID
from logwarden.checks.gcp.metric_alerts import CONTROLS, evaluate
from logwarden.scanner.collectors.gcp.kinds.monitoring import metric_references
from logwarden.scanner.models import CollectionError, KindCollection, Status
from tests import gcp_docs as d
from tests import gcp_monitoring_docs as m
from tests.offline import scan_gcp_world

KIND = "gcp.monitoring.log_metric_alerts"
BY_CIS = {cis: control for control, cis in CONTROLS.items()}
CIS_2_5 = BY_CIS_ID["2.5"].filter
REORDERED_2_5 = (
    "(  protoPayload.serviceData.policyDelta.auditConfigDeltas:* )\n\n"
    'AND ((protoPayload.methodName =   "SetIamPolicy"))'
)
MISSING_DELETE_2_6 = (
    'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" '
    'OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")'
)


def app_rows(change: Callable[[dict[str, Any]], None]) -> dict[str, tuple[Status, str]]:
    model = d.compliant_model()
    doc = m.alerting_doc(d.APP)
    change(doc)
    model.alerting[d.APP] = doc
    report = scan_gcp_world(d.build(model))
    return {
        r.check_id: (r.status, r.message)
        for r in report.results
        if r.check_id in CONTROLS and r.tenant_id == d.APP
    }


def _metric(doc: dict[str, Any], cis: str) -> dict[str, Any]:
    return next(x for x in doc["Metrics"] if x["name"] == m.metric_name(cis))


def _policy(doc: dict[str, Any], cis: str) -> dict[str, Any]:
    return next(
        p for p in doc["AlertPolicies"] if p["displayName"] == f"alert-{m.metric_name(cis)}"
    )


def test_the_compliant_project_passes_every_metric_control_and_says_where() -> None:
    found = app_rows(lambda doc: None)
    assert {c: s for c, (s, _) in found.items()} == dict.fromkeys(CONTROLS, Status.PASS)
    _, message = found[BY_CIS["2.4"]]
    assert "projects/lw-logging/metrics/cis-2-4" in message
    assert "metrics scope of projects/lw-logging" in message


def test_spacing_order_and_redundant_parentheses_still_pass() -> None:
    def reorder(doc: dict[str, Any]) -> None:
        _metric(doc, "2.5")["filter"] = REORDERED_2_5

    assert app_rows(reorder)[BY_CIS["2.5"]][0] is Status.PASS


def test_a_filter_missing_one_method_name_fails_and_names_it() -> None:
    def drop(doc: dict[str, Any]) -> None:
        _metric(doc, "2.6")["filter"] = MISSING_DELETE_2_6

    status, message = app_rows(drop)[BY_CIS["2.6"]]
    assert status is Status.FAIL
    assert "DeleteRole" in message
    assert message.index("cis-2-6") < message.index("cis-2-4")  # the near miss comes first


@pytest.mark.parametrize(
    ("cis", "change", "words"),
    [
        ("2.7", lambda p: p["NotificationChannels"][0].update(enabled=False), "disabled"),
        ("2.8", lambda p: p.update(enabled=False), "the policy is disabled"),
        ("2.9", lambda p: p.update(NotificationChannels=[]), "no notification channel"),
        ("2.10", lambda p: p.update(MetricTypes=["logging.googleapis.com/user/other"]),
         "no alert policy in a project that can alert on it"),
    ],
    ids=["disabled-channel", "disabled-policy", "no-channel", "other-metric"],
)  # fmt: skip
def test_an_alert_policy_that_does_not_count_fails(
    cis: str, change: Callable[[dict[str, Any]], None], words: str
) -> None:
    status, message = app_rows(lambda doc: change(_policy(doc, cis)))[BY_CIS[cis]]
    assert status is Status.FAIL
    assert words in message


def test_a_disabled_metric_and_a_metric_of_another_bucket_fail() -> None:
    def change(doc: dict[str, Any]) -> None:
        _metric(doc, "2.11")["disabled"] = True
        _metric(doc, "2.4")["bucketName"] = "projects/lw-logging/locations/global/buckets/app"

    found = app_rows(change)
    assert found[BY_CIS["2.11"]][0] is Status.FAIL
    assert "the metric is disabled" in found[BY_CIS["2.11"]][1]
    assert found[BY_CIS["2.4"]][0] is Status.FAIL
    assert "log bucket projects/lw-logging/locations/global/buckets/app" in found[BY_CIS["2.4"]][1]


def test_a_central_project_counts_only_through_a_scope_or_a_sink() -> None:
    # the central project's metrics and policies, but it neither monitors the project nor
    # receives its logs
    def unscoped(doc: dict[str, Any]) -> None:
        doc["Sources"] = [s for s in doc["Sources"] if s["Project"] == d.APP]

    assert set(s for s, _ in app_rows(unscoped).values()) == {Status.FAIL}
    # the same project as the destination of an aggregated sink: counts, and says so
    via = "destination of sink //logging.googleapis.com/organizations/111/sinks/org-audit"

    def by_sink(doc: dict[str, Any]) -> None:
        doc["Sources"][1]["Via"] = [via]

    found = app_rows(by_sink)
    assert {s for s, _ in found.values()} == {Status.PASS}
    assert via in found[BY_CIS["2.4"]][1]


def test_a_policy_must_be_where_it_can_read_the_metric() -> None:
    def elsewhere(doc: dict[str, Any]) -> None:
        doc["Sources"][1]["PolicyProjects"] = ["lw-other"]

    assert {s for s, _ in app_rows(elsewhere).values()} == {Status.FAIL}


def test_a_collection_error_is_an_error_row_never_a_pass() -> None:
    error = CollectionError("gcp", d.APP, KIND, "", "PERMISSION_DENIED", "denied")
    report = scan_gcp_world(
        d.build(d.compliant_model()), errors={(d.APP, KIND): KindCollection(errors=(error,))}
    )
    found = {r.check_id: r.status for r in report.results if r.tenant_id == d.APP}
    assert {found[c] for c in CONTROLS} == {Status.ERROR}


def test_evaluate_lists_every_candidate_metric_with_where_it_was_found() -> None:
    ok, evidence = evaluate(m.alerting_doc(d.APP), BY_CIS_ID["2.5"])
    assert ok
    assert (
        evidence["satisfied_by"]["alert_policy"]
        == "projects/lw-logging/alertPolicies/alert-cis-2-5"
    )
    assert set(evidence["sources"]) == {d.APP, "lw-logging"}
    assert len(evidence["metrics"]) >= 1


def test_policy_conditions_name_their_metrics_in_filters_mql_and_promql() -> None:
    condition = {
        "conditionThreshold": {"filter": 'metric.type="logging.googleapis.com/user/a-b" AND x'},
        "conditionMonitoringQueryLanguage": {
            "query": "fetch global | metric 'logging.googleapis.com/user/c.d' | every 1m"
        },
    }
    types, _ = metric_references(condition)
    assert types == ["logging.googleapis.com/user/a-b", "logging.googleapis.com/user/c.d"]
    promql_condition = {
        "conditionPrometheusQueryLanguage": {"query": "sum(logging_googleapis_com:user_a_b) > 0"}
    }
    assert metric_references(promql_condition) == ([], ["a_b"])
