"""Attribution on the engine side: subjects, linking regressions to them, asking the plugins,
the search window, and recording who-made-it in history for ``logwarden drift``.

The cloud readers have their own tests (test_<cloud>_attribution.py and tests/e2e); here a
small reader stands in for the registered AWS cloud's ``attribute``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from logwarden.reports import console, drift_view, json_report
from logwarden.scanner import (
    attribution,
    cli,
    drift,
    engine,
    field_diff,
    history,
    snapshot,
)
from logwarden.scanner.audit_events import Attribution, AuditEvent, Subject
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.drift import Drift, ResourceState, ResultRow, ScanState
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Check, ExitCode, Remediation, Scope, Severity
from logwarden.scanner.plugins import create_plugin_manager
from tests import aws_docs as d
from tests.catalogue import registry
from tests.offline import aws_catalogue
from tests.report_world import save_inventory

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
STOP = AuditEvent(
    principal="arn:aws:sts::111111111111:assumed-role/Admin/alice",
    action="StopLogging",
    time="2026-12-04T10:00:00+00:00",
    source_ip="203.0.113.10",
    source="s3://logs/AWSLogs/o-1/111111111111/CloudTrail/us-east-1/2026/12/04/f.json.gz",
    event_id="e-1",
    resource="org-trail",
)


class Reader:
    """A cloud's ``attribute``: answers from a fixed journal, records its calls."""

    def __init__(self, events: list[AuditEvent], fail: bool = False) -> None:
        self.events, self.fail = events, fail
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, subjects: list[Subject], start: str, end: str, inventories: list[Any]
    ) -> list[Attribution]:
        self.calls.append({"subjects": subjects, "start": start, "end": end, "n": len(inventories)})
        if self.fail:
            raise RuntimeError("reader crashed")
        return [
            Attribution(s, [e for e in self.events if s.resource_id.endswith(e.resource)])
            for s in subjects
        ]


def check(check_id: str, kinds: tuple[str, ...], scope: Scope = Scope.TENANT) -> Check:
    return Check(check_id, "t", Severity.HIGH, "aws", scope, kinds, "r", Remediation("fix it"))


def row(fp: str, check_id: str, tenant: str, resource: str) -> ResultRow:
    return ResultRow(fp, check_id, "FAIL", "high", "aws", tenant, "", resource, "m")


def subject(kind: str, rid: str, tenant: str) -> Subject:
    return Subject("aws", kind, rid, tenant, "us-east-1", ("Status.IsLogging",))


TRAIL = ("aws.cloudtrail.trail", "arn:aws:cloudtrail:us-east-1:111:trail/org-trail")
OWN_TRAIL = ("aws.cloudtrail.trail", "arn:aws:cloudtrail:us-east-1:222:trail/own")
BUCKET = ("aws.s3.bucket", "arn:aws:s3:::logs")
SUBJECTS = {
    TRAIL: subject(*TRAIL, "111"),
    OWN_TRAIL: subject(*OWN_TRAIL, "222"),
    BUCKET: subject(*BUCKET, "333"),
}
CHECKS = {
    "aws.cloudtrail.account_covered": check(
        "aws.cloudtrail.account_covered", ("aws.cloudtrail.trail",)
    ),
    "aws.s3.log_bucket_lifecycle": check(
        "aws.s3.log_bucket_lifecycle", ("aws.s3.bucket",), Scope.RESOURCE
    ),
    "aws.config.recorder_on": check("aws.config.recorder_on", ("aws.config.recorder",)),
}


