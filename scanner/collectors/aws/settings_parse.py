"""Validate the ``clouds.aws`` configuration section into ``AwsSettings``.

Every problem is collected with its file and line (when the section came from a YAML file)
and raised together as one ``InputError``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from logwarden.scanner.collectors.aws.settings import (
    ACCOUNT_ID,
    ALLOWED_KEYS,
    DEFAULT_ROLE_ARN_TEMPLATE,
    DEFAULT_ROLE_NAME,
    MODES,
    OU_ID,
    REGION,
    RETRY_MODES,
    ROLE_NAME,
    SESSION_NAME,
    TEMPLATE_FIELDS,
    AccountTarget,
    AwsSettings,
)
from logwarden.scanner.collectors.section import SectionParser, require_mapping
from logwarden.scanner.errors import fail, warn


class _Parser(SectionParser):
    def __init__(self, section: Mapping[str, Any], file: str) -> None:
        super().__init__("aws", section, file)

    def account_id(self, node: Any, key: str | int, value: Any, where: str) -> str | None:
        # YAML reads an unquoted 12-digit id as an int; leading zeros would be lost, and ids made
        # of digits 0-7 with a leading zero would even be read as octal: insist on quoting those.
        if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 12:
            value = str(value)
        if not isinstance(value, str) or not ACCOUNT_ID.match(value):
            self.problem(
                node,
                key,
                f"{where}: {value!r} is not an AWS account id",
                'write the 12-digit account id as a quoted string, e.g. "012345678901"',
            )
            return None
        return value

    def id_list(self, key: str, pattern: re.Pattern[str] | None, hint: str) -> list[str]:
        value = self.section.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(self.section, key, f"clouds.aws.{key} must be a list", hint)
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if pattern is None:
                got = self.account_id(value, i, item, f"clouds.aws.{key}[{i}]")
            elif isinstance(item, str) and pattern.match(item):
                got = item
            else:
                self.problem(value, i, f"clouds.aws.{key}[{i}]: {item!r} is not valid", hint)
                got = None
            if got is not None:
                out.append(got)
        return out


def parse_settings(section: Mapping[str, Any] | None, file: str = "<config>") -> AwsSettings:
    """Validate the ``clouds.aws`` mapping; every problem is reported at once as ``InputError``."""
    section = require_mapping(section, "aws", file)
    p = _Parser(section, file)
    p.unknown_keys(ALLOWED_KEYS)

    mode = section.get("mode", "organization")
    if mode not in MODES:
        p.problem(
            section,
            "mode",
            f"clouds.aws.mode {mode!r} is not valid",
            f"use one of: {', '.join(MODES)}",
        )
        mode = "organization"

    accounts = _accounts(p, mode)
    if mode != "organization" and "include_ous" in section:
        p.problem(
            section,
            "include_ous",
            "clouds.aws.include_ous only applies to mode: organization",
            "remove include_ous or set mode: organization",
        )

    template = p.text("role_arn_template") or DEFAULT_ROLE_ARN_TEMPLATE
    _check_template(p, template)
    regions = _regions(p)
    endpoint = p.text(
        "endpoint_url", re.compile(r"^https?://[^\s/]+"), "use a URL such as http://127.0.0.1:5000"
    )

    max_attempts = section.get("max_attempts", 8)
    if (
        isinstance(max_attempts, bool)
        or not isinstance(max_attempts, int)
        or not 0 <= max_attempts <= 50
    ):
        p.problem(
            section,
            "max_attempts",
            f"clouds.aws.max_attempts {max_attempts!r} is not valid",
            "use a whole number of retries from 0 to 50, e.g. 8",
        )
        max_attempts = 8
    retry_mode = section.get("retry_mode", "standard")
    if retry_mode not in RETRY_MODES:
        p.problem(
            section,
            "retry_mode",
            f"clouds.aws.retry_mode {retry_mode!r} is not valid",
            f"use one of: {', '.join(RETRY_MODES)}",
        )
        retry_mode = "standard"

    archive = section.get("log_archive_account")
    archive_id = (
        None
        if archive is None
        else p.account_id(section, "log_archive_account", archive, "clouds.aws.log_archive_account")
    )

    settings = AwsSettings(
        mode=mode,
        profile=p.text("profile"),
        accounts=tuple(accounts),
        role_name=p.text(
            "role_name", ROLE_NAME, "an IAM role name such as OrganizationAccountAccessRole"
        )
        or DEFAULT_ROLE_NAME,
        role_arn_template=template,
        external_id=p.text(
            "external_id",
            re.compile(r"^[\w+=,.@:/-]{2,1224}$"),
            "2 to 1224 characters: letters, digits and +=,.@:/-",
        ),
        session_name=p.text(
            "session_name", SESSION_NAME, "2 to 64 characters: letters, digits and +=,.@_-"
        )
        or "logwarden",
        regions=regions,
        exclude_accounts=frozenset(p.id_list("exclude_accounts", None, "")),
        include_ous=tuple(
            p.id_list(
                "include_ous",
                OU_ID,
                "use organizational unit ids (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)",
            )
        ),
        endpoint_url=endpoint,
        max_attempts=max_attempts,
        retry_mode=retry_mode,
        log_archive_account=archive_id,
    )
    p.raise_problems()
    return settings


def _accounts(p: _Parser, mode: str) -> list[AccountTarget]:
    section = p.section
    value = section.get("accounts")
    if mode == "accounts" and not value:
        p.problem(
            section,
            "accounts" if "accounts" in section else "mode",
            "clouds.aws.mode is 'accounts' but no accounts are listed",
            'list the targets under clouds.aws.accounts as [{id: "123456789012", name: prod}]',
        )
        return []
    if value is None:
        return []
    if mode != "accounts":
        p.problem(
            section,
            "accounts",
            f"clouds.aws.accounts is only used with mode: accounts (mode is {mode!r})",
            "set mode: accounts or remove accounts",
        )
        return []
    if not isinstance(value, list):
        p.problem(
            section,
            "accounts",
            "clouds.aws.accounts must be a list",
            "write one '- id: \"123456789012\"' entry per account",
        )
        return []
    out: list[AccountTarget] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"clouds.aws.accounts[{i}]"
        node: Any = value
        key: str | int = i
        name: Any = ""
        if isinstance(item, Mapping):
            extra = sorted(set(item) - {"id", "name"})
            if extra:
                p.problem(
                    item, extra[0], f"{where}: unknown key {extra[0]!r}", "allowed keys: id, name"
                )
            node, key, raw, name = item, "id", item.get("id"), item.get("name", "")
        else:
            raw = item
        if not isinstance(name, str):
            p.problem(item, "name", f"{where}.name must be a string", "quote the account name")
            name = ""
        account = p.account_id(node, key, raw, f"{where}.id" if key == "id" else where)
        if account is None:
            continue
        if account in seen:
            p.problem(
                node, key, f"{where}: account {account} is listed twice", "list each account once"
            )
            continue
        seen.add(account)
        out.append(AccountTarget(account, name))
    return out


def _check_template(p: _Parser, template: str) -> None:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        p.problem(
            p.section,
            "role_arn_template",
            f"clouds.aws.role_arn_template is malformed: {exc}",
            "use {partition}, {account_id} and {role_name} placeholders",
        )
        return
    unknown = sorted(names - set(TEMPLATE_FIELDS))
    if unknown:
        p.problem(
            p.section,
            "role_arn_template",
            f"clouds.aws.role_arn_template uses unknown placeholder(s) {', '.join(unknown)}",
            "use only {partition}, {account_id} and {role_name}",
        )
    elif "account_id" not in names:
        p.problem(
            p.section,
            "role_arn_template",
            "clouds.aws.role_arn_template has no {account_id} placeholder",
            "e.g. arn:{partition}:iam::{account_id}:role/{role_name}",
        )


def _regions(p: _Parser) -> tuple[str, ...] | None:
    value = p.section.get("regions", "enabled")
    if value == "enabled":
        return None
    hint = "use 'enabled' or a list of region names such as [us-east-1, eu-west-1]"
    if not isinstance(value, list) or not value:
        p.problem(p.section, "regions", f"clouds.aws.regions {value!r} is not valid", hint)
        return None
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and REGION.match(item):
            if item not in out:
                out.append(item)
        else:
            p.problem(value, i, f"clouds.aws.regions[{i}]: {item!r} is not a region name", hint)
    return tuple(out)


def with_region_option(settings: AwsSettings, names: Sequence[str]) -> AwsSettings:
    """``settings`` scanning only the AWS regions among ``--regions`` (which replaces
    ``clouds.aws.regions``); names of other clouds' regions are left to them, with a warning.

    :raises InputError: ``--regions`` names no AWS region.
    """
    if not names:
        return settings
    ours = tuple(n for n in names if REGION.match(n))
    for name in names:
        if name not in ours:
            warn(f"--regions {name!r} is not an AWS region name; AWS scans {', '.join(ours)}")
    if not ours:
        raise fail(
            "--regions",
            None,
            f"--regions {','.join(names)} names no AWS region",
            "name AWS regions such as us-east-1,eu-west-1",
        )
    return replace(settings, regions=ours)
