"""Find the accounts to scan: the whole organization, a static list, or the current account.

Regions: a configured list is put on every ``Tenant`` here. With ``regions: enabled`` the
tenant's ``regions`` stay empty and each account's session resolves its enabled regions on
first use (one ``ec2:DescribeRegions`` per account, in parallel with the other tenants);
the ``aws.config.regions`` kind records the result.
"""

from __future__ import annotations

import contextlib
from typing import Any

from logwarden.scanner.collectors.aws.common import AWS_ERRORS, NAME, failure
from logwarden.scanner.collectors.aws.orgtree import describe_organization, org_tree
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.collectors.aws.settings import AwsSettings
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import CollectionError, Discovery, Organization, Tenant

KIND = "discovery"
NO_ORG_ID = "aws-accounts"


def discover(settings: AwsSettings) -> Discovery:
    """Organizations and tenants for the configured mode; failures are values in ``errors``."""
    try:
        base = settings.pool.base()
    except SessionUnavailable as exc:
        return Discovery(errors=[failure("", KIND, "", exc, "opening the base AWS session")])
    if settings.mode == "organization":
        return _organization(settings, base)
    return _static(settings, base)


def _organization(settings: AwsSettings, base: AwsSession) -> Discovery:
    try:
        tree = org_tree(base)
    except AWS_ERRORS as exc:
        hint = (
            "reading the organization (run from the management account or a delegated "
            "administrator, or set clouds.aws.mode to 'accounts' or 'current')"
        )
        return Discovery(errors=[failure(base.account_id, KIND, "", exc, hint)])
    org = tree.organization
    errors: list[CollectionError] = [
        failure(base.account_id, KIND, "", exc, f"listing the children of {parent}")
        for parent, exc in tree.failures
    ]
    management = str(org["MasterAccountId"])
    organization = Organization(
        cloud=NAME,
        id=org["Id"],
        name=f"AWS organization {org['Id']}",
        management_tenant_id=management or None,
        facts_available=True,
    )
    tenants: list[Tenant] = []
    for account in tree.accounts:
        if (
            account.get("Status", "ACTIVE") != "ACTIVE"
            or account.get("State", "ACTIVE") != "ACTIVE"
        ):
            continue
        parents = tuple(node["Id"] for node in tree.path(account["ParentId"]))
        if account["Id"] in settings.exclude_accounts:
            continue
        if settings.include_ous and not set(parents) & set(settings.include_ous):
            continue
        tenants.append(
            _tenant(
                settings, account["Id"], account.get("Name", ""), org["Id"], parents, management
            )
        )
    return Discovery(organizations=[organization], tenants=tenants, errors=errors)


def _static(settings: AwsSettings, base: AwsSession) -> Discovery:
    org: dict[str, Any] = {}
    # Not in an organization, or not allowed to say: the static modes do not need it.
    with contextlib.suppress(*AWS_ERRORS):
        org = describe_organization(base)
    org_id = str(org.get("Id") or NO_ORG_ID)
    management = str(org.get("MasterAccountId", "")) or None
    organization = Organization(
        cloud=NAME,
        id=org_id,
        name=f"AWS organization {org_id}" if org else "AWS accounts",
        management_tenant_id=management,
        facts_available=False,
    )
    if settings.mode == "current":
        targets = [(base.account_id, base.account_id)]
    else:
        targets = [(a.id, a.name or a.id) for a in settings.accounts]
    tenants = [
        _tenant(settings, account_id, name, org_id, (), management or "")
        for account_id, name in targets
        if account_id not in settings.exclude_accounts
    ]
    return Discovery(organizations=[organization], tenants=tenants)


def _tenant(
    settings: AwsSettings,
    account_id: str,
    name: str,
    org_id: str,
    parents: tuple[str, ...],
    management: str,
) -> Tenant:
    return Tenant(
        cloud=NAME,
        id=account_id,
        name=name or account_id,
        organization_id=org_id,
        parents=parents,
        regions=settings.regions or (),
        is_management=bool(management) and account_id == management,
    )
