"""One organization scanned three ways: in one process, as two shards merged, and on a Dask
cluster of two workers; the rows, summary and exit code are the same. A Dask worker killed
mid-scan loses no tenant; ``merge`` refuses anything but every shard of one scan, each once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from tests.cli_process import LOGWARDEN, aws_org_config, cli_env, moto_env, run_logwarden

distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")

pytestmark = pytest.mark.e2e

REGIONS = ("us-east-1", "eu-west-1")
# Defects in several accounts, so every shard has failures of its own.
DEFECTS = ("bucket_no_kms", "log_validation_off", "config_recorder_stopped", "key_rotation_off")
# What differs between two scans of the same organization: when they ran, how they were split.
VOLATILE = ("scan", "shard")


class Org:
    """The seeded organization on its moto server, and how to run the CLI against it."""

    def __init__(self, root: Path) -> None:
        self.server = MotoServer().start()
        self.world: World = seed_landing_zone(
            standard_landing_zone(members=3, regions=REGIONS, defects=DEFECTS),
            endpoint_url=self.server.endpoint_url,
        )
        self.root = root
        self.env = cli_env(root, moto_env(self.server.endpoint_url, REGIONS[0]))
        (root / "logwarden.yaml").write_text(aws_org_config(REGIONS))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        proc = run_logwarden(list(args), self.root, self.env)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    def scan(self, out: str, *extra: str) -> tuple[int, dict[str, Any]]:
        proc = self.run("scan", "-c", "logwarden.yaml", "--format", "json", "-o", out, "-q", *extra)
        return proc.returncode, load(self.root / out / "report.json")


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


# moto answers "now" for a trail's latest delivery time: the only value that changes
# between two scans of the same world
NOW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def comparable(report: dict[str, Any]) -> str:
    """The report but when it ran and how it was split, as canonical JSON."""
    kept = {k: v for k, v in report.items() if k not in VOLATILE}
    return NOW.sub("<time>", json.dumps(kept, sort_keys=True, indent=1))


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    found = Org(tmp_path_factory.mktemp("scale"))
    yield found
    found.server.stop()


@pytest.fixture(scope="module")
def single(org: Org) -> tuple[int, dict[str, Any]]:
    return org.scan("single")


@pytest.fixture(scope="module")
def shards(org: Org) -> list[Path]:
    for index in (1, 2):
        code, report = org.scan(f"shard{index}", "--shard", f"{index}/2", "--scan-id", "run-7")
        assert report["shard"]["index"] == index
        assert code in (0, 1, 3), report["summary"]
    return [org.root / f"shard{i}" / "report.json" for i in (1, 2)]


@pytest.fixture(scope="module")
def facts(org: Org) -> Path:
    proc = org.run("scan", "-c", "logwarden.yaml", "--save-facts", "facts.json", "--scan-id", "f-9")
    assert proc.returncode == 0, proc.stderr
    assert "wrote facts.json" in proc.stdout
    return org.root / "facts.json"


@pytest.fixture(scope="module")
def fact_shards(org: Org, facts: Path) -> list[Path]:
    for index in (1, 2):
        code, report = org.scan(f"fshard{index}", "--shard", f"{index}/2", "--facts", str(facts))
        assert code in (0, 1, 3), report["summary"]
    return [org.root / f"fshard{i}" / "report.json" for i in (1, 2)]


def tamper(org: Org, facts: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the facts file, changed by ``change``."""
    doc = load(facts)
    change(doc)
    path = org.root / name
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def cluster(org: Org) -> Iterator[Any]:
    env = {**org.env, "PATH": os.environ.get("PATH", "")}
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=4,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env=env,
    ) as local:
        yield local


def test_shards_merged_equal_a_single_scan(
    org: Org, single: tuple[int, dict[str, Any]], shards: list[Path]
) -> None:
    code, report = single
    assert code == 1  # the seeded defects
    parts = [load(p) for p in shards]
    assert all(p["tenants"] for p in parts), "a shard of this organization scanned nothing"
    assert sum(len(p["tenants"]) for p in parts) == len(report["tenants"])
    # the organization's rows are in shard 1 only
    orgs = {o["id"] for o in report["organizations"]}
    assert [r for r in parts[0]["results"] if r["tenant_id"] in orgs]
    assert [r for r in parts[1]["results"] if r["tenant_id"] in orgs] == []
    proc = org.run("merge", *map(str, shards), "--format", "json", "-o", "merged")
    merged = load(org.root / "merged" / "report.json")
    assert comparable(merged) == comparable(report)
    assert proc.returncode == code


def test_shards_reading_shared_facts_merged_equal_a_single_scan(
    org: Org, single: tuple[int, dict[str, Any]], facts: Path, fact_shards: list[Path]
) -> None:
    code, report = single
    parts = [load(p) for p in fact_shards]
    made = load(facts)["facts"]
    for part in parts:  # each names the facts it read, and takes the scan id from them
        assert part["shard"]["facts"] == made["id"]
        assert part["shard"]["scan_id"] == "f-9"
    proc = org.run("merge", *map(str, fact_shards), "--format", "json", "-o", "fmerged")
    assert comparable(load(org.root / "fmerged" / "report.json")) == comparable(report)
    assert proc.returncode == code


