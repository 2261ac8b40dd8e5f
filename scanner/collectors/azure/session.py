"""One credential per scan, one ``AzureSession`` per subscription with its clients built once.

Every client is built with the configured ARM endpoint (``base_url``), token audience
(``credential_scopes``), CA bundle (``connection_verify``) and retry settings, so sovereign
clouds and the local sandbox work exactly like the public cloud, and with the policy that
checks every answer against the declared table of calls (``responses``). SDK packages are imported
when their first client is built, never at import time.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from logwarden.scanner.collectors.azure.credentials import make_credential
from logwarden.scanner.collectors.azure.responses import ResponseCheckPolicy
from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.inventory import SessionUnavailable

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from logwarden.scanner.collectors.azure.settings import AzureSettings


# name -> (module, class, takes a subscription id)
CLIENTS: dict[str, tuple[str, str, bool]] = {
    "monitor": ("azure.mgmt.monitor", "MonitorManagementClient", True),
    "policy": ("azure.mgmt.resource.policy", "PolicyClient", True),
    "insights": ("azure.mgmt.policyinsights", "PolicyInsightsClient", True),
    "loganalytics": ("azure.mgmt.loganalytics", "LogAnalyticsManagementClient", True),
    "storage": ("azure.mgmt.storage", "StorageManagementClient", True),
    "eventhub": ("azure.mgmt.eventhub", "EventHubManagementClient", True),
    "resources": ("azure.mgmt.resource.resources", "ResourceManagementClient", True),
    "network": ("azure.mgmt.network", "NetworkManagementClient", True),
    "subscriptions": ("azure.mgmt.resource.subscriptions", "SubscriptionClient", False),
    "managementgroups": ("azure.mgmt.managementgroups", "ManagementGroupsMgmtClient", False),
    "alerts": ("azure.mgmt.monitor", "MonitorManagementClient", True),
    "actiongroups": ("azure.mgmt.monitor", "MonitorManagementClient", True),
    "authorization": ("azure.mgmt.authorization", "AuthorizationManagementClient", True),
    "dnsresolver": ("azure.mgmt.dnsresolver", "DnsResolverManagementClient", True),
}
# Clients of multi-API packages whose api-version is pinned: azure-mgmt-monitor's client keeps
# one api-version in its shared configuration, set by whichever operation group was used last,
# and sends it on every next-page request; a client per operation group keeps pages right.
PINNED: dict[str, str] = {
    "alerts": "2020-10-01",
    "actiongroups": "2023-01-01",
    "authorization": "2022-04-01",
}


class AzureSession:
    """Everything needed to call ARM for one subscription: the ``Inventory.session``."""

    def __init__(self, pool: SessionPool, subscription_id: str) -> None:
        self.pool = pool
        self.settings = pool.settings
        self.subscription_id = subscription_id
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AzureSession(subscription_id={self.subscription_id!r})"

    def client(self, name: str) -> Any:
        """The SDK client ``name`` (see :data:`CLIENTS`) for this subscription, built once.

        Typed ``Any``: each SDK package has its own client class.
        """
        found = self._clients.get(name)
        if found is None:
            with self._lock:
                found = self._clients.get(name)
                if found is None:
                    found = self.pool.build_client(name, self.subscription_id)
                    self._clients[name] = found
        return found


class SessionPool:
    """The credential, the per-subscription sessions and a scan-wide memo."""

    def __init__(self, settings: AzureSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._credential: TokenCredential | None = None
        self._credential_error: SessionUnavailable | None = None
        self._sessions: dict[str, AzureSession] = {}
        self._memo = Memo()
        self._policies: list[Any] = []

    def add_policy(self, policy: Any) -> None:
        """Add an azure-core per-call pipeline policy to every client built from now on
        (tests and benchmarks count requests with it)."""
        self._policies.append(policy)

    def credential(self) -> TokenCredential:
        """The scan's credential, built once; raises ``SessionUnavailable``."""
        with self._lock:
            if self._credential_error is not None:
                raise self._credential_error
            if self._credential is None:
                try:
                    self._credential = make_credential(self.settings)
                except SessionUnavailable as exc:
                    self._credential_error = exc
                    raise
            return self._credential

    def for_subscription(self, subscription_id: str) -> AzureSession:
        """The session of ``subscription_id`` (the credential is checked on first use)."""
        self.credential()
        key = subscription_id.lower()
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = AzureSession(self, key)
            return self._sessions[key]

    def tenant_session(self) -> AzureSession:
        """A session without a subscription, for tenant-wide calls (discovery)."""
        return self.for_subscription("")

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments every client is built with."""
        s = self.settings
        options: dict[str, Any] = {
            "base_url": s.arm_endpoint,
            "credential_scopes": [s.scope],
            "retry_total": s.retry_total,
            "retry_status": s.retry_total,
            "retry_connect": min(s.retry_total, 3),
            "retry_read": min(s.retry_total, 3),
            "retry_backoff_factor": s.retry_backoff_factor,
            "retry_backoff_max": s.retry_backoff_max,
            "user_agent": "logwarden",
        }
        if s.ca_bundle:
            options["connection_verify"] = s.ca_bundle
        # First: outermost, so it sees every answer (and every decoding error) of the call.
        options["per_call_policies"] = [ResponseCheckPolicy(), *self._policies]
        return options

    def build_client(self, name: str, subscription_id: str) -> Any:
        """Build one SDK client (imports its package on first use)."""
        module_name, class_name, needs_subscription = CLIENTS[name]
        cls = getattr(importlib.import_module(module_name), class_name)
        options = self.client_options()
        if name in PINNED:
            options["api_version"] = PINNED[name]
        if needs_subscription:
            return cls(self.credential(), subscription_id, **options)
        return cls(self.credential(), **options)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute a value once per scan (concurrent callers wait); failures are memoised too.

        A workspace or storage account is read once, whichever subscription asks first.
        """
        return self._memo.get(key, compute)
