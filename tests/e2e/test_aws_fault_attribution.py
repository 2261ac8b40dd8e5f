"""A fault in what drift attribution reads may only make an author unknown, with the reason.

Attribution reads the organization trail's archive in S3 (``ListObjectsV2``, ``GetObject``),
else event history (``LookupEvents``). A small organization is scanned with ``--history``,
its log bucket's lifecycle is then shortened (the sandbox delivers the CloudTrail record to
the archive and to event history), and each faulted ``scan --drift`` (in this process, through
the proxy, against a copy of that history) is compared with the clean one: the rows and the
exit code are the same, and every change and regression names the same author, or none with
``who_error`` saying why. For ``LookupEvents`` the archive is made unreadable first (the
sandbox denies the bucket's object reads), so event history is what answers.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner.collectors.aws.answers import operations
from logwarden_sandbox import aws_changes
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.aws_proxy import ATTRIBUTION, aws_error, aws_name, run_cli
from tests.cli_process import aws_org_config
from tests.fault_proxy import FAULTS, FaultProxy

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
READERS = [op for op in operations() if op in ATTRIBUTION]
Key = tuple[str, ...]
Who = tuple[tuple[str, str, str], ...]


@dataclass
class Drift:
    code: int
    report: dict[str, Any]

    def statuses(self) -> list[tuple[str, str, str, str]]:
        return sorted(
            (r["check_id"], r["tenant_id"], r["resource_id"], r["status"])
            for r in self.report["results"]
        )

    def authors(self) -> dict[Key, tuple[Who, str]]:
        """Every change and regression: (principal, action, address) of each author, and
        ``who_error``."""
        drift = self.report["drift"]
        out: dict[Key, tuple[Who, str]] = {}
        for section in ("changes", "regressions"):
            for item in drift[section]:
                key = (section, *(str(item.get(k, "")) for k in ("check_id", "kind", "path")))
                key += (str(item.get("tenant_id", "")), str(item.get("resource_id", "")))
                who = tuple((w["principal"], w["action"], w["source_ip"]) for w in item["who"])
                out[key] = (who, item["who_error"])
        return out


@dataclass
class Lab:
    server: MotoServer
    proxy: FaultProxy
    world: World
    home: Path
    history: Path
    clean: dict[str, Drift] = field(default_factory=dict)
    runs: int = 0

    def drift(self, scenario: str) -> Drift:
        """``scan --drift`` against a copy of the recorded history; ``scenario`` "history"
        denies every object read of the log bucket, so only event history can answer."""
        self.runs += 1
        history = self.home / f"history-{self.runs}.db"
        shutil.copy(self.history, history)
        report = self.home / f"drift-{self.runs}.json"
        argv = ["scan", "--config", str(self.home / "aws.yaml"), "--history", str(history)]
        argv += ["--drift", "--json", str(report), "-q"]
        if scenario == "history":
            self.server.faults.add(
                error="AccessDenied", service="s3", action="", bucket=self.world.log_bucket
            )
        try:
            code = run_cli(argv, self.proxy.endpoint_url, REGION, self.home)
        finally:
            self.server.faults.clear()
        assert report.is_file(), f"exit {code}: no report written"
        return Drift(code, json.loads(report.read_text()))

    def clean_drift(self, scenario: str) -> Drift:
        if scenario not in self.clean:
            self.proxy.clear()
            self.clean[scenario] = self.drift(scenario)
        return self.clean[scenario]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    home = tmp_path_factory.mktemp("fault-attribution")
    (home / "aws.yaml").write_text(aws_org_config((REGION,)))
    with MotoServer() as server:
        server.reset()  # moto's state is process-wide: start from nothing
        world = seed_landing_zone(
            standard_landing_zone(members=1, regions=(REGION,)), endpoint_url=server.endpoint_url
        )
        with FaultProxy(server.endpoint_url, aws_name, aws_error) as proxy:
            history = home / "recorded.db"
            argv = ["scan", "--config", str(home / "aws.yaml"), "--history", str(history)]
            started = dt.datetime.now(dt.UTC)
            assert run_cli([*argv, "-q"], proxy.endpoint_url, REGION, home) == 0
            # CloudTrail times are to the second; the window starts after the first scan.
            time.sleep(
                max(
                    0.0,
                    (started + dt.timedelta(seconds=1.1) - dt.datetime.now(dt.UTC)).total_seconds(),
                )
            )
            aws_changes.shorten_log_bucket_lifecycle(world, expire_days=30)
            yield Lab(server, proxy, world, home, history)
        server.reset()


@pytest.mark.parametrize("scenario", ["archive", "history"])
def test_the_clean_drift_names_the_author(lab: Lab, scenario: str) -> None:
    authors = lab.clean_drift(scenario).authors()
    assert authors and all(who and not error for who, error in authors.values()), authors


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("service", "operation"), READERS, ids=[f"{s}:{o}" for s, o in READERS])
def test_a_fault_only_makes_an_author_unknown(
    lab: Lab, service: str, operation: str, fault: str
) -> None:
    scenario = "history" if operation == "LookupEvents" else "archive"
    clean = lab.clean_drift(scenario)
    name = f"{service}:{operation}"
    lab.proxy.clear()
    lab.proxy.fault(name, fault)
    try:
        faulted = lab.drift(scenario)
        hits = lab.proxy.faulted[name]
    finally:
        lab.proxy.clear()
    assert hits > 0, f"attribution never called {name}"
    assert faulted.statuses() == clean.statuses()
    assert faulted.code == clean.code
    expected = clean.authors()
    got = faulted.authors()
    assert set(got) == set(expected)
    for key, (who, error) in got.items():
        assert who == expected[key][0] or (who == () and error), (key, who, error)
