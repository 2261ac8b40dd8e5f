"""The HTTPS emulator of Azure Resource Manager: threaded, on 127.0.0.1, port 0.

It serves one :class:`TenantSpec` (see ``azure_routes`` for the endpoints), checks the bearer
token the static-token credential sends, and can fail requests on purpose
(:class:`FaultInjector`): per subscription, path or operation (an ARM path template), 403
``AuthorizationFailed``, 429 ``SubscriptionRequestsThrottled`` (with ``Retry-After``) or 500
``InternalServerError``, as ARM answers them, so the SDK's retry policy behaves as in
production; or break the real answer (:data:`BODY_FAULTS`): cut its body short, replace it
with garbage or with bytes that are not UTF-8, drop a field everywhere in it or give it another
type, or reset the connection instead of answering.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import uuid
from dataclasses import dataclass
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from logwarden_sandbox import broken_answers
from logwarden_sandbox.azure_arm import ArmState
from logwarden_sandbox.azure_routes import Answer, Router, arm_error
from logwarden_sandbox.azure_tenant import TenantSpec
from logwarden_sandbox.azure_tls import make_tls_files

FAULTS = {
    403: (
        "AuthorizationFailed",
        "The client 'logwarden-sandbox' does not have authorization to perform action "
        "'{action}' over scope '{scope}' or the scope is invalid.",
    ),
    429: (
        "SubscriptionRequestsThrottled",
        "Number of 'read' requests for subscription '{subscription}' exceeded. Please try "
        "again after '{retry}' seconds.",
    ),
    500: ("InternalServerError", "Encountered internal server error. Diagnostic information: {id}"),
    503: ("ServiceUnavailable", "The service is temporarily unavailable: {id}"),
    409: (  # a resource provider the subscription has not registered
        "MissingSubscriptionRegistration",
        "The subscription is not registered to use the namespace of '{action}'.",
    ),
}
# Ways to break the real answer of a request (its status stays what the router said).
BODY_FAULTS = broken_answers.KINDS


@dataclass
class FaultRule:
    """Fail matching requests with ``status`` (403, 429, 500 or 503), or break their answer
    with ``body`` (one of :data:`BODY_FAULTS`; ``strip`` and ``mistype`` break the key
    ``field`` wherever it occurs in the JSON answer).

    ``subscription`` and ``path`` are globs (case-insensitive) over the subscription id in the
    path and the lower-cased path; ``template`` names one operation by its ARM path template
    (``/subscriptions/{subscriptionId}/providers/Microsoft.Insights/diagnosticSettings``: a
    ``{name}`` is one path segment); ``times`` is how many requests to fail (None = all).
    """

    status: int = 0
    subscription: str = "*"
    path: str = "*"
    method: str = "*"
    times: int | None = None
    retry_after: int = 0  # seconds sent with 429 (0: the SDK uses its own back-off)
    hits: int = 0
    body: str = ""
    field: str = ""
    template: str = ""

    def matches(self, method: str, low: str, subscription: str) -> bool:
        """Whether the request ``method low`` (a lower-cased path) is one this rule fails."""
        return (
            fnmatchcase(method, self.method.upper())
            and fnmatchcase(low, self.path.lower())
            and (self.subscription == "*" or fnmatchcase(subscription, self.subscription.lower()))
            and (not self.template or template_pattern(self.template).match(low) is not None)
        )


def template_pattern(template: str) -> re.Pattern[str]:
    """An ARM path template as a case-insensitive pattern over a whole path."""
    parts = re.split(r"\{[^}/]+\}", template.rstrip("/").lower())
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")


class FaultInjector:
    """The fault rules of one server; thread-safe."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        """Start failing requests that match ``rule``."""
        if bool(rule.status) == bool(rule.body):
            raise ValueError("a fault rule has a status or a body fault, and not both")
        if rule.status and rule.status not in FAULTS:
            raise ValueError(f"unsupported fault status {rule.status}; use {sorted(FAULTS)}")
        if rule.body and rule.body not in BODY_FAULTS:
            raise ValueError(f"unsupported body fault {rule.body!r}; use {BODY_FAULTS}")
        if (rule.body in broken_answers.FIELD_KINDS) != bool(rule.field):
            raise ValueError("a 'strip' or 'mistype' fault names its field, and only they do")
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def find(self, method: str, path: str) -> FaultRule | None:
        """The rule that fails this request, if one matches and still has budget (a hit)."""
        low = unquote(path).lower()
        parts = low.split("/")
        subscription = parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else ""
        with self._lock:
            for rule in self._rules:
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if rule.matches(method, low, subscription):
                    rule.hits += 1
                    return rule
        return None


def error_answer(rule: FaultRule, method: str, path: str) -> Answer:
    """The ARM error answer of a status rule."""
    low = unquote(path).lower()
    parts = low.split("/")
    subscription = parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else ""
    code, text = FAULTS[rule.status]
    scope = "/".join(parts[:3]) if subscription else low
    message = text.format(
        action=f"{method} {low}",
        scope=scope,
        subscription=subscription,
        retry=rule.retry_after,
        id=uuid.uuid4(),
    )
    answer = arm_error(rule.status, code, message)
    if rule.status == 429:
        answer.headers["Retry-After"] = str(rule.retry_after)
    return answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    arm: ArmServer
    ssl_context: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        handler: Any = self.RequestHandlerClass
        try:
            handler(secure, client_address, self)
        finally:
            secure.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed ACK)
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        arm = self.server.arm
        parts = urlsplit(self.path)
        arm.record(self.command, parts.path)
        rule = None
        if self.headers.get("Authorization") != f"Bearer {arm.token}":
            answer = arm_error(
                401, "InvalidAuthenticationToken", "The access token is missing or invalid."
            )
        else:
            rule = arm.faults.find(self.command, parts.path)
            if rule is not None and rule.status:
                answer = error_answer(rule, self.command, parts.path)
            else:
                answer = arm.router.handle(self.command, parts.path, parse_qs(parts.query))
        body = json.dumps(answer.body).encode()
        if rule is not None and rule.body == "reset":
            self.close_connection = True
            broken_answers.reset(self.connection)
            return
        if rule is not None and rule.body and 200 <= answer.status < 300:
            body = broken_answers.broken(rule.body, body, rule.field)
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class ArmServer:
    """The emulator for one tenant; use as a context manager or ``start()`` / ``stop()``."""

    def __init__(self, tenant: TenantSpec, *, token: str | None = None, page_size: int = 2):
        self.tenant = tenant
        self.state = ArmState(tenant)
        self.token = token or secrets.token_urlsafe(24)
        self.page_size = page_size
        self.faults = FaultInjector()
        self.calls: list[tuple[str, str]] = []
        self._calls_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._dir: Path | None = None
        self.router: Router
        self.ca_path = ""
        self.base_url = ""

    def start(self) -> ArmServer:
        """Generate the TLS files, bind 127.0.0.1 on a free port and serve in a thread."""
        self._dir = Path(tempfile.mkdtemp(prefix="logwarden-arm-"))
        tls = make_tls_files(self._dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.certificate, tls.key)
        server = _Server(("127.0.0.1", 0), _Handler)
        server.arm, server.ssl_context = self, context
        self._server = server
        self.ca_path = str(tls.ca)
        self.base_url = f"https://127.0.0.1:{server.server_address[1]}"
        self.router = Router(self.state, self.base_url, self.page_size)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and delete the TLS files."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def record(self, method: str, path: str) -> None:
        """Remember one request (tests count calls)."""
        with self._calls_lock:
            self.calls.append((method, path))

    def count(self, method: str = "*", path: str = "*") -> int:
        """How many requests matched (globs, case-insensitive path)."""
        with self._calls_lock:
            return sum(
                1
                for m, p in self.calls
                if fnmatchcase(m, method) and fnmatchcase(p.lower(), path.lower())
            )

    def __enter__(self) -> ArmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