def test_a_shard_reads_the_facts_instead_of_collecting_them(
    org: Org, facts: Path, fact_shards: list[Path]
) -> None:
    def stop_every_trail(doc: dict[str, Any]) -> None:
        for tenant in doc["inventory"]["organizations"][0]["tenants"]:
            for trail in tenant["inventory"]["aws.cloudtrail.trail"]["resources"]:
                trail["data"]["Status"]["IsLogging"] = False

    stopped = tamper(org, facts, "stopped.json", stop_every_trail)
    for index in (1, 2):
        _, report = org.scan(f"stopped{index}", "--shard", f"{index}/2", "--facts", str(stopped))
        covered = {
            r["tenant_id"]: r["status"]
            for r in report["results"]
            if r["check_id"] == "aws.cloudtrail.account_covered"
        }
        before = {
            r["tenant_id"]: r["status"]
            for r in load(fact_shards[index - 1])["results"]
            if r["check_id"] == "aws.cloudtrail.account_covered"
        }
        # the world still logs: only the file says the trails stopped, and the shard says so
        assert set(before.values()) == {"PASS"}
        assert covered == {tenant: "FAIL" for tenant in before}


def _other_cloud(doc: dict[str, Any]) -> None:
    scope = doc["inventory"]["organizations"][0]
    scope["organization"]["cloud"] = "gcp"
    for tenant in scope["tenants"]:
        tenant["tenant"]["cloud"] = "gcp"


def _tenant_moved(doc: dict[str, Any]) -> None:
    doc["inventory"]["organizations"][0]["tenants"][0]["tenant"]["organization_id"] = "o-other"


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (None, ["--regions", REGIONS[0]], "made with another configuration"),
        (
            lambda doc: doc["facts"].update(created_at="2026-01-01T00:00:00+00:00"),
            [],
            "older than --facts-max-age 12: the organization may have changed since",
        ),
        (
            lambda doc: doc["facts"].update(peer_kinds=[]),
            [],
            "lacks resource kinds this shard's controls read: aws.cloudtrail.trail",
        ),
        (lambda doc: doc["facts"].update(version="0.0.1"), [], "made by logwarden 0.0.1"),
        (lambda doc: doc["inventory"].pop("organizations"), [], "missing the field"),
        (lambda doc: doc.update(schema="logwarden.report/1"), [], "not a logwarden facts file"),
        (_other_cloud, [], "holds a gcp organization, and this shard scans aws"),
        (_tenant_moved, [], "are damaged"),
    ],
    ids=[
        "other-options",
        "stale",
        "lacking-kinds",
        "other-version",
        "damaged",
        "not-facts",
        "other-cloud",
        "tenant-moved",
    ],
)
def test_a_shard_refuses_facts_it_would_not_have_collected(
    org: Org,
    facts: Path,
    change: Callable[[dict[str, Any]], None] | None,
    options: list[str],
    message: str,
) -> None:
    used = facts if change is None else tamper(org, facts, "changed.json", change)
    proc = org.run("scan", "-c", "logwarden.yaml", "--shard", "1/2", "--facts", str(used), *options)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert str(used) in proc.stderr


def test_an_old_facts_file_is_read_when_the_max_age_allows_it(org: Org, facts: Path) -> None:
    old = tamper(
        org, facts, "old.json", lambda doc: doc["facts"].update(created_at="2026-01-01T00:00:00Z")
    )
    code, report = org.scan("old", "--shard", "2/2", "--facts", str(old), "--facts-max-age", "1e6")
    assert code in (0, 1, 3) and report["tenants"]


def test_facts_of_selected_tenants_scan_those_tenants_without_a_warning(org: Org) -> None:
    manager = org.world.management_account_id
    chosen = ["--tenants", manager]
    proc = org.run("scan", "-c", "logwarden.yaml", "--save-facts", "some.json", *chosen)
    assert proc.returncode == 0, proc.stderr
    tenants = []
    for index in (1, 2):
        out = f"some{index}"
        proc = org.run(
            "scan", "-c", "logwarden.yaml", "--format", "json", "-o", out,
            "--shard", f"{index}/2", "--facts", "some.json", *chosen,
        )  # fmt: skip
        assert "matched no tenant" not in proc.stderr
        tenants += [t["id"] for t in load(org.root / out / "report.json")["tenants"]]
    assert tenants == [manager]


def test_merge_refuses_shards_that_read_different_facts(
    org: Org, shards: list[Path], fact_shards: list[Path]
) -> None:
    proc = org.run("merge", str(fact_shards[0]), str(shards[1]), "-o", "mixed-facts")
    assert proc.returncode == 2
    assert "the organization facts (--facts) differs" in proc.stderr
    assert not (org.root / "mixed-facts").exists()


