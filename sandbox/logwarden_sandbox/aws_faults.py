"""Request identification and fault injection for the sandbox moto server.

Every request that reaches :class:`logwarden_sandbox.aws_server.MotoServer` is described by a
:class:`RequestInfo` (account, service, region, action, wire protocol). A :class:`FaultInjector`
holds rules; a request that matches a rule is answered with a real-looking AWS error in the
request's own wire protocol, so botocore parses it exactly as it parses errors from AWS.

The matchers (each a glob, ``fnmatch``-style and case-sensitive; ``"*"`` matches anything):

``account``
    The account the request acts as, decided the way moto decides it: the ``MOTO_ACCOUNT_ID``
    environment variable, else the ``x-moto-account-id`` header, else the access key id from the
    SigV4 ``Authorization`` header mapped by ``moto.iam.models.get_account_id_from`` (keys that
    STS AssumeRole handed out map to the role's account; unknown keys such as ``testing`` map to
    moto's default account ``123456789012``).
``service``
    The signing name from the SigV4 credential scope (``Credential=AKID/DATE/REGION/SERVICE/
    aws4_request``, or ``X-Amz-Credential`` of a presigned URL): ``cloudtrail``, ``kms``,
    ``logs``, ``config``, ``organizations``, ``sts``, ``iam``, ``ec2``, ``s3``, ``events``,
    ``sns``. S3 Control requests (path ``/v20180820/...``) are signed as ``s3`` but are named
    ``s3control`` here, and CloudWatch's (signed ``monitoring``) ``cloudwatch``, botocore's
    names.
``region``
    The region from the same credential scope (``us-east-1`` for global services).
``action``
    JSON protocols: the operation after the last dot of ``X-Amz-Target`` (``DescribeTrails``).
    Smithy RPC v2 CBOR (``smithy-protocol: rpc-v2-cbor``, CloudWatch): the last segment of the
    path ``/service/<service>/operation/<operation>``.
    Query and EC2 protocols: the ``Action`` parameter (query string or form body).
    S3: the sub-resource query key of the request (``policy``, ``encryption``, ``lifecycle``,
    ``acl``, ``publicAccessBlock``, ``ownershipControls``, ``logging``, ``versioning``,
    ``object-lock``, ...; see :data:`S3_SUBRESOURCES`), or ``""`` for plain bucket and object
    requests. S3 Control: the last path segment when it is such a key (``publicAccessBlock``),
    else the first path segment after ``/v20180820/``.
``operation``
    Not a matcher: the botocore operation name (``DescribeTrails``, ``GetBucketPolicy``,
    ``ListObjectsV2``; :mod:`logwarden_sandbox.aws_operations`), what the tests' fault proxy
    matches.
``bucket``
    S3 only: the bucket of a path-style request (``/BUCKET/key``, what botocore sends to an
    IP-address endpoint such as the sandbox's); ``""`` for other services and for
    ``ListBuckets``. With ``action=""`` it denies one bucket's object and listing requests
    (``GetObject``, ``ListObjectsV2``, ``PutObject``) and nothing else.

Error answers (their shapes per protocol): :mod:`logwarden_sandbox.aws_errors`.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qs

from logwarden_sandbox.aws_errors import ERROR_KINDS
from logwarden_sandbox.aws_operations import operation_name

#: S3 sub-resource query keys that name the operation of an S3 request.
S3_SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
        "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
        "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
        "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select",
        "tagging", "torrent", "uploads", "versioning", "versions", "website",
    }
)  # fmt: skip

_BOTOCORE_NAMES = {"monitoring": "cloudwatch"}  # signing name -> botocore's service name
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_S3CONTROL_PREFIX = "/v20180820/"


@dataclass(frozen=True)
class RequestInfo:
    """What the middleware knows about one request (see the module docstring)."""

    account: str
    service: str
    region: str
    action: str
    protocol: str  # json | query | ec2 | rest-xml | rest-json
    access_key: str = ""
    body: bytes = b""
    bucket: str = ""
    operation: str = ""

    def json_body(self) -> dict[str, Any]:
        """The request body parsed as JSON (empty dict when it is not a JSON object)."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read a small request body and put an equivalent stream back into ``environ``."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _s3_action(service: str, path: str, query: dict[str, list[str]]) -> str:
    if service == "s3control":
        parts = [p for p in path[len(_S3CONTROL_PREFIX) :].split("/") if p]
        if parts and parts[-1] in S3_SUBRESOURCES:
            return parts[-1]
        return parts[0] if parts else ""
    return next((key for key in query if key in S3_SUBRESOURCES), "")


