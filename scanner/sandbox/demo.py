"""``logwarden demo``: scan a seeded multi-cloud landing zone on local emulators.

Each cloud's emulator starts in-process on 127.0.0.1 (random free ports): moto for AWS, the
ARM fake for Azure, the Resource Manager and Logging fakes for GCP. Each is seeded with a
realistic organization with a handful of deliberate defects, then scanned with
``logwarden scan`` (the production code path, pointed at the emulators by the scan config and
the environment), and stopped. Every report lands in the output directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import yaml

from scanner.models import ExitCode
from scanner.sandbox.aws_server import MotoServer
from scanner.sandbox.aws_world import seed_landing_zone, standard_landing_zone
from scanner.sandbox.azure_sandbox import DEMO_DEFECTS as AZURE_DEMO_DEFECTS
from scanner.sandbox.azure_sandbox import start_azure_sandbox
from scanner.sandbox.gcp_zone import DEMO_DEFECTS as GCP_DEMO_DEFECTS
from scanner.sandbox.gcp_zone import UNSET_ENV as GCP_UNSET_ENV
from scanner.sandbox.gcp_zone import start_gcp_sandbox

AWS_REGIONS = ("us-east-1", "eu-west-1")
# One defect per family, spread over accounts, so the report shows what logwarden finds.
AWS_DEMO_DEFECTS = (
    "member_single_region_trail",
    "scp_cloudtrail_detached_from_ou",
    "config_recorder_stopped",
    "lifecycle_no_archive",
    "log_group_short_retention",
    "bucket_no_access_logging",
)
# Never let the SDKs fall back to a real cloud or the instance-metadata address.
SAFETY_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_GCE_CHECK": "True",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
}
REMOVED_ENV = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    *GCP_UNSET_ENV,
)


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` (and unset ambient cloud credentials) for the scan; restore afterwards."""
    saved = {k: os.environ.get(k) for k in (*values, *REMOVED_ENV)}
    os.environ.update(values)
    for key in REMOVED_ENV:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _start_aws(stack: ExitStack) -> tuple[dict[str, Any], dict[str, str], str]:
    server = stack.enter_context(MotoServer())
    zone = standard_landing_zone(members=4, regions=AWS_REGIONS, defects=AWS_DEMO_DEFECTS)
    world = seed_landing_zone(zone, endpoint_url=server.endpoint_url)
    env = {
        "AWS_ENDPOINT_URL": server.endpoint_url,
        "AWS_ACCESS_KEY_ID": "demo-access-key",
        "AWS_SECRET_ACCESS_KEY": "demo-secret-key",
        "AWS_DEFAULT_REGION": AWS_REGIONS[0],
    }
    section = {"mode": "organization", "regions": list(AWS_REGIONS)}
    summary = f"AWS organization {world.org_id}: {len(world.accounts)} accounts (defects: {', '.join(AWS_DEMO_DEFECTS)})"
    return section, env, summary


def _start_azure(stack: ExitStack) -> tuple[dict[str, Any], dict[str, str], str]:
    box = stack.enter_context(start_azure_sandbox(defects=AZURE_DEMO_DEFECTS))
    summary = f"Azure tenant {box.world.tenant_id}: {len(box.world.subscriptions)} subscriptions (defects: {', '.join(AZURE_DEMO_DEFECTS)})"
    return dict(box.config), dict(box.env), summary


def _start_gcp(stack: ExitStack) -> tuple[dict[str, Any], dict[str, str], str]:
    box = stack.enter_context(start_gcp_sandbox(GCP_DEMO_DEFECTS))
    summary = (
        f"GCP organization with 2 folders and 4 projects (defects: {', '.join(GCP_DEMO_DEFECTS)})"
    )
    return dict(box.config_section), dict(box.env), summary


def run_demo(output: Path) -> ExitCode:
    """Seed, scan, write every report into ``output``; 0 when the scan ran as expected."""
    from scanner import cli  # the real CLI path

    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "logwarden.yaml"
    with ExitStack() as stack:
        clouds: dict[str, Any] = {}
        env: dict[str, str] = dict(SAFETY_ENV)
        print("starting local emulators on 127.0.0.1 and seeding a landing zone per cloud")
        for name, start in (("aws", _start_aws), ("azure", _start_azure), ("gcp", _start_gcp)):
            section, cloud_env, summary = start(stack)
            clouds[name] = section
            env.update(cloud_env)
            print(f"  {summary}")
        config = {"version": 1, "clouds": clouds, "scan": {"jobs": 16}}
        header = "# Written by `logwarden demo`: the scan of the seeded landing zones.\n"
        config_path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        with _environment(env):
            code = cli.main(
                [
                    "scan",
                    "--config",
                    str(config_path),
                    "--output",
                    str(output),
                    "--save-inventory",
                    str(output / "inventory.json"),
                ]
            )
    print(f"\nreports: {output.resolve()}/ (open report.html; config: {config_path.name})")
    if code == ExitCode.FINDINGS:
        print("the scan found the seeded defects (a CI gate would exit 1 here); demo done")
        return ExitCode.OK
    print(f"unexpected scan outcome: exit code {code}", file=sys.stderr)
    return ExitCode(code)
