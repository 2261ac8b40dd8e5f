"""The toy cloud: a third-party cloud for logwarden (the walk-through: docs/plugins.md).

This module is the plugin (entry point ``toy`` in the group ``logwarden``): one ``Cloud``
descriptor, its Python control and its catalogue, each registered by one hook. Importing it
must stay cheap: a real cloud imports its SDK inside the descriptor's callables, which
logwarden calls only when a scan selects the cloud.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, Organization, PythonCheck, ResourceKind, Tenant
from logwarden_toy.settings import ToySettings, parse_settings


def settings(
    section: Mapping[str, Any], file: str, options: argparse.Namespace | None
) -> ToySettings:
    """``clouds.toy`` of the config file, validated."""
    return parse_settings(section, file)


def discover(settings: ToySettings) -> Discovery:
    """The organization and the workspaces to scan."""
    from logwarden_toy.discovery import discover

    return discover(settings)


def open_session(
    settings: ToySettings, tenant: Tenant | None, organization: Organization | None
) -> Any:
    """The API client the collectors read through (``inventory.session``)."""
    return settings.api


def kinds() -> list[ResourceKind]:
    """The toy cloud's resource kinds."""
    from logwarden_toy.kinds import KINDS

    return list(KINDS)


CLOUD = Cloud(
    name="toy",
    label="Toy Cloud",
    tenant_word="workspace",
    ocsf_account_type="Toy Workspace",
    settings=settings,
    discover=discover,
    open_session=open_session,
    kinds=kinds,
)


@hookimpl
def logwarden_register_clouds() -> list[Cloud]:
    return [CLOUD]


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    from logwarden_toy.checks import CHECKS

    return list(CHECKS)


@hookimpl
def logwarden_register_rules() -> list[Path]:
    return [Path(__file__).with_name("rules.yaml")]
