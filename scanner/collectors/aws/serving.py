"""Clients shared by every account of a scan, each call signed as the account that makes it.

Building a botocore client costs about 5 ms of CPU and ~1,700 objects; a client per
(account, service, region) made the scan build one client for every 1.5 API calls, and client
creation was half of the scanner's CPU. A client's endpoint, models, parsers and connection
pool do not depend on the account: only the signature does. So the scan builds one client per
(service, region) whose credentials are :class:`ServingCredentials`, and every account reaches
it through an :class:`AccountClient`, which names the account (``serving``) for the duration of
each call. A call made outside any ``serving`` block cannot be signed: it fails loudly instead
of borrowing another account's credentials.

What stays per account:

- the signature (``ServingCredentials`` reads the credentials of the account being served, so a
  refreshable assumed role renews itself as before);
- the retry quota (:func:`retry_per_account`): botocore's standard mode stops retrying when a
  client's quota of failures is spent, and one throttled account must not spend the others';
- the account of the handlers registered with ``SessionPool.register`` (call counting).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter
from botocore.retries import standard

if TYPE_CHECKING:
    from logwarden.scanner.collectors.aws.session import AwsSession

_local = threading.local()


def _stack() -> list[AwsSession]:
    stack: list[AwsSession] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextmanager
def serving(session: AwsSession) -> Iterator[None]:
    """Calls made by this thread inside the block are made as ``session``'s account."""
    stack = _stack()
    stack.append(session)
    try:
        yield
    finally:
        stack.pop()


def served() -> AwsSession:
    """The session this thread is calling as; a call outside ``serving`` is a bug."""
    stack = _stack()
    if not stack:
        raise RuntimeError("an AWS call was made outside serving(): no account to sign it as")
    return stack[-1]


class ServingCredentials(Credentials):
    """The credentials of whichever account this thread is serving (see the module docstring)."""

    def __init__(self) -> None:  # no keys of its own: they are read at signing time
        self.method = "logwarden-serving"

    def _current(self) -> Credentials:
        credentials = served().credentials
        if credentials is None:
            raise NoCredentialsError()
        return credentials

    @property
    def access_key(self) -> str:
        return str(self._current().access_key)

    @property
    def secret_key(self) -> str:
        return str(self._current().secret_key)

    @property
    def token(self) -> str | None:
        token: str | None = self._current().token
        return token

    @property
    def account_id(self) -> str | None:
        return served().account_id or None

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        """The served account's credentials (a refreshable role refreshes here, as usual)."""
        frozen: ReadOnlyCredentials = self._current().get_frozen_credentials()
        return frozen


class AccountClient:
    """A shared client seen as one account: every API call and page is made ``serving`` it.

    Everything else (``meta``, ``exceptions``, ``can_paginate``) is the shared client's own.
    """

    def __init__(self, client: Any, session: AwsSession) -> None:
        self._client = client
        self._session = session

    @property
    def shared(self) -> Any:
        """The scan's client behind this view (the same for every account in standard mode)."""
        return self._client

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if name == "get_paginator":
            return lambda operation: AccountPaginator(found(operation), self._session)
        if name in self._client.meta.method_to_api_mapping:
            return _served_call(found, self._session)
        return found

    def __repr__(self) -> str:
        meta = self._client.meta
        return (
            f"AccountClient({meta.service_model.service_name!r}, {meta.region_name!r}, "
            f"account={self._session.account_id!r})"
        )


def _served_call(method: Callable[..., Any], session: AwsSession) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        with serving(session):
            return method(*args, **kwargs)

    return call


class AccountPaginator:
    """A botocore paginator whose pages are fetched as one account."""

    def __init__(self, paginator: Any, session: AwsSession) -> None:
        self._paginator = paginator
        self._session = session

    def paginate(self, **kwargs: Any) -> AccountPages:
        """Pages of the operation; each page is requested when iterated, as the account."""
        return AccountPages(self._paginator.paginate(**kwargs), self._session)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._paginator, name)