@pytest.mark.parametrize(
    ("regression", "evidence", "expected"),
    [
        # a resource row is explained by its own resource
        (row("a", "aws.s3.log_bucket_lifecycle", "333", BUCKET[1]), {}, [BUCKET]),
        # a tenant row: the drifted resource its evidence names wins
        (
            row("b", "aws.cloudtrail.account_covered", "222", "222"),
            {"b": {"candidates": {TRAIL[1]: {}}}},
            [TRAIL],
        ),
        # else the tenant's own drifted resources of the check's kinds
        (row("c", "aws.cloudtrail.account_covered", "222", "222"), {}, [OWN_TRAIL]),
        # else those of the organization (the org trail uncovers a member)
        (row("d", "aws.cloudtrail.account_covered", "444", "444"), {}, [TRAIL, OWN_TRAIL]),
        # a check whose kinds did not drift: nothing to link
        (row("e", "aws.config.recorder_on", "222", "222"), {}, []),
    ],
    ids=["own-resource", "named-in-evidence", "same-tenant", "organization", "none"],
)
def test_regressions_are_linked_to_the_drift_that_explains_them(
    regression: ResultRow, evidence: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    causes = attribution.link_causes([regression], SUBJECTS, CHECKS, evidence)
    assert causes.get(regression.fingerprint, []) == expected


def test_window_starts_at_the_earlier_scan_at_most_90_days_back() -> None:
    assert attribution.window_start("2026-12-01T08:00:00+00:00", NOW) == "2026-12-01T08:00:00+00:00"
    assert attribution.window_start("2025-01-01T00:00:00+00:00", NOW) == "2026-09-05T12:00:00+00:00"
    assert attribution.window_start("2026-12-01T08:00:00", NOW) == "2026-12-01T08:00:00+00:00"
    assert attribution.window_start("garbage", NOW) == "2026-09-05T12:00:00+00:00"


def offline_scan(world: d.World, tmp: Path, name: str) -> tuple[Any, engine.ScanInput, Any]:
    cat, kinds = aws_catalogue()
    scan = snapshot.load(save_inventory(world, tmp / f"{name}.json"), kinds, cat.parameters)
    report = engine.run_scan(scan, cat, jobs=2, today=dt.date(2026, 12, 4))
    return report, scan, drift.state_of(report, scan, scan_id=name)


def stopped_trail_drift(tmp_path: Path) -> tuple[Drift, Any, engine.ScanInput]:
    clean = d.compliant_world()
    stopped = d.copy_world(clean)
    stopped.doc(None, "aws.cloudtrail.org_trail")["Status"]["IsLogging"] = False
    _, _, before = offline_scan(clean, tmp_path, "1")
    before.time = "2026-12-04T09:00:00+00:00"
    report, scan, after = offline_scan(stopped, tmp_path, "2")
    return drift.compare(before, after), report, scan


def clouds(reader: Reader | None) -> dict[str, Cloud]:
    """The registered clouds, AWS reading its audit log with ``reader``."""
    return {**registry().clouds, "aws": replace(registry().clouds["aws"], attribute=reader)}


def inventories(scan: engine.ScanInput) -> dict[str, list[Inventory]]:
    return {"aws": [inv for s in scan.scopes for inv in [s.inventory, *s.tenants]]}


def test_the_plugin_is_asked_once_per_cloud_and_regressions_name_who(tmp_path: Path) -> None:
    result, report, scan = stopped_trail_drift(tmp_path)
    reader = Reader([STOP])
    attribution.attribute(
        result, clouds(reader), inventories(scan), report.checks, report.results, NOW
    )
    assert len(reader.calls) == 1
    call = reader.calls[0]
    assert call["start"] == "2026-12-04T09:00:00+00:00"
    assert call["end"] == "2026-12-04T12:00:00+00:00"
    assert {s.kind for s in call["subjects"]} == {"aws.cloudtrail.org_trail"}
    assert result.regressions, "the stopped org trail must regress"
    for regression in result.regressions:
        assert [e.principal for a in result.who(regression.fingerprint) for e in a.events] == [
            STOP.principal
        ], regression.check_id
    doc = json.loads(json.dumps(drift_doc(result)))
    assert doc["regressions"][0]["who"][0]["action"] == "StopLogging"
    assert doc["changes"][0]["who"][0]["source_ip"] == "203.0.113.10"
    assert doc["window"] == {"start": call["start"], "end": call["end"]}


def drift_doc(result: Drift) -> dict[str, Any]:
    text = "\n".join(console.drift_text(drift_view.of(result)))
    assert f"by {STOP}" in text and "unknown:" not in text
    return json_report.drift_doc(drift_view.of(result))


def test_a_crashing_or_missing_reader_is_an_error_on_its_subjects(tmp_path: Path) -> None:
    result, report, scan = stopped_trail_drift(tmp_path)
    crashing = clouds(Reader([STOP], fail=True))
    attribution.attribute(result, crashing, inventories(scan), report.checks, report.results, NOW)
    assert result.attributions
    assert all("reader crashed" in a.error for a in result.attributions.values())

    result, report, scan = stopped_trail_drift(tmp_path)
    attribution.attribute(result, clouds(None), inventories(scan), report.checks, [], NOW)
    assert all(
        a.error == "no audit-log reader for aws answered" for a in result.attributions.values()
    )

    result, report, scan = stopped_trail_drift(tmp_path)
    attribution.attribute(result, registry().clouds, {}, report.checks, report.results, NOW)
    assert all("not scanned live" in a.error for a in result.attributions.values())
    assert all(a.summary.startswith("unknown: ") for a in result.attributions.values())
    # one reason for every item: the console says it once, not under each of them
    text = console.drift_text(drift_view.of(result))
    assert text[1] == "  Who made it: unknown: the clouds were not scanned live (saved inventory)"
    assert not any(line.strip().startswith("by ") for line in text)


def test_nothing_to_attribute_without_an_earlier_scan_or_without_drift(tmp_path: Path) -> None:
    clean = d.compliant_world()
    report, scan, after = offline_scan(clean, tmp_path, "1")
    reader = Reader([STOP])
    for before in (None, after):
        result = drift.compare(before, after)
        attribution.attribute(
            result, clouds(reader), inventories(scan), report.checks, report.results, NOW
        )
        assert result.attributions == {} and result.causes == {}
    assert reader.calls == []


# -- history ----------------------------------------------------------------------------------


def recorded(time: str, logging: bool, who: list[AuditEvent]) -> ScanState:
    data = {"Status": {"IsLogging": logging}}
    state = ScanState(id="", time=time, clouds=("aws",), scope="aws|o-1")
    state.results["fp"] = ResultRow(
        "fp", "aws.c", "PASS" if logging else "FAIL", "high", "aws", "111", "", "arn:t", "m"
    )
    key = ("aws.cloudtrail.trail", "arn:t")
    state.resources[key] = ResourceState(*key, "111", "us-east-1", field_diff.digest(data), data)
    if who:
        state.attributions[key] = Attribution(Subject("aws", *key, "111", "us-east-1"), who)
        state.causes["fp"] = [key]
    return state


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "h.db")
    return str(request.getfixturevalue("postgres_server").create_database())


