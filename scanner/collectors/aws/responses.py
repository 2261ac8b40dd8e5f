"""An AWS answer that cannot be trusted is a collection error, never data.

Every botocore client of a scan is built by :func:`create_client` (from ``AwsSession.client``)
with a :class:`CheckedParserFactory`: botocore's own response parser, wrapped. For every answer it
raises :class:`MalformedResponse`, a ``BotoCoreError`` (so every collector's ``AWS_ERRORS``
handling turns it into a ``CollectionError`` and ERROR rows), when:

- a successful (2xx) answer of a JSON protocol is not a JSON object: botocore would read a
  truncated or garbage body as ``{"message": <body>}`` and drop it, leaving an empty answer
  that a collector reads as "nothing configured";
- botocore cannot parse the answer at all: a truncated XML document, a body that is not
  UTF-8 (botocore's ``UnicodeDecodeError`` would otherwise be an internal error), a JSON value
  of the wrong shape (botocore fails with ``AttributeError`` or ``TypeError`` deep inside);
- a successful answer lacks what the declared table (:mod:`logwarden.scanner.collectors.aws.answers`)
  says it must contain, or carries it with the wrong type, or a policy document in it is not
  a JSON object.

Cost: one ``json.loads`` of each JSON body (C code, microseconds for the answers of a scan)
and a few dictionary lookups per answer; botocore's own parsing costs far more.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree

from botocore.exceptions import BotoCoreError
from botocore.parsers import ResponseParserError, ResponseParserFactory
from botocore.session import Session

from logwarden.scanner.collectors.aws.answers import JSON_OBJECT, Kind, Need, declared

JSON_PROTOCOLS = frozenset({"json", "rest-json"})

# What botocore's parsers raise on an answer that does not fit the model: its own parse error,
# a body that is not UTF-8 (ValueError), and the errors of walking a value of the wrong shape.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    ResponseParserError,
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
)

_KIND_NAMES: dict[Kind, str] = {
    list: "a list",
    dict: "an object",
    str: "a string",
    bool: "a boolean",
    dt.datetime: "a timestamp",
    JSON_OBJECT: JSON_OBJECT,
}


class MalformedResponse(BotoCoreError):
    """An AWS answer that cannot be read as the API promises (see the module docstring)."""

    fmt = "{service} {operation} answered HTTP {status} with an unusable answer: {reason}"


def create_client(botocore_session: Session, service: str, **kwargs: Any) -> Any:
    """``botocore_session.create_client(service, **kwargs)``, checking every answer.

    Not thread-safe (botocore sessions are not): the caller serialises client creation.
    """
    # create_client reads the factory once: this client's answers are checked (and named)
    # as answers of ``service``.
    botocore_session.register_component("response_parser_factory", CheckedParserFactory(service))
    client = botocore_session.create_client(service, **kwargs)
    if service == "s3":
        # botocore reads GetBucketLocation's body itself, after the call, whatever the status,
        # and fails with XML's ParseError on a body that is not XML (a truncated 200 becomes
        # a 500 whose body is still the truncated one): refuse such a body first.
        client.meta.events.register_first("after-call.s3.GetBucketLocation", _location_body_is_xml)
    return client


def _location_body_is_xml(http_response: Any, **_: Any) -> None:
    if http_response.raw is None:  # botocore's handler skips these too
        return
    try:
        parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(), encoding="utf-8")
        parser.feed(http_response.content)
        parser.close()
    except ElementTree.ParseError as exc:
        raise MalformedResponse(
            service="s3",
            operation="GetBucketLocation",
            status=http_response.status_code,
            reason=f"the body is not XML ({exc})",
        ) from None


class CheckedParserFactory(ResponseParserFactory):
    """botocore's parser factory for the clients of one service; every parser checks."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def create_parser(self, protocol_name: str) -> Any:
        """botocore's parser for ``protocol_name``, wrapped in a :class:`CheckedParser`."""
        return CheckedParser(super().create_parser(protocol_name), self.service, protocol_name)


