"""The fault-injecting proxy in front of the AWS sandbox, and scans run in-process through it.

``aws_name`` and ``aws_error`` adapt :class:`tests.fault_proxy.FaultProxy` to AWS with the
sandbox's own request identification (``logwarden_sandbox.aws_faults.describe_request``):
requests are named ``service:Operation`` and errors are rendered in each request's protocol.
``run_cli`` runs ``logwarden.scanner.cli.main`` in this process with only the proxy's endpoint and
fake keys in the environment (a subprocess per faulted scan would cost seconds each).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from logwarden.scanner.cli import main
from logwarden_sandbox.aws_errors import render_error
from logwarden_sandbox.aws_faults import describe_request
from tests.cli_process import moto_env
from tests.fault_proxy import Answer, Environ


def aws_name(environ: Environ) -> str:
    """``service:Operation`` of a request, as the sandbox identifies it."""
    info = describe_request(environ, lambda _key: "")
    return f"{info.service}:{info.operation}"


def aws_error(kind: str, environ: Environ) -> Answer:
    """An AWS error answer (``InternalError``, ``Throttling``) in the request's protocol."""
    return render_error(kind, describe_request(environ, lambda _key: ""))


def run_cli(argv: Sequence[str], endpoint_url: str, region: str, home: Path) -> int:
    """``logwarden ARGV`` in this process against ``endpoint_url``; returns the exit code."""
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            env.delenv(name)
        for name, value in moto_env(endpoint_url, region).items():
            env.setenv(name, value)
        env.setenv("AWS_CONFIG_FILE", str(home / "no-aws-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "no-aws-credentials"))
        env.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
        return main(list(argv))


#: The operations drift attribution reads (the scans read all the others of the answer table).
ATTRIBUTION = frozenset(
    {("cloudtrail", "LookupEvents"), ("s3", "ListObjectsV2"), ("s3", "GetObject")}
)
