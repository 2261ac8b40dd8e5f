"""The AWS plugin of logwarden (``-p no:aws``): the ``aws`` cloud and its Python controls.

Every cloud package has the same layout: ``CLOUD`` here, ``settings.py`` (validated by
``settings_parse.py``), ``session.py``, ``discovery.py``, ``kinds/<service>.py`` and
``attribution/``. Importing this package creates no client and imports no AWS SDK module: the
descriptor's callables import the collectors when a scan of AWS first calls them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logwarden.scanner.cloud import Cloud
from logwarden.scanner.collectors.aws.settings import AwsSettings
from logwarden.scanner.collectors.aws.settings_parse import parse_settings, with_region_option
from logwarden.scanner.collectors.aws.settings_schema import SCHEMA as SETTINGS_SCHEMA
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import Discovery, Organization, PythonCheck, ResourceKind, Tenant

if TYPE_CHECKING:
    from logwarden.scanner.audit_events import Attribution, Subject
    from logwarden.scanner.inventory import Inventory

__all__ = ["CLOUD", "NAME", "AwsSettings", "all_kinds", "parse_settings"]

NAME = "aws"


def settings(
    section: Mapping[str, Any], file: str, options: argparse.Namespace | None = None
) -> AwsSettings:
    """Validate ``clouds.aws``; raises ``InputError`` listing every problem with its line.
    ``--regions`` (``options.regions``) replaces the configured regions."""
    regions = [name for group in getattr(options, "regions", None) or () for name in group]
    return with_region_option(parse_settings(section, file), list(dict.fromkeys(regions)))


def discover(settings: AwsSettings) -> Discovery:
    """The organization and its active accounts (or the listed / current account)."""
    from logwarden.scanner.collectors.aws.discovery import discover

    return discover(settings)


def open_session(
    settings: AwsSettings, tenant: Tenant | None, organization: Organization | None
) -> Any:
    """The session of a tenant's account, or of the management account for ``tenant=None``.

    Sessions are cached per account for the scan, so the organization scope and the
    management tenant share one session (and the answers memoised on it).
    """
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


def attribute(
    subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution]:
    """Who changed each drifted AWS resource, from CloudTrail: the organization trail's
    archive in S3, else the event history (``LookupEvents``); see docs/attribution-aws.md."""
    from logwarden.scanner.collectors.aws.attribution.cloudtrail import attribute

    return attribute(subjects, start, end, inventories)


CLOUD = Cloud(
    name=NAME,
    label="AWS",
    tenant_word="account",
    ocsf_account_type="AWS Account",
    settings=settings,
    discover=discover,
    open_session=open_session,
    kinds=all_kinds,
    attribute=attribute,
    config_schema=SETTINGS_SCHEMA,
    # the trails and where they deliver, the log buckets' owners (attribution/scope.py)
    attribution_reads=(
        "aws.cloudtrail.trail",
        "aws.cloudtrail.org_trail",
        "aws.s3.bucket",
        "aws.organizations.account",
        "aws.organizations.organization",
    ),
)


@hookimpl
def logwarden_register_clouds() -> list[Cloud]:
    """Register the ``aws`` cloud."""
    return [CLOUD]


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    """The AWS controls declared ``implementation: python`` in rules.yaml."""
    from logwarden.checks.aws import CHECKS

    return list(CHECKS)
