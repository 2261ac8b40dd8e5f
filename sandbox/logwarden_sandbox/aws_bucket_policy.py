"""Gap: moto's bucket-policy check of S3 object requests, evaluated as AWS evaluates it.

moto 5.2 checks a bucket's policy on every object request (``GET``/``PUT``/``HEAD``/``DELETE
/bucket/key``) without a request context, and counts any statement that concerns the action
and has a ``Condition`` as an explicit Deny, whatever its ``Effect``. The central log
bucket's policy (an ``Allow`` for CloudTrail on ``AWSLogs/*`` conditioned on the organization,
a ``Deny`` of ``aws:SecureTransport = false``) therefore makes every object request 403,
including the log-archive account's own reads, which AWS allows over TLS.

The fill, for object requests on a bucket with a policy: evaluate the policy as AWS does for
an IAM principal of the calling account over TLS (request context ``aws:SecureTransport =
true``, ``aws:PrincipalAccount``; other keys absent):

- an applicable ``Deny`` (action, resource, principal and every condition match) -> 403
  ``AccessDenied``;
- else the bucket owner's principals are allowed (their IAM policies are not enforced by moto
  either), another account's only with an applicable ``Allow``;
- when allowed, moto serves the request with the policy set aside for its duration. All S3
  requests naming that bucket are serialized meanwhile, so no other request sees it missing.

Condition operators: ``Bool``, ``String[Not]Equals[IgnoreCase]``, ``String[Not]Like``,
``Arn[Not]Equals``, ``Arn[Not]Like``, ``Null``, with ``...IfExists`` and the ``ForAnyValue:``
/ ``ForAllValues:`` prefixes (single-valued keys only). Bucket requests (``?policy``,
listings) are left to moto.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import Any

from logwarden_sandbox.aws_errors import render_error
from logwarden_sandbox.aws_faults import RequestInfo

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_ACTIONS = {
    "GET": "s3:GetObject",
    "HEAD": "s3:GetObject",
    "PUT": "s3:PutObject",
    "POST": "s3:PutObject",
    "DELETE": "s3:DeleteObject",
}
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def _lock(bucket: str) -> threading.Lock:
    with _GUARD:
        return _LOCKS.setdefault(bucket, threading.Lock())


def _bucket(name: str) -> Any | None:
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(name)
    if found is None:
        return None
    partition, account = found
    return s3_backends[account][partition].buckets.get(name)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _listed(principal.get("AWS", [])):
        text = str(value)
        if text in ("*", account, f"arn:aws:iam::{account}:root"):
            return True
        if text.startswith((f"arn:aws:iam::{account}:", f"arn:aws:sts::{account}:")):
            return True
    return False


def _operator_holds(operator: str, actual: str, expected: str) -> bool:
    base = operator.removesuffix("IfExists")
    negated = "Not" in base
    if base in ("Bool", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        same = actual.lower() == expected.lower()
    elif base.endswith("Like"):
        same = fnmatchcase(actual, expected)
    else:  # StringEquals, StringNotEquals, ArnEquals, ArnNotEquals, NumericEquals ...
        same = actual == expected
    return same != negated


def condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """Whether every operator of a statement's ``Condition`` holds in ``context``."""
    for qualified, pairs in condition.items():
        operator = qualified.split(":", 1)[-1]
        for key, expected in dict(pairs).items():
            wanted = [str(v) for v in _listed(expected)]
            actual = context.get(key)
            if operator == "Null":
                if (actual is None) != (wanted[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if not operator.endswith("IfExists"):
                    return False
                continue
            if "Not" in operator:
                if not all(_operator_holds(operator, actual, w) for w in wanted):
                    return False
            elif not any(_operator_holds(operator, actual, w) for w in wanted):
                return False
    return True


def _applies(statement: dict[str, Any], action: str, arn: str, caller: str) -> bool:
    if "NotAction" in statement:
        if any(fnmatchcase(action, str(a)) for a in _listed(statement["NotAction"])):
            return False
    elif not any(fnmatchcase(action, str(a)) for a in _listed(statement.get("Action", []))):
        return False
    if not any(fnmatchcase(arn, str(r)) for r in _listed(statement.get("Resource", []))):
        return False
    if not _principal_matches(statement.get("Principal"), caller):
        return False
    context = {"aws:SecureTransport": "true", "aws:PrincipalAccount": caller}
    return condition_holds(dict(statement.get("Condition") or {}), context)


def allowed(policy: dict[str, Any], action: str, arn: str, caller: str, owner: str) -> bool:
    """AWS's decision for ``caller``'s ``action`` on ``arn`` under a bucket ``policy``."""
    statements = [s for s in _listed(policy.get("Statement", [])) if isinstance(s, dict)]
    applicable = [s for s in statements if _applies(s, action, arn, caller)]
    if any(s.get("Effect") == "Deny" for s in applicable):
        return False
    return caller == owner or any(s.get("Effect") == "Allow" for s in applicable)


def _collect(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], body


def handle_s3(
    info: RequestInfo,
    environ: dict[str, Any],
    app: WsgiApp,
    start_response: Callable[..., Any],
) -> Iterable[bytes] | None:
    """Answer an S3 request naming a bucket that has a policy; None = not ours."""
    if info.service != "s3" or not info.bucket:
        return None
    bucket = _bucket(info.bucket)
    if bucket is None or bucket.policy is None:
        return None
    key = (environ.get("PATH_INFO") or "").lstrip("/").partition("/")[2]
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    with _lock(info.bucket):
        policy = bucket.policy
        if not key or method not in _ACTIONS or policy is None:
            status, headers, body = _collect(app, environ)
        else:
            arn = f"arn:{bucket.partition}:s3:::{info.bucket}/{key}"
            document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
            if not allowed(document, _ACTIONS[method], arn, info.account, bucket.account_id):
                status, headers, body = render_error("AccessDenied", info)
            else:
                bucket.policy = None
                try:
                    status, headers, body = _collect(app, environ)
                finally:
                    bucket.policy = policy
    start_response(status, headers)
    return [b"" if method == "HEAD" else body]
