"""``logwarden demo``: scan a seeded landing zone on a local emulator through the real CLI path.

A moto server is started in-process on 127.0.0.1 (random free port), seeded with a realistic
AWS organization that has a handful of deliberate defects, scanned with ``logwarden scan``
(the same code path as production, pointed at the emulator through ``AWS_ENDPOINT_URL`` and
static credentials), and stopped. The reports land in the output directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scanner.models import ExitCode
from scanner.sandbox.aws_server import MotoServer
from scanner.sandbox.aws_world import seed_landing_zone, standard_landing_zone

DEMO_REGIONS = ("us-east-1", "eu-west-1")
# One defect per family, spread over accounts, so the report shows what logwarden finds.
DEMO_DEFECTS = (
    "member_single_region_trail",
    "scp_cloudtrail_detached_from_ou",
    "config_recorder_stopped",
    "lifecycle_no_archive",
    "log_group_short_retention",
    "bucket_no_access_logging",
)
DEMO_CONFIG = """\
# Written by `logwarden demo`: the scan of the seeded landing zone.
version: 1
clouds:
  aws:
    mode: organization
    regions: [{regions}]
scan:
  jobs: 8
"""


@contextmanager
def _emulator_environment(endpoint_url: str) -> Iterator[None]:
    """Point boto3 at the emulator with static credentials; never at AWS or the IMDS."""
    values = {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "demo-access-key",
        "AWS_SECRET_ACCESS_KEY": "demo-secret-key",
        "AWS_DEFAULT_REGION": DEMO_REGIONS[0],
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    removed = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    saved = {k: os.environ.get(k) for k in (*values, *removed)}
    os.environ.update(values)
    for key in removed:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(output: Path) -> ExitCode:
    """Seed, scan, write every report into ``output``; 0 when the scan ran as expected."""
    from scanner import cli  # the real CLI path

    output.mkdir(parents=True, exist_ok=True)
    print(
        f"starting the AWS emulator (moto) on 127.0.0.1 and seeding a landing zone with defects: {', '.join(DEMO_DEFECTS)}"
    )
    with MotoServer() as server:
        world = seed_landing_zone(
            standard_landing_zone(members=4, regions=DEMO_REGIONS, defects=DEMO_DEFECTS),
            endpoint_url=server.endpoint_url,
        )
        print(
            f"organization {world.org_id}: {len(world.accounts)} accounts, log archive {world.log_archive_account_id}, emulator {server.endpoint_url}"
        )
        config = output / "logwarden.yaml"
        config.write_text(DEMO_CONFIG.format(regions=", ".join(DEMO_REGIONS)), encoding="utf-8")
        with _emulator_environment(server.endpoint_url):
            code = cli.main(
                [
                    "scan",
                    "--config",
                    str(config),
                    "--format",
                    "json",
                    "--output",
                    str(output),
                    "--save-inventory",
                    str(output / "inventory.json"),
                ]
            )
    print(f"\nreports: {output.resolve()}/ (config: {config.name}, report.json, inventory.json)")
    if code == ExitCode.FINDINGS:
        print("the scan found the seeded defects (a CI gate would exit 1 here); demo done")
        return ExitCode.OK
    print(f"unexpected scan outcome: exit code {code}", file=sys.stderr)
    return ExitCode(code)
