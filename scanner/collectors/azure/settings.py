"""``AzureSettings``: the validated ``clouds.azure`` section (validation: ``settings_parse``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logwarden.scanner.collectors.azure.session import SessionPool

MODES = ("subscriptions-visible", "management-group", "subscriptions")
CREDENTIALS = ("default", "cli", "client-secret", "managed-identity", "static-token")
PUBLIC_ARM = "https://management.azure.com"

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Management group ids: letters, digits, '-', '_', '(', ')', '.'; at most 90 characters.
MANAGEMENT_GROUP = re.compile(r"^[\w().-]{1,90}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HTTPS_URL = re.compile(r"^https://[^\s/]+(:\d+)?/?$")

ALLOWED_KEYS = (
    "mode",
    "management_group_id",
    "subscriptions",
    "exclude_subscriptions",
    "credential",
    "tenant_id",
    "client_id",
    "client_secret_env",
    "token_env",
    "arm_endpoint",
    "credential_scope",
    "authority_host",
    "ca_bundle",
    "retry_total",
    "retry_backoff_factor",
    "retry_backoff_max",
)


@dataclass(frozen=True)
class SubscriptionTarget:
    """One subscription listed under ``subscriptions:`` (mode ``subscriptions``)."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class AzureSettings:
    """Validated Azure settings; ``pool`` holds the credential and clients of one scan."""

    mode: str = "subscriptions-visible"
    management_group_id: str | None = None
    subscriptions: tuple[SubscriptionTarget, ...] = ()
    exclude_subscriptions: frozenset[str] = frozenset()
    credential: str = "default"
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    token_env: str | None = None
    arm_endpoint: str = PUBLIC_ARM
    credential_scope: str | None = None  # default: "<arm_endpoint>/.default"
    authority_host: str | None = None  # e.g. https://login.microsoftonline.us
    ca_bundle: str | None = None
    retry_total: int = 5
    retry_backoff_factor: float = 0.8
    retry_backoff_max: float = 60.0
    pool: SessionPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from logwarden.scanner.collectors.azure.session import SessionPool  # creates no client

        object.__setattr__(self, "pool", SessionPool(self))

    @property
    def scope(self) -> str:
        """The OAuth scope tokens are requested for (the ARM audience of the cloud)."""
        return self.credential_scope or f"{self.arm_endpoint.rstrip('/')}/.default"
