"""The conventions people reach for first, through the installed CLI: ``--version``, the
control catalogue of every cloud, ``controls show``, a closed pipe, logging options, colour,
progress without a terminal, shell completion."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from logwarden_sandbox.aws_server import MotoServer
from tests.catalogue import builtin_clouds, control_ids
from tests.cli_process import LOGWARDEN, cli_env, moto_env, run_logwarden, seeded_moto

pytestmark = pytest.mark.e2e
REGION = "us-east-1"


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    proc = run_logwarden(list(args), tmp_path, cli_env(tmp_path, extra))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_version(tmp_path: Path) -> None:
    proc = run(tmp_path, "--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"logwarden {importlib.metadata.version('logwarden')}"


def test_controls_list_shows_every_cloud_with_cloud_and_frameworks_columns(
    tmp_path: Path,
) -> None:
    proc = run(tmp_path, "controls", "list")
    header, *rows = proc.stdout.splitlines()
    assert header.split()[:2] == ["ID", "CLOUD"] and header.split()[-1] == "FRAMEWORKS"
    every = set().union(*(control_ids(c) for c in builtin_clouds()))
    assert {row.split()[0] for row in rows} == every
    assert {row.split()[1] for row in rows} == set(builtin_clouds())
    listed = json.loads(
        run(tmp_path, "controls", "list", "--cloud", "all", "--format", "json").stdout
    )
    assert {c["id"] for c in listed} == every
    only = json.loads(
        run(tmp_path, "controls", "list", "--cloud", "gcp", "--format", "json").stdout
    )
    assert {c["id"] for c in only} == control_ids("gcp")


def test_controls_show(tmp_path: Path) -> None:
    target = sorted(control_ids("azure"))[0]
    proc = run(tmp_path, "controls", "show", target)
    assert proc.returncode == 0
    for heading in ("Rationale:", "Remediation:", "resource kinds:"):
        assert heading in proc.stdout
    assert proc.stdout.startswith(f"{target}: ")
    wrong = run(tmp_path, "controls", "show", target[:-1])
    assert wrong.returncode == 2
    assert f"unknown control '{target[:-1]}'" in wrong.stderr and "did you mean" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["controls", "list"],
        ["frameworks", "show", "cis-aws-6.0"],
        ["completion", "fish"],
    ],
)
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    """``logwarden ... | head -1``: the reader goes away before logwarden writes."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        [LOGWARDEN, *args],
        stdout=write,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path),
        cwd=tmp_path,
        text=True,
    )
    os.close(write)
    os.close(read)  # nobody reads: every write is a broken pipe
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == ""


def test_a_closed_pipe_in_a_shell_pipeline(tmp_path: Path) -> None:
    proc = subprocess.run(
        f"'{LOGWARDEN}' controls list --format json | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "[\n" and proc.stderr == ""


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, Path]]:
    home = tmp_path_factory.mktemp("conventions")
    with seeded_moto(home, [REGION], ["bucket_no_kms"]) as server:
        yield server, home


def scan(moto: tuple[MotoServer, Path], *args: str) -> subprocess.CompletedProcess[str]:
    server, home = moto
    env = cli_env(home, moto_env(server.endpoint_url, REGION))
    return run_logwarden(["scan", "-c", str(home / "logwarden.yaml"), *args], home, env)


def test_log_options_show_the_tenants_and_write_a_log_file(
    moto: tuple[MotoServer, Path], tmp_path: Path
) -> None:
    quiet = scan(moto, "--json", str(tmp_path / "a.json"))
    assert "logwarden: INFO" not in quiet.stderr  # warnings only by default
    log_file = tmp_path / "scan.log"
    loud = scan(moto, "--json", str(tmp_path / "b.json"), "-v", "--log-file", str(log_file))
    assert "logwarden: INFO: aws: " in loud.stderr and "tenants selected" in loud.stderr
    text = log_file.read_text()
    assert re.search(r"^\d{4}-\d\d-\d\d [\d:,]+ INFO logwarden\.engine: aws: ", text, re.M)
    debug = scan(moto, "--json", str(tmp_path / "c.json"), "--log-level", "debug")
    assert "DEBUG" in debug.stderr
    bad = scan(moto, "--json", str(tmp_path / "d.json"), "--log-file", str(tmp_path / "no" / "x"))
    assert bad.returncode == 2 and "--log-file: cannot write" in bad.stderr