def test_dask_cluster_equals_a_single_scan(
    org: Org, single: tuple[int, dict[str, Any]], cluster: Any
) -> None:
    code, report = single
    got_code, got = org.scan("dask", "--dask-scheduler", cluster.scheduler_address)
    assert comparable(got) == comparable(report)
    assert got_code == code


def test_a_worker_killed_mid_scan_loses_no_tenant(
    org: Org, single: tuple[int, dict[str, Any]], cluster: Any
) -> None:
    code, report = single
    args = ["scan", "-c", "logwarden.yaml", "--format", "json", "-o", "killed", "-q"]
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
        proc = subprocess.Popen(
            [LOGWARDEN, *args, "--dask-scheduler", cluster.scheduler_address],
            cwd=org.root,
            env=org.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        victim = _busy_worker(client, proc)
        os.kill(pids[victim], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=300)
        assert pids[victim] not in client.run(os.getpid).values()  # it did die mid-scan
    assert "Traceback" not in stderr, stderr
    got = load(org.root / "killed" / "report.json")
    assert comparable(got) == comparable(report)
    assert proc.returncode == code


def _busy_worker(client: Any, proc: subprocess.Popen[str]) -> str:
    """A worker to kill while the scan's tasks run: preferably the only holder of data that a
    running task of the scan reads (Dask keeps one copy of data no task on another worker
    needs), else a worker running one of them (waits for one)."""
    deadline = time.monotonic() + 120
    busy: str | None = None
    prefer_until = deadline
    while time.monotonic() < min(deadline, prefer_until) and proc.poll() is None:
        sole = client.run_on_scheduler(_sole_holders)
        if sole:
            return str(sole[0])
        if busy is None:
            for worker, keys in client.processing().items():
                if any(str(k).startswith("logwarden-") for k in keys):
                    busy, prefer_until = str(worker), time.monotonic() + 2
        time.sleep(0.01)
    if busy is not None:
        return busy
    raise AssertionError(f"no task of the scan was seen running (exit {proc.poll()})")


def _sole_holders(dask_scheduler: Any) -> list[str]:
    """On the scheduler: the workers holding the only copy of an input of a running scan task."""
    return sorted(
        {
            next(iter(dep.who_has)).address
            for task in dask_scheduler.tasks.values()
            if task.state == "processing" and str(task.key).startswith("logwarden-")
            for dep in task.dependencies
            if len(dep.who_has) == 1
        }
    )


def test_merge_refuses_a_missing_shard(org: Org, shards: list[Path]) -> None:
    proc = org.run("merge", str(shards[0]), "-o", "missing")
    assert proc.returncode == 2
    assert "missing shard(s) 2/2" in proc.stderr
    assert not (org.root / "missing").exists()


def test_merge_refuses_overlapping_shards(org: Org, shards: list[Path]) -> None:
    proc = org.run("merge", str(shards[0]), str(shards[0]), str(shards[1]), "-o", "overlap")
    assert proc.returncode == 2
    assert "overlapping shards: shard 1/2" in proc.stderr


def test_merge_refuses_shards_of_another_catalogue(org: Org, shards: list[Path]) -> None:
    other = load(shards[1])
    other["checks"] = other["checks"][1:]  # a shard scanned with one control fewer
    changed = org.root / "other-catalogue.json"
    changed.write_text(json.dumps(other))
    proc = org.run("merge", str(shards[0]), str(changed), "-o", "mixed")
    assert proc.returncode == 2
    assert "the catalogue (controls) differs" in proc.stderr


@pytest.mark.parametrize(
    "options",
    [
        ["--regions", REGIONS[0]],  # the run-time selection
        ["--waivers", "waivers.yaml"],  # a waivers file, not the config's waivers
    ],
    ids=["selection", "waivers-file"],
)
def test_merge_refuses_shards_scanned_with_other_options(
    org: Org, shards: list[Path], options: list[str]
) -> None:
    (org.root / "waivers.yaml").write_text(
        "version: 1\nwaivers:\n  - checks: aws.s3.*\n    reason: accepted\n"
        "    owner: team@example.com\n    expires: '2999-01-01'\n"
    )
    out = f"shard2-{options[0].strip('-')}"
    org.scan(out, "--shard", "2/2", "--scan-id", "run-7", *options)
    proc = org.run("merge", str(shards[0]), str(org.root / out / "report.json"), "-o", out + "-m")
    assert proc.returncode == 2
    assert "the configuration differs" in proc.stderr
    assert not (org.root / (out + "-m")).exists()


def test_merge_refuses_a_report_that_is_no_shard(
    org: Org, single: tuple[int, dict[str, Any]], shards: list[Path]
) -> None:
    proc = org.run("merge", str(org.root / "single" / "report.json"), str(shards[1]))
    assert proc.returncode == 2
    assert "not a shard report" in proc.stderr
