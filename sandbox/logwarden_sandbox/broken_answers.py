"""Answers broken on purpose, shared by the sandbox's HTTP fakes (ARM, Resource Manager and
Cloud Storage): what a faulty proxy, a dropped connection or a buggy service hands a client.

- ``truncate``: the real body cut in half (the ``Content-Length`` says the short length, so
  the client reads a complete HTTP answer whose JSON ends early);
- ``garbage``: an HTML error page instead of the JSON (status and headers unchanged);
- ``non-utf8``: the real JSON with two bytes that are not UTF-8 in its first string;
- ``strip``: the real JSON with one key removed wherever it occurs;
- ``mistype``: the real JSON with one key's values given another JSON type wherever it occurs
  (a list becomes a string, anything else a list);
- ``reset``: no answer at all, the connection is reset (see :func:`reset`).
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

KINDS = ("truncate", "garbage", "non-utf8", "strip", "mistype", "reset")
FIELD_KINDS = ("strip", "mistype")  # the kinds that name the key they break
GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def broken(kind: str, body: bytes, field: str = "") -> bytes:
    """The real answer ``body`` broken as ``kind`` says (any of :data:`KINDS` but ``reset``)."""
    if kind == "truncate":
        return body[: len(body) // 2]
    if kind == "garbage":
        return GARBAGE
    if kind == "non-utf8":
        return body.replace(b'"', b'"\xff\xfe', 1)
    if kind == "strip":
        return json.dumps(without(json.loads(body), field)).encode()
    if kind == "mistype":
        return json.dumps(mistyped(json.loads(body), field)).encode()
    raise ValueError(f"not a way to break a body: {kind!r}")


def without(value: Any, key: str) -> Any:
    """A JSON value with ``key`` removed from every object in it."""
    if isinstance(value, dict):
        return {k: without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [without(v, key) for v in value]
    return value


def mistyped(value: Any, key: str) -> Any:
    """A JSON value whose every ``key`` holds a value of another type."""
    if isinstance(value, dict):
        return {
            k: ("?" if isinstance(v, list) else ["?"]) if k == key else mistyped(v, key)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mistyped(v, key) for v in value]
    return value


def reset(connection: socket.socket) -> None:
    """Make closing ``connection`` send a TCP reset (the handler then answers nothing)."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