def test_every_api_error_is_logged_with_its_cause(
    moto: tuple[MotoServer, Path], tmp_path: Path
) -> None:
    server, home = moto
    env = cli_env(home, {**moto_env(server.endpoint_url, REGION), "AWS_ACCESS_KEY_ID": "x"})
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens: every call fails
    proc = run_logwarden(
        ["scan", "-c", str(home / "logwarden.yaml"), "-v", "--json", str(tmp_path / "r.json")],
        home,
        env,
    )
    assert proc.returncode == 3
    assert "logwarden: INFO: aws discovery failed:" in proc.stderr


def test_progress_lines_without_a_terminal(moto: tuple[MotoServer, Path], tmp_path: Path) -> None:
    proc = scan(moto, "--json", str(tmp_path / "r.json"), "--progress-every", "0.05")
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("logwarden: progress:")]
    assert lines, proc.stderr
    assert all(
        re.fullmatch(r"logwarden: progress: \d+/\d+ tenants done, \d+ errors? so far, \d+s", ln)
        for ln in lines
    )
    quiet = scan(moto, "--json", str(tmp_path / "q.json"), "--progress-every", "0.05", "-q")
    assert "progress" not in quiet.stderr


def test_no_colour_without_a_terminal_or_when_asked(
    moto: tuple[MotoServer, Path], tmp_path: Path
) -> None:
    proc = scan(moto, "--json", str(tmp_path / "r.json"))
    assert "\x1b[" not in proc.stdout  # a pipe is not a terminal


def test_completion_scripts(tmp_path: Path) -> None:
    bash_script = run(tmp_path, "completion", "bash").stdout
    probe = (
        f"{bash_script}\n"
        'COMP_WORDS=(logwarden sc); COMP_CWORD=1; _logwarden; echo "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(logwarden scan --fail-on ''); COMP_CWORD=3; _logwarden; echo \"${COMPREPLY[@]}\"\n"
        "COMP_WORDS=(logwarden frameworks ''); COMP_CWORD=2; _logwarden; echo \"${COMPREPLY[@]}\"\n"
    )
    out = subprocess.run(
        ["bash", "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].split() == ["scan", "schema"]
    assert out[1].split() == ["critical", "high", "medium", "low", "info", "none"]
    assert {"list", "show"} <= set(out[2].split())
    zsh_script = run(tmp_path, "completion", "zsh").stdout
    assert zsh_script.startswith("#compdef logwarden") and "bashcompinit" in zsh_script
    fish_script = run(tmp_path, "completion", "fish").stdout
    assert "complete -c logwarden -n '__fish_use_subcommand' -a scan" in fish_script
    assert "-l fail-on -x -a 'critical high medium low info none'" in fish_script
    if shutil.which("fish"):  # pragma: no cover - fish is not on every machine
        subprocess.run(["fish", "-n"], input=fish_script, text=True, check=True)
    assert run(tmp_path, "completion", "tcsh").returncode == 2


def test_frameworks_and_schema_commands(tmp_path: Path) -> None:
    listed = run(tmp_path, "frameworks", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("ID ")
    assert "cis-aws-6.0" in listed.stdout
    shown = json.loads(
        run(tmp_path, "frameworks", "show", "cis-gcp-3.0", "--format", "json").stdout
    )
    assert shown[0]["id"] == "cis-gcp-3.0" and shown[0]["requirements"]
    assert run(tmp_path, "frameworks", "show", "nope").returncode == 2
    for document in ("config", "rules", "waivers"):
        schema = json.loads(run(tmp_path, "schema", document).stdout)
        assert schema["$id"].endswith(f"/{document}.json")


def _scan_on_a_terminal(
    moto: tuple[MotoServer, Path], tmp_path: Path, *args: str, **env: str
) -> str:
    """The console summary of a scan whose stdout is a pseudo-terminal."""
    import pty

    server, home = moto
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [
            LOGWARDEN,
            "scan",
            "-c",
            str(home / "logwarden.yaml"),
            "--json",
            str(tmp_path / "t.json"),
            *args,
        ],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=home,
        env={**cli_env(home, moto_env(server.endpoint_url, REGION)), "TERM": "xterm", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


def test_colour_on_a_terminal_unless_refused(moto: tuple[MotoServer, Path], tmp_path: Path) -> None:
    assert "\x1b[" in _scan_on_a_terminal(moto, tmp_path)
    assert "\x1b[" not in _scan_on_a_terminal(moto, tmp_path, "--no-color")
    assert "\x1b[" not in _scan_on_a_terminal(moto, tmp_path, NO_COLOR="1")
