"""Sessions: one per AWS account, clients shared by every account per (service, region), and
one botocore session for the whole scan.

Building a botocore client is expensive (about 5 ms of CPU: copying the session's ~2,600 event
handlers, building the client class, the endpoint resolver), and a botocore ``Session`` is too.
So the scan makes one botocore session (with the process-wide ``data_loader``: each model is
parsed once per process) and one client per (service, region), which every account uses
through an :class:`~logwarden.scanner.collectors.aws.serving.AccountClient` that signs each
call with that account's credentials (refreshable: a long scan renews assumed-role
credentials); see :mod:`~logwarden.scanner.collectors.aws.serving`. In ``adaptive`` retry mode
each account keeps its own clients, because botocore's client-side rate limiter belongs to a
client and AWS throttles each account on its own. An ``AwsSession`` holds an account's
credentials and memoised answers, not a botocore session or clients.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from logwarden.scanner.collectors.aws.common import Arn, error_code
from logwarden.scanner.collectors.aws.responses import create_client
from logwarden.scanner.collectors.aws.serving import (
    AccountClient,
    ServingCredentials,
    retry_per_account,
    served,
)
from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.inventory import SessionUnavailable

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.loaders import Loader

    from logwarden.scanner.collectors.aws.settings import AwsSettings

_LOADER: Loader | None = None
_LOADER_LOCK = threading.Lock()


def shared_loader() -> Loader:
    """The process-wide botocore data loader (its parsed models are cached and reused)."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = botocore.session.Session().get_component("data_loader")
        return _LOADER


class _ScanBotocore(botocore.session.Session):
    """The scan's one botocore session: every client it creates signs with
    :class:`ServingCredentials` (the account each call is made as). Not thread-safe, like any
    botocore session: ``SessionPool.create_client`` serialises its use."""

    def __init__(self, profile: str | None) -> None:
        super().__init__(profile=profile)
        self.creating = False
        self._serving = ServingCredentials()

    def get_credentials(self) -> Credentials | None:
        """While a client is created, the serving credentials; else the standard chain's."""
        if self.creating:
            return self._serving
        found: Credentials | None = super().get_credentials()
        return found


class _Label:
    """The account a botocore session belongs to, known after the first identity call."""

    def __init__(self, account_id: str = "") -> None:
        self.account_id = account_id


def _dispatch(handler: Callable[..., Any], **kwargs: Any) -> Any:
    return handler(account_id=served().account_id, **kwargs)


