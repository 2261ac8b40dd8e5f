"""The one ``TokenCredential`` of a scan, built from ``clouds.azure.credential``.

``azure.identity`` is imported only here, and only the class the setting names: the
``default`` chain (``DefaultAzureCredential``, which may probe the instance-metadata address)
is never built unless the configuration asks for it, and tests never do.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken

from logwarden.scanner.inventory import SessionUnavailable

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from logwarden.scanner.collectors.azure.settings import AzureSettings

STATIC_TOKEN_LIFETIME = 3600  # seconds a static token is assumed valid (the SDK refreshes never)


class StaticTokenCredential:
    """A bearer token obtained elsewhere (``az account get-access-token``, a CI secret, the
    sandbox), handed to the SDK as a ``TokenCredential``. It cannot refresh: a scan longer
    than the token's life fails with 401 answers, reported as errors."""

    def __init__(self, token: str, expires_on: int | None = None) -> None:
        if not token:
            raise ValueError("empty token")
        self._token = token
        self._expires_on = expires_on or int(time.time()) + STATIC_TOKEN_LIFETIME

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The static token, whatever the scopes (the caller chose the audience)."""
        return AccessToken(self._token, self._expires_on)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> StaticTokenCredential:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


def _env(name: str | None, what: str) -> str:
    value = os.environ.get(name or "", "")
    if not value:
        raise SessionUnavailable(
            "CredentialUnavailable",
            f"the environment variable {name} that should hold the {what} is empty or unset",
        )
    return value


def make_credential(settings: AzureSettings) -> TokenCredential:
    """Build the configured credential; raises ``SessionUnavailable`` when it cannot be built."""
    kind = settings.credential
    authority: dict[str, Any] = (
        {"authority": settings.authority_host} if settings.authority_host else {}
    )
    if kind == "static-token":
        return StaticTokenCredential(_env(settings.token_env, "access token"))
    try:
        if kind == "client-secret":
            from azure.identity import ClientSecretCredential

            assert settings.tenant_id and settings.client_id  # enforced by settings_parse
            return ClientSecretCredential(
                settings.tenant_id,
                settings.client_id,
                _env(settings.client_secret_env, "client secret"),
                **authority,
            )
        if kind == "cli":
            from azure.identity import AzureCliCredential

            return AzureCliCredential(tenant_id=settings.tenant_id or "")
        if kind == "managed-identity":
            from azure.identity import ManagedIdentityCredential

            return ManagedIdentityCredential(client_id=settings.client_id)
        from azure.identity import DefaultAzureCredential

        options: dict[str, Any] = dict(authority)
        if settings.client_id:
            options["managed_identity_client_id"] = settings.client_id
        return DefaultAzureCredential(exclude_interactive_browser_credential=True, **options)
    except ValueError as exc:  # azure.identity validates its arguments eagerly
        raise SessionUnavailable("CredentialUnavailable", str(exc)) from None