class AccountPages:
    """A botocore page iterator that requests every page as one account."""

    def __init__(self, pages: Any, session: AwsSession) -> None:
        self._pages = pages
        self._session = session

    def __iter__(self) -> Iterator[Any]:
        pages = iter(self._pages)
        while True:
            with serving(self._session):
                try:
                    page = next(pages)
                except StopIteration:
                    return
            yield page

    def build_full_result(self) -> Any:
        """Every page merged, as botocore's ``build_full_result`` does."""
        with serving(self._session):
            return self._pages.build_full_result()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pages, name)


#: Accounts whose retry quota a shared client remembers (see :func:`retry_per_account`).
RETRY_QUOTAS_KEPT = 64


def retry_per_account(client: Any) -> None:
    """Give each account its own standard-mode retry quota on the shared ``client``.

    botocore registers one quota per client; shared by every account, one throttled account
    could spend it and stop the others' retries (their calls would be ERROR rows for nothing).
    botocore's own handler is replaced by one that keeps, per account, the handler botocore's
    ``register_retry_handler`` builds for a client (on a private event emitter, ~8 KB), made
    when the account's first answer on this client fails: until then its quota is full, and a
    success leaves a full quota as it is. Only the ``RETRY_QUOTAS_KEPT`` accounts that failed
    last are remembered, so memory does not grow with the organization (a quota is a circuit
    breaker: an account that comes back after being forgotten starts with a full one, as a new
    client would).
    """
    service_event = client.meta.service_model.service_id.hyphenize()
    max_attempts = client.meta.config.retries.get("total_max_attempts")
    checks_successes = client.meta.service_model.service_name == "dynamodb"  # CRC32 retries
    per_account: OrderedDict[str, HierarchicalEmitter] = OrderedDict()
    lock = threading.Lock()

    def emitter(create: bool) -> HierarchicalEmitter | None:
        account = served().account_id
        with lock:
            found = per_account.get(account)
            if found is None:
                if not create:
                    return None
                found = per_account[account] = HierarchicalEmitter()
                standard.register_retry_handler(_RetryTarget(client, found), max_attempts)
                while len(per_account) > RETRY_QUOTAS_KEPT:
                    per_account.popitem(last=False)
            else:
                per_account.move_to_end(account)
            return found

    def needs_retry(event_name: str, **kwargs: Any) -> Any:
        found = emitter(create=checks_successes or _failed(kwargs))
        if found is None:
            return None  # a success: nothing to retry, and the quota stays full
        answers = found.emit(event_name, **kwargs)
        return next((answer for _, answer in answers if answer is not None), None)

    def after_call(event_name: str, **kwargs: Any) -> None:
        found = emitter(create=False)
        if found is not None:
            found.emit(event_name, **kwargs)

    events = client.meta.events
    events.unregister(f"needs-retry.{service_event}", unique_id=f"retry-config-{service_event}")
    events.register(
        f"needs-retry.{service_event}", needs_retry, unique_id=f"retry-config-{service_event}"
    )
    events.register(f"after-call.{service_event}", after_call)


def _failed(needs_retry_kwargs: dict[str, Any]) -> bool:
    """Whether the attempt botocore asks about failed (an exception, or an answer not 2xx)."""
    response = needs_retry_kwargs.get("response")
    if needs_retry_kwargs.get("caught_exception") is not None or response is None:
        return True
    http_response = response[0]
    return http_response is None or http_response.status_code >= 300


class _RetryMeta:
    def __init__(self, client: Any, events: HierarchicalEmitter) -> None:
        self.service_model = client.meta.service_model
        self.config = client.meta.config
        self.events = events


class _RetryTarget:
    """What ``register_retry_handler`` reads of a client: its model, and where to register."""

    def __init__(self, client: Any, events: HierarchicalEmitter) -> None:
        self.meta = _RetryMeta(client, events)
