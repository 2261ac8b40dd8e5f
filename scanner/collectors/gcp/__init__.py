"""The GCP collector plugin of logwarden: settings, discovery, the session, resource kinds and
drift attribution from Cloud Audit Logs.

Registered by the plugin manager only when GCP is selected. Importing this package imports no
Google library and creates no client: everything is built on first use, from the settings of
one scan (see ``session.py``). Kinds and documents: docs/gcp.md; attribution:
docs/attribution-gcp.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logwarden.scanner.collectors.gcp.settings import GcpSettings
from logwarden.scanner.collectors.gcp.settings_parse import parse_settings
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, Organization, ResourceKind, Tenant

if TYPE_CHECKING:
    from logwarden.scanner.audit_events import Attribution, Subject
    from logwarden.scanner.inventory import Inventory

__all__ = ["GcpSettings", "all_kinds", "parse_settings"]

CLOUD = "gcp"


@hookimpl
def logwarden_configure_cloud(
    cloud: str, section: Mapping[str, Any], file: str
) -> GcpSettings | None:
    """Validate ``clouds.gcp``; raises ``InputError`` listing every problem with its line."""
    if cloud != CLOUD:
        return None
    return parse_settings(section, file)


@hookimpl
def logwarden_discover_tenants(cloud: str, settings: Any) -> Discovery | None:
    """The organization (or folder) and its ACTIVE projects, or the listed projects."""
    if cloud != CLOUD or not isinstance(settings, GcpSettings):
        return None
    from logwarden.scanner.collectors.gcp.discovery import discover

    return discover(settings)


@hookimpl
def logwarden_open_session(
    cloud: str, tenant: Tenant | None, organization: Organization | None, settings: Any
) -> Any:
    """The scan's one GCP session: Google credentials are not per project.

    Raises ``SessionUnavailable`` when the credentials cannot be created.
    """
    if cloud != CLOUD or not isinstance(settings, GcpSettings):
        return None
    settings.session.credentials()
    return settings.session


def all_kinds() -> list[ResourceKind]:
    """Every GCP resource kind (see docs/gcp.md)."""
    from logwarden.scanner.collectors.gcp.kinds import KINDS

    return list(KINDS)


@hookimpl
def logwarden_register_kinds() -> list[ResourceKind]:
    """Register the GCP resource kinds."""
    return all_kinds()


@hookimpl
def logwarden_attribute(
    cloud: str, subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution] | None:
    """Who changed each drifted GCP resource: the Admin Activity entries of the resource's
    (and, for inherited settings, its ancestors') audit logs between ``start`` and ``end``."""
    if cloud != CLOUD:
        return None
    from logwarden.scanner.collectors.gcp.attribution.audit_logs import attribute

    return attribute(subjects, start, end, inventories)
