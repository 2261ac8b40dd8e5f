"""The Azure plugin of logwarden (``-p no:azure``): the ``azure`` cloud and its Python controls.

Same layout as every cloud package (see ``logwarden.scanner.collectors.aws``). Importing this
package creates no credential and no client, and imports no Azure SDK module: the descriptor's
callables import the collectors when a scan of Azure first calls them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.collectors.azure.settings import AzureSettings
from logwarden.scanner.collectors.azure.settings_parse import parse_settings
from logwarden.scanner.collectors.azure.settings_schema import SCHEMA as SETTINGS_SCHEMA
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, Organization, PythonCheck, ResourceKind, Tenant

if TYPE_CHECKING:
    from logwarden.scanner.audit_events import Attribution, Subject
    from logwarden.scanner.inventory import Inventory

__all__ = ["CLOUD", "NAME", "AzureSettings", "all_kinds", "parse_settings"]

NAME = "azure"


def settings(
    section: Mapping[str, Any], file: str, options: argparse.Namespace | None = None
) -> AzureSettings:
    """Validate ``clouds.azure``; raises ``InputError`` listing every problem with its line."""
    return parse_settings(section, file)


def discover(settings: AzureSettings) -> Discovery:
    """The subscriptions to scan (visible, under a management group, or listed)."""
    from logwarden.scanner.collectors.azure.discovery import discover

    return discover(settings)


def open_session(
    settings: AzureSettings, tenant: Tenant | None, organization: Organization | None
) -> Any:
    """The session of a subscription; for ``tenant=None`` the tenant-wide session (Azure has
    no organization-level kinds: inherited policy assignments are read per subscription)."""
    if tenant is None:
        return settings.pool.tenant_session()
    return settings.pool.for_subscription(tenant.id)


def all_kinds() -> list[ResourceKind]:
    """Every Azure resource kind (see docs/azure.md); none is collected for a disabled or
    deleted subscription (``states``)."""
    from logwarden.scanner.collectors.azure.kinds import KINDS
    from logwarden.scanner.collectors.azure.states import skip_inactive

    return [skip_inactive(k) for k in KINDS]


def attribute(
    subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution]:
    """Who changed each drifted Azure resource, from the Activity Log between the scans
    (see docs/attribution-azure.md)."""
    from logwarden.scanner.collectors.azure.attribution.activity_log import attribute

    return attribute(subjects, start, end, inventories)


CLOUD = Cloud(
    name=NAME,
    label="Azure",
    tenant_word="subscription",
    ocsf_account_type="Azure Subscription",
    settings=settings,
    discover=discover,
    open_session=open_session,
    kinds=all_kinds,
    attribute=attribute,
    config_schema=SETTINGS_SCHEMA,
)


@hookimpl
def logwarden_register_clouds() -> list[Cloud]:
    """Register the ``azure`` cloud."""
    return [CLOUD]


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    """The Azure controls declared ``implementation: python`` in rules.yaml."""
    from logwarden.checks.azure import CHECKS

    return list(CHECKS)
