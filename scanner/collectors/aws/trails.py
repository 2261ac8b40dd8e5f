"""Reading CloudTrail trails: list per region, augment once per trail, derive management events.

Both ``aws.cloudtrail.org_trail`` (organization scope) and ``aws.cloudtrail.trail`` (each
tenant) go through here; the answers are memoised on the session, so the management account's
trails are read once even though both kinds show them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from logwarden.scanner.collectors.aws.common import AWS_ERRORS, Arn, failure, resource
from logwarden.scanner.collectors.aws.data_events import read_write, s3_data_events
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.models import CollectionError, Resource

# DescribeTrails fields kept as they are; the rest of the document is added here.
Raw = dict[str, Any]


def list_trails(
    session: AwsSession, regions: Sequence[str]
) -> tuple[dict[str, Raw], list[tuple[str, Exception]]]:
    """Every trail visible in ``regions``, keyed by ARN (a multi-region trail appears once)."""
    found: dict[str, Raw] = {}
    errors: list[tuple[str, Exception]] = []
    for region in regions:
        try:
            listed = session.memo(
                ("cloudtrail:describe_trails", region), _describe(session, region)
            )
        except AWS_ERRORS as exc:
            errors.append((region, exc))
            continue
        for raw in listed:
            found.setdefault(raw["TrailARN"], raw)
    return dict(sorted(found.items())), errors


def _describe(session: AwsSession, region: str) -> Any:
    def call() -> list[Raw]:
        answer = session.client("cloudtrail", region).describe_trails(includeShadowTrails=True)
        return list(answer["trailList"])

    return call


def details(session: AwsSession, raw: Raw) -> dict[str, Any]:
    """GetTrailStatus + GetEventSelectors, once per trail, in its home region."""
    arn = raw["TrailARN"]
    region = (
        raw.get("HomeRegion") or (Arn.parse(arn) or Arn("", "", session.home_region, "", "")).region
    )

    def call() -> dict[str, Any]:
        client = session.client("cloudtrail", region)
        status = dict(client.get_trail_status(Name=arn))
        selectors = client.get_event_selectors(TrailName=arn)
        status.pop("ResponseMetadata", None)
        out: dict[str, Any] = {"Status": status}
        for key in ("EventSelectors", "AdvancedEventSelectors"):
            if key in selectors:
                out[key] = selectors[key]
        return out

    return session.memo(("cloudtrail:details", arn), call)


def trail_items(
    session: AwsSession, raw: Raw, *, viewer: str, kind: str
) -> Iterator[Resource | CollectionError]:
    """The trail document, or the error that prevented reading its status or selectors."""
    arn = raw["TrailARN"]
    owner = (Arn.parse(arn) or Arn("", "", "", viewer, "")).account
    region = raw.get("HomeRegion", "")
    try:
        extra = details(session, raw)
    except AWS_ERRORS as exc:
        yield failure(viewer, kind, region, exc, f"reading the status and selectors of {arn}")
        return
    yield trail_resource(kind, raw, extra, viewer=viewer, owner=owner)


def trail_resource(
    kind: str, raw: Raw, extra: dict[str, Any], *, viewer: str, owner: str
) -> Resource:
    """Assemble the trail document (see docs/resource-kinds.md)."""
    data = {**raw, **extra}
    data["ManagementEvents"] = management_events(
        extra.get("EventSelectors"), extra.get("AdvancedEventSelectors")
    )
    data["S3DataEvents"] = s3_data_events(
        extra.get("EventSelectors"), extra.get("AdvancedEventSelectors")
    )
    data["Shadow"] = owner != viewer
    return resource(kind, raw["TrailARN"], owner, raw.get("HomeRegion", ""), data)


def management_events(
    basic: list[dict[str, Any]] | None, advanced: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """Which management events a trail logs: ``{Read, Write, ExcludedSources}``.

    Advanced selectors win when present (a trail uses one kind or the other). No selector at
    all logs nothing: AWS answers a trail created without selectors with its default selector
    (all management events), so an empty answer is a trail whose selectors were removed. A selector that
    logs only some event sources (``eventSource`` Equals / StartsWith ...) does not count.
    ``ExcludedSources`` are the sources excluded by every selector that counts.
    """
    grants: list[tuple[bool, bool, set[str]]] = []
    if advanced:
        grants = [g for g in (_advanced(s) for s in advanced) if g is not None]
    elif basic:
        for sel in basic:
            if not sel.get("IncludeManagementEvents", True):
                continue
            rw = sel.get("ReadWriteType", "All")
            excluded = set(sel.get("ExcludeManagementEventSources") or [])
            grants.append((rw in ("All", "ReadOnly"), rw in ("All", "WriteOnly"), excluded))
    if not grants:
        return {"Read": False, "Write": False, "ExcludedSources": []}
    excluded = set.intersection(*(g[2] for g in grants))
    return {
        "Read": any(g[0] for g in grants),
        "Write": any(g[1] for g in grants),
        "ExcludedSources": sorted(excluded),
    }


def _advanced(selector: dict[str, Any]) -> tuple[bool, bool, set[str]] | None:
    fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
    category = fields.get("eventCategory", {})
    if "Management" not in (category.get("Equals") or []):
        return None
    read, write = read_write(fields.get("readOnly"))
    excluded: set[str] = set()
    source = fields.get("eventSource")
    if source is not None:
        if any(source.get(op) for op in ("Equals", "StartsWith", "EndsWith")):
            return None  # only some sources are logged
        excluded.update(source.get("NotEquals") or [])
        excluded.update(f"{p}*" for p in source.get("NotStartsWith") or [])
        excluded.update(f"*{p}" for p in source.get("NotEndsWith") or [])
    return read, write, excluded
