"""``logwarden demo``: scan a seeded multi-cloud landing zone on local emulators, change it,
scan again and show the drift with who made it.

Each cloud's emulator starts in-process on 127.0.0.1 (random free ports): moto for AWS, the
ARM fake for Azure, the Resource Manager and Logging fakes for GCP. Each is seeded with a
realistic organization with a handful of deliberate defects and scanned with
``logwarden scan --history`` (the production code path, pointed at the emulators by the scan
config and the environment). Then the demo changes the zone as a careless administrator
would (stops the organization trail, shortens the log bucket's lifecycle, drops a Security
category from an Azure activity-log export, removes Data Access logs from a GCP folder); the
emulators record each change in the cloud's own audit log, as the real clouds do. The second
scan (``--drift``) reports what got worse and who did it. Every report of the second scan,
the history store and a baseline of the first scan land in the output directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from logwarden.scanner.models import ExitCode
from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import World, seed_landing_zone, standard_landing_zone
from logwarden_sandbox.azure_sandbox import DEMO_DEFECTS as AZURE_DEMO_DEFECTS
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.gcp_zone import DEMO_DEFECTS as GCP_DEMO_DEFECTS
from logwarden_sandbox.gcp_zone import UNSET_ENV as GCP_UNSET_ENV
from logwarden_sandbox.gcp_zone import GcpSandbox, start_gcp_sandbox

AWS_REGIONS = ("us-east-1", "eu-west-1")
# One defect per family, spread over accounts, so the report shows what logwarden finds. The
# central bucket's lifecycle is sound at first: the demo's change makes it a new failure.
AWS_DEMO_DEFECTS = (
    "member_single_region_trail",
    "scp_cloudtrail_detached_from_ou",
    "config_recorder_stopped",
    "key_rotation_off",
    "log_group_short_retention",
    "bucket_no_access_logging",
    "log_reader_outside_org",
    "monitoring_unauthorized_calls_no_alarm",  # a metric filter without its alarm
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


@dataclass
class DemoCloud:
    """One cloud's running sandbox: how to scan it, and the demo's changes to it."""

    section: dict[str, Any]  # its clouds.<cloud> config section
    env: dict[str, str]  # the environment its scan needs
    summary: str
    change: Callable[[], list[str]]  # applies the changes; says what it did


def _start_aws(stack: ExitStack) -> DemoCloud:
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
    return DemoCloud(section, env, summary, lambda: _change_aws(world))


def _change_aws(world: World) -> list[str]:
    from logwarden_sandbox import aws_changes

    stop = aws_changes.stop_org_trail(world)
    lifecycle = aws_changes.shorten_log_bucket_lifecycle(world, expire_days=30)
    return [
        f"AWS: {stop['userIdentity']['arn']} stopped the organization trail (StopLogging)",
        f"AWS: {lifecycle['userIdentity']['arn']} made {world.log_bucket} expire logs after "
        "30 days (PutBucketLifecycle)",
    ]


def _start_azure(stack: ExitStack) -> DemoCloud:
    box = stack.enter_context(start_azure_sandbox(defects=AZURE_DEMO_DEFECTS))
    summary = f"Azure tenant {box.world.tenant_id}: {len(box.world.subscriptions)} subscriptions (defects: {', '.join(AZURE_DEMO_DEFECTS)})"
    return DemoCloud(dict(box.config), dict(box.env), summary, lambda: _change_azure(box))


def _change_azure(box: AzureSandbox) -> list[str]:
    from logwarden_sandbox import azure_changes

    event = azure_changes.remove_activity_log_category(box, category="Security")
    return [
        f"Azure: {event['caller']} stopped exporting the Security category of the Activity "
        "Log (diagnosticSettings/write)"
    ]


def _start_gcp(stack: ExitStack) -> DemoCloud:
    box = stack.enter_context(start_gcp_sandbox(GCP_DEMO_DEFECTS))
    summary = (
        f"GCP organization with 2 folders and 4 projects (defects: {', '.join(GCP_DEMO_DEFECTS)})"
    )
    return DemoCloud(dict(box.config_section), dict(box.env), summary, lambda: _change_gcp(box))


def _change_gcp(box: GcpSandbox) -> list[str]:
    from logwarden_sandbox import gcp_changes

    # The Platform folder: the Workloads folder's projects already fail (a seeded exemption).
    folder = "folders/2000000001"
    entry = gcp_changes.remove_data_access_logs(box, folder)
    principal = entry["protoPayload"]["authenticationInfo"]["principalEmail"]
    return [f"GCP: {principal} removed Data Access logs from {folder} (SetIamPolicy)"]


def run_demo(output: Path) -> ExitCode:
    """Seed, scan, change, scan again; write every report into ``output``; 0 when both scans
    ran as expected (the second one finds the seeded defects and the drift)."""
    from logwarden.scanner import cli  # the real CLI path

    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "logwarden.yaml"
    store = output / "history.db"
    store.unlink(missing_ok=True)  # the demo's zone is new every time: so is its history
    with ExitStack() as stack:
        sandboxes: dict[str, DemoCloud] = {}
        env: dict[str, str] = dict(SAFETY_ENV)
        print("starting local emulators on 127.0.0.1 and seeding a landing zone per cloud")
        for name, start in (("aws", _start_aws), ("azure", _start_azure), ("gcp", _start_gcp)):
            sandboxes[name] = start(stack)
            env.update(sandboxes[name].env)
            print(f"  {sandboxes[name].summary}")
        clouds = {name: box.section for name, box in sandboxes.items()}
        config = {"version": 1, "clouds": clouds, "scan": {"jobs": 16}}
        header = "# Written by `logwarden demo`: the scan of the seeded landing zones.\n"
        config_path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        scan = ["scan", "--config", str(config_path), "--history", str(store)]
        with _environment(env):
            print("\n1. first scan, recorded in the history store")
            first = cli.main([*scan, "-q", "--json", str(output / "first-scan.json")])
            baseline = output / "baseline.json"
            cli.main(["baseline", "save", str(baseline), "--history", str(store)])
            print("\n2. an administrator changes the landing zone (the clouds log each call)")
            for box in sandboxes.values():
                for line in box.change():
                    print(f"  {line}")
            print("\n3. second scan, compared with the first: what got worse, and who did it\n")
            second = cli.main(
                [
                    *scan,
                    "--drift",
                    "--output",
                    str(output),
                    "--save-inventory",
                    str(output / "inventory.json"),
                ]
            )
    print(f"\nreports: {output.resolve()}/ (open report.html; config: {config_path.name})")
    print(
        f"try (offline, the emulators are gone): logwarden drift --history {store}\n"
        f"  a CI gate on what is new against the baseline: logwarden scan --inventory "
        f"{output / 'inventory.json'} --baseline {baseline} --fail-on-drift"
    )
    if first == second == ExitCode.FINDINGS:
        print("the scans found the seeded defects and the drift (a CI gate would exit 1 here)")
        return ExitCode.OK
    print(f"unexpected scan outcome: exit codes {first}, {second}", file=sys.stderr)
    return ExitCode(second if second != ExitCode.FINDINGS else first)
