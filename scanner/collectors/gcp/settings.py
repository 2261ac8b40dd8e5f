"""``GcpSettings``: the validated ``clouds.gcp`` section (validation: ``settings_parse``).

Credentials, by design:

- ``default``: Application Default Credentials (``google.auth.default()``): the production
  choice (workload identity, ``gcloud auth application-default login``, a key file named by
  ``GOOGLE_APPLICATION_CREDENTIALS``).
- ``service-account-file``: a service-account key file named in the config.
- ``anonymous``: no credentials at all, for the local sandbox only. It cannot be selected
  silently: it is accepted only when every endpoint is overridden, and every endpoint
  override must name a loopback host (127.0.0.1, ::1 or localhost), so a config with
  ``credentials: anonymous`` can never talk to Google, and an endpoint override can never
  send data off the machine over the insecure channel it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logwarden.scanner.collectors.gcp.session import GcpSession

MODES = ("organization", "folder", "projects")
CREDENTIALS = ("default", "service-account-file", "anonymous")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
SCOPES = ("https://www.googleapis.com/auth/cloud-platform.read-only",)

NUMERIC_ID = re.compile(r"^\d{1,25}$")
PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")

ALLOWED_KEYS = (
    "mode",
    "organization",
    "folder",
    "projects",
    "exclude_projects",
    "credentials",
    "service_account_file",
    "quota_project",
    "resource_manager_endpoint",
    "logging_endpoint",
    "storage_endpoint",
    "compute_endpoint",
    "dns_endpoint",
    "sqladmin_endpoint",
    "timeout",
    "retry_deadline",
)
ENDPOINT_KEYS = (
    "resource_manager_endpoint",
    "logging_endpoint",
    "storage_endpoint",
    "compute_endpoint",  # Compute Engine (networks, subnetworks, backend services), REST
    "dns_endpoint",  # Cloud DNS (policies), REST
    "sqladmin_endpoint",  # Cloud SQL Admin (instances), REST
)


@dataclass(frozen=True)
class GcpSettings:
    """Validated GCP settings; ``session`` holds the clients of one scan (created lazily)."""

    mode: str = "organization"
    organization: str | None = None  # numeric id; None = the only organization visible
    folder: str | None = None  # numeric id (mode folder)
    projects: tuple[str, ...] = ()  # project ids (mode projects)
    exclude_projects: frozenset[str] = frozenset()
    credentials: str = "default"
    service_account_file: str | None = None
    quota_project: str | None = None
    resource_manager_endpoint: str | None = None  # http(s)://host:port, loopback only
    logging_endpoint: str | None = None  # host:port of an insecure gRPC channel, loopback only
    storage_endpoint: str | None = None  # http(s)://host:port, loopback only
    compute_endpoint: str | None = None  # http(s)://host:port, loopback only
    dns_endpoint: str | None = None  # http(s)://host:port, loopback only
    sqladmin_endpoint: str | None = None  # http(s)://host:port, loopback only
    timeout: float = 30.0  # seconds per API call
    retry_deadline: float = 120.0  # seconds of retries on transient errors; 0 = no retry
    session: GcpSession = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from logwarden.scanner.collectors.gcp.session import GcpSession  # no client is created here

        object.__setattr__(self, "session", GcpSession(self))

    @property
    def scope_root(self) -> str | None:
        """The resource name scanned: ``organizations/N`` or ``folders/N`` (None: projects)."""
        if self.mode == "folder" and self.folder:
            return f"folders/{self.folder}"
        if self.mode == "organization" and self.organization:
            return f"organizations/{self.organization}"
        return None