class CheckedParser:
    """A botocore response parser that refuses answers it cannot vouch for."""

    def __init__(self, inner: Any, service: str, protocol: str) -> None:
        self._inner = inner
        self.service = service
        self.protocol = protocol

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        """Parse as botocore does; raise ``MalformedResponse`` for an unusable answer."""
        operation = str((response.get("context") or {}).get("operation_name", "?"))
        status = int(response.get("status_code") or 0)

        def malformed(reason: str) -> MalformedResponse:
            return MalformedResponse(
                service=self.service, operation=operation, status=status, reason=reason
            )

        body = response.get("body")
        succeeded = status < 300
        if (
            succeeded
            and self.protocol in JSON_PROTOCOLS
            and isinstance(body, bytes)  # not a stream
            and body
            and _json_object_expected(shape)
        ):
            reason = _not_a_json_object(body)
            if reason:
                raise malformed(reason)
        try:
            parsed = self._inner.parse(response, shape)
        except PARSE_ERRORS as exc:
            raise malformed(f"botocore cannot parse it ({type(exc).__name__}: {exc})") from None
        if succeeded and isinstance(parsed, dict):
            reason = problem(self.service, operation, parsed)
            if reason:
                raise malformed(reason)
        return parsed


def _json_object_expected(shape: Any) -> bool:
    """Whether a JSON protocol's success body is a JSON object for this output shape (not a
    string or blob payload carried as it is)."""
    if shape is None:
        return False
    payload = shape.serialization.get("payload")
    return payload is None or shape.members[payload].type_name == "structure"


def _not_a_json_object(body: bytes) -> str:
    try:
        value = json.loads(body)
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8 ({exc.reason} at byte {exc.start})"
    except ValueError as exc:
        return f"the body is not JSON ({exc}; {len(body)} bytes, truncated?)"
    if not isinstance(value, dict):
        return f"the body is JSON {type(value).__name__}, not an object"
    return ""


def problem(service: str, operation: str, answer: dict[str, Any]) -> str:
    """What is wrong with a successful parsed answer per the declared table ("" when nothing)."""
    needs = declared(service, operation)
    for need in needs or ():
        reason = _unmet(need, answer)
        if reason:
            return reason
    return ""


def _unmet(need: Need, answer: dict[str, Any]) -> str:
    found = False
    for path in need.paths:
        try:
            values = _resolve(answer, path, need.optional)
        except LookupError as exc:
            if len(need.paths) == 1:
                return str(exc.args[0])
            continue
        found = True
        for value in values:
            reason = _wrong_kind(path, value, need.kind)
            if reason:
                return reason
    if not found:
        return f"none of {', '.join(need.paths)} is present"
    return ""


def _resolve(answer: dict[str, Any], path: str, optional: bool) -> list[Any]:
    """The values at ``path``; raises ``LookupError("<message>")`` when a key is missing."""
    values: list[Any] = [answer]
    walked: list[str] = []
    for depth, segment in enumerate(path.split(".")):
        name, each = segment.removesuffix("[]"), segment.endswith("[]")
        where = ".".join([*walked, name])
        following: list[Any] = []
        for value in values:
            if not isinstance(value, dict):
                raise LookupError(f"{'.'.join(walked)} is {_describe(value)}, not an object")
            if name not in value or value[name] is None:
                if optional and depth == 0:
                    continue
                raise LookupError(f"{where} is missing")
            item = value[name]
            if each:
                if not isinstance(item, list):
                    raise LookupError(f"{where} is {_describe(item)}, not a list")
                following.extend(item)
            else:
                following.append(item)
        values = following
        walked.append(segment)
    return values


def _wrong_kind(path: str, value: Any, kind: Kind) -> str:
    """Why ``value`` (at ``path``) is not of ``kind``; "" when it is."""
    if kind == JSON_OBJECT and isinstance(value, str):
        try:
            document = json.loads(value)
        except ValueError as exc:
            return f"{path} is not a JSON object ({exc}; {len(value)} characters, truncated?)"
        if isinstance(document, dict):
            return ""
        return f"{path} is not a JSON object but JSON {type(document).__name__}"
    ok = kind != JSON_OBJECT and isinstance(value, kind)  # type: ignore[arg-type]
    return "" if ok else f"{path} is {_describe(value)}, not {_KIND_NAMES[kind]}"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "..."
        return f"the string {shown!r}"
    return f"a {type(value).__name__}"
