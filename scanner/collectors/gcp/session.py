"""The session of one GCP scan: credentials, the API clients, retry settings, memoised answers.

Google credentials are not per project (unlike AWS roles), so one session serves every
tenant and the organization scope: each client is built once per scan, on first use, and
answers several kinds need (IAM policies, the hierarchy, destination buckets) are computed
once through :meth:`GcpSession.memo`.

Clients: Resource Manager v3 over REST (``transport="rest"``, in production too, so the
sandbox exercises the production path), the Logging config service and the log-entry service
(``logging``: ListLogEntries, read for drift attribution) over gRPC (no REST transport for the
config service; with ``logging_endpoint`` set both run on an insecure channel to that loopback
address), Cloud Storage's JSON API, and the project resources of ``resource_clients`` (Compute
Engine, Cloud DNS, Cloud SQL Admin). Every client is a ``responses.CheckedClient``: the
answers of the calls the collectors make are checked against the declared table of calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from logwarden.scanner.collectors.gcp.monitoring_clients import FACTORIES as MONITORING_CLIENTS
from logwarden.scanner.collectors.gcp.resource_clients import (
    RESOURCE_CLIENTS,
    make_resource_client,
)
from logwarden.scanner.collectors.gcp.responses import CheckedClient, require_utf8
from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.inventory import SessionUnavailable

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from logwarden.scanner.collectors.gcp.settings import GcpSettings

CLIENT_NAMES = (
    "projects",
    "folders",
    "organizations",
    "config",
    "logging",
    "storage",
    *MONITORING_CLIENTS,
    *RESOURCE_CLIENTS,  # Compute Engine, Cloud DNS, Cloud SQL Admin: resource_clients.py
)


class GcpSession:
    """Everything needed to call Google for one scan: the ``Inventory.session`` of GCP."""

    def __init__(self, settings: GcpSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._credentials: Credentials | None = None
        self._credentials_error: SessionUnavailable | None = None
        self._clients: dict[str, Any] = {}
        self._memo = Memo()

    def __repr__(self) -> str:
        return f"GcpSession(mode={self.settings.mode!r}, credentials={self.settings.credentials!r})"

    def credentials(self) -> Credentials:
        """The scan's credentials, created once; raises ``SessionUnavailable``."""
        with self._lock:
            if self._credentials_error is not None:
                raise self._credentials_error
            if self._credentials is None:
                try:
                    self._credentials = _make_credentials(self.settings)
                except SessionUnavailable as exc:
                    self._credentials_error = exc
                    raise
            return self._credentials

    def client(self, name: str) -> Any:
        """The API client ``name`` (one of :data:`CLIENT_NAMES`), built once.

        Typed ``Any``: the generated clients have no common base worth naming here.
        """
        found = self._clients.get(name)
        if found is not None:
            return found
        credentials = self.credentials()
        with self._lock:
            found = self._clients.get(name)
            if found is None:
                client = _make_client(name, self.settings, credentials)
                found = self._clients[name] = CheckedClient(name, client)
            return found

    def call_options(self) -> dict[str, Any]:
        """``retry`` and ``timeout`` keyword arguments for every API call."""
        return {"retry": self.retry(), "timeout": self.settings.timeout}

    def retry(self) -> Any:
        """Retries on transient errors (UNAVAILABLE, 429, 5xx) for ``retry_deadline`` seconds;
        ``None`` (no retry) when it is 0."""
        if self.settings.retry_deadline <= 0:
            return None
        from google.api_core import retry

        return retry.Retry(
            predicate=retry.if_transient_error,
            initial=1.0,
            maximum=16.0,
            multiplier=2.0,
            timeout=self.settings.retry_deadline,
        )

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute a value once per scan (concurrent callers wait); failures are memoised too."""
        return self._memo.get(key, compute)

    def remember(self, key: Any, value: Any) -> None:
        """Seed the memo with a value already read (e.g. a folder listed by its parent)."""
        self._memo.remember(key, value)


def _make_credentials(settings: GcpSettings) -> Credentials:
    from google.auth.exceptions import GoogleAuthError

    from logwarden.scanner.collectors.gcp.settings import SCOPES

    try:
        if settings.credentials == "anonymous":
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()
        if settings.credentials == "service-account-file":
            from google.oauth2 import service_account

            assert settings.service_account_file is not None  # checked by the settings
            creds: Any = service_account.Credentials.from_service_account_file(
                settings.service_account_file, scopes=list(SCOPES)
            )
        else:
            import google.auth

            creds, _ = google.auth.default(scopes=list(SCOPES))
    except (GoogleAuthError, OSError, ValueError) as exc:
        raise SessionUnavailable(
            type(exc).__name__,
            f"the GCP credentials ({settings.credentials}) cannot be used: {exc}",
        ) from None
    if settings.quota_project and hasattr(creds, "with_quota_project"):
        creds = creds.with_quota_project(settings.quota_project)
    return creds


def _make_client(name: str, settings: GcpSettings, credentials: Credentials) -> Any:
    from google.api_core.client_options import ClientOptions

    quota = settings.quota_project
    if name in ("projects", "folders", "organizations"):
        from google.cloud import resourcemanager_v3

        cls = {
            "projects": resourcemanager_v3.ProjectsClient,
            "folders": resourcemanager_v3.FoldersClient,
            "organizations": resourcemanager_v3.OrganizationsClient,
        }[name]
        options = ClientOptions(
            api_endpoint=settings.resource_manager_endpoint, quota_project_id=quota
        )
        return cls(credentials=credentials, transport="rest", client_options=options)
    if name == "config":
        from google.cloud.logging_v2.services.config_service_v2 import ConfigServiceV2Client
        from google.cloud.logging_v2.services.config_service_v2.transports.grpc import (
            ConfigServiceV2GrpcTransport,
        )

        return grpc_client(
            ConfigServiceV2Client, ConfigServiceV2GrpcTransport, settings, credentials, quota
        )
    if name == "logging":
        from google.cloud.logging_v2.services.logging_service_v2 import LoggingServiceV2Client
        from google.cloud.logging_v2.services.logging_service_v2.transports.grpc import (
            LoggingServiceV2GrpcTransport,
        )

        return grpc_client(
            LoggingServiceV2Client, LoggingServiceV2GrpcTransport, settings, credentials, quota
        )
    if name == "storage":
        from google.cloud.storage import Client as StorageClient

        options = ClientOptions(api_endpoint=settings.storage_endpoint, quota_project_id=quota)
        storage = StorageClient(project=None, credentials=credentials, client_options=options)
        # The library's own session (``_http``), so it lets no body that is not UTF-8 through.
        storage._http.hooks["response"].append(require_utf8)
        return storage
    if name in MONITORING_CLIENTS:
        return MONITORING_CLIENTS[name](settings, credentials)
    return make_resource_client(name, settings, credentials)


def grpc_client(
    client_cls: Any,
    transport_cls: Any,
    settings: GcpSettings,
    credentials: Credentials,
    quota: str | None,
) -> Any:
    """A Cloud Logging gRPC client: on an insecure channel to ``logging_endpoint`` when set
    (the loopback sandbox), else to Google with the credentials and quota project."""
    from google.api_core.client_options import ClientOptions

    if settings.logging_endpoint:
        import grpc

        channel = grpc.insecure_channel(settings.logging_endpoint)
        return client_cls(transport=transport_cls(channel=channel))
    return client_cls(credentials=credentials, client_options=ClientOptions(quota_project_id=quota))
