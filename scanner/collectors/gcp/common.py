"""Helpers shared by the GCP kinds: kind names, resource names, errors as values, peers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import proto
import requests
from google.api_core.exceptions import GoogleAPICallError, GoogleAPIError, RetryError
from google.auth.exceptions import GoogleAuthError
from google.protobuf import json_format
from google.protobuf.message import Message as ProtobufMessage

from logwarden.scanner.collectors.gcp import NAME
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import CollectionError, Resource

if TYPE_CHECKING:
    from logwarden.scanner.collectors.gcp.session import GcpSession
    from logwarden.scanner.inventory import Inventory


ORGANIZATION = "gcp.resourcemanager.organization"
FOLDER = "gcp.resourcemanager.folder"
PROJECT = "gcp.resourcemanager.project"
EFFECTIVE_AUDIT = "gcp.audit.effective_config"
ORG_SINK = "gcp.logging.org_sink"
SINK = "gcp.logging.sink"
LOG_BUCKET = "gcp.logging.bucket"
STORAGE_BUCKET = "gcp.storage.bucket"
LOG_METRIC_ALERTS = "gcp.monitoring.log_metric_alerts"
EXPORTING_SINKS = "gcp.logging.exporting_sinks"
SERVICE = "gcp.serviceusage.service"
ACCESS_APPROVAL = "gcp.accessapproval.settings"
DESTINATION_ACCESS = "gcp.logging.destination_access"

RM = "//cloudresourcemanager.googleapis.com/"
LOGGING = "//logging.googleapis.com/"
STORAGE = "//storage.googleapis.com/projects/_/buckets/"
MONITORING = "//monitoring.googleapis.com/"
SERVICE_USAGE = "//serviceusage.googleapis.com/"
ACCESS_APPROVAL_API = "//accessapproval.googleapis.com/"

HTTP_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_REQUEST_PREFIX = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) \S+: ")

# What one project (or one bucket, one folder) can fail with. Anything else is a logwarden bug
# and surfaces as an internal error.
GCP_ERRORS: tuple[type[Exception], ...] = (
    GoogleAPIError,
    GoogleAuthError,
    requests.RequestException,
    SessionUnavailable,
)


def error_code(exc: BaseException) -> tuple[str, str]:
    """The (code, message) of a Google failure, for a ``CollectionError``.

    The code is the canonical status name (``PERMISSION_DENIED``, ``UNAVAILABLE``, ...);
    the reason Google gives (``SERVICE_DISABLED``, ``IAM_PERMISSION_DENIED``) leads the message.
    """
    if isinstance(exc, GoogleAPICallError):
        status = exc.grpc_status_code
        code = status.name if status is not None else _rest_status(exc)
        message = _REQUEST_PREFIX.sub("", exc.message or str(exc))
        if exc.reason:
            message = f"{exc.reason}: {message}"
        return code, message
    if isinstance(exc, RetryError):
        cause = exc.cause
        if cause is not None:
            code, message = error_code(cause)
            return code, f"gave up retrying: {message}"
        return "DEADLINE_EXCEEDED", str(exc)
    if isinstance(exc, SessionUnavailable):
        return exc.code, exc.message
    return type(exc).__name__, str(exc) or type(exc).__name__


def _rest_status(exc: GoogleAPICallError) -> str:
    """The canonical status of a REST error: the body's ``error.status``, else by HTTP code."""
    response = exc.response
    if isinstance(response, requests.Response):
        try:
            status = response.json().get("error", {}).get("status")
        except (ValueError, AttributeError):
            status = None
        if isinstance(status, str) and status:
            return status
    return HTTP_STATUS.get(int(exc.code or 0), f"HTTP_{exc.code}")


def failure(
    tenant_id: str, kind: str, exc: BaseException, context: str = "", region: str = ""
) -> CollectionError:
    """Turn a Google exception into a ``CollectionError`` value."""
    code, message = error_code(exc)
    if context:
        message = f"{context}: {message}"
    return CollectionError(
        cloud=NAME, tenant_id=tenant_id, kind=kind, region=region, code=code, message=message
    )


def problem(
    tenant_id: str, kind: str, code: str, message: str, region: str = ""
) -> CollectionError:
    """A ``CollectionError`` that logwarden itself detected (not an API answer)."""
    return CollectionError(
        cloud=NAME, tenant_id=tenant_id, kind=kind, region=region, code=code, message=message
    )


def rekind(error: CollectionError, kind: str, tenant_id: str, context: str) -> CollectionError:
    """An error of another kind, reported again because this kind depends on it."""
    return CollectionError(
        cloud=NAME,
        tenant_id=tenant_id,
        kind=kind,
        region=error.region,
        code=error.code,
        message=f"{context}: {error.kind}: {error.message}",
    )


def normalise(value: Any) -> Any:
    """Canonical JSON: camelCase proto fields, enum names, RFC 3339 timestamps, lists, and
    mapping keys sorted (so messages read the same live and from a saved inventory)."""
    if isinstance(value, proto.Message):  # proto-plus wraps a protobuf message
        value = type(value).pb(value)
    if isinstance(value, ProtobufMessage):
        value = json_format.MessageToDict(value, always_print_fields_with_no_presence=True)
    if isinstance(value, Mapping):  # keys sorted, as a saved inventory has them
        return {str(k): normalise(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value


def resource(kind: str, rid: str, tenant_id: str, region: str, data: Mapping[str, Any]) -> Resource:
    """A ``Resource`` whose data is normalised."""
    return Resource(kind=kind, id=rid, tenant_id=tenant_id, region=region, data=normalise(data))


def session_of(inv: Inventory) -> GcpSession:
    """The inventory's session, typed (one shared session per scan)."""
    return inv.session


def project_numbers(inv: Inventory) -> dict[str, str]:
    """Project number or id -> project id, for every scanned project (ids map to themselves).

    Numbers come from discovery (``Tenant.attributes['number']``) or, in ``projects`` mode,
    from the project documents collected at stage 1.
    """
    out: dict[str, str] = {}
    for peer in inv.scanned():
        pid = peer.owner_id
        out[pid] = pid
        tenant = peer.tenant
        number = str(tenant.attributes.get("number", "")) if tenant is not None else ""
        if not number:
            for res in peer.get(PROJECT).resources:
                number = str(res.data.get("name", "")).removeprefix("projects/")
        if number:
            out[number] = pid
    return out


def reporter(inv: Inventory, referrers: set[str]) -> str:
    """Which scanned project reports a problem about a shared destination: the lowest id among
    the projects whose own sinks refer to it, else (organization or folder sinks only) the
    lowest scanned project id."""
    peers = {p.owner_id for p in inv.scanned()}
    mine = referrers & peers
    return min(mine) if mine else min(peers, default=inv.owner_id)
