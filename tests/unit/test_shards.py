"""``--shard I/N``: which tenants a shard scans, the index a job runner gives, and the usage
errors of the scale-out options (shards, Dask) before anything is scanned."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from logwarden.scanner.cli import main
from logwarden.scanner.errors import InputError
from logwarden.scanner.models import Tenant
from logwarden.scanner.shards import AUTO_VARIABLES, Shard, parse_shard, scan_id, shard_of
from tests.cli_process import cli_env

ROOT = Path(__file__).resolve().parents[2]
IDS = [f"{n:012d}" for n in range(1, 401)]


def test_every_tenant_is_in_exactly_one_shard_and_the_shards_are_balanced() -> None:
    count = 4
    shards = [Shard(i, count) for i in range(1, count + 1)]
    owners = [[s.index for s in shards if s.owns(Tenant("aws", t, t))] for t in IDS]
    assert all(len(o) == 1 for o in owners)
    sizes = [sum(1 for o in owners if o == [s.index]) for s in shards]
    assert min(sizes) > len(IDS) / count * 0.7, sizes


def test_a_tenant_keeps_its_shard_whatever_the_other_tenants() -> None:
    # the shard is a function of the tenant's cloud and id only: adding accounts elsewhere,
    # or scanning a subset, moves nobody
    before = {t: shard_of("aws", t, 3) for t in IDS[:100]}
    after = {t: shard_of("aws", t, 3) for t in reversed(IDS)}
    assert all(after[t] == s for t, s in before.items())
    # the cloud is part of the key: the same id in two clouds is two tenants
    assert {shard_of(c, "x", 64) for c in ("aws", "azure", "gcp", "toy")} != {1}


@pytest.mark.parametrize(
    ("environ", "index"),
    [
        ({"JOB_COMPLETION_INDEX": "0"}, 1),  # Kubernetes Indexed Job: from 0
        ({"AWS_BATCH_JOB_ARRAY_INDEX": "2"}, 3),  # AWS Batch array job: from 0
        ({"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, 3),  # GitLab parallel: from 1
        ({"LOGWARDEN_SHARD_INDEX": "2"}, 2),  # GitHub Actions matrix (set by the workflow)
    ],
)
def test_auto_reads_the_job_runner_index(environ: dict[str, str], index: int) -> None:
    assert parse_shard("auto/3", environ) == Shard(index, 3)


@pytest.mark.parametrize(
    ("value", "environ", "message"),
    [
        ("3", {}, "invalid shard '3'"),
        ("0/2", {}, "shard 0 is not between 1 and 2"),
        ("3/2", {}, "shard 3 is not between 1 and 2"),
        ("auto/2", {}, "no job index in the environment"),
        ("auto/2", {"JOB_COMPLETION_INDEX": "2"}, "shard 3 is not between 1 and 2"),
        ("auto/2", {"JOB_COMPLETION_INDEX": "x"}, "is not a number"),
        ("auto/2", {"JOB_COMPLETION_INDEX": "0", "CI_NODE_INDEX": "2"}, "disagrees"),
        ("auto/2", {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"}, "CI_NODE_TOTAL=4"),
    ],
)
def test_bad_shard_values_name_the_fix(value: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_shard(value, environ)
    assert message in str(err.value)
    assert "--shard" in str(err.value)


def test_auto_names_every_variable_it_reads() -> None:
    with pytest.raises(InputError) as err:
        parse_shard("auto/2", {})
    assert all(name in str(err.value) for name, _, _ in AUTO_VARIABLES)


def test_scan_id_comes_from_the_option_or_the_ci_run() -> None:
    assert scan_id("nightly-1", {"GITHUB_RUN_ID": "9"}) == "nightly-1"
    assert scan_id(None, {"GITHUB_RUN_ID": "9", "GITHUB_RUN_ATTEMPT": "2"}) == "9-2"
    assert scan_id(None, {"CI_PIPELINE_ID": "77"}) == "77"
    assert scan_id(None, {"AWS_BATCH_JOB_ID": "abc:3"}) == "abc"
    assert scan_id(None, {}) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "1/2", "--history", "h.db"], "--shard cannot be combined with --history"),
        (["--dask-scheduler", "tcp://127.0.0.1:1", "--drift", "--history", "h.db"], "--dask"),
        (["--shard", "5/2"], "shard 5 is not between 1 and 2"),
        (["--facts", "facts.json"], "--facts is read by a shard"),
        (
            ["--save-facts", "facts.json", "--json", "r.json"],
            "--save-facts cannot be combined with a report option",
        ),
        (
            ["--save-facts", "facts.json", "--shard", "1/2", "--facts", "f.json"],
            "--save-facts cannot be combined with --shard, --facts:",
        ),
        (["--shard", "1/2", "--facts-max-age", "3"], "--facts-max-age needs --facts"),
        (
            ["--shard", "1/2", "--facts", "f.json", "--facts-max-age", "0"],
            "--facts-max-age needs --facts and a positive number",
        ),
        (
            ["--shard", "1/2", "--facts", "f.json", "--dask-scheduler", "tcp://127.0.0.1:1"],
            "--facts cannot be combined with --inventory or --dask-scheduler",
        ),
    ],
)
def test_scale_out_usage_errors_exit_2_before_scanning(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", *args]) == 2
    assert message in capsys.readouterr().err


# A fresh interpreter in which dask.distributed cannot be imported: in this process Dask may
# already be loaded (a LocalCluster's scheduler imports the scan's task module), and a loaded
# module would be found again whatever sys.modules says.
WITHOUT_DASK = (
    "import sys\n"
    "sys.modules['distributed'] = sys.modules['dask'] = None  # as if not installed\n"
    "from logwarden.scanner.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_dask_scheduler_without_the_extra_names_the_install_command(tmp_path: Path) -> None:
    env = cli_env(tmp_path, {"AWS_EC2_METADATA_DISABLED": "true"})
    argv = [sys.executable, "-c", WITHOUT_DASK, "scan", "--dask-scheduler", "tcp://127.0.0.1:1"]
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Dask is not installed" in proc.stderr
    assert 'pip install "logwarden[dask]"' in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_default_install_does_not_depend_on_dask() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[\[<>=; ]", r)[0].lower() for r in project["dependencies"]]
    assert names and not {"dask", "distributed"} & set(names)
    assert [r for r in project["optional-dependencies"]["dask"] if r.startswith("distributed")]
    assert "dask" in project["optional-dependencies"]["test"][0]  # make test runs its tests
