"""The Azure collector plugin of logwarden: settings, discovery, sessions and resource kinds.

Registered by the plugin manager only when Azure is selected. Importing this package creates
no credential and no client, and imports no ``azure.identity`` / ``azure.mgmt`` module beyond
``azure.core``: everything is built on first use, from the settings of one scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logwarden.scanner.collectors.azure.common import CLOUD
from logwarden.scanner.collectors.azure.settings import AzureSettings
from logwarden.scanner.collectors.azure.settings_parse import parse_settings
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, Organization, ResourceKind, Tenant

if TYPE_CHECKING:
    from logwarden.scanner.audit_events import Attribution, Subject
    from logwarden.scanner.inventory import Inventory

__all__ = ["AzureSettings", "all_kinds", "parse_settings"]


@hookimpl
def logwarden_configure_cloud(
    cloud: str, section: Mapping[str, Any], file: str
) -> AzureSettings | None:
    """Validate ``clouds.azure``; raises ``InputError`` listing every problem with its line."""
    if cloud != CLOUD:
        return None
    return parse_settings(section, file)


@hookimpl
def logwarden_discover_tenants(cloud: str, settings: Any) -> Discovery | None:
    """The subscriptions to scan (visible, under a management group, or listed)."""
    if cloud != CLOUD or not isinstance(settings, AzureSettings):
        return None
    from logwarden.scanner.collectors.azure.discovery import discover

    return discover(settings)


@hookimpl
def logwarden_open_session(
    cloud: str, tenant: Tenant | None, organization: Organization | None, settings: Any
) -> Any:
    """The session of a subscription; for ``tenant=None`` the tenant-wide session (Azure has
    no organization-level kinds: inherited policy assignments are read per subscription)."""
    if cloud != CLOUD or not isinstance(settings, AzureSettings):
        return None
    if tenant is None:
        return settings.pool.tenant_session()
    return settings.pool.for_subscription(tenant.id)


@hookimpl
def logwarden_attribute(
    cloud: str, subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution] | None:
    """Who changed each drifted Azure resource, from the Activity Log between the scans
    (see ``activity_log`` and docs/attribution-azure.md)."""
    if cloud != CLOUD:
        return None
    from logwarden.scanner.collectors.azure.attribution.activity_log import attribute

    return attribute(subjects, start, end, inventories)


def all_kinds() -> list[ResourceKind]:
    """Every Azure resource kind (see docs/azure.md); none is collected for a disabled or
    deleted subscription (``states``)."""
    from logwarden.scanner.collectors.azure.kinds import KINDS
    from logwarden.scanner.collectors.azure.states import skip_inactive

    return [skip_inactive(k) for k in KINDS]


@hookimpl
def logwarden_register_kinds() -> list[ResourceKind]:
    """Register the Azure resource kinds."""
    return all_kinds()
