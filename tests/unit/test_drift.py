"""Drift between two offline scans: one table row per kind of change.

Each case scans a world, changes it, scans again, and compares the two states built from the
reports and the inventories the scans collected (tests/offline.py worlds, saved and loaded as
``--inventory`` files, so the resources are exactly what a real scan records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from logwarden.reports import console, drift_view, json_report
from logwarden.scanner import drift, engine, field_diff, snapshot
from logwarden.scanner.drift import ScanState
from logwarden.scanner.field_diff import ABSENT
from logwarden.scanner.models import Resource, Waiver
from tests import aws_docs as d
from tests.offline import aws_catalogue
from tests.report_world import save_inventory

WAIVE_LOGGING = Waiver(
    checks="aws.s3.log_bucket_access_logging",
    reason="the SIEM collects them",
    owner="sec@example.com",
    expires="2999-12-31",
)


def scan_state(
    world: d.World, tmp: Path, name: str, waivers: list[Waiver] | None = None
) -> ScanState:
    """Scan ``world`` offline and return its comparable state (results + resources)."""
    cat, kinds = aws_catalogue()
    scan = snapshot.load(save_inventory(world, tmp / f"{name}.json"), kinds, cat.parameters)
    report = engine.run_scan(scan, cat, jobs=2, waivers=waivers, today=dt.date(2026, 11, 22))
    return drift.state_of(report, scan, scan_id=name)


def stop_org_trail(w: d.World) -> None:
    w.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False


def write_only_selectors(w: d.World) -> None:
    w.doc(d.MGMT, "aws.cloudtrail.trail")["EventSelectors"][0]["ReadWriteType"] = "WriteOnly"


def no_access_logging(w: d.World) -> None:
    w.doc(d.LOG, "aws.s3.bucket").pop("Logging")


def new_log_group(w: d.World) -> None:
    group = {"logGroupName": "app", "arn": f"arn:aws:logs:us-east-1:{d.WORK}:log-group:app"}
    w.tenants[d.WORK]["aws.logs.log_group"] = [
        Resource("aws.logs.log_group", group["arn"], d.WORK, "us-east-1", group)
    ]


def remove_log_group(w: d.World) -> None:
    w.tenants[d.MGMT]["aws.logs.log_group"] = []


def noise_only(w: d.World) -> None:
    """A later delivery time, reordered lists, a log group's stored bytes and a recorder's
    last delivery status: none is drift."""
    trail = w.doc(None, "aws.cloudtrail.org_trail")
    trail["Status"]["LatestDeliveryTime"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for account in w.org["aws.organizations.account"]:
        account.data["EffectivePolicyIds"].reverse()  # type: ignore[attr-defined]
    w.doc(d.LOG, "aws.kms.key")["UsedBy"].reverse()
    w.doc(d.MGMT, "aws.logs.log_group")["storedBytes"] = 123_456_789
    w.doc(d.WORK, "aws.config.recorder")["Status"]["lastStatus"] = "PENDING"


def nothing(w: d.World) -> None:
    pass


BUCKET = f"arn:aws:s3:::{d.BUCKET}"
LOG_GROUP = d.LOG_GROUP_ARN
# (case, before change, after change, waived after, expected)
CASES: list[tuple[str, Callable[[d.World], None], Callable[[d.World], None], bool, dict]] = [
    (
        "regression and field change",
        nothing,
        stop_org_trail,
        False,
        {
            "regressions": {"aws.cloudtrail.org_trail"},
            "changes": {
                ("aws.cloudtrail.org_trail", d.TRAIL_ARN, "Status.IsLogging: true -> false")
            },
        },
    ),
    (
        "list item field change",
        nothing,
        write_only_selectors,
        False,
        {
            "changes": {
                (
                    "aws.cloudtrail.trail",
                    d.TRAIL_ARN,
                    "EventSelectors[0].ReadWriteType: All -> WriteOnly",
                )
            }
        },
    ),
    (
        "resolved failure and added field",
        no_access_logging,
        nothing,
        False,
        {"resolved": {"aws.s3.log_bucket_access_logging"}, "changed_paths": {(BUCKET, "Logging")}},
    ),
    (
        "still failing",
        no_access_logging,
        no_access_logging,
        False,
        {"still_failing": {"aws.s3.log_bucket_access_logging"}},
    ),
    (
        "waived failure is no regression",
        nothing,
        no_access_logging,
        True,
        {"changed_paths": {(BUCKET, "Logging")}},
    ),
    (
        "new resource",
        nothing,
        new_log_group,
        False,
        {"new": {("aws.logs.log_group", f"arn:aws:logs:us-east-1:{d.WORK}:log-group:app")}},
    ),
    (
        "removed resource",
        nothing,
        remove_log_group,
        False,
        {"removed": {("aws.logs.log_group", LOG_GROUP)}},
    ),
    ("timestamps and ordering are not drift", nothing, noise_only, False, {}),
]


@pytest.mark.parametrize(
    ("before_change", "after_change", "waived", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_drift_table(
    tmp_path: Path,
    before_change: Callable[[d.World], None],
    after_change: Callable[[d.World], None],
    waived: bool,
    expected: dict,
) -> None:
    world = d.compliant_world()
    first, second = d.copy_world(world), d.copy_world(world)
    before_change(first)
    after_change(second)
    before = scan_state(first, tmp_path, "a")
    after = scan_state(second, tmp_path, "b", [WAIVE_LOGGING] if waived else None)
    result = drift.compare(before, after)

    assert {r.check_id for r in result.regressions} == expected.get("regressions", set())
    assert {r.check_id for r in result.resolved} == expected.get("resolved", set())
    assert {r.check_id for r in result.still_failing} == expected.get("still_failing", set())
    assert {(r.kind, r.id) for r in result.new_resources} == expected.get("new", set())
    assert {(r.kind, r.id) for r in result.removed_resources} == expected.get("removed", set())
    if "changes" in expected:
        assert {(c.kind, c.resource_id, str(c)) for c in result.changes} == expected["changes"]
    if "changed_paths" in expected:
        assert {(c.resource_id, c.path) for c in result.changes} == expected["changed_paths"]
    if not expected:
        assert result.empty, console.drift_text(drift_view.of(result))
    doc = json_report.drift_doc(drift_view.of(result))
    assert doc["counts"]["regressions"] == len(result.regressions)


def test_identity_is_the_fingerprint_not_the_message(tmp_path: Path) -> None:
    world = d.compliant_world()
    no_access_logging(world)
    before = scan_state(world, tmp_path, "a")
    after = scan_state(world, tmp_path, "b")
    for fp, row in after.results.items():
        after.results[fp] = drift.ResultRow(**{**row.__dict__, "message": "reworded"})
    result = drift.compare(before, after)
    assert not result.regressions and not result.resolved
    assert [r.check_id for r in result.still_failing] == ["aws.s3.log_bucket_access_logging"]


def test_no_previous_scan_makes_every_finding_a_regression(tmp_path: Path) -> None:
    world = d.compliant_world()
    stop_org_trail(world)
    result = drift.compare(None, scan_state(world, tmp_path, "a"))
    assert [r.check_id for r in result.regressions] == ["aws.cloudtrail.org_trail"]
    assert result.before_id is None and len(result.new_resources) > 5


def test_diff_paths_and_values() -> None:
    old = {"A": {"B": 1, "C": [1, 2]}, "D": "x", "E": True}
    new = {"A": {"B": 2, "C": [1, 2, 3]}, "E": False, "F": None}
    found = {(p, field_diff.show(a), field_diff.show(b)) for p, a, b in field_diff.diff(old, new)}
    assert found == {
        ("A.B", "1", "2"),
        ("A.C", "[1,2]", "[1,2,3]"),
        ("D", "x", "(absent)"),
        ("E", "true", "false"),
        ("F", "(absent)", "null"),
    }
    assert list(field_diff.diff({"T": "2026-01-01T00:00:00Z"}, {"T": "2026-02-01T00:00:00Z"})) == []
    assert list(field_diff.diff({"N": 1}, {"N": True})) == [("N", 1, True)]
    assert field_diff.show(ABSENT) == "(absent)"
    assert field_diff.show("") == '""'  # an empty string is not confused with nothing
    # version tokens change with every write, also writes that change nothing else
    versioned = {"IamPolicyEtag": "QndY1", "etag": "W/1", "ETag": "a", "AuditConfigs": []}
    changed = {"IamPolicyEtag": "QndY2", "etag": "W/2", "ETag": "b", "AuditConfigs": [1]}
    assert list(field_diff.diff(versioned, changed)) == [("AuditConfigs", [], [1])]


def test_volatile_fields_are_left_out_of_a_copy() -> None:
    doc = {"storedBytes": 1, "Status": {"lastStatus": "SUCCESS", "recording": True}, "n": 1}
    assert field_diff.without(doc, ("storedBytes", "Status.lastStatus", "Missing.field")) == {
        "Status": {"recording": True},
        "n": 1,
    }
    assert doc["storedBytes"] == 1 and doc["Status"]["lastStatus"] == "SUCCESS"  # untouched
    assert field_diff.without([1], ("a",)) == [1]


def test_first_seen_is_kept_while_the_status_holds(tmp_path: Path) -> None:
    cat, kinds = aws_catalogue()
    world = d.compliant_world()
    no_access_logging(world)
    scan = snapshot.load(save_inventory(world, tmp_path / "i.json"), kinds, cat.parameters)
    first = engine.evaluate_scan(scan, cat, jobs=1)
    first = replace(first, results=tuple(drift.carry_first_seen(first.results, None, "T1")))
    assert {r.first_seen for r in first.results} == {"T1"}
    second = engine.evaluate_scan(scan, cat, jobs=1)
    seen = drift.carry_first_seen(second.results, drift.state_of(first, None), "T2")
    assert {r.first_seen for r in seen} == {"T1"}
    assert {r.first_seen for r in second.results} == {None}  # new rows; the given ones stay
    state = drift.state_of(replace(second, results=tuple(seen)), None)
    world2 = d.compliant_world()
    scan2 = snapshot.load(save_inventory(world2, tmp_path / "j.json"), kinds, cat.parameters)
    third = engine.evaluate_scan(scan2, cat, jobs=1)
    rows = drift.carry_first_seen(third.results, state, "T3")
    fixed = [r for r in rows if r.check_id == "aws.s3.log_bucket_access_logging"]
    assert fixed and {r.first_seen for r in fixed} == {"T3"}


def test_one_change_is_shown_once(tmp_path: Path) -> None:
    """The organization trail is also a trail of the management account: stopping it is one
    change, shown once; a field the collector derives from another (the bucket's lifecycle
    summary) changes with its source and is not shown as a change of its own."""
    before = d.compliant_world()
    after = d.compliant_world()
    for doc in (
        after.doc(None, "aws.cloudtrail.org_trail"),
        after.doc(d.MGMT, "aws.cloudtrail.trail"),
    ):
        doc["Status"]["IsLogging"] = False
    bucket = after.doc(d.LOG, "aws.s3.bucket")
    bucket["Lifecycle"] = {
        "Rules": [{"ID": "short", "Status": "Enabled", "Expiration": {"Days": 30}}]
    }
    bucket["LogLifecycle"] = {"ExpireAfterDays": 30, "ArchiveAfterDays": None}
    found = drift.compare(
        scan_state(before, tmp_path, "before"), scan_state(after, tmp_path, "after")
    )
    paths = {c.path for c in found.changes if c.resource_id == BUCKET}
    assert paths and all(p.startswith("Lifecycle.") for p in paths), paths
    view = drift_view.of(found)
    lines = [
        (k, line) for (k, rid), ls in view.changes.items() if rid == d.TRAIL_ARN for line in ls
    ]
    assert lines == [("aws.cloudtrail.org_trail", "Status.IsLogging: true -> false")]
