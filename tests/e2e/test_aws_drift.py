"""Who changed it, end to end: the installed CLI attributes AWS drift from CloudTrail.

A seeded landing zone is scanned with ``--history``; the sandbox then changes it as an
administrator would (``logwarden_sandbox.aws_changes``: the change through the AWS API, its
CloudTrail record delivered to the organization trail's archive and to event history), and
a second scan with ``--drift`` must name who did it, from which address, and where it read
that. Two zones: one where the archive is readable (and a third scan with nothing changed),
one where the log bucket denies reads so event history (LookupEvents) has to answer.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox import aws_changes
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.cli_process import aws_org_config, cli_env, moto_env, run_logwarden

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")
ORG_TRAIL_KINDS = {"aws.cloudtrail.org_trail", "aws.cloudtrail.trail"}
BUCKET_KIND = "aws.s3.bucket"


def scan(server: MotoServer, cwd: Path, report: str, *extra: str) -> dict[str, Any]:
    """One ``logwarden scan --history`` with only the emulator's endpoint and fake keys."""
    env = cli_env(cwd, moto_env(server.endpoint_url, REGIONS[0]))
    config = cwd / "logwarden.yaml"
    if not config.exists():
        config.write_text(aws_org_config(REGIONS))
    args = ["scan", "--config", str(config), "--history", "scans.db", "--json", report, *extra]
    proc = run_logwarden(args, cwd, env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    doc: dict[str, Any] = json.loads((cwd / report).read_text())
    return doc


def after_start_of(report: dict[str, Any]) -> None:
    """Wait until the wall clock is past the second the report's scan started in: events are
    logged to the second and the window is ``start < eventTime``."""
    started = dt.datetime.fromisoformat(report["scan"]["started_at"])
    while dt.datetime.now(dt.UTC) < started + dt.timedelta(seconds=1):
        time.sleep(0.05)


@dataclass
class Scenario:
    world: World
    first: dict[str, Any]
    second: dict[str, Any]
    stop: dict[str, Any]
    lifecycle: dict[str, Any]
    third: dict[str, Any] | None = None


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer() as srv:
        yield srv
        srv.reset()


def _seed(server: MotoServer) -> World:
    server.reset()
    zone = standard_landing_zone(members=1, regions=REGIONS)
    return seed_landing_zone(zone, endpoint_url=server.endpoint_url)


@pytest.fixture(scope="module")
def archived(server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Scan; shorten the lifecycle, then stop the org trail (both reach its archive); scan
    with --drift; scan again with nothing changed."""
    cwd = tmp_path_factory.mktemp("archived")
    world = _seed(server)
    first = scan(server, cwd, "r1.json", "--drift")  # against an empty history
    after_start_of(first)
    lifecycle = aws_changes.shorten_log_bucket_lifecycle(world, expire_days=30)
    stop = aws_changes.stop_org_trail(world)
    second = scan(server, cwd, "r2.json", "--drift")
    third = scan(server, cwd, "r3.json", "--drift")
    return Scenario(world, first, second, stop, lifecycle, third)


@pytest.fixture(scope="module")
def unreadable(
    server: MotoServer, tmp_path_factory: pytest.TempPathFactory, archived: Scenario
) -> Scenario:
    """Stop the org trail, then shorten the lifecycle (event history only: the trail is
    stopped), and deny every object read of the log bucket before the second scan."""
    cwd = tmp_path_factory.mktemp("unreadable")
    world = _seed(server)
    first = scan(server, cwd, "r1.json")
    after_start_of(first)
    stop = aws_changes.stop_org_trail(world, source_ip="192.0.2.44")
    lifecycle = aws_changes.shorten_log_bucket_lifecycle(world, expire_days=7)
    server.faults.add(error="AccessDenied", service="s3", action="", bucket=world.log_bucket)
    try:
        second = scan(server, cwd, "r2.json", "--drift")
    finally:
        server.faults.clear()
    return Scenario(world, first, second, stop, lifecycle)


def _who(item: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(w["principal"], w["action"], w["source_ip"], w["source"]) for w in item["who"]]


def _regressions(doc: dict[str, Any], kinds: set[str], world: World) -> list[dict[str, Any]]:
    """The regressions caused by the org trail (one of ``kinds`` with its ARN)."""
    wanted = {(k, world.org_trail_arn) for k in kinds}
    return [
        r
        for r in doc["drift"]["regressions"]
        if {(c["kind"], c["resource_id"]) for c in r.get("caused_by", [])} & wanted
    ]


def _changes(doc: dict[str, Any], kind: str, resource_id: str) -> list[dict[str, Any]]:
    return [
        c for c in doc["drift"]["changes"] if c["kind"] == kind and c["resource_id"] == resource_id
    ]


def test_first_scan_has_no_window_and_attributes_nothing(archived: Scenario) -> None:
    drift = archived.first["drift"]
    assert drift["before"] == {"id": None, "time": None}  # nothing recorded before
    assert drift["window"] is None
    assert drift["new_resources"], "against an empty history every resource is new"
    assert drift["regressions"] == []  # the seeded zone starts compliant


def test_stopped_org_trail_regressions_name_who_from_the_archive(archived: Scenario) -> None:
    world, stop = archived.world, archived.stop
    rows = _regressions(archived.second, ORG_TRAIL_KINDS, world)
    assert {r["check_id"] for r in rows} >= {"aws.cloudtrail.account_covered"}
    covered = {r["tenant_id"] for r in rows if r["check_id"] == "aws.cloudtrail.account_covered"}
    assert covered == set(world.accounts.values())  # every account lost its coverage
    prefix = f"s3://{world.log_bucket}/AWSLogs/{world.org_id}/{world.management_account_id}/"
    for row in rows:
        assert row["who_error"] == ""
        stops = [w for w in row["who"] if w["action"] == "StopLogging"]
        assert len(stops) == 1, row
        event = stops[0]
        assert event["principal"] == stop["userIdentity"]["arn"]
        assert event["principal"].startswith(
            f"arn:aws:sts::{world.management_account_id}:assumed-role/"
        )
        assert event["source_ip"] == "203.0.113.10"
        assert event["source"].startswith(prefix) and event["source"].endswith(".json.gz")
        assert event["event_id"] == stop["eventID"]
        assert event["resource"] == "org-trail"
    change = _changes(archived.second, "aws.cloudtrail.org_trail", world.org_trail_arn)
    assert [c["path"] for c in change if c["path"] == "Status.IsLogging"] == ["Status.IsLogging"]
    assert all(_who(c) == _who(change[0]) for c in change)


def test_lifecycle_change_names_who_from_the_archive(archived: Scenario) -> None:
    world, lifecycle = archived.world, archived.lifecycle
    changes = _changes(archived.second, BUCKET_KIND, f"arn:aws:s3:::{world.log_bucket}")
    paths = {c["path"]: c for c in changes}
    # the lifecycle rule's change, once: the derived summary (LogLifecycle) is not a change
    assert any(p.startswith("Lifecycle.Rules") for p in paths), paths
    assert not any(p.startswith("LogLifecycle") for p in paths), paths
    for change in changes:
        assert change["who_error"] == ""
        assert _who(change) == [
            (
                lifecycle["userIdentity"]["arn"],
                "PutBucketLifecycle",
                "198.51.100.23",
                change["who"][0]["source"],
            )
        ]
        source = change["who"][0]["source"]
        assert source.startswith(
            f"s3://{world.log_bucket}/AWSLogs/{world.org_id}/{world.log_archive_account_id}/"
            f"CloudTrail/{world.home_region}/"
        )
    regressions = [
        r
        for r in archived.second["drift"]["regressions"]
        if r["check_id"].startswith("aws.s3.log_bucket_lifecycle")
    ]
    assert regressions, "the shortened expiry must fail the lifecycle control"
    assert all(any(w["action"] == "PutBucketLifecycle" for w in r["who"]) for r in regressions)


def test_nothing_changed_attributes_nothing(archived: Scenario) -> None:
    assert archived.third is not None
    drift = archived.third["drift"]
    assert drift["counts"]["changes"] == 0 and drift["counts"]["regressions"] == 0
    assert drift["changes"] == [] and drift["removed_resources"] == []
    assert all("who" not in r for r in drift["still_failing"])


def test_unreadable_archive_falls_back_to_event_history(unreadable: Scenario) -> None:
    world, stop, lifecycle = unreadable.world, unreadable.stop, unreadable.lifecycle
    rows = _regressions(unreadable.second, ORG_TRAIL_KINDS, world)
    assert rows
    history = f"cloudtrail:LookupEvents {world.management_account_id}/{world.home_region}"
    for row in rows:
        assert row["who_error"] == ""
        assert [w for w in _who(row) if w[1] == "StopLogging"] == [
            (stop["userIdentity"]["arn"], "StopLogging", "192.0.2.44", history)
        ]
    changes = _changes(unreadable.second, BUCKET_KIND, f"arn:aws:s3:::{world.log_bucket}")
    assert changes
    archive_history = f"cloudtrail:LookupEvents {world.log_archive_account_id}/{world.home_region}"
    for change in changes:
        assert change["who_error"] == ""
        assert _who(change) == [
            (
                lifecycle["userIdentity"]["arn"],
                "PutBucketLifecycle",
                "198.51.100.23",
                archive_history,
            )
        ]
