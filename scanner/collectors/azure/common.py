"""Helpers shared by the Azure kinds: kind names, resource ids, JSON, error values, peers."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import (
    AzureError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
)

from logwarden.scanner.collectors.azure import NAME
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import CollectionError, Resource

if TYPE_CHECKING:
    from logwarden.scanner.collectors.azure.session import AzureSession
    from logwarden.scanner.inventory import Inventory


ACTIVITY_LOG_SETTING = "azure.monitor.activity_log_setting"
WORKSPACE = "azure.loganalytics.workspace"
ASSIGNMENT = "azure.policy.assignment"
COMPLIANCE = "azure.policy.activity_log_compliance"
STORAGE_ACCOUNT = "azure.storage.log_account"

# The built-in policy "Configure Azure Activity logs to stream to specified Log Analytics
# workspace"; assignments and Policy Insights states name it by this definition name.
ACTIVITY_LOG_POLICY = "2465583e-4e78-4c15-b6be-a36cbc7c8b0f"
ACTIVITY_LOG_POLICY_ID = (
    f"/providers/Microsoft.Authorization/policyDefinitions/{ACTIVITY_LOG_POLICY}"
)

# What one subscription (or one workspace, one account) can fail with: Azure's errors, an
# answer the SDK cannot turn into its model (DeserializationError: a JSON value of the wrong
# type), a session that cannot be opened. Anything else raised by a collector is a logwarden
# bug and becomes an internal error in the inventory.
AZURE_ERRORS: tuple[type[Exception], ...] = (AzureError, DeserializationError, SessionUnavailable)
# The code of every error that says an answer could not be read (see ``responses``).
MALFORMED = "MalformedResponse"


def normalise(value: Any) -> Any:
    """Canonical JSON: plain dicts and lists, enums as their values, ISO 8601 UTC datetimes."""
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(model: Any) -> dict[str, Any]:
    """An SDK model as ARM JSON (REST field names, read-only fields kept)."""
    serialize = getattr(model, "serialize", None)
    if callable(serialize):  # msrest-style models (azure-mgmt-monitor, -policyinsights)
        doc = serialize(keep_readonly=True)
        extra = getattr(model, "additional_properties", None) or {}
        return normalise({**extra, **doc})
    return normalise(model.as_dict())  # typespec models keep the raw JSON, unknown fields too


def error_code(exc: BaseException) -> tuple[str, str]:
    """The (code, message) of an Azure failure, for a ``CollectionError``."""
    if isinstance(exc, SessionUnavailable):
        return exc.code, exc.message
    if isinstance(exc, DecodeError):  # a 2xx answer that cannot be read (see ``responses``)
        text = str(exc.message or exc)
        return MALFORMED, text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, DeserializationError):  # its message repeats the whole answer: the cause
        cause: BaseException = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        reason = str(cause).split(" Data: ")[0].splitlines()[0][:200] if str(cause) else ""
        return (
            MALFORMED,
            f"the answer does not fit the SDK's model: {reason or type(cause).__name__}",
        )
    if isinstance(exc, HttpResponseError):
        odata = getattr(exc, "error", None)
        code = getattr(odata, "code", None) or (
            str(exc.status_code) if exc.status_code else type(exc).__name__
        )
        message = getattr(odata, "message", None) or exc.reason or str(exc)
        status = f"HTTP {exc.status_code}: " if exc.status_code else ""
        return str(code), f"{status}{message}"
    return type(exc).__name__, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def failure(
    subscription: str, kind: str, exc: BaseException, context: str = "", region: str = ""
) -> CollectionError:
    """Turn an Azure exception into a ``CollectionError`` value."""
    code, message = error_code(exc)
    return problem(
        subscription, kind, code, f"{context}: {message}" if context else message, region
    )


def problem(
    subscription: str, kind: str, code: str, message: str, region: str = ""
) -> CollectionError:
    """A ``CollectionError`` that logwarden itself detected (not an API answer)."""
    return CollectionError(
        cloud=NAME, tenant_id=subscription, kind=kind, region=region, code=code, message=message
    )


def inherited(inv: Inventory, source: str, kind: str, what: str) -> list[CollectionError]:
    """The errors of the kind ``source`` that ``kind`` is built from, as errors of ``kind``
    (``what``: how the message names the source): what ``kind`` would have said about them is
    unknown, so each becomes its error."""
    sub = subscription_of(inv)
    return [
        problem(sub, kind, err.code, f"{what}: {err.message}") for err in inv.get(source).errors
    ]


def listed(
    inv: Inventory, kind: str, what: str, call: Callable[[AzureSession], Iterable[Any]]
) -> list[dict[str, Any]] | CollectionError:
    """Every item ``call`` lists with the tenant's session, as ARM JSON sorted by id (without
    case); a failure (``what``: the words of its message) as a value of ``kind``."""
    try:
        found = [to_json(item) for item in call(session_of(inv))]
    except AZURE_ERRORS as exc:
        return failure(subscription_of(inv), kind, exc, what)
    return sorted(found, key=lambda d: str(d.get("id", "")).lower())


def not_found(exc: BaseException) -> bool:
    """Whether ``exc`` is a 404 answer (an absent sub-resource, not an error)."""
    return isinstance(exc, HttpResponseError) and exc.status_code == 404


def unread(exc: BaseException, what: str) -> dict[str, Any]:
    """``State`` (``NotFound`` for a 404, else ``Unreadable``), ``ErrorCode`` and ``Reason`` of
    a read of ``what`` that failed: for a part of a document that depends on it."""
    code, message = error_code(exc)
    return {
        "State": "NotFound" if not_found(exc) else "Unreadable",
        "ErrorCode": code,
        "Reason": f"{what} could not be read ({code}: {message})",
    }


def resource(
    kind: str, rid: str, subscription: str, region: str, data: Mapping[str, Any]
) -> Resource:
    """A ``Resource`` whose data is normalised."""
    return Resource(kind=kind, id=rid, tenant_id=subscription, region=region, data=normalise(data))


@dataclass(frozen=True)
class ResourceId:
    """The parts of an ARM resource id ``/subscriptions/S/resourceGroups/G/providers/P/T/N``."""

    subscription: str
    resource_group: str
    provider: str
    type: str
    name: str

    @classmethod
    def parse(cls, text: str | None) -> ResourceId | None:
        """Parse a top-level resource id (case-insensitive keywords); ``None`` if not one."""
        parts = [p for p in (text or "").split("/") if p]
        if len(parts) != 8:
            return None
        keywords = [parts[0].lower(), parts[2].lower(), parts[4].lower()]
        if keywords != ["subscriptions", "resourcegroups", "providers"]:
            return None
        return cls(parts[1].lower(), parts[3], parts[5], parts[6], parts[7])

    @property
    def key(self) -> str:
        """A case-insensitive identity (ARM ids compare without case)."""
        return "/".join(
            (self.subscription, self.resource_group, self.provider, self.type, self.name)
        ).lower()


def same_id(a: str | None, b: str | None) -> bool:
    """ARM ids are case-insensitive; trailing slashes do not matter."""
    return bool(a) and bool(b) and str(a).rstrip("/").lower() == str(b).rstrip("/").lower()


def subscription_of(inv: Inventory) -> str:
    """The subscription whose inventory this is (``""`` for the organization)."""
    return inv.tenant.id if inv.tenant is not None else ""


def session_of(inv: Inventory) -> AzureSession:
    """The inventory's session, typed."""
    return inv.session
