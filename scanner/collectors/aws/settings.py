"""``AwsSettings``: the validated ``clouds.aws`` section (validation: ``settings_parse``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logwarden.scanner.collectors.aws.session import SessionPool

MODES = ("organization", "accounts", "current")
RETRY_MODES = ("standard", "adaptive")
DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
DEFAULT_ROLE_ARN_TEMPLATE = "arn:{partition}:iam::{account_id}:role/{role_name}"
TEMPLATE_FIELDS = ("partition", "account_id", "role_name")

ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")

ALLOWED_KEYS = (
    "mode",
    "profile",
    "accounts",
    "role_name",
    "role_arn_template",
    "external_id",
    "session_name",
    "regions",
    "exclude_accounts",
    "include_ous",
    "endpoint_url",
    "max_attempts",
    "retry_mode",
    "log_archive_account",
)


@dataclass(frozen=True)
class AccountTarget:
    """One account listed under ``accounts:`` (mode ``accounts``)."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class AwsSettings:
    """Validated AWS settings; ``pool`` holds the sessions of one scan (created lazily)."""

    mode: str = "organization"
    profile: str | None = None
    accounts: tuple[AccountTarget, ...] = ()
    role_name: str = DEFAULT_ROLE_NAME
    role_arn_template: str = DEFAULT_ROLE_ARN_TEMPLATE
    external_id: str | None = None
    session_name: str = "logwarden"
    # None means "enabled": every enabled region of each account, resolved by its session.
    regions: tuple[str, ...] | None = None
    exclude_accounts: frozenset[str] = frozenset()
    include_ous: tuple[str, ...] = ()
    endpoint_url: str | None = None
    max_attempts: int = 8
    retry_mode: str = "standard"
    log_archive_account: str | None = None
    pool: SessionPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from logwarden.scanner.collectors.aws.session import (
            SessionPool,  # no clients are created here
        )

        object.__setattr__(self, "pool", SessionPool(self))

    def role_arn(self, partition: str, account_id: str) -> str:
        """The role to assume in ``account_id``."""
        return self.role_arn_template.format(
            partition=partition, account_id=account_id, role_name=self.role_name
        )
