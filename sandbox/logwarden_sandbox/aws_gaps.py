"""Where moto's CloudTrail differs from real AWS in ways the scanner can see, fill the gap.

The sandbox server (:mod:`logwarden_sandbox.aws_server`) runs moto in-process, so these fills read
moto's own backends to answer as AWS would. Product code never knows about them: the point is
that the scanner meets AWS behaviour in the sandbox, not moto behaviour.

Gaps filled (moto 5.2):

1. ``GetTrailStatus`` has no ``LatestCloudWatchLogsDeliveryTime`` and derives its epoch fields
   with ``time.mktime`` on a UTC time (off by the local UTC offset). Real AWS reports when logs
   were last delivered to S3 and to CloudWatch Logs. A logging trail gets
   ``LatestDeliveryTime`` = now, and ``LatestCloudWatchLogsDeliveryTime`` = now when it has a
   ``CloudWatchLogsLogGroupArn``; a stopped trail gets both (when applicable) = the time it
   stopped. ``StartLoggingTime`` / ``StopLoggingTime`` are recomputed in UTC.
2. An organization trail is invisible in member accounts. In AWS, ``DescribeTrails`` (with
   ``includeShadowTrails``, the default) and ``ListTrails`` in a member account also return the
   management account's organization trail (its own ARN, ``IsOrganizationTrail`` true), in every
   region for a multi-region trail. Member answers get it appended; the management account's
   answer is left alone (moto already lists it there, so nothing is doubled).
3. A trail addressed by ARN from another account or region is not found. In AWS, member
   accounts read an organization trail by its ARN (``GetTrail``, ``GetTrailStatus``,
   ``GetEventSelectors``, ``GetInsightSelectors``), and a multi-region trail can be read by ARN
   from any of its regions (moto answers ``TrailNotFoundException`` to ``GetEventSelectors``
   there). Such requests are answered from the owning account's backend when AWS would allow
   it (same account and a multi-region trail, or an organization trail of the caller's
   organization); anything else goes to moto unchanged.

Not filled (the scanner does not depend on them): moto ignores ``trailNameList`` of
``DescribeTrails`` for the account's own trails. These fills exist only behind the server:
unit tests under ``moto.mock_aws()`` still see moto's behaviour.
"""

from __future__ import annotations

import calendar
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from logwarden_sandbox.aws_faults import RequestInfo

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_TRAIL_ARN = re.compile(r"^arn:aws[\w-]*:cloudtrail:([^:]+):(\d{12}):trail/(.+)$")
_BY_ARN_ACTIONS = {
    "GetTrail": "Name",
    "GetTrailStatus": "Name",
    "GetEventSelectors": "TrailName",
    "GetInsightSelectors": "TrailName",
}


def management_account_of(account: str) -> str | None:
    """The management account of the organization ``account`` belongs to (itself if it is one)."""
    from moto.organizations.models import organizations_backends

    member = organizations_backends.master_accounts.get(account)
    if member is not None:
        return member[0]
    for backend in (organizations_backends.get(account) or {}).values():
        if getattr(backend, "org", None) is not None:
            return account
    return None


def _trails_of(account: str) -> list[Any]:
    from moto.cloudtrail.models import cloudtrail_backends

    return [
        trail
        for backend in list((cloudtrail_backends.get(account) or {}).values())
        for trail in list(backend.trails.values())
    ]


def _visible_in(trail: Any, region: str) -> bool:
    return bool(trail.is_multi_region or trail.region_name == region)


def org_trails_for_member(account: str, region: str) -> list[Any]:
    """Organization trails a member ``account`` sees in ``region`` (none for the management)."""
    management = management_account_of(account)
    if management is None or management == account:
        return []
    return [t for t in _trails_of(management) if t.is_org_trail and _visible_in(t, region)]


def _trail_by_foreign_arn(info: RequestInfo, arn: str) -> Any | None:
    """The trail ``arn`` names when moto cannot find it from the caller's account and region."""
    match = _TRAIL_ARN.match(arn or "")
    if match is None:
        return None
    region, owner, _name = match.groups()
    if owner == info.account and region == info.region:
        return None  # moto's own lookup works
    trail = next((t for t in _trails_of(owner) if t.arn == arn), None)
    if trail is None or not _visible_in(trail, info.region):
        return None
    if owner == info.account:
        return trail
    return trail if trail.is_org_trail and management_account_of(info.account) == owner else None


