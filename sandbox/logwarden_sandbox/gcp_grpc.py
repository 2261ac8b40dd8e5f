"""A local gRPC fake of the Logging config service (``google.logging.v2.ConfigServiceV2``:
ListSinks, GetSink, ListBuckets and GetBucket) and of the log-entry service
(``google.logging.v2.LoggingServiceV2``: ListLogEntries, see ``gcp_entries``), on 127.0.0.1
(a free port), insecure.

Requests and answers are the library's own proto-plus messages (``logging_config``,
``logging``), so the real ``ConfigServiceV2Client`` and ``LoggingServiceV2Client`` talk to it
through injected gRPC transports on ``grpc.insecure_channel``. Errors carry a
``google.rpc.Status`` with an ``ErrorInfo`` reason when the fault has one (``SERVICE_DISABLED``).
A fault that breaks the answer (``gcp_state.BODY_FAULTS``) is applied to the serialized
message: cut in half (``TRUNCATE``), bytes that are no message (``GARBAGE``), a string that is
not UTF-8 (``NON_UTF8``), a field cleared in every message of the answer (``STRIP``, by its
proto or JSON name: ``retention_days`` or ``retentionDays``); ``RESET`` answers
``UNAVAILABLE``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from google.cloud.logging_v2.types import logging as lg
from google.cloud.logging_v2.types import logging_config as lc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from logwarden_sandbox import gcp_entries
from logwarden_sandbox.gcp_faults import FakeError, Fault
from logwarden_sandbox.gcp_state import FakeGcp

SERVICE = "google.logging.v2.ConfigServiceV2"
ENTRIES_SERVICE = "google.logging.v2.LoggingServiceV2"
PAGE_SIZE = 2
PARENT = re.compile(r"^(?P<collection>organizations|folders|projects)/(?P<ref>[^/]+)")
BUCKETS = re.compile(r"^projects/(?P<ref>[^/]+)/locations/(?P<location>[^/]+)$")
GARBAGE = b"\xff" * 12  # an unterminated varint: no protobuf message parses from it


class _Servicer:
    def __init__(self, fake: FakeGcp) -> None:
        self.fake = fake
        self.local = threading.local()  # .fault: what breaks the answer of this thread's call

    def _enter(self, method: str, resource: str) -> str:
        """Count the call, apply faults; returns the canonical parent (project numbers)."""
        found = PARENT.match(resource)
        if not found:
            raise FakeError("INVALID_ARGUMENT", f"invalid resource name {resource!r}")
        project = found["ref"] if found["collection"] == "projects" else None
        self.local.fault = self.fake.enter("logging", method, resource, project) or getattr(
            self.local, "fault", None
        )
        if project is None:
            return found.group(0)
        number = self.fake.project_number(project)
        if number is None:
            raise FakeError("NOT_FOUND", f"project {project} not found")
        return f"projects/{number}"

    def list_sinks(self, request: lc.ListSinksRequest, _: Any) -> lc.ListSinksResponse:
        parent = self._enter("ListSinks", request.parent)
        sinks = self.fake.snapshot.sinks.get(parent)
        if sinks is None:
            raise FakeError("NOT_FOUND", f"{request.parent} not found")
        start = int(request.page_token or 0)
        end = start + PAGE_SIZE
        return lc.ListSinksResponse(
            sinks=sinks[start:end], next_page_token=str(end) if end < len(sinks) else ""
        )

    def get_sink(self, request: lc.GetSinkRequest, _: Any) -> lc.LogSink:
        parent, _, name = request.sink_name.partition("/sinks/")
        canonical = self._enter("GetSink", parent)
        for sink in self.fake.snapshot.sinks.get(canonical, []):
            if sink.name == name:
                return sink
        raise FakeError("NOT_FOUND", f"sink {request.sink_name} not found")

    def list_buckets(self, request: lc.ListBucketsRequest, _: Any) -> lc.ListBucketsResponse:
        found = BUCKETS.match(request.parent)
        if not found:
            raise FakeError("INVALID_ARGUMENT", f"invalid parent {request.parent!r}")
        canonical = self._enter("ListBuckets", request.parent)
        prefix = f"{canonical}/locations/"
        location = found["location"]
        buckets = [
            b
            for name, b in sorted(self.fake.snapshot.log_buckets.items())
            if name.startswith(prefix) and location in ("-", name[len(prefix) :].split("/")[0])
        ]
        return lc.ListBucketsResponse(buckets=buckets)

    def get_bucket(self, request: lc.GetBucketRequest, _: Any) -> lc.LogBucket:
        canonical = self._enter("GetBucket", request.name)
        rest = request.name.split("/", 2)[2]
        bucket = self.fake.snapshot.log_buckets.get(f"{canonical}/{rest}")
        if bucket is None:
            raise FakeError("NOT_FOUND", f"bucket {request.name} does not exist")
        return bucket

    def list_log_entries(
        self, request: lg.ListLogEntriesRequest, _: Any
    ) -> lg.ListLogEntriesResponse:
        """The Admin Activity entries of the requested resources' logs that match."""
        if not request.resource_names:
            raise FakeError("INVALID_ARGUMENT", "resource_names is required")
        parents: list[str] = []
        for name in request.resource_names:
            canonical = self._enter("ListLogEntries", name)
            parents.append(canonical)
            if canonical.startswith("projects/"):  # entries name projects by id
                parents.append(f"projects/{self.fake.project_id(canonical[9:])}")
        page = gcp_entries.select(
            self.fake.entries(), parents, request.filter, request.order_by, request.page_token
        )
        return lg.ListLogEntriesResponse(entries=page.entries, next_page_token=page.next_page_token)