class AwsSession:
    """Everything needed to call AWS as one account: the ``Inventory.session`` of AWS tenants."""

    def __init__(
        self,
        *,
        pool: SessionPool,
        credentials: Credentials | None,
        label: _Label,
        partition: str,
        home_region: str,
    ) -> None:
        self.pool = pool
        self.settings = pool.settings
        self.credentials = credentials
        self.label = label
        self.partition = partition
        self.home_region = home_region
        self._memo = Memo()

    @property
    def account_id(self) -> str:
        """The account (empty for the base credentials until their identity is known)."""
        return self.label.account_id

    def __repr__(self) -> str:
        return f"AwsSession(account_id={self.account_id!r}, partition={self.partition!r})"

    def client(self, service: str, region: str | None = None) -> Any:
        """The client for ``service`` in ``region`` (default: the home region), calling as this
        account: the scan's shared client, built once (see the module docstring).

        Typed ``Any``: botocore clients are generated at run time, one class per service.
        """
        key = self.pool.client_key(self.account_id, service, region or self.home_region)
        found = self.pool.clients.get(key)
        if found is None:
            found = self.pool.create_client(key)
        return AccountClient(found, self)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute a value once per session (concurrent callers wait); failures are memoised too.

        Kinds that need the same API answer (the organization trail and the management
        account's own trails, discovery and the organization kinds) share it through here.
        """
        return self._memo.get(key, compute)

    def regions(self) -> tuple[str, ...]:
        """The configured regions, or every region enabled in this account (resolved once)."""
        if self.settings.regions is not None:
            return self.settings.regions
        return self.memo("ec2:enabled-regions", self._enabled_regions)

    def _enabled_regions(self) -> tuple[str, ...]:
        answer = self.client("ec2").describe_regions(AllRegions=False)
        names = {
            r["RegionName"]
            for r in answer["Regions"]
            if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
        }
        return tuple(sorted(names))


def strip_account_host_label(request: Any, **_: Any) -> None:
    """Drop the leading ``<account-id>.`` host label that s3control prepends.

    Only registered when an endpoint override is in use: a local emulator answers on one
    host, and ``123456789012.127.0.0.1`` does not resolve.
    """
    parts = urlsplit(request.url)
    label, _, rest = parts.netloc.partition(".")
    if len(label) == 12 and label.isdigit() and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))
        if "host" in request.headers:
            request.headers["host"] = rest


# The bound of the client cache. Shared clients number the services x regions a scan uses
# (under 300 for 17 regions and every control): all are kept. Per-account clients (``adaptive``
# retry mode) would grow with the organization: a small LRU keeps only those in use.
SHARED_CLIENT_CACHE_SIZE = 1024
CLIENT_CACHE_SIZE = 96

# Connections kept open per client. A shared client serves every thread of the scan, so its pool
# must hold as many connections as ``--jobs`` can have in flight; urllib3 opens them only when
# they are needed, so the bound costs nothing until it is used.
MAX_POOL_CONNECTIONS = 64


class ClientCache:
    """The most recently used botocore clients of a scan, bounded (see ``CLIENT_CACHE_SIZE``).

    A client holds about 1,700 objects. With per-account clients, each kind uses its clients
    within one collection, so a small LRU re-creates almost none (measured: 1,014 -> 1,015
    clients at 200 accounts, peak RSS 475 -> 180 MiB). A caller still holding an evicted
    client keeps using it safely.
    """

    def __init__(self, capacity: int = CLIENT_CACHE_SIZE) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], client: Any) -> None:
        with self._lock:
            self._items[key] = client
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class SessionPool:
    """The sessions of one scan: the base credentials, and one assumed session per account."""

    def __init__(self, settings: AwsSettings) -> None:
        self.settings = settings
        self.clients = ClientCache(
            CLIENT_CACHE_SIZE if settings.retry_mode == "adaptive" else SHARED_CLIENT_CACHE_SIZE
        )
        self._lock = threading.Lock()
        self._base: AwsSession | None = None
        self._base_error: SessionUnavailable | None = None
        self._sessions: dict[str, AwsSession] = {}
        self._errors: dict[str, SessionUnavailable] = {}
        self._account_locks: dict[str, threading.Lock] = {}
        self._handlers: list[tuple[str, Callable[..., Any]]] = []
        self._aws_suffixes: tuple[str, ...] | None = None
        self._botocore: _ScanBotocore | None = None
        self._botocore_lock = threading.Lock()  # botocore sessions are not thread-safe
        retries: Any = {"max_attempts": settings.max_attempts, "mode": settings.retry_mode}
        self._config = Config(
            retries=retries,
            max_pool_connections=MAX_POOL_CONNECTIONS,
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra="logwarden",
        )

    def register(self, event_name: str, handler: Callable[..., Any]) -> None:
        """Register a botocore event handler on every client created from now on.

        The handler is called as ``handler(account_id=..., **botocore_kwargs)``; benchmarks and
        tests count API calls with ``before-call``. Register before the first session opens.
        """
        self._handlers.append((event_name, handler))

    def client_key(self, account_id: str, service: str, region: str) -> tuple[str, ...]:
        """The cache key of a client: shared by every account, except in ``adaptive`` mode."""
        if self.settings.retry_mode == "adaptive":
            return (service, region, account_id)
        return (service, region)

    def create_client(self, key: tuple[str, ...]) -> Any:
        """The client ``key`` (service, region[, account]): made from the scan's botocore
        session with the serving credentials, cached (``clients``)."""
        service, region = key[0], key[1]
        with self._botocore_lock:
            found = self.clients.get(key)  # another thread may have made it meanwhile
            if found is not None:
                return found
            bs = self._scan_botocore()
            bs.creating = True
            try:
                found = create_client(
                    bs,
                    service,
                    region_name=region,
                    endpoint_url=self.settings.endpoint_url,
                    config=self._config,
                )
            finally:
                bs.creating = False
            # set up and cached under the lock: a client is shared, so no thread may get it
            # half set up, and two threads asking at once must not build it twice
            if len(key) == 2:
                retry_per_account(found)
            for event_name, handler in self._handlers:
                found.meta.events.register(event_name, functools.partial(_dispatch, handler))
            if service == "s3control" and self.endpoint_overridden(found):
                found.meta.events.register("before-send.s3-control", strip_account_host_label)
            self.clients.put(key, found)
        return found

    def _scan_botocore(self) -> _ScanBotocore:
        """The scan's one botocore session (made on first use; call with the lock held)."""
        if self._botocore is None:
            self._botocore = _ScanBotocore(self.settings.profile)
            self._botocore.register_component("data_loader", shared_loader())
        return self._botocore

    def base(self) -> AwsSession:
        """The session of the base credentials (profile or standard chain); raises SessionUnavailable."""
        with self._lock:
            if self._base_error is not None:
                raise self._base_error
            if self._base is None:
                try:
                    self._base = self._open_base()
                except SessionUnavailable as exc:
                    self._base_error = exc
                    raise
                self._sessions[self._base.account_id] = self._base
            return self._base

    def for_account(self, account_id: str) -> AwsSession:
        """The session for ``account_id``: the base one if it is that account, else AssumeRole."""
        base = self.base()
        if account_id == base.account_id:
            return base
        with self._lock:
            lock = self._account_locks.setdefault(account_id, threading.Lock())
        with lock:  # one AssumeRole per account, whatever the concurrency
            if account_id in self._errors:
                raise self._errors[account_id]
            if account_id not in self._sessions:
                try:
                    self._sessions[account_id] = self._assume(base, account_id)
                except SessionUnavailable as exc:
                    self._errors[account_id] = exc
                    raise
            return self._sessions[account_id]

    def endpoint_overridden(self, client: BaseClient) -> bool:
        """Whether ``client`` talks to an endpoint other than AWS's own (an emulator, a proxy)."""
        if self.settings.endpoint_url:
            return True
        host = urlsplit(client.meta.endpoint_url).hostname or ""
        return not host.endswith(self._dns_suffixes())

    def _dns_suffixes(self) -> tuple[str, ...]:
        if self._aws_suffixes is None:
            data = shared_loader().load_data("partitions")
            found: set[str] = set()
            for part in data.get("partitions", []):
                outputs = part.get("outputs", {})
                found.update(v for k, v in outputs.items() if k.endswith("nsSuffix") and v)
            self._aws_suffixes = tuple(sorted(found)) or ("amazonaws.com",)
        return self._aws_suffixes

    def _open_base(self) -> AwsSession:
        try:
            with self._botocore_lock:
                bs = self._scan_botocore()
                home = bs.get_config_variable("region") or "us-east-1"
                credentials = bs.get_credentials()  # the standard chain (or the profile)
            session = AwsSession(
                pool=self,
                credentials=credentials,
                label=_Label(),
                partition="aws",
                home_region=home,
            )
            identity = session.client("sts").get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            code, message = error_code(exc)
            raise SessionUnavailable(
                code, f"the base AWS credentials cannot be used: {message}"
            ) from None
        arn = Arn.parse(identity["Arn"])
        session.label.account_id = identity["Account"]
        session.partition = arn.partition if arn else "aws"
        return session

    def _assume(self, base: AwsSession, account_id: str) -> AwsSession:
        role_arn = self.settings.role_arn(base.partition, account_id)
        sts = base.client("sts")
        kwargs: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": self.settings.session_name,
        }
        if self.settings.external_id:
            kwargs["ExternalId"] = self.settings.external_id

        def fetch() -> dict[str, str]:
            creds = sts.assume_role(**kwargs)["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }

        try:
            first = fetch()
        except (ClientError, BotoCoreError) as exc:
            code, message = error_code(exc)
            raise SessionUnavailable(code, f"cannot assume {role_arn}: {message}") from None
        # Refreshable: a long scan renews the role credentials before they expire.
        creds = RefreshableCredentials.create_from_metadata(first, fetch, method="assume-role")
        return AwsSession(
            pool=self,
            credentials=creds,
            label=_Label(account_id),
            partition=base.partition,
            home_region=base.home_region,
        )