def _local_trail(info: RequestInfo, name: str) -> Any | None:
    return next(
        (
            t
            for t in _trails_of(info.account)
            if (t.trail_name == name or t.arn == name) and _visible_in(t, info.region)
        ),
        None,
    )


def _epoch(value: Any) -> int | None:
    return calendar.timegm(value.utctimetuple()) if value is not None else None


def enrich_status(desc: dict[str, Any], trail: Any) -> dict[str, Any]:
    """Apply gap 1 to a moto ``GetTrailStatus`` document for ``trail``."""
    status = trail.status
    started, stopped = _epoch(status.started), _epoch(status.stopped)
    if started is not None:
        desc["StartLoggingTime"] = started
    if stopped is not None:
        desc["StopLoggingTime"] = stopped
    delivered = int(time.time()) if status.is_logging else stopped
    if delivered is not None and started is not None:
        desc["LatestDeliveryTime"] = delivered
        if trail.cw_log_group_arn:
            desc["LatestCloudWatchLogsDeliveryTime"] = delivered
    return desc


def _answer_by_arn(action: str, trail: Any) -> dict[str, Any]:
    if action == "GetTrailStatus":
        return enrich_status(trail.status.description(), trail)
    if action == "GetTrail":
        return {"Trail": trail.description(include_region=True)}
    if action == "GetEventSelectors":
        selectors, advanced = trail.get_event_selectors()
        return {
            "TrailARN": trail.arn,
            "EventSelectors": selectors,
            "AdvancedEventSelectors": advanced,
        }
    answer: dict[str, Any] = {"TrailARN": trail.arn}
    if trail.get_insight_selectors():
        answer["InsightSelectors"] = trail.get_insight_selectors()
    return answer


def _json_response(start_response: Callable[..., Any], document: dict[str, Any]) -> list[bytes]:
    body = json.dumps(document).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]


def _call(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the moto app and collect its whole answer."""
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], b"".join(chunks)


def _add_member_view(info: RequestInfo, document: dict[str, Any]) -> None:
    params = info.json_body()
    if info.action == "ListTrails":
        known = {t.get("TrailARN") for t in document.get("Trails", [])}
        for trail in org_trails_for_member(info.account, info.region):
            if trail.arn not in known:
                document.setdefault("Trails", []).append(trail.short())
        return
    if params.get("includeShadowTrails", True) is False:
        return
    wanted = set(params.get("trailNameList") or [])
    known = {t.get("TrailARN") for t in document.get("trailList", [])}
    for trail in org_trails_for_member(info.account, info.region):
        if trail.arn in known or (wanted and not wanted & {trail.arn, trail.trail_name}):
            continue
        document.setdefault("trailList", []).append(trail.description(include_region=True))


def handle_cloudtrail(
    info: RequestInfo,
    environ: dict[str, Any],
    app: WsgiApp,
    start_response: Callable[..., Any],
) -> Iterable[bytes] | None:
    """Answer a CloudTrail request with the gaps filled; None = not ours, let moto answer."""
    if info.service != "cloudtrail":
        return None
    if info.action in _BY_ARN_ACTIONS:
        name = str(info.json_body().get(_BY_ARN_ACTIONS[info.action]) or "")
        trail = _trail_by_foreign_arn(info, name)
        if trail is not None:
            return _json_response(start_response, _answer_by_arn(info.action, trail))
        if info.action != "GetTrailStatus":
            return None
    elif info.action not in ("DescribeTrails", "ListTrails"):
        return None
    status, headers, body = _call(app, environ)
    if not status.startswith("200"):
        start_response(status, headers)
        return [body]
    document = json.loads(body or b"{}")
    if info.action == "GetTrailStatus":
        trail = _local_trail(info, str(info.json_body().get("Name") or ""))
        if trail is not None:
            enrich_status(document, trail)
    else:
        _add_member_view(info, document)
    return _json_response(start_response, document)
