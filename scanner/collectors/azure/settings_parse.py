"""Validate the ``clouds.azure`` configuration section into ``AzureSettings``.

Every problem is collected with its file and line (when the section came from a YAML file)
and raised together as one ``InputError``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from logwarden.scanner.collectors.azure.settings import (
    ALLOWED_KEYS,
    CREDENTIALS,
    ENV_NAME,
    GUID,
    HTTPS_URL,
    MANAGEMENT_GROUP,
    MODES,
    PUBLIC_ARM,
    AzureSettings,
    SubscriptionTarget,
)
from logwarden.scanner.collectors.section import SectionParser, require_mapping

GUID_HINT = 'write the subscription id as a GUID, e.g. "00000000-0000-0000-0000-000000000000"'
# Which credential needs (and allows) which keys.
NEEDS = {
    "client-secret": ("tenant_id", "client_id", "client_secret_env"),
    "static-token": ("token_env",),
}
ALLOWS = {
    "default": ("tenant_id", "client_id"),
    "cli": ("tenant_id",),
    "client-secret": ("tenant_id", "client_id", "client_secret_env"),
    "managed-identity": ("client_id",),
    "static-token": ("token_env", "tenant_id"),
}
CREDENTIAL_KEYS = ("tenant_id", "client_id", "client_secret_env", "token_env")


class _Parser(SectionParser):
    def __init__(self, section: Mapping[str, Any], file: str) -> None:
        super().__init__("azure", section, file)

    def guid(self, node: Any, key: str | int, value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not GUID.match(value):
            self.problem(node, key, f"{where}: {value!r} is not a subscription id", GUID_HINT)
            return None
        return value.lower()


def parse_settings(section: Mapping[str, Any] | None, file: str = "<config>") -> AzureSettings:
    """Validate the ``clouds.azure`` mapping; every problem is reported at once as ``InputError``."""
    section = require_mapping(section, "azure", file)
    p = _Parser(section, file)
    _unknown_keys(p)
    mode = section.get("mode", MODES[0])
    if mode not in MODES:
        p.problem(
            section,
            "mode",
            f"clouds.azure.mode {mode!r} is not valid",
            f"use one of: {', '.join(MODES)}",
        )
        mode = MODES[0]
    group = p.text(
        "management_group_id", MANAGEMENT_GROUP, "use the management group's id (not its name)"
    )
    if mode == "management-group" and "management_group_id" not in section:
        p.problem(
            section,
            "mode",
            "clouds.azure.mode is 'management-group' but no management_group_id is set",
            "set management_group_id (the tenant id scans the tenant root group)",
        )
    elif mode != "management-group" and "management_group_id" in section:
        p.problem(
            section,
            "management_group_id",
            "clouds.azure.management_group_id only applies to mode: management-group",
            "set mode: management-group or remove management_group_id",
        )
    credential = section.get("credential", "default")
    if credential not in CREDENTIALS:
        p.problem(
            section,
            "credential",
            f"clouds.azure.credential {credential!r} is not valid",
            f"use one of: {', '.join(CREDENTIALS)}",
        )
        credential = "default"
    _credential_keys(p, credential)
    arm = p.text("arm_endpoint", HTTPS_URL, "use an https URL such as https://management.azure.com")
    ca_bundle = p.text("ca_bundle")
    if ca_bundle is not None and not os.path.isfile(ca_bundle):
        p.problem(
            section,
            "ca_bundle",
            f"clouds.azure.ca_bundle {ca_bundle!r} is not a file",
            "give the path of a PEM file with the CA certificates to trust",
        )
    env_hint = "the name of an environment variable, e.g. AZURE_CLIENT_SECRET"
    settings = AzureSettings(
        mode=mode,
        management_group_id=group,
        subscriptions=tuple(_subscriptions(p, mode)),
        exclude_subscriptions=frozenset(_exclusions(p)),
        credential=credential,
        tenant_id=_lower(p.text("tenant_id", GUID, "write the Entra ID tenant id as a GUID")),
        client_id=_lower(p.text("client_id", GUID, "write the application (client) id as a GUID")),
        client_secret_env=p.text("client_secret_env", ENV_NAME, env_hint),
        token_env=p.text("token_env", ENV_NAME, env_hint),
        arm_endpoint=(arm or PUBLIC_ARM).rstrip("/"),
        credential_scope=p.text(
            "credential_scope",
            re.compile(r"^\S+/\.default$"),
            "an audience followed by /.default, e.g. https://management.usgovcloudapi.net/.default",
        ),
        authority_host=p.text("authority_host", HTTPS_URL, "e.g. https://login.microsoftonline.us"),
        ca_bundle=ca_bundle,
        retry_total=int(p.number("retry_total", 5, 0, 20, whole=True)),
        retry_backoff_factor=float(p.number("retry_backoff_factor", 0.8, 0, 60, whole=False)),
        retry_backoff_max=float(p.number("retry_backoff_max", 60, 0, 600, whole=False)),
    )
    p.raise_problems()
    return settings


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


def _unknown_keys(p: _Parser) -> None:
    if "expected_workspace_id" in p.section:
        p.problem(
            p.section,
            "expected_workspace_id",
            "expected_workspace_id is a rules parameter, not an Azure setting",
            "move it to the top-level 'parameters:' block of the config file",
        )
    p.unknown_keys(ALLOWED_KEYS, skip=("expected_workspace_id",))


def _credential_keys(p: _Parser, credential: str) -> None:
    for key in NEEDS.get(credential, ()):
        if key not in p.section:
            p.problem(
                p.section,
                "credential",
                f"clouds.azure.credential {credential!r} needs {key}",
                f"set clouds.azure.{key}",
            )
    for key in CREDENTIAL_KEYS:
        if key in p.section and key not in ALLOWS[credential]:
            p.problem(
                p.section,
                key,
                f"clouds.azure.{key} does not apply to credential {credential!r}",
                f"remove it, or use a credential that takes it ({_takers(key)})",
            )


def _takers(key: str) -> str:
    return ", ".join(c for c, keys in ALLOWS.items() if key in keys)


def _subscriptions(p: _Parser, mode: str) -> list[SubscriptionTarget]:
    section = p.section
    value = section.get("subscriptions")
    if mode == "subscriptions" and not value:
        p.problem(
            section,
            "subscriptions" if "subscriptions" in section else "mode",
            "clouds.azure.mode is 'subscriptions' but no subscriptions are listed",
            'list them under clouds.azure.subscriptions as [{id: "<guid>", name: prod}]',
        )
        return []
    if value is None:
        return []
    if mode != "subscriptions":
        p.problem(
            section,
            "subscriptions",
            f"clouds.azure.subscriptions is only used with mode: subscriptions (mode is {mode!r})",
            "set mode: subscriptions or remove subscriptions",
        )
        return []
    if not isinstance(value, list):
        p.problem(section, "subscriptions", "clouds.azure.subscriptions must be a list", GUID_HINT)
        return []
    out: list[SubscriptionTarget] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"clouds.azure.subscriptions[{i}]"
        node: Any = value
        key: str | int = i
        name: Any = ""
        raw: Any = item
        if isinstance(item, Mapping):
            extra = sorted(set(item) - {"id", "name"})
            if extra:
                p.problem(item, extra[0], f"{where}: unknown key {extra[0]!r}", "allowed: id, name")
            node, key, raw, name = item, "id", item.get("id"), item.get("name", "")
        if not isinstance(name, str):
            p.problem(item, "name", f"{where}.name must be a string", "quote the name")
            name = ""
        sub = p.guid(node, key, raw, f"{where}.id" if key == "id" else where)
        if sub is None:
            continue
        if sub in seen:
            p.problem(node, key, f"{where}: subscription {sub} is listed twice", "list it once")
            continue
        seen.add(sub)
        out.append(SubscriptionTarget(sub, name))
    return out


def _exclusions(p: _Parser) -> list[str]:
    value = p.section.get("exclude_subscriptions")
    if value is None:
        return []
    if not isinstance(value, list):
        p.problem(
            p.section,
            "exclude_subscriptions",
            "clouds.azure.exclude_subscriptions must be a list",
            GUID_HINT,
        )
        return []
    out = []
    for i, item in enumerate(value):
        got = p.guid(value, i, item, f"clouds.azure.exclude_subscriptions[{i}]")
        if got is not None:
            out.append(got)
    return out