def _abort(context: grpc.ServicerContext, exc: FakeError) -> None:
    code = getattr(grpc.StatusCode, exc.code, grpc.StatusCode.UNKNOWN)
    status = status_pb2.Status(code=code.value[0], message=exc.message)
    if exc.reason:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.ErrorInfo(reason=exc.reason, domain="googleapis.com"))
        status.details.append(detail)
    from grpc_status import rpc_status

    context.abort_with_status(rpc_status.to_status(status))


def broken(fault: Fault, message: Any) -> bytes:
    """The serialized ``message`` (a proto-plus message), broken as ``fault`` says."""
    pb = type(message).pb(message)
    if fault.code == "GARBAGE":
        return GARBAGE
    if fault.code == "STRIP":
        pb = type(pb).FromString(pb.SerializeToString())
        _clear(pb, fault.field)
        return pb.SerializeToString()
    data = pb.SerializeToString()
    if fault.code == "TRUNCATE":
        return data[: len(data) // 2]
    if fault.code != "NON_UTF8":
        raise ValueError(f"{fault.code} does not apply to a gRPC answer")
    text = next(_strings(pb), "").encode()  # NON_UTF8: its first character becomes 0xff
    return data.replace(text, b"\xff" + text[1:], 1) if text else GARBAGE


def _clear(pb: Message, name: str) -> None:
    for field in pb.DESCRIPTOR.fields:
        if name in (field.name, field.json_name):
            pb.ClearField(field.name)
    for field, value in pb.ListFields():
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        for item in value if field.is_repeated else [value]:
            _clear(item, name)


def _strings(pb: Message) -> Any:
    for field, value in pb.ListFields():
        if field.type == field.TYPE_STRING and not field.is_repeated and value:
            yield value
        elif field.message_type is not None and not field.message_type.GetOptions().map_entry:
            for item in value if field.is_repeated else [value]:
                yield from _strings(item)


def _handler(
    servicer: _Servicer, method: Callable[[Any, Any], Any], request: Any, response: Any
) -> Any:
    def call(req: Any, context: grpc.ServicerContext) -> Any:
        servicer.local.fault = None
        try:
            answer = method(req, context)
        except FakeError as exc:
            _abort(context, exc)
            raise AssertionError("unreachable: abort raises") from exc
        fault: Fault | None = servicer.local.fault
        if fault is None:
            return answer
        if fault.code == "RESET":
            _abort(context, FakeError("UNAVAILABLE", "Connection reset by peer"))
        return broken(fault, answer)

    def serialize(answer: Any) -> bytes:
        return answer if isinstance(answer, bytes) else bytes(response.serialize(answer))

    return grpc.unary_unary_rpc_method_handler(
        call, request_deserializer=request.deserialize, response_serializer=serialize
    )


class GrpcFake:
    """The gRPC fake on 127.0.0.1 (a free port), serving ``fake``."""

    def __init__(self, fake: FakeGcp) -> None:
        from logwarden_sandbox import gcp_monitoring_grpc

        servicer = _Servicer(fake)
        handlers = {
            "ListSinks": _handler(
                servicer, servicer.list_sinks, lc.ListSinksRequest, lc.ListSinksResponse
            ),
            "GetSink": _handler(servicer, servicer.get_sink, lc.GetSinkRequest, lc.LogSink),
            "ListBuckets": _handler(
                servicer, servicer.list_buckets, lc.ListBucketsRequest, lc.ListBucketsResponse
            ),
            "GetBucket": _handler(servicer, servicer.get_bucket, lc.GetBucketRequest, lc.LogBucket),
        }
        entries = {
            "ListLogEntries": _handler(
                servicer,
                servicer.list_log_entries,
                lg.ListLogEntriesRequest,
                lg.ListLogEntriesResponse,
            )
        }
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self._server.add_generic_rpc_handlers(
            [
                grpc.method_handlers_generic_handler(SERVICE, handlers),
                grpc.method_handlers_generic_handler(ENTRIES_SERVICE, entries),
            ]
        )
        self._server.add_generic_rpc_handlers(gcp_monitoring_grpc.handlers(fake))
        self._port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``: the ``logging_endpoint`` of the sandbox config."""
        return f"127.0.0.1:{self._port}"

    def start(self) -> GrpcFake:
        """Start serving; returns self."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving at once."""
        self._server.stop(0).wait(5)
