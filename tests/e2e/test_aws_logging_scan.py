"""The installed CLI against the moto server: the logging slice's seeded defects (CIS AWS
4.6-4.9, 5.16, the log archive's readers, central Config aggregation) give exactly their FAIL
rows, and nothing else changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_aws_scan import Sandbox, expected_failures, keys, scan

pytestmark = pytest.mark.e2e

LOGGING_DEFECTS = (
    "org_trail_s3_writes_only",
    "security_hub_off",
    "vpc_no_flow_logs",
    "app_key_rotation_off",
    "log_reader_outside_org",
    "config_aggregator_home_only",
    "config_local_delivery",
)


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox()
    yield sandbox
    sandbox.server.stop()


def test_logging_defects_fail_exactly_their_rows(box: Sandbox, tmp_path: Path) -> None:
    world = box.world(LOGGING_DEFECTS)
    code, report, output = scan(box.server, tmp_path)
    expected = expected_failures(world)
    assert {e[0] for e in expected} >= {
        "aws.cloudtrail.s3_data_events_read",
        "aws.securityhub.enabled",
        "aws.ec2.vpc_flow_logs",
        "aws.kms.key_rotation",
        "aws.s3.log_archive_readers",
        "aws.config.org_aggregator",
        "aws.config.central_delivery",
    }
    got = keys(report, "FAIL")
    assert got - expected == set(), "false positives"
    assert expected - got == set(), "missed defects"
    assert keys(report, "ERROR") == set(), output
    assert code == 1
    # the passing side: every other account-region has Security Hub and logged VPCs
    hubs = [r for r in report["results"] if r["check_id"] == "aws.securityhub.enabled"]
    assert len(hubs) == len(world.accounts) * len(world.regions)
    assert sum(r["status"] == "PASS" for r in hubs) == len(hubs) - 1
    # the organization trail is named as what covers every account for write data events
    writes = [
        r for r in report["results"] if r["check_id"] == "aws.cloudtrail.s3_data_events_write"
    ]
    assert {r["status"] for r in writes} == {"PASS"}
    assert all(r["evidence"]["satisfied_by"] == [world.org_trail_arn] for r in writes)
    # keys rotation does not apply to are SKIPPED with the reason, never PASS
    skipped = [
        r
        for r in report["results"]
        if r["check_id"] == "aws.kms.key_rotation" and r["status"] == "SKIPPED"
    ]
    assert [r["tenant_id"] for r in skipped] == [world.log_archive_account_id]
    assert "asymmetric or HMAC" in skipped[0]["message"]
    # every principal that can read the logs is named, the outsider with why it may not
    (readers,) = [r for r in report["results"] if r["check_id"] == "aws.s3.log_archive_readers"]
    named = {(x["principal"], x["problem"] != "") for x in readers["evidence"]["Readers"]}
    reader_role = f"arn:aws:iam::{world.log_archive_account_id}:role/LogReader"
    assert named == {("arn:aws:iam::999999999999:root", True), (reader_role, False)}
