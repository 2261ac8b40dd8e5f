"""An in-process moto server on 127.0.0.1 with latency, fault injection and AWS-faithful gaps.

:class:`MotoServer` serves moto's WSGI application (``DomainDispatcherApplication`` +
``create_backend_app``, the same app ``moto_server`` runs) from a threaded werkzeug server on a
random free port of 127.0.0.1, behind a small WSGI middleware that, for every request:

a. counts it (:attr:`MotoServer.request_count`, thread-safe);
b. sleeps ``latency_ms`` (network round-trip simulation for benchmarks);
c. answers it with an injected AWS error when a :class:`FaultInjector` rule matches (matchers
   :mod:`logwarden_sandbox.aws_faults`, error shapes: :mod:`logwarden_sandbox.aws_errors`);
d. fills moto's CloudTrail gaps so the scanner sees what real AWS shows
   (:mod:`logwarden_sandbox.aws_gaps`: delivery times in ``GetTrailStatus``, the organization
   trail in member accounts, trails read by ARN across accounts and regions);
e. answers CloudTrail ``LookupEvents``, which moto lacks, from the event history that the
   sandbox's changes record (:mod:`logwarden_sandbox.aws_journal`);
f. fills the gaps of moto's service APIs the service-audit-log kinds read
   (:mod:`logwarden_sandbox.aws_gaps_services`: ELBv2's default access-log attribute);
g. evaluates bucket policies of S3 object requests as AWS does, where moto counts every
   conditioned statement as a Deny (:mod:`logwarden_sandbox.aws_bucket_policy`).

Every HTTP request is counted, ``/moto-api/...`` included; faults and gaps apply to AWS API
requests only.

Facts about the moto server this relies on (moto 5.2):

- moto keeps its state in module-level backends: every ``MotoServer`` of a process and
  ``moto.mock_aws()`` share one state (``mock_aws`` resets it when it starts and stops);
  :meth:`MotoServer.reset` wipes all of it, as ``POST /moto-api/reset`` does.
- S3 Control requests are routed by path (``/v20180820/...``), so ``GetPublicAccessBlock`` is
  answered on the plain ``127.0.0.1:PORT`` host; the account comes from the
  ``x-amz-account-id`` header. The ``<account>.127.0.0.1`` host label botocore prepends is
  ignored by the server too (it only fails to resolve on the client side).
- werkzeug's dev server closes the connection after every response (no keep-alive).
- Performance: moto resolves the backend for a host by scanning its package directory and the
  account of an access key by walking every account's keys, on every request. The middleware
  memoizes both (a host's backend and a key's account never change; the key memo is cleared
  on reset) and passes the account on in moto's own ``x-moto-account-id`` header, which
  roughly halves server time for a 200-account organization.

Nothing here talks to AWS: clients must be given ``endpoint_url`` and fake credentials.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from logwarden_sandbox import aws_journal
from logwarden_sandbox.aws_bucket_policy import handle_s3
from logwarden_sandbox.aws_errors import render_error
from logwarden_sandbox.aws_faults import FaultInjector, describe_request, moto_account_lookup
from logwarden_sandbox.aws_gaps import handle_cloudtrail
from logwarden_sandbox.aws_gaps_logging import allow_config_delegated_administrators
from logwarden_sandbox.aws_gaps_services import fill_elbv2_defaults

__all__ = ["FaultInjector", "MotoServer"]

HOST = "127.0.0.1"
_MOTO_KEY = re.compile(r"[A-Z0-9]{20}")  # moto ignores other access key ids (default account)


def _handler_class(connections: set[socket.socket], lock: threading.Lock) -> type:
    """A quiet moto request handler that registers its connection (so stop() can close it)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class _Handler(MotoRequestHandler):
        def setup(self) -> None:
            super().setup()
            with lock:
                connections.add(self.connection)

        def finish(self) -> None:
            with lock:
                connections.discard(self.connection)
            super().finish()

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """Requests are counted, not logged."""

    return _Handler


def _dispatcher() -> Any:
    """moto's ``DomainDispatcherApplication`` with its host -> backend lookup memoized (moto
    scans its package directory on every request to answer it; the answer never changes)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class _Dispatcher(DomainDispatcherApplication):
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_for_host: dict[str, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            if host is None:
                return None
            if host not in self._backend_for_host:
                self._backend_for_host[host] = super().get_backend_for_host(host)
            return self._backend_for_host[host]

    return _Dispatcher()


class MotoServer:
    """moto on ``http://127.0.0.1:PORT`` in a daemon thread; use as a context manager.

    ``latency_ms`` and ``faults`` may be changed while the server runs (seed at full speed,
    then add latency for a benchmark). All servers of a process share moto's state.
    """

    def __init__(self, *, latency_ms: float = 0.0) -> None:
        self.latency_ms = latency_ms
        self.faults = FaultInjector()
        self.endpoint_url = ""
        self._count = 0
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._app: Callable[..., Iterable[bytes]] | None = None
        self._key_accounts: dict[str, str] = {}

    @property
    def request_count(self) -> int:
        """Number of HTTP requests the server has received since it was created."""
        with self._lock:
            return self._count

    def start(self) -> MotoServer:
        """Bind a free port of 127.0.0.1 and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        allow_config_delegated_administrators()
        self._app = _dispatcher()
        server = make_server(
            HOST,
            0,
            self._wsgi,
            threaded=True,
            request_handler=_handler_class(self._connections, self._lock),
        )
        self._server = server
        self.endpoint_url = f"http://{HOST}:{server.server_port}"
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"moto-sandbox-{server.server_port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and in-flight connections; idempotent."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue  # already closed by the peer
        if thread is not None:
            thread.join(timeout=10)

    def reset(self) -> None:
        """Wipe all moto state (every account, region and service) and the CloudTrail event
        history, as ``/moto-api/reset``."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        aws_journal.clear()
        self._key_accounts.clear()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _account_for_key(self, access_key: str) -> str:
        """moto's access key -> account mapping, memoized (a key never changes account)."""
        key = access_key if _MOTO_KEY.fullmatch(access_key) else "AKIAEXAMPLE"
        account = self._key_accounts.get(key)
        if account is None:
            account = self._key_accounts[key] = moto_account_lookup(key)
        return account

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The middleware: count, delay, inject faults, fill gaps, else moto."""
        app = self._app
        assert app is not None, "MotoServer.start() was not called"
        with self._lock:
            self._count += 1
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)
        path = environ.get("PATH_INFO") or ""
        if path.startswith("/moto-api"):
            self._key_accounts.clear()  # a reset through the API forgets keys
            if path.startswith("/moto-api/reset"):
                aws_journal.clear()
            return app(environ, start_response)
        info = describe_request(environ, self._account_for_key)
        # Tell moto the account we resolved (the header moto itself honours), so it does not
        # walk every account's keys again.
        environ.setdefault("HTTP_X_MOTO_ACCOUNT_ID", info.account)
        kind = self.faults.match(info)
        if kind is not None:
            status, headers, body = render_error(kind, info)
            start_response(status, headers)
            return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]
        if info.service == "cloudtrail" and info.action == "LookupEvents":
            return aws_journal.lookup_events(info, start_response)
        fill_elbv2_defaults(info)
        answer = handle_s3(info, environ, app, start_response)
        if answer is None:
            answer = handle_cloudtrail(info, environ, app, start_response)
        return answer if answer is not None else app(environ, start_response)