def account_of(environ: dict[str, Any], access_key: str, lookup: Callable[[str], str]) -> str:
    """The account moto will act as, in moto's priority order: ``MOTO_ACCOUNT_ID``, the
    ``x-moto-account-id`` header, else ``lookup(access_key)``."""
    if os.environ.get("MOTO_ACCOUNT_ID"):
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
    return lookup(access_key)


def moto_account_lookup(access_key: str) -> str:
    """moto's own mapping: keys handed out by STS/IAM -> their account, others -> default."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


ELBV2_VERSION = "2015-12-01"  # the API version of elbv2 (2012-06-01 is the classic elb)


def describe_request(
    environ: dict[str, Any], lookup: Callable[[str], str] = moto_account_lookup
) -> RequestInfo:
    """Identify account, service, region, action and protocol of a WSGI request.

    Reads a JSON or form body (restoring ``wsgi.input``); never reads S3 payloads.
    ``lookup`` maps an access key id to its account (default: moto's mapping, uncached).
    """
    path = environ.get("PATH_INFO", "") or ""
    query = parse_qs(environ.get("QUERY_STRING", "") or "", keep_blank_values=True)
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", "") or "")
    if match is None and query.get("X-Amz-Credential"):
        match = _CREDENTIAL.search("Credential=" + query["X-Amz-Credential"][0])
    access_key, region, service = match.groups() if match else ("", "us-east-1", "")
    service = service.lower()
    if service == "s3" and path.startswith(_S3CONTROL_PREFIX):
        service = "s3control"
    service = _BOTOCORE_NAMES.get(service, service)
    target = environ.get("HTTP_X_AMZ_TARGET", "") or ""
    content_type = environ.get("CONTENT_TYPE", "") or ""
    body = b""
    if target or content_type.startswith(
        ("application/x-www-form-urlencoded", "application/x-amz-json")
    ):
        body = _read_body(environ)
    if target:
        protocol, action = "json", target.rsplit(".", 1)[-1]
    elif environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        protocol, action = "cbor", path.rstrip("/").rsplit("/operation/", 1)[-1]
    elif service in ("s3", "s3control"):
        protocol, action = "rest-xml", _s3_action(service, path, query)
    else:
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        action = (query.get("Action") or form.get("Action") or [""])[0]
        if service == "elasticloadbalancing":  # one signing name, two APIs: name them as botocore
            version = (query.get("Version") or form.get("Version") or [""])[0]
            service = "elbv2" if version == ELBV2_VERSION else "elb"
        protocol = ("ec2" if service == "ec2" else "query") if action else "rest-json"
    bucket = path.lstrip("/").split("/", 1)[0] if service == "s3" else ""
    method = str(environ.get("REQUEST_METHOD", "GET"))
    return RequestInfo(
        account=account_of(environ, access_key, lookup),
        service=service,
        region=region,
        action=action,
        protocol=protocol,
        access_key=access_key,
        body=body,
        bucket=bucket,
        operation=operation_name(method, service, action, path, query),
    )


@dataclass
class FaultRule:
    """One injected fault: every request matching all globs gets ``error``."""

    error: str
    account: str = "*"
    service: str = "*"
    action: str = "*"
    region: str = "*"
    times: int | None = None  # None = forever
    hits: int = field(default=0)
    bucket: str = "*"

    def matches(self, info: RequestInfo) -> bool:
        """True when every matcher of the rule matches the request."""
        return (
            fnmatchcase(info.service, self.service)
            and fnmatchcase(info.action, self.action)
            and fnmatchcase(info.region, self.region)
            and fnmatchcase(info.account, self.account)
            and fnmatchcase(info.bucket, self.bucket)
        )


class FaultInjector:
    """Thread-safe list of fault rules, consulted once per request (first match wins)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(
        self,
        *,
        error: str,
        account: str = "*",
        service: str = "*",
        action: str = "*",
        region: str = "*",
        times: int | None = None,
        bucket: str = "*",
    ) -> None:
        """Answer matching requests with ``error`` (one of :data:`ERROR_KINDS`), ``times``
        times or, with ``None``, until :meth:`clear`."""
        if error not in ERROR_KINDS:
            raise ValueError(f"unknown fault {error!r}; expected one of {', '.join(ERROR_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be a positive number or None")
        rule = FaultRule(error, account, service, action, region, times, bucket=bucket)
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A copy of the active rules."""
        with self._lock:
            return list(self._rules)

    def match(self, info: RequestInfo) -> str | None:
        """The error kind for this request, consuming one use of a counted rule; else None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(info):
                    rule.hits += 1
                    if rule.times is not None and rule.hits >= rule.times:
                        self._rules.remove(rule)
                    return rule.error
        return None
