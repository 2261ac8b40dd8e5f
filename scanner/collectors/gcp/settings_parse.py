"""Validate the ``clouds.gcp`` configuration section into ``GcpSettings``.

Every problem is collected with its file and line (when the section came from a YAML file)
and raised together as one ``InputError``. Nothing here calls Google.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from logwarden.scanner.collectors.gcp.settings import (
    ALLOWED_KEYS,
    CREDENTIALS,
    ENDPOINT_KEYS,
    LOOPBACK_HOSTS,
    MODES,
    NUMERIC_ID,
    PROJECT_ID,
    GcpSettings,
)
from logwarden.scanner.collectors.section import SectionParser, require_mapping

PREFIXES = {"organization": "organizations/", "folder": "folders/"}


class _Parser(SectionParser):
    def __init__(self, section: Mapping[str, Any], file: str) -> None:
        super().__init__("gcp", section, file)

    def numeric_id(self, key: str) -> str | None:
        value = self.section.get(key)
        if value is None:
            return None
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(text, str):
            text = text.removeprefix(PREFIXES[key])
        if not isinstance(text, str) or not NUMERIC_ID.match(text):
            self.problem(
                self.section,
                key,
                f"clouds.gcp.{key} {value!r} is not a {key} id",
                f'write the numeric id, e.g. "123456789012" or "{PREFIXES[key]}123456789012"',
            )
            return None
        return text

    def project_list(self, key: str) -> list[str]:
        value = self.section.get(key)
        if value is None:
            return []
        hint = "list project ids (6 to 30 characters: lower-case letters, digits, hyphens)"
        if not isinstance(value, list):
            self.problem(self.section, key, f"clouds.gcp.{key} must be a list", hint)
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not PROJECT_ID.match(item):
                self.problem(value, i, f"clouds.gcp.{key}[{i}]: {item!r} is not a project id", hint)
            elif item in out:
                self.problem(value, i, f"clouds.gcp.{key}[{i}]: {item} is listed twice", hint)
            else:
                out.append(item)
        return out

    def seconds(self, key: str, default: float, low: float, high: float) -> float:
        return float(self.number(key, default, low, high, unit="seconds"))

    def endpoint(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        grpc_style = key == "logging_endpoint"
        parsed = urlsplit(value if not grpc_style else f"//{value}")
        shape_ok = (
            (not parsed.scheme and not parsed.path)
            if grpc_style
            else (parsed.scheme in ("http", "https") and parsed.path in ("", "/"))
        )
        try:
            port_ok = parsed.port is not None
        except ValueError:
            port_ok = False
        example = "127.0.0.1:8085" if grpc_style else "http://127.0.0.1:8080"
        if not shape_ok or not port_ok:
            self.problem(
                self.section,
                key,
                f"clouds.gcp.{key} {value!r} is not valid",
                f"write host:port{'' if grpc_style else ' with http:// or https://'}, e.g. {example}",
            )
            return None
        if (parsed.hostname or "") not in LOOPBACK_HOSTS and f"[{parsed.hostname}]" not in (
            LOOPBACK_HOSTS
        ):
            self.problem(
                self.section,
                key,
                f"clouds.gcp.{key} {value!r} is not a loopback address",
                "endpoint overrides are for the local sandbox only (127.0.0.1, ::1, localhost); "
                "remove the key to use Google's endpoints",
            )
            return None
        return value.rstrip("/")


def parse_settings(section: Mapping[str, Any] | None, file: str = "<config>") -> GcpSettings:
    """Validate the ``clouds.gcp`` mapping; every problem is reported at once as ``InputError``."""
    section = require_mapping(section, "gcp", file)
    p = _Parser(section, file)
    p.unknown_keys(ALLOWED_KEYS)
    mode = section.get("mode", "organization")
    if mode not in MODES:
        p.problem(
            section,
            "mode",
            f"clouds.gcp.mode {mode!r} is not valid",
            f"use one of: {', '.join(MODES)}",
        )
        mode = "organization"
    organization = p.numeric_id("organization")
    folder = p.numeric_id("folder")
    projects = p.project_list("projects")
    _check_mode_keys(p, mode, folder, projects)
    credentials = section.get("credentials", "default")
    if credentials not in CREDENTIALS:
        p.problem(
            section,
            "credentials",
            f"clouds.gcp.credentials {credentials!r} is not valid",
            f"use one of: {', '.join(CREDENTIALS)}",
        )
        credentials = "default"
    key_file = _key_file(p, credentials, file)
    endpoints = {key: p.endpoint(key) for key in ENDPOINT_KEYS}
    if credentials == "anonymous" and not all(endpoints.values()):
        missing = [k for k in ENDPOINT_KEYS if not endpoints[k]]
        p.problem(
            section,
            "credentials",
            "clouds.gcp.credentials 'anonymous' is only for the local sandbox, and "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set to a loopback endpoint",
            "use credentials: default or service-account-file to scan Google Cloud",
        )
    quota = p.text("quota_project")
    if quota is not None and not PROJECT_ID.match(quota):
        p.problem(
            section,
            "quota_project",
            f"clouds.gcp.quota_project {quota!r} is not a project id",
            "name the project billed for the API quota, e.g. my-audit-project",
        )
        quota = None
    settings = GcpSettings(
        mode=mode,
        organization=organization,
        folder=folder,
        projects=tuple(projects),
        exclude_projects=frozenset(p.project_list("exclude_projects")),
        credentials=credentials,
        service_account_file=key_file,
        quota_project=quota,
        resource_manager_endpoint=endpoints["resource_manager_endpoint"],
        logging_endpoint=endpoints["logging_endpoint"],
        storage_endpoint=endpoints["storage_endpoint"],
        compute_endpoint=endpoints["compute_endpoint"],
        dns_endpoint=endpoints["dns_endpoint"],
        sqladmin_endpoint=endpoints["sqladmin_endpoint"],
        timeout=p.seconds("timeout", 30.0, 0.1, 600),
        retry_deadline=p.seconds("retry_deadline", 120.0, 0, 3600),
    )
    p.raise_problems()
    return settings


def _check_mode_keys(p: _Parser, mode: str, folder: str | None, projects: list[str]) -> None:
    section = p.section
    missing = {
        "folder": (folder is None, "no folder is named", 'add folder: "<numeric folder id>"'),
        "projects": (not projects, "no projects are listed", "list project ids under projects"),
    }
    if mode in missing and missing[mode][0] and mode not in section:
        _, message, fix = missing[mode]
        p.problem(section, "mode", f"clouds.gcp.mode is {mode!r} but {message}", fix)
    for key in MODES:  # each mode has a key of the same name
        if mode != key and key in section:
            p.problem(
                section,
                key,
                f"clouds.gcp.{key} is only used with mode: {key} (mode is {mode!r})",
                f"set mode: {key} or remove {key}",
            )
    if mode == "projects" and "exclude_projects" in section:
        p.problem(
            section,
            "exclude_projects",
            "clouds.gcp.exclude_projects does not apply to mode: projects",
            "list only the projects to scan under projects",
        )


def _key_file(p: _Parser, credentials: str, file: str) -> str | None:
    value = p.text("service_account_file")
    if credentials != "service-account-file":
        if value is not None:
            p.problem(
                p.section,
                "service_account_file",
                "clouds.gcp.service_account_file needs credentials: service-account-file",
                "set credentials: service-account-file or remove service_account_file",
            )
        return None
    if value is None:
        p.problem(
            p.section,
            "service_account_file" if "service_account_file" in p.section else "credentials",
            "clouds.gcp.credentials is 'service-account-file' but service_account_file is not set",
            "name the service-account key file (JSON), relative to the config file",
        )
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and not file.startswith("<"):
        path = Path(file).parent / path
    if not path.is_file():
        p.problem(
            p.section,
            "service_account_file",
            f"clouds.gcp.service_account_file {value!r}: file not found",
            "check the path (relative paths are relative to the config file)",
        )
        return None
    return str(path)
