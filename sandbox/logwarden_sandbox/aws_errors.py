"""Error answers of the sandbox, in each request's own wire protocol.

Error shapes per protocol (codes as real AWS sends them, so retry logic behaves as in
production):

==========  ==========================  ============================  =======================
protocol    AccessDenied                Throttling                    InternalError
==========  ==========================  ============================  =======================
json        400 AccessDeniedException   400 ThrottlingException       500 InternalFailure
cbor        400 AccessDeniedException   400 ThrottlingException       500 InternalFailure
query       403 AccessDenied            400 Throttling                500 InternalFailure
ec2         403 UnauthorizedOperation   503 RequestLimitExceeded      500 InternalError
rest-xml    403 AccessDenied            503 SlowDown                  500 InternalError
rest-json   403 AccessDeniedException   429 TooManyRequestsException  500 InternalFailure
==========  ==========================  ============================  =======================

``cbor`` is Smithy RPC v2 CBOR (CloudWatch): the JSON error object, encoded in CBOR.
``Unavailable`` is 503 ServiceUnavailable in every protocol. Every throttling code above is one
botocore retries, and 500 and 503 are retried as transient: a rule with ``times=None``
therefore outlives any retry budget and the caller sees the error.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from logwarden_sandbox.aws_faults import RequestInfo

ERROR_KINDS = ("AccessDenied", "Throttling", "Unavailable", "InternalError")

#: (HTTP status, error code) per error kind and wire protocol.
_CODES: dict[str, dict[str, tuple[int, str]]] = {
    "AccessDenied": {
        "json": (400, "AccessDeniedException"),
        "cbor": (400, "AccessDeniedException"),
        "query": (403, "AccessDenied"),
        "ec2": (403, "UnauthorizedOperation"),
        "rest-xml": (403, "AccessDenied"),
        "rest-json": (403, "AccessDeniedException"),
    },
    "Throttling": {
        "json": (400, "ThrottlingException"),
        "cbor": (400, "ThrottlingException"),
        "query": (400, "Throttling"),
        "ec2": (503, "RequestLimitExceeded"),
        "rest-xml": (503, "SlowDown"),
        "rest-json": (429, "TooManyRequestsException"),
    },
    "InternalError": {
        "json": (500, "InternalFailure"),
        "cbor": (500, "InternalFailure"),
        "query": (500, "InternalFailure"),
        "ec2": (500, "InternalError"),
        "rest-xml": (500, "InternalError"),
        "rest-json": (500, "InternalFailure"),
    },
}


def render_error(kind: str, info: RequestInfo) -> tuple[str, list[tuple[str, str]], bytes]:
    """WSGI status line, headers and body of an AWS error of ``kind`` for this request."""
    request_id = str(uuid.uuid4())
    if kind == "Unavailable":
        status, code = 503, "ServiceUnavailable"
        message = "Service is unavailable (logwarden sandbox fault)"
    else:
        status, code = _CODES[kind][info.protocol]
        message = (
            f"User: arn:aws:iam::{info.account}:user/sandbox is not authorized to perform: "
            f"{info.service}:{info.action or '*'} (logwarden sandbox fault)"
            if kind == "AccessDenied"
            else "Rate exceeded (logwarden sandbox fault)"
            if kind == "Throttling"
            else "We encountered an internal error (logwarden sandbox fault)"
        )
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if info.protocol == "json":
        content_type = "application/x-amz-json-1.1"
        body = json.dumps({"__type": code, "message": message}).encode()
    elif info.protocol == "cbor":
        content_type = "application/cbor"
        headers.append(("smithy-protocol", "rpc-v2-cbor"))
        body = cbor_map({"__type": code, "message": message})
    elif info.protocol == "rest-json":
        content_type = "application/json"
        headers.append(("x-amzn-ErrorType", code))
        body = json.dumps({"message": message}).encode()
    else:
        content_type = "text/xml"
        text = f"<Code>{code}</Code><Message>{escape(message)}</Message>"
        if info.protocol == "ec2":
            xml = f"<Response><Errors><Error>{text}</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        elif info.protocol == "query":
            party = "Receiver" if status >= 500 else "Sender"
            xml = f"<ErrorResponse><Error><Type>{party}</Type>{text}</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        else:
            xml = f"<Error>{text}<RequestId>{request_id}</RequestId></Error>"
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode()
    headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    reason = {
        400: "Bad Request",
        403: "Forbidden",
        429: "Too Many Requests",
        500: "Internal Server Error",
    }.get(status, "Service Unavailable")
    return f"{status} {reason}", headers, body


def cbor_map(items: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949: major types 5 and 3), definite lengths."""
    out = _cbor_head(5, len(items))
    for key, value in items.items():
        for text in (key, value):
            data = text.encode()
            out += _cbor_head(3, len(data)) + data
    return out


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for extra, size in ((24, 1), (25, 2), (26, 4)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | extra]) + length.to_bytes(size, "big")
    raise ValueError("too long for this encoder")
