"""The JSON Schema of ``clouds.aws`` (``logwarden schema config``; docs/config.md)."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.aws.settings import (
    ACCOUNT_ID,
    DEFAULT_ROLE_ARN_TEMPLATE,
    DEFAULT_ROLE_NAME,
    MODES,
    OU_ID,
    REGION,
    RETRY_MODES,
    SESSION_NAME,
)

_ACCOUNT = {
    "type": "string",
    "pattern": ACCOUNT_ID.pattern,
    "description": "a 12-digit account id, quoted",
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {
            "enum": list(MODES),
            "default": "organization",
            "description": "organization: every ACTIVE account listed from the management "
            "account, with the OU tree and the organization-level facts (organization trail, "
            "SCPs); accounts: the static list under accounts; current: only the account of "
            "the current credentials",
        },
        "profile": {"type": "string", "description": "the AWS profile of the starting credentials"},
        "accounts": {
            "type": "array",
            "description": "mode accounts: the accounts to scan",
            "items": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {"id": _ACCOUNT, "name": {"type": "string"}},
            },
        },
        "role_name": {
            "type": "string",
            "default": DEFAULT_ROLE_NAME,
            "description": "the role assumed in each member account",
        },
        "role_arn_template": {
            "type": "string",
            "default": DEFAULT_ROLE_ARN_TEMPLATE,
            "description": "the ARN of the role to assume, from {partition}, {account_id} and "
            "{role_name}",
        },
        "external_id": {"type": "string", "description": "the sts:ExternalId of the role"},
        "session_name": {
            "type": "string",
            "pattern": SESSION_NAME.pattern,
            "default": "logwarden",
            "description": "the role session name (shows in CloudTrail)",
        },
        "regions": {
            "type": "array",
            "items": {"type": "string", "pattern": REGION.pattern},
            "description": "the regions to scan (default: every region enabled in each "
            "account); --regions replaces it for one run",
        },
        "exclude_accounts": {
            "type": "array",
            "items": _ACCOUNT,
            "description": "accounts never scanned",
        },
        "include_ous": {
            "type": "array",
            "items": {"type": "string", "pattern": OU_ID.pattern},
            "description": "mode organization: only the accounts anywhere below these OUs "
            "(ou-... or the root r-...)",
        },
        "endpoint_url": {
            "type": "string",
            "description": "one endpoint for every AWS API (an emulator); AWS_ENDPOINT_URL "
            "works too",
        },
        "max_attempts": {
            "type": "integer",
            "minimum": 0,
            "maximum": 50,
            "default": 8,
            "description": "botocore's attempts per API call, retries included",
        },
        "retry_mode": {
            "enum": list(RETRY_MODES),
            "default": "standard",
            "description": "botocore's retry mode (adaptive adds client-side rate limiting)",
        },
        "log_archive_account": {
            **_ACCOUNT,
            "description": "the account that owns the central log bucket, when the trail's "
            "bucket does not say",
        },
    },
}
