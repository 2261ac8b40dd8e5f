"""What the real collectors produce over the sandbox worlds: the installed CLI scans the three
emulators (seeded with defects chosen to make optional fields appear) and saves its inventory;
the documents are read back per resource kind."""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml

from logwarden_sandbox.aws_server import MotoServer
from logwarden_sandbox.aws_world import seed_landing_zone, standard_landing_zone
from logwarden_sandbox.azure_sandbox import start_azure_sandbox
from logwarden_sandbox.gcp_zone import start_gcp_sandbox
from tests.cli_process import cli_env, moto_env, run_logwarden

AWS_REGIONS = ("us-east-1", "eu-west-1")
# Each set leaves most of the world compliant and adds what a compliant world does not show:
# ACLs read (ownership not enforced), a trail and a bucket a member owns, a setting that sends
# to storage only, an unenforced and an excluded assignment, a member exempted from audit
# logs, a service-specific audit config, a sink exclusion, a project sink, a storage bucket,
# a metric filter that falls short (the accounts' EventBridge buses are read).
AWS_DEFECTS = (
    "bucket_acl_ownership",
    "member_single_region_trail",
    "monitoring_cloudtrail_filter_missing_event",
)
AZURE_DEFECTS = ("activity_log_storage_only", "policy_do_not_enforce", "policy_excluded")
GCP_DEFECTS = (
    "folder_exempts_member",
    "service_specific_only",
    "org_sink_excludes_audit",
    "project_sink_short_retention",
    "storage_bucket_unlocked",
)


def scan_sandboxes(cwd: Path) -> dict[str, list[dict[str, Any]]]:
    """Scan the three sandboxes with one CLI run; every document collected, per kind."""
    with ExitStack() as stack:
        moto = stack.enter_context(MotoServer())
        moto.reset()  # moto's state is process-wide: another module may have seeded it
        stack.callback(moto.reset)  # and the next one must not find this organization
        zone = standard_landing_zone(members=2, regions=AWS_REGIONS, defects=AWS_DEFECTS)
        seed_landing_zone(zone, endpoint_url=moto.endpoint_url)
        azure = stack.enter_context(start_azure_sandbox(AZURE_DEFECTS))
        gcp = stack.enter_context(start_gcp_sandbox(GCP_DEFECTS))
        clouds = {
            "aws": {"mode": "organization", "regions": list(AWS_REGIONS)},
            "azure": azure.config,
            "gcp": gcp.config_section,
        }
        (cwd / "logwarden.yaml").write_text(yaml.safe_dump({"version": 1, "clouds": clouds}))
        env = {**moto_env(moto.endpoint_url, AWS_REGIONS[0]), **azure.env, **gcp.env}
        proc = run_logwarden(
            ["scan", "--config", "logwarden.yaml", "-q", "--save-inventory", "inventory.json"],
            cwd,
            cli_env(cwd, env),
        )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    return documents_by_kind(json.loads((cwd / "inventory.json").read_text()))


def documents_by_kind(inventory: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The ``data`` of every resource of a saved inventory, per kind."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for organization in inventory["organizations"]:
        views = [organization["inventory"], *(t["inventory"] for t in organization["tenants"])]
        for view in views:
            for kind, collection in view.items():
                found[kind].extend(r["data"] for r in collection["resources"])
    return dict(found)
