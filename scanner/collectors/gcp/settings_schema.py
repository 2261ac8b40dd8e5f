"""The JSON Schema of ``clouds.gcp`` (``logwarden schema config``; docs/config.md)."""

from __future__ import annotations

from typing import Any

from logwarden.scanner.collectors.gcp.settings import CREDENTIALS, MODES, NUMERIC_ID, PROJECT_ID

_NUMERIC = {"type": ["string", "integer"], "pattern": NUMERIC_ID.pattern}
_PROJECT = {"type": "string", "pattern": PROJECT_ID.pattern}
_LOOPBACK = "an emulator's address on this machine (loopback only; with credentials anonymous)"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {
            "enum": list(MODES),
            "default": "organization",
            "description": "organization: every ACTIVE project of the organization, with "
            "folder and organization inheritance; folder: every project below folder; "
            "projects: the static list under projects",
        },
        "organization": {
            **_NUMERIC,
            "description": "the numeric organization id (default: the only one visible)",
        },
        "folder": {**_NUMERIC, "description": "mode folder: the numeric folder id"},
        "projects": {"type": "array", "items": _PROJECT, "description": "mode projects"},
        "exclude_projects": {
            "type": "array",
            "items": _PROJECT,
            "description": "projects never scanned",
        },
        "credentials": {
            "enum": list(CREDENTIALS),
            "default": "default",
            "description": "Application Default Credentials, a service-account key file, or "
            "anonymous (local emulators only)",
        },
        "service_account_file": {
            "type": "string",
            "description": "credentials service-account-file: the key file",
        },
        "quota_project": {"type": "string", "description": "the project billed for API quota"},
        "resource_manager_endpoint": {"type": "string", "description": _LOOPBACK},
        "logging_endpoint": {"type": "string", "description": f"host:port, {_LOOPBACK}"},
        "storage_endpoint": {"type": "string", "description": _LOOPBACK},
        "compute_endpoint": {"type": "string", "description": f"Compute Engine: {_LOOPBACK}"},
        "dns_endpoint": {"type": "string", "description": f"Cloud DNS: {_LOOPBACK}"},
        "sqladmin_endpoint": {"type": "string", "description": f"Cloud SQL Admin: {_LOOPBACK}"},
        "timeout": {
            "type": "number",
            "minimum": 0.1,
            "maximum": 600,
            "default": 30,
            "description": "seconds per API call",
        },
        "retry_deadline": {
            "type": "number",
            "minimum": 0,
            "maximum": 3600,
            "default": 120,
            "description": "seconds of retries on transient errors (0: no retry)",
        },
    },
}
