"""The GCP plugin of logwarden (``-p no:gcp``): the ``gcp`` cloud and its Python controls.

Same layout as every cloud package (see ``logwarden.scanner.collectors.aws``). Importing this
package imports no Google library and creates no client: the descriptor's callables import the
collectors when a scan of GCP first calls them (see ``session.py``). Kinds and documents:
docs/gcp.md; attribution: docs/attribution-gcp.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.collectors.gcp.settings import GcpSettings
from logwarden.scanner.collectors.gcp.settings_parse import parse_settings
from logwarden.scanner.collectors.gcp.settings_schema import SCHEMA as SETTINGS_SCHEMA
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, Organization, PythonCheck, ResourceKind, Tenant

if TYPE_CHECKING:
    from logwarden.scanner.audit_events import Attribution, Subject
    from logwarden.scanner.inventory import Inventory

__all__ = ["CLOUD", "NAME", "GcpSettings", "all_kinds", "parse_settings"]

NAME = "gcp"


def settings(
    section: Mapping[str, Any], file: str, options: argparse.Namespace | None = None
) -> GcpSettings:
    """Validate ``clouds.gcp``; raises ``InputError`` listing every problem with its line."""
    return parse_settings(section, file)


def discover(settings: GcpSettings) -> Discovery:
    """The organization (or folder) and its ACTIVE projects, or the listed projects."""
    from logwarden.scanner.collectors.gcp.discovery import discover

    return discover(settings)


def open_session(
    settings: GcpSettings, tenant: Tenant | None, organization: Organization | None
) -> Any:
    """The scan's one GCP session: Google credentials are not per project.

    Raises ``SessionUnavailable`` when the credentials cannot be created.
    """
    settings.session.credentials()
    return settings.session


def all_kinds() -> list[ResourceKind]:
    """Every GCP resource kind (see docs/gcp.md)."""
    from logwarden.scanner.collectors.gcp.kinds import KINDS

    return list(KINDS)


def attribute(
    subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution]:
    """Who changed each drifted GCP resource: the Admin Activity entries of the resource's
    (and, for inherited settings, its ancestors') audit logs between ``start`` and ``end``."""
    from logwarden.scanner.collectors.gcp.attribution.audit_logs import attribute

    return attribute(subjects, start, end, inventories)


CLOUD = Cloud(
    name=NAME,
    label="Google Cloud",
    tenant_word="project",
    ocsf_account_type="GCP Project",
    settings=settings,
    discover=discover,
    open_session=open_session,
    kinds=all_kinds,
    attribute=attribute,
    config_schema=SETTINGS_SCHEMA,
    # ancestors and project numbers (attribution/audit_logs.py: hierarchy_of)
    attribution_reads=(
        "gcp.audit.effective_config",
        "gcp.resourcemanager.folder",
        "gcp.resourcemanager.project",
    ),
)


@hookimpl
def logwarden_register_clouds() -> list[Cloud]:
    """Register the ``gcp`` cloud."""
    return [CLOUD]


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    """The GCP controls declared ``implementation: python`` in rules.yaml."""
    from logwarden.checks.gcp import CHECKS

    return list(CHECKS)