def test_history_keeps_who_made_the_drift_for_logwarden_drift(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = AuditEvent("bob", "StartLogging", "2026-12-02T10:00:00+00:00", "", "s3://x", "e-0")
    store = history.open_store(store_url)
    store.record(recorded("2026-12-01T00:00:00+00:00", True, []))
    store.record(recorded("2026-12-03T00:00:00+00:00", True, [start]))  # no drift in 1 -> 2
    store.record(recorded("2026-12-04T11:00:00+00:00", False, [STOP]))
    loaded = store.load("3")
    assert loaded.attributions[("aws.cloudtrail.trail", "arn:t")].events == [STOP]
    assert loaded.causes == {"fp": [("aws.cloudtrail.trail", "arn:t")]}
    found, causes = store.attributions(["2", "3"])
    assert found[("aws.cloudtrail.trail", "arn:t")].events == [start, STOP]  # merged, in order
    assert causes == {"fp": [("aws.cloudtrail.trail", "arn:t")]}
    store.close()

    assert cli.main(["drift", "--history", store_url, "--format", "json"]) == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    assert [e["principal"] for e in doc["regressions"][0]["who"]] == [STOP.principal]
    assert doc["changes"][0]["who"][0]["event_id"] == "e-1"
    assert cli.main(["drift", "--history", store_url, "1", "3"]) == ExitCode.OK
    text = capsys.readouterr().out
    assert f"by {STOP} (+1 earlier)" in text
    # backwards, the recorded calls did the opposite change: no attribution
    assert cli.main(["drift", "--history", store_url, "--format", "json", "3", "1"]) == 0
    assert "who" not in json.loads(capsys.readouterr().out)["changes"][0]


def test_a_version_1_store_is_upgraded_and_keeps_its_scans(store_url: str) -> None:
    old = history.SQLStore(store_url, history.MIGRATIONS[:1])
    assert old.schema_version() == 1
    old.record(recorded("2026-12-01T00:00:00+00:00", True, []))
    old.close()
    store = history.open_store(store_url)
    assert store.schema_version() == history.SCHEMA_VERSION == 2
    assert store.load("1").results["fp"].status == "PASS"
    store.record(recorded("2026-12-04T11:00:00+00:00", False, [STOP]))
    assert store.load("2").attributions
    store.close()


class MemoryStores:
    """A plugin that serves ``memo://NAME`` history URLs from SQLite files in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def logwarden_history_store(self, url: str, create: bool) -> history.HistoryStore | None:
        if not url.startswith("memo://"):
            return None
        path = self.folder / (url.removeprefix("memo://") + ".db")
        return history.open_store(str(path), create=create)


def test_a_plugin_can_serve_other_history_urls(tmp_path: Path) -> None:
    pm = create_plugin_manager()
    pm.register(MemoryStores(tmp_path))
    store = history.open_store("memo://team", pm=pm)
    store.record(recorded("2026-12-01T00:00:00+00:00", True, []))
    store.close()
    assert (tmp_path / "team.db").is_file()
    with pytest.raises(Exception, match="unsupported history URL"):
        history.open_store("other://team", pm=pm)
