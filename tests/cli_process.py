"""Run the installed ``logwarden`` command as a user would, with a minimal environment.

The end-to-end tests start the CLI in a subprocess with nothing inherited but ``PATH`` (and
``PYTHONPATH`` when a checkout is under test): no user credentials, no cloud endpoint, no
metadata server, no third-party plugins; each test adds its emulator's endpoint and token.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import seed_landing_zone, standard_landing_zone

LOGWARDEN = str(Path(sys.executable).with_name("logwarden"))


def cli_env(home: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The CLI's whole environment: ``PATH``, ``HOME``, no plugin autoload, and ``extra``."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD": "1",
        "LOGWARDEN_STRICT_READS": "1",  # a collector reading an undeclared kind fails loudly
        **(extra or {}),
    }
    if "PYTHONPATH" in os.environ:  # a checkout under test, ahead of the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def aws_org_config(regions: Sequence[str]) -> str:
    """A scan config of the whole AWS organization in ``regions``, failing fast on errors
    (two attempts: the fault-injection tests must not wait for botocore's retries)."""
    return (
        "version: 1\nclouds:\n  aws:\n    mode: organization\n"
        f"    regions: [{', '.join(regions)}]\n    max_attempts: 2\n"
    )


def moto_env(endpoint_url: str, region: str) -> dict[str, str]:
    """What a scan of the moto server needs: its endpoint, dummy keys, no metadata server."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "e2e-access-key",
        "AWS_SECRET_ACCESS_KEY": "e2e-secret-key",
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def run_logwarden(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``logwarden ARGS`` in ``cwd`` with exactly ``env``; output captured, never raises on
    a non-zero exit (the tests assert the exit code)."""
    return subprocess.run(
        [LOGWARDEN, *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def seeded_moto(
    home: Path, regions: Sequence[str], defects: Sequence[str] = (), members: int = 1
) -> Iterator[MotoServer]:
    """A moto server holding the standard landing zone with ``defects``, and an organization
    scan config of ``regions`` written to ``home/logwarden.yaml``; stopped on exit."""
    (home / "logwarden.yaml").write_text(aws_org_config(regions))
    server = MotoServer().start()
    server.reset()  # moto's state is process-wide: another module may have seeded it
    try:
        seed_landing_zone(
            standard_landing_zone(members=members, regions=tuple(regions), defects=tuple(defects)),
            endpoint_url=server.endpoint_url,
        )
        yield server
    finally:
        server.reset()
        server.stop()
