"""A fault-injecting HTTP reverse proxy on 127.0.0.1, in front of a local emulator.

The proxy forwards every request to ``upstream`` and answers it unchanged, except for requests
whose name (``name_of(environ)``, a function of the WSGI environ: for AWS ``"s3:GetBucketPolicy"``
from the sandbox's own request identification, for another cloud's REST API whatever names its
operations) has a fault set with :meth:`FaultProxy.fault`:

``truncate``   the real answer, its body cut to half its length (Content-Length to match)
``garbage``    200 with a body that is neither JSON nor XML
``non-utf8``   the real answer with one byte that is not UTF-8 (0xE9) in the middle of its body
``500``        an internal server error, as ``error_answer("InternalError", environ)`` renders it
``throttle``   a throttling error, ``error_answer("Throttling", environ)``; a fault lasts until
               cleared, so it outlives any retry budget
``reset``      the connection is reset (TCP RST) before any answer

Every request's name is counted in :attr:`FaultProxy.seen`, every faulted one in
:attr:`FaultProxy.faulted`.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

FAULTS = ("truncate", "garbage", "non-utf8", "500", "throttle", "reset")

Environ = dict[str, Any]
Answer = tuple[str, list[tuple[str, str]], bytes]
ErrorAnswer = Callable[[str, Environ], Answer]

GARBAGE = b"garbage from a fault-injecting proxy: neither JSON nor XML\n"
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}
)


def plain_error(kind: str, environ: Environ) -> Answer:
    """A protocol-neutral error answer (for APIs whose error shape the caller does not set)."""
    status = "500 Internal Server Error" if kind == "InternalError" else "429 Too Many Requests"
    body = f"{kind} (fault-injecting proxy)\n".encode()
    return status, [("Content-Type", "text/plain")], body


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Requests are counted, not logged."""

    def log_error(self, *args: Any) -> None:
        """A reset connection is the point of a fault, not news."""


class FaultProxy:
    """The proxy; a context manager that starts it on a free port and stops it."""

    def __init__(
        self,
        upstream: str,
        name_of: Callable[[Environ], str],
        error_answer: ErrorAnswer = plain_error,
    ) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._name_of = name_of
        self._error_answer = error_answer
        self._lock = threading.Lock()
        self._faults: dict[str, str] = {}
        self.seen: Counter[str] = Counter()
        self.faulted: Counter[str] = Counter()
        self.endpoint_url = ""
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def fault(self, name: str, fault: str) -> None:
        """Answer every request named ``name`` with ``fault`` until :meth:`clear`."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
        with self._lock:
            self._faults[name] = fault

    def clear(self) -> None:
        """Remove every fault and forget the counts."""
        with self._lock:
            self._faults.clear()
            self.seen.clear()
            self.faulted.clear()

    def start(self) -> FaultProxy:
        """Serve on a free port of 127.0.0.1 in a daemon thread; returns ``self``."""
        server = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self._server = server
        self.endpoint_url = f"http://127.0.0.1:{server.server_port}"
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket; idempotent."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _app(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        name = self._name_of(environ)
        with self._lock:
            self.seen[name] += 1
            fault = self._faults.get(name)
            if fault is not None:
                self.faulted[name] += 1
        if fault == "reset":
            # No answer: the connection ends at once (linger 0: an RST when the socket closes).
            sock = environ["werkzeug.socket"]
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionResetError(f"fault-injecting proxy: reset {name}")
        if fault in ("500", "throttle"):
            status, headers, body = self._error_answer(
                "InternalError" if fault == "500" else "Throttling", environ
            )
        elif fault == "garbage":
            status, headers, body = "200 OK", [("Content-Type", "text/plain")], GARBAGE
        else:
            status, headers, body = self._forward(environ)
            if fault == "truncate":
                body = body[: len(body) // 2]
            elif fault == "non-utf8":
                body = body[: len(body) // 2] + b"\xe9" + body[len(body) // 2 :]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _forward(self, environ: Environ) -> Answer:
        headers = {
            key[5:].replace("_", "-").title(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_") and key[5:].lower().replace("_", "-") not in _HOP_BY_HOP
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else None
        if body is not None:
            headers["Content-Length"] = str(len(body))
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/"
        conn = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            conn.request(environ["REQUEST_METHOD"], target, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return f"{answer.status} {answer.reason}", kept, data
        finally:
            conn.close()
