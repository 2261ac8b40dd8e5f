"""The JSON Schema of ``clouds.azure`` (``logwarden schema config``; docs/config.md)."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.azure.settings import (
    CREDENTIALS,
    ENV_NAME,
    GUID,
    MANAGEMENT_GROUP,
    MODES,
    PUBLIC_ARM,
)

_GUID = {"type": "string", "pattern": GUID.pattern}
_ENV = {"type": "string", "pattern": ENV_NAME.pattern}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {
            "enum": list(MODES),
            "default": "subscriptions-visible",
            "description": "subscriptions-visible: every subscription the credential sees; "
            "management-group: every subscription below management_group_id; subscriptions: "
            "the static list under subscriptions",
        },
        "management_group_id": {
            "type": "string",
            "pattern": MANAGEMENT_GROUP.pattern,
            "description": "mode management-group: the management group scanned",
        },
        "subscriptions": {
            "type": "array",
            "description": "mode subscriptions: the subscriptions to scan",
            "items": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {"id": _GUID, "name": {"type": "string"}},
            },
        },
        "exclude_subscriptions": {
            "type": "array",
            "items": _GUID,
            "description": "subscriptions never scanned",
        },
        "credential": {
            "enum": list(CREDENTIALS),
            "default": "default",
            "description": "how to authenticate: DefaultAzureCredential, the Azure CLI, a "
            "client secret (client_id, tenant_id, client_secret_env), a managed identity, or "
            "a static token from token_env (emulators)",
        },
        "tenant_id": {**_GUID, "description": "the Entra ID tenant"},
        "client_id": {**_GUID, "description": "the application (client) id"},
        "client_secret_env": {
            **_ENV,
            "description": "the environment variable holding the client secret (never the "
            "secret itself)",
        },
        "token_env": {**_ENV, "description": "credential static-token: the variable holding it"},
        "arm_endpoint": {
            "type": "string",
            "default": PUBLIC_ARM,
            "description": "the Resource Manager endpoint (sovereign clouds, emulators)",
        },
        "credential_scope": {
            "type": "string",
            "description": "the token scope (default: <arm_endpoint>/.default)",
        },
        "authority_host": {
            "type": "string",
            "description": "the Entra ID authority (e.g. https://login.microsoftonline.us)",
        },
        "ca_bundle": {"type": "string", "description": "a CA bundle file for the ARM endpoint"},
        "retry_total": {
            "type": "integer",
            "minimum": 0,
            "maximum": 20,
            "default": 5,
            "description": "azure-core's retries per call",
        },
        "retry_backoff_factor": {
            "type": "number",
            "minimum": 0,
            "maximum": 60,
            "default": 0.8,
            "description": "azure-core's backoff factor, seconds",
        },
        "retry_backoff_max": {
            "type": "number",
            "minimum": 0,
            "maximum": 600,
            "default": 60,
            "description": "the longest wait between retries, seconds",
        },
    },
}
