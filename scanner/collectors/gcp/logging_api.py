"""Reads of the Logging config service and Cloud Storage, each memoised for the scan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.api_core.exceptions import NotFound

from logwarden.scanner.collectors.gcp.common import normalise
from logwarden.scanner.collectors.gcp.session import GcpSession

SECONDS_PER_DAY = 86400


def list_sinks(session: GcpSession, parent: str) -> list[dict[str, Any]]:
    """Every sink of ``parent`` (``organizations/N``, ``folders/N``, ``projects/P``), all pages."""

    def call() -> list[dict[str, Any]]:
        pages = session.client("config").list_sinks(parent=parent, **session.call_options())
        return [dict(normalise(sink)) for sink in pages]

    return session.memo(("logging:sinks", parent), call)


def get_log_bucket(session: GcpSession, name: str) -> dict[str, Any]:
    """A log bucket (``projects/P/locations/L/buckets/B``); raises ``NotFound`` when absent."""

    def call() -> dict[str, Any]:
        bucket = session.client("config").get_bucket(
            request={"name": name}, **session.call_options()
        )
        return dict(normalise(bucket))

    return session.memo(("logging:bucket", name), call)


def get_storage_bucket(session: GcpSession, name: str) -> dict[str, Any]:
    """A Cloud Storage bucket's metadata (JSON API ``buckets.get``); raises ``NotFound``."""

    def call() -> dict[str, Any]:
        bucket = session.client("storage").get_bucket(name, **session.call_options())
        iam = bucket.iam_configuration
        doc: dict[str, Any] = {
            "name": bucket.name,
            "projectNumber": str(bucket.project_number or ""),
            "location": bucket.location,
            "locationType": bucket.location_type,
            "storageClass": bucket.storage_class,
            "timeCreated": bucket.time_created,
            "versioning": {"enabled": bool(bucket.versioning_enabled)},
            "iamConfiguration": {
                "uniformBucketLevelAccess": {
                    "enabled": bool(iam.uniform_bucket_level_access_enabled)
                },
                "publicAccessPrevention": iam.public_access_prevention,
            },
        }
        period = bucket.retention_period
        if period is not None:
            doc["retentionPolicy"] = {
                "retentionPeriod": int(period),
                "isLocked": bool(bucket.retention_policy_locked),
                "effectiveTime": bucket.retention_policy_effective_time,
            }
            doc["RetentionDays"] = int(period) / SECONDS_PER_DAY
        return dict(normalise(doc))

    return session.memo(("storage:bucket", name), call)


def destination_exists(session: GcpSession, sink: Mapping[str, Any]) -> bool | None:
    """Whether a sink's log-bucket or Cloud Storage destination exists (``None``: another
    destination type, not verified). Raises the Google error when it cannot be told."""
    parts = sink.get("DestinationParts") or {}
    try:
        if sink.get("DestinationType") == "logging-bucket":
            get_log_bucket(session, log_bucket_name(parts))
            return True
        if sink.get("DestinationType") == "storage":
            get_storage_bucket(session, str(parts["Bucket"]))
            return True
    except NotFound:
        return False
    return None


def log_bucket_name(parts: dict[str, Any], project: str | None = None) -> str:
    """``projects/P/locations/L/buckets/B`` from destination parts (optionally another P)."""
    return (
        f"projects/{project or parts['Project']}/locations/{parts['Location']}"
        f"/buckets/{parts['Bucket']}"
    )


def storage_bucket_iam(session: GcpSession, name: str) -> list[dict[str, Any]]:
    """The bindings of a Cloud Storage bucket's IAM policy (JSON API ``buckets.getIamPolicy``,
    version 3), checked against the declared table like the client's own calls."""
    from logwarden.scanner.collectors.gcp.responses import BY_METHOD, invoke, policy_bindings

    def call() -> list[dict[str, Any]]:
        bucket = session.client("storage").bucket(name)
        options = session.call_options()
        declared = BY_METHOD[("storage", "Bucket.get_iam_policy")]
        policy = invoke(
            declared,
            bucket.get_iam_policy,
            requested_policy_version=3,
            timeout=options["timeout"],
            retry=options["retry"],
        )
        return [dict(normalise(b)) for b in policy_bindings(policy)]

    return session.memo(("storage:iam", name), call)
