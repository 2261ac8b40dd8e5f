"""A third-party cloud is the plugin API's proof: examples/toy-cloud, a distribution of its own,
installed next to the logwarden wheel in a clean venv, is scanned by the installed CLI with no
change to logwarden (see docs/plugins.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_packaging import ROOT, build_wheel, make_clean_venv

EXAMPLE = ROOT / "examples" / "toy-cloud"


@pytest.fixture(scope="module")
def toy_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clean venv holding the logwarden wheel and the toy cloud's wheel, nothing else."""
    wheels = tmp_path_factory.mktemp("wheels")
    source = tmp_path_factory.mktemp("source") / "toy-cloud"
    shutil.copytree(EXAMPLE, source)  # building writes build/ and *.egg-info beside the source
    found = [build_wheel(ROOT, wheels), build_wheel(source, wheels)]
    yield make_clean_venv(tmp_path_factory.mktemp("venv") / "toy", *found)


def run(venv: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``argv`` in the venv, from the example's folder, with nothing of the checkout on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LOGWARDEN_"))}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into the example's folder
    return subprocess.run(
        list(argv), cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_only_the_two_wheels_provide_logwarden_and_the_toy_cloud(toy_venv: Path) -> None:
    code = (
        "import importlib.util, logwarden, logwarden_toy;"
        "print(logwarden.__file__); print(logwarden_toy.__file__);"
        "print([m for m in ('tests', 'logwarden_sandbox') if importlib.util.find_spec(m)])"
    )
    # -P: no current directory on the path, as the ``logwarden`` console script runs
    out = run(toy_venv, str(toy_venv / "bin" / "python"), "-P", "-c", code)
    assert out.returncode == 0, out.stderr
    lw, toy, others = out.stdout.splitlines()
    assert lw.startswith(str(toy_venv)) and toy.startswith(str(toy_venv)), out.stdout
    assert others == "[]"


def test_the_toy_cloud_is_scanned_by_the_installed_cli(toy_venv: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "toy-report"
    argv = ["logwarden", "scan", "--config", "logwarden.yaml", "--cloud", "toy"]
    done = run(toy_venv, *argv, "--format", "json", "--output", str(out_dir))
    assert done.returncode == 1, done.stderr  # the bad workspace has findings
    assert "Traceback" not in done.stderr
    assert "Toy Cloud" in done.stdout  # the console names the cloud by its label
    report = json.loads((out_dir / "report.json").read_text())
    rows = sorted(
        (r["check_id"], r["tenant_id"], r["resource_id"], r["status"]) for r in report["results"]
    )
    assert rows == [
        ("toy.logging.sink_enabled", "ws-bad", "toy://ws-bad/sinks/audit", "FAIL"),
        ("toy.logging.sink_enabled", "ws-good", "toy://ws-good/sinks/audit", "PASS"),
        ("toy.storage.log_bucket_locked", "ws-bad", "ws-bad", "FAIL"),
        ("toy.storage.log_bucket_locked", "ws-good", "ws-good", "PASS"),
    ]
    assert {c["id"] for c in report["checks"]} == {
        "toy.logging.sink_enabled",
        "toy.storage.log_bucket_locked",
    }
    assert report["errors"] == []
    # the plugin is an ordinary plugin: -p no:toy disables the cloud, with a usage error
    off = run(toy_venv, *argv, "-p", "no:toy", "--format", "json", "--output", str(out_dir))
    assert off.returncode == 2 and "unknown cloud 'toy'" in off.stderr


def test_the_plugins_catalogue_is_listed_and_its_config_errors_name_the_line(
    toy_venv: Path, tmp_path: Path
) -> None:
    listed = run(toy_venv, "logwarden", "controls", "list", "--cloud", "toy")
    assert listed.returncode == 0, listed.stderr
    assert "toy.logging.sink_enabled" in listed.stdout
    assert "toy.storage.log_bucket_locked" in listed.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nclouds:\n  toy:\n    regions: [x]\n")
    done = run(toy_venv, "logwarden", "scan", "--config", str(bad), "--cloud", "toy")
    assert done.returncode == 2
    assert f"{bad}:4: unknown key clouds.toy.regions" in done.stderr
