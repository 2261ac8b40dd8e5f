"""The monitoring controls through the installed CLI against the moto server: the sandbox's
alerting (metric filters, alarms, topics on the organization trail's log group, and an
EventBridge rule in the management account) passes, every monitoring defect fails exactly its
rows, and a scan without the monitoring controls reads none of the new APIs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from logwarden_sandbox.aws_defects_monitoring import DEFECTS as MONITORING_DEFECTS
from tests.catalogue import control_ids
from tests.cli_process import aws_org_config
from tests.e2e.test_aws_scan import REGIONS, Sandbox, expected_failures, keys, scan

pytestmark = pytest.mark.e2e

MONITORING = sorted(i for i in control_ids("aws") if i.startswith("aws.monitoring."))
# Every operation the monitoring kinds call, faulted: a scan that calls none stays clean.
NEW_OPERATIONS = (
    ("logs", "DescribeMetricFilters"),
    ("cloudwatch", "*"),
    ("events", "*"),
    ("sns", "*"),
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.server.stop()


def test_every_monitoring_defect_fails_exactly_its_rows(sandbox: Sandbox, tmp_path: Path) -> None:
    world = sandbox.world(tuple(MONITORING_DEFECTS))
    code, report, output = scan(sandbox.server, tmp_path)
    expected = expected_failures(world)
    assert {check for check, _, _ in expected} == set(MONITORING)  # one defect per control
    got = keys(report, "FAIL")
    assert got - expected == set(), "false positives"
    assert expected - got == set(), "missed defects"
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    by_row = {(r["check_id"], r["tenant_id"]): r["message"] for r in report["results"]}
    member = world.accounts["workload-1"]
    missing = by_row[("aws.monitoring.iam_policy_changes_alarm", member)]
    assert "DetachGroupPolicy" in missing and world.log_group_arn in missing
    # the management account's EventBridge rule covers CloudTrail changes on its own
    management = by_row[("aws.monitoring.cloudtrail_changes_alarm", world.management_account_id)]
    assert management.startswith("alerted by EventBridge rule"), management


def test_the_compliant_zone_alerts_every_account_through_the_org_trail(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    world = sandbox.world()
    # the metric filters satisfy everything: no account needs its EventBridge rules
    sandbox.server.faults.add(error="AccessDenied", service="events")
    try:
        _, report, output = scan(sandbox.server, tmp_path)
    finally:
        sandbox.server.faults.clear()
    assert report["errors"] == [], output
    rows = [r for r in report["results"] if r["check_id"] in MONITORING]
    assert {r["status"] for r in rows} == {"PASS"}, output
    assert {r["tenant_id"] for r in rows} == set(world.accounts.values())
    for row in rows:
        assert world.log_group_arn in row["message"], row["message"]


def test_a_scan_without_the_monitoring_controls_calls_none_of_their_apis(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.world()
    disabled = "".join(f"  - id: {c}\n    enabled: false\n" for c in MONITORING)
    (tmp_path / "logwarden.yaml").write_text(aws_org_config(REGIONS) + "overrides:\n" + disabled)
    for service, action in NEW_OPERATIONS:
        sandbox.server.faults.add(error="AccessDenied", service=service, action=action)
    try:
        code, report, output = scan(sandbox.server, tmp_path)
    finally:
        sandbox.server.faults.clear()
    assert report["errors"] == [], output
    assert keys(report, "ERROR") == set(), output
    assert not any(r["check_id"] in MONITORING for r in report["results"])
    assert code == 0, output
