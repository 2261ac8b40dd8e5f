"""The scan configuration file (``logwarden.yaml``): targets, parameters, rules, waivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logwarden.scanner import waiver_files, yamlsrc
from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.models import Severity, Waiver
from logwarden.scanner.schema import Field, check_fields
from logwarden.scanner.yamlsrc import line_of

TOP_LEVEL = {
    "version": Field(int),
    "clouds": Field(dict),
    "parameters": Field(dict),
    "rules": Field(list),
    "overrides": Field(list),
    "waivers": Field(list),
    "scan": Field(dict),
}
SCAN_FIELDS = {"jobs": Field(int), "fail_on": Field(str), "fail_on_error": Field(bool)}


@dataclass
class ScanConfig:
    """A validated configuration file (or the defaults when there is none)."""

    file: str = "<defaults>"
    clouds: dict[str, Any] = field(default_factory=dict)  # cloud -> raw section
    parameters: dict[str, Any] = field(default_factory=dict)
    rules_files: list[Path] = field(default_factory=list)
    overrides: list[tuple[str, Any]] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    jobs: int | None = None
    fail_on: str | None = None  # a severity name or "none"; None when not set
    fail_on_error: bool | None = None


def load_config(path: str | Path | None) -> ScanConfig:
    """Read and validate a config file; ``None`` gives the defaults.

    :raises InputError: every problem with its line and fix.
    """
    if path is None:
        return ScanConfig()
    name = str(path)
    doc = yamlsrc.load_file(path)
    if doc is None:
        return ScanConfig(file=name)
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise InputError(
            [
                Problem(
                    name, None, "the config file must be a mapping", "start from 'logwarden init'"
                )
            ]
        )
    check_fields(doc, TOP_LEVEL, name, "config", problems)
    if doc.get("version", 1) != 1:
        problems.append(
            Problem(
                name,
                line_of(doc, "version"),
                f"unsupported config version {doc.get('version')!r}",
                "use 'version: 1'",
            )
        )
    cfg = ScanConfig(file=name)
    base = Path(name).parent
    clouds = doc.get("clouds") or {}
    if isinstance(clouds, dict):
        for cloud, section in clouds.items():
            if section is not None and not isinstance(section, dict):
                problems.append(
                    Problem(
                        name,
                        line_of(clouds, cloud),
                        f"clouds.{cloud} must be a mapping",
                        f"write the {cloud} targets under clouds.{cloud}:",
                    )
                )
                continue
            cfg.clouds[cloud] = section if section is not None else {}
    if isinstance(doc.get("parameters"), dict):
        cfg.parameters = doc["parameters"]
    for index, item in enumerate(_as_list(doc.get("rules"))):
        if not isinstance(item, str):
            problems.append(
                Problem(
                    name,
                    line_of(doc["rules"], index),
                    "rules entries must be file paths",
                    "write e.g. '- my-rules.yaml'",
                )
            )
            continue
        cfg.rules_files.append(base / item)
    cfg.overrides = [(name, o) for o in _as_list(doc.get("overrides"))]
    cfg.waivers = waiver_files.entries(doc.get("waivers"), name, base, problems)
    scan = doc.get("scan")
    if isinstance(scan, dict) and check_fields(scan, SCAN_FIELDS, name, "scan", problems):
        cfg.jobs = scan.get("jobs")
        if cfg.jobs is not None and cfg.jobs < 1:
            problems.append(
                Problem(
                    name,
                    line_of(scan, "jobs"),
                    "scan.jobs must be at least 1",
                    "use e.g. 'jobs: 8'",
                )
            )
        cfg.fail_on_error = scan.get("fail_on_error")
        if "fail_on" in scan:
            cfg.fail_on = _fail_on(scan["fail_on"], name, line_of(scan, "fail_on"), problems)
    if problems:
        raise InputError(problems)
    return cfg


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _fail_on(value: str, file: str, line: int | None, problems: list[Problem]) -> str | None:
    if value == "none" or value in {s.value for s in Severity}:
        return value
    problems.append(
        Problem(
            file,
            line,
            f"unknown severity {value!r}",
            "use one of: critical, high, medium, low, info, none",
        )
    )
    return None


STARTER = """\
# logwarden scan configuration. Every key is optional; delete what you do not need.
version: 1

clouds:
  aws:
    # organization: every ACTIVE account of the organization, read from the management
    #   account (run with its credentials); accounts: the list below; current: only the
    #   account of the current credentials.
    mode: organization
    # profile: audit-management          # a profile from ~/.aws/config (default chain if unset)
    # role_name: OrganizationAccountAccessRole   # assumed in every member account
    # role_arn_template: "arn:{partition}:iam::{account_id}:role/{role_name}"
    # external_id: my-external-id
    # session_name: logwarden
    # regions: [us-east-1, eu-west-1]     # default: every region enabled in each account
    # exclude_accounts: ["111111111111"]
    # log_archive_account: "222222222222" # default: found from the trails
    # accounts:                           # with mode: accounts
    #   - {id: "333333333333", name: prod}
  # azure:                                # docs/azure.md
  #   mode: management-group              # subscriptions-visible | management-group | subscriptions
  #   management_group_id: mg-contoso
  #   credential: default                 # default | cli | client-secret | managed-identity
  # gcp:                                  # docs/gcp.md
  #   mode: organization                  # organization | folder | projects
  #   organization: "123456789012"
  #   credentials: default                # default | service-account-file

# Parameters used by the controls (defaults in the built-in rules.yaml).
parameters:
  log_retention_days: 365
  # archive_after_days: 90
  # cloudwatch_retention_days: 365

# Your own rules files, merged with the built-in catalogue (paths relative to this file).
rules: []

# Change built-in controls: disable, re-parameterize or change the severity.
overrides: []
#  - id: aws.cloudtrail.cloudwatch_delivery
#    enabled: false
#  - id: aws.s3.log_bucket_lifecycle
#    parameters: {archive_after_days: 30}
#  - id: aws.s3.log_bucket_access_logging
#    severity: low

# Accepted exceptions. reason, owner and expires are required; an expired waiver stops
# muting and is reported.
waivers: []
#  - checks: aws.s3.log_bucket_access_logging     # a glob over control ids
#    tenants: ["222222222222"]                   # optional globs over tenant ids or names
#    resources: ["arn:aws:s3:::org-trail-*"]     # optional globs over resource ids
#    reason: access logs go to the SIEM through another path
#    owner: security-team@example.com
#    expires: 2027-03-31

scan:
  jobs: 16           # tenants scanned in parallel
  fail_on: low       # exit 1 on unwaived findings at or above: critical|high|medium|low|info|none
"""
