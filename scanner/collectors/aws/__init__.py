"""The AWS collector plugin of logwarden: settings, discovery, sessions and resource kinds.

Registered by the plugin manager only when AWS is selected. Importing this package creates no
client and no session: everything is built on first use, from the settings of one scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.collectors.aws.common import CLOUD
from logwarden.scanner.collectors.aws.settings import AwsSettings
from logwarden.scanner.collectors.aws.settings_parse import parse_settings
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.inventory import Inventory, SessionUnavailable
from logwarden.scanner.models import Discovery, Organization, ResourceKind, Tenant

__all__ = ["AwsSettings", "all_kinds", "parse_settings"]


@hookimpl
def logwarden_configure_cloud(
    cloud: str, section: Mapping[str, Any], file: str
) -> AwsSettings | None:
    """Validate ``clouds.aws``; raises ``InputError`` listing every problem with its line."""
    if cloud != CLOUD:
        return None
    return parse_settings(section, file)


@hookimpl
def logwarden_discover_tenants(cloud: str, settings: Any) -> Discovery | None:
    """The organization and its active accounts (or the listed / current account)."""
    if cloud != CLOUD or not isinstance(settings, AwsSettings):
        return None
    from logwarden.scanner.collectors.aws.discovery import discover

    return discover(settings)


@hookimpl
def logwarden_open_session(
    cloud: str, tenant: Tenant | None, organization: Organization | None, settings: Any
) -> Any:
    """The session of a tenant's account, or of the management account for ``tenant=None``.

    Sessions are cached per account for the scan, so the organization scope and the
    management tenant share one session (and the answers memoised on it).
    """
    if cloud != CLOUD or not isinstance(settings, AwsSettings):
        return None
    if tenant is not None:
        return settings.pool.for_account(tenant.id)
    if organization is not None and not organization.facts_available:
        # The organization kinds answer NotApplicable without calling AWS.
        return settings.pool.base()
    if organization is None or not organization.management_tenant_id:
        raise SessionUnavailable(
            "NoManagementAccount",
            "the organization's management account is unknown: scan with clouds.aws.mode "
            "'organization' from the management account",
        )
    return settings.pool.for_account(organization.management_tenant_id)


def all_kinds() -> list[ResourceKind]:
    """Every AWS resource kind (see docs/resource-kinds.md)."""
    from logwarden.scanner.collectors.aws.kinds import KINDS

    return list(KINDS)


@hookimpl
def logwarden_register_kinds() -> list[ResourceKind]:
    """Register the AWS resource kinds."""
    return all_kinds()


@hookimpl
def logwarden_attribute(
    cloud: str, subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution] | None:
    """Who changed each drifted AWS resource, from CloudTrail: the organization trail's
    archive in S3, else the event history (``LookupEvents``); see docs/attribution-aws.md."""
    if cloud != CLOUD:
        return None
    from logwarden.scanner.collectors.aws.attribution.cloudtrail import attribute

    return attribute(subjects, start, end, inventories)
