"""A local HTTP fake of Resource Manager v3 (organizations, folders, projects: get, list,
search, getIamPolicy), of the Cloud Storage JSON API's bucket metadata (``buckets.get``) and
of the project resource listings of ``gcp_resources`` (Compute Engine, Cloud DNS, Cloud SQL).

It answers the real clients (``transport="rest"`` with ``api_endpoint=http://127.0.0.1:N``,
``storage.Client`` with the same endpoint) with JSON rendered from the libraries' own message
classes, paginated (two items per page, so the clients' pagers are exercised), and errors in
Google's JSON error format (``google.rpc.ErrorInfo`` reason included). A fault that breaks the
answer (``gcp_state.BODY_FAULTS``) is applied to the real answer as ``broken_answers`` does.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from google.cloud.resourcemanager_v3 import types as rm
from google.protobuf import json_format

from logwarden_sandbox import broken_answers, gcp_monitoring_rest, gcp_resources
from logwarden_sandbox.gcp_faults import FakeError, Fault
from logwarden_sandbox.gcp_state import FakeGcp

PAGE_SIZE = 2
HTTP_STATUS = {
    "PERMISSION_DENIED": 403,
    "UNAVAILABLE": 503,
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "INTERNAL": 500,
    "RESOURCE_EXHAUSTED": 429,
}
GET_NODE = re.compile(r"^/v3/(?P<name>(organizations|folders|projects)/[^/:]+)$")
IAM = re.compile(r"^/v3/(?P<name>(organizations|folders|projects)/[^/:]+):getIamPolicy$")
LIST = re.compile(r"^/v3/(?P<collection>folders|projects)$")
BUCKET = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)$")


def _page(items: list[Any], token: str) -> tuple[list[Any], str]:
    start = int(token or 0)
    end = start + PAGE_SIZE
    return items[start:end], (str(end) if end < len(items) else "")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    fault: Fault | None = None  # the fault that breaks this request's answer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self.fault = None  # one handler serves every request of a kept-alive connection
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            status, body = self._route(method, path, query)
        except FakeError as exc:
            status, body = HTTP_STATUS.get(exc.code, 500), _error(exc)
        data = body.encode()
        if self.fault is not None and self.fault.code == "RESET":
            self.close_connection = True
            broken_answers.reset(self.connection)
            return
        if self.fault is not None and 200 <= status < 300:
            kind = self.fault.code.lower().replace("_", "-")
            data = broken_answers.broken(kind, data, self.fault.field)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _enter(self, api: str, method: str, resource: str, project: str | None) -> None:
        """Count the call (``FakeGcp.enter``); keep the fault that breaks its answer."""
        self.fault = self.server.fake.enter(api, method, resource, project)

    def _route(self, method: str, path: str, query: dict[str, str]) -> tuple[int, str]:
        fake = self.server.fake
        if method == "GET" and path == "/v3/organizations:search":
            self._enter("resourcemanager", "organizations.search", "", None)
            answer = rm.SearchOrganizationsResponse(organizations=[fake.snapshot.organization])
            return 200, type(answer).to_json(answer, use_integers_for_enums=False)
        found = GET_NODE.match(path)
        if method == "GET" and found:
            return 200, _message_json(self._node(found["name"], "get"))
        found = IAM.match(path)
        if method == "POST" and found:
            name = self._canonical(found["name"])
            self._node(found["name"], "getIamPolicy")
            return 200, json_format.MessageToJson(fake.snapshot.policies[name])
        found = LIST.match(path)
        if method == "GET" and found:
            return 200, self._list(found["collection"], query)
        found = BUCKET.match(path)
        if method == "GET" and found:
            bucket = fake.snapshot.storage.get(found["bucket"])
            number = bucket["projectNumber"] if bucket else None
            self._enter("storage", "buckets.get", found["bucket"], number)
            if bucket is None:
                raise FakeError(
                    "NOT_FOUND", f"The specified bucket does not exist: {found['bucket']}"
                )
            return 200, json.dumps(bucket)
        routed = gcp_monitoring_rest.route(self, method, path)
        if routed is not None:
            return routed
        listing = gcp_resources.route(self._enter, fake, path, query) if method == "GET" else None
        if listing is not None:  # Compute Engine, Cloud DNS, Cloud SQL Admin listings
            return 200, listing
        raise FakeError("NOT_FOUND", f"the sandbox does not serve {method} {path}")

    def _canonical(self, name: str) -> str:
        collection, _, ref = name.partition("/")
        if collection == "projects":
            number = self.server.fake.project_number(ref)
            return f"projects/{number}" if number else name
        return name

    def _node(self, name: str, method: str) -> Any:
        fake = self.server.fake
        collection, _, ref = name.partition("/")
        self._enter(
            "resourcemanager",
            f"{collection}.{method}",
            name,
            ref if collection == "projects" else None,
        )
        snap = fake.snapshot
        canonical = self._canonical(name)
        node: Any = {
            "organizations": snap.organization if canonical == snap.organization.name else None,
            "folders": snap.folders.get(canonical),
            "projects": snap.projects.get(canonical.partition("/")[2]),
        }[collection]
        if node is None:
            raise FakeError(
                "PERMISSION_DENIED", f"{name} does not exist or the caller may not see it"
            )
        return node

    def _list(self, collection: str, query: dict[str, str]) -> str:
        fake = self.server.fake
        parent = query.get("parent", "")
        self._enter("resourcemanager", f"{collection}.list", parent, None)
        snap = fake.snapshot
        if collection == "folders":
            folders = [f for f in snap.folders.values() if f.parent == parent]
            items, token = _page(folders, query.get("pageToken", ""))
            answer: Any = rm.ListFoldersResponse(folders=items, next_page_token=token)
        else:
            projects = [p for p in snap.projects.values() if p.parent == parent]
            items, token = _page(projects, query.get("pageToken", ""))
            answer = rm.ListProjectsResponse(projects=items, next_page_token=token)
        return type(answer).to_json(answer, use_integers_for_enums=False)


def _message_json(message: Any) -> str:
    return type(message).to_json(message, use_integers_for_enums=False)


def _error(exc: FakeError) -> str:
    error: dict[str, Any] = {
        "code": HTTP_STATUS.get(exc.code, 500),
        "message": exc.message,
        "status": exc.code,
    }
    if exc.reason:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": exc.reason,
                "domain": "googleapis.com",
            }
        ]
    return json.dumps({"error": error})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGcp


class RestFake:
    """The HTTP fake on 127.0.0.1 (a free port), serving ``fake`` in a background thread."""

    def __init__(self, fake: FakeGcp) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = fake
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="gcp-rest-fake", daemon=True
        )

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``: the Resource Manager and Storage endpoint."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RestFake:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
