"""Every Google API call the GCP collectors make, and what its answer must carry to be read.

:data:`CALLS` is the declared table: one row per call, named as Google names the operation
(``resourcemanager projects.list``, ``logging ListSinks``, ``storage buckets.get``), with the
client method that makes it and the fields the collectors read (paths as
:mod:`logwarden.scanner.collectors.shape` spells them, over the answer as JSON without default values:
a proto3 field left at its default is absent; a proto parser has checked the types already,
except for Cloud Storage's JSON, whose types are declared). Every client the session builds is a
:class:`CheckedClient`: a call in the table reads every page of its answer, then checks it.
An answer the library cannot parse (``ParseError``, ``UnicodeDecodeError``, ``JSONDecodeError``,
a protobuf ``DecodeError``) or that lacks a declared field raises :class:`MalformedResponse`
(a ``GoogleAPIError``), so what depended on it becomes an ERROR row instead of data.

Cloud Storage decodes a body that is not UTF-8 leniently (``U+FFFD``), so its session gets a
response hook (:func:`require_utf8`) that refuses such a 2xx answer first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import proto
from google.api_core.exceptions import GoogleAPIError
from google.api_core.iam import Policy
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from google.protobuf.message import Message as ProtobufMessage

from logwarden.scanner.collectors.shape import problems, summary

NODE = ("name", "parent", "state")
PROJECT = ("name", "projectId", "state")  # a project outside any organization has no parent
# Cloud Storage's JSON is not checked by a proto parser: its types are declared too.
STORAGE_BUCKET = (
    "name:str",
    "projectNumber:int64",
    "location:str",
    "retentionPolicy?.retentionPeriod:int64",
    "retentionPolicy?.isLocked?:bool",
    "iamConfiguration?:object",
    "versioning?:object",
)
PRINCIPAL = re.compile(r"^(allUsers|allAuthenticatedUsers|[A-Za-z]+:.+)$")
# The project resources (resource_clients.py). Compute Engine answers are parsed by proto
# classes; Cloud DNS and Cloud SQL Admin answer JSON through the discovery client: typed here.
COMPUTE_ITEM = ("name", "selfLink")
DNS_POLICY = ("name:str", "enableLogging?:bool", "networks?:list", "networks[]?.networkUrl:str")
SQL_INSTANCE = (
    "name:str",
    "databaseVersion:str",
    "instanceType?:str",
    "region?:str",
    "settings?:object",
    "settings?.databaseFlags?:list",
    "settings?.databaseFlags[]?.name:str",
    "settings?.databaseFlags[]?.value?:str",
)
UNREADABLE = (json_format.ParseError, UnicodeDecodeError, json.JSONDecodeError, DecodeError)


@dataclass(frozen=True)
class Call:
    """One Google API call: ``api`` ``operation`` as Google names it, made by ``method`` of
    the session client ``client``; ``listing``: the answer is pages of items, and ``required``
    applies to each item."""

    api: str
    operation: str
    client: str
    method: str
    required: tuple[str, ...]
    listing: bool = False

    @property
    def name(self) -> str:
        """``api operation``, as reports and tests name the call."""
        return f"{self.api} {self.operation}"


# Log-based metrics, alerting and the organization-level services of CIS GCP 2.4-2.15
# (``monitoring_api``): gRPC answers are typed by their proto; the REST ones too (proto-plus).
MONITORING_CALLS = (
    Call("logging", "ListLogMetrics", "metrics", "list_log_metrics", ("name", "filter"),
         listing=True),
    Call("monitoring", "ListAlertPolicies", "alert_policies", "list_alert_policies",
         ("name", "enabled"), listing=True),
    Call("monitoring", "ListNotificationChannels", "channels", "list_notification_channels",
         ("name", "type", "enabled"), listing=True),
    Call("monitoring", "ListMetricsScopesByMonitoredProject", "metrics_scopes",
         "list_metrics_scopes_by_monitored_project", ("metricsScopes[]?.name",)),
    Call("serviceusage", "services.get", "serviceusage", "get_service", ("name", "state")),
    Call("accessapproval", "GetAccessApprovalSettings", "accessapproval",
         "get_access_approval_settings", ("name",)),
    # a method of google-cloud-storage's Bucket, not of the client: made through ``invoke``
    Call("storage", "buckets.getIamPolicy", "storage", "Bucket.get_iam_policy",
         ("etag:str", "bindings[]?.role:str", "bindings[]?.members:list")),
)  # fmt: skip
CALLS: tuple[Call, ...] = (
    Call("resourcemanager", "organizations.search", "organizations", "search_organizations",
         ("name",), listing=True),
    Call("resourcemanager", "organizations.get", "organizations", "get_organization",
         ("name",)),
    Call("resourcemanager", "organizations.getIamPolicy", "organizations", "get_iam_policy",
         ("etag",)),
    Call("resourcemanager", "folders.get", "folders", "get_folder", NODE),
    Call("resourcemanager", "folders.list", "folders", "list_folders", NODE, listing=True),
    Call("resourcemanager", "folders.getIamPolicy", "folders", "get_iam_policy", ("etag",)),
    Call("resourcemanager", "projects.get", "projects", "get_project", PROJECT),
    Call("resourcemanager", "projects.list", "projects", "list_projects", (*PROJECT, "parent"),
         listing=True),
    Call("resourcemanager", "projects.getIamPolicy", "projects", "get_iam_policy", ("etag",)),
    Call("logging", "ListSinks", "config", "list_sinks", ("name", "destination"),
         listing=True),
    Call("logging", "GetBucket", "config", "get_bucket", ("name", "retentionDays")),
    Call("logging", "ListLogEntries", "logging", "list_log_entries",
         ("logName", "insertId", "timestamp"), listing=True),
    Call("storage", "buckets.get", "storage", "get_bucket", STORAGE_BUCKET),
    *MONITORING_CALLS,
    Call("compute", "networks.list", "compute", "list_networks", COMPUTE_ITEM, listing=True),
    Call("compute", "subnetworks.aggregatedList", "compute", "list_subnetworks",
         (*COMPUTE_ITEM, "network", "region"), listing=True),
    Call("compute", "backendServices.aggregatedList", "compute", "list_backend_services",
         COMPUTE_ITEM, listing=True),
    Call("dns", "policies.list", "dns", "list_policies", DNS_POLICY, listing=True),
    Call("sqladmin", "instances.list", "sqladmin", "list_instances", SQL_INSTANCE, listing=True),
)  # fmt: skip
BY_METHOD = {(c.client, c.method): c for c in CALLS}


class MalformedResponse(GoogleAPIError):
    """An answer that cannot be read as what the call promises (a Google error: it becomes an
    ERROR row for what depended on it)."""


class CheckedClient:
    """A Google API client whose calls in :data:`CALLS` are checked (other attributes are
    the client's own)."""

    def __init__(self, name: str, client: Any) -> None:
        self._name = name
        self._client = client

    def __repr__(self) -> str:
        return f"CheckedClient({self._name!r}, {self._client!r})"

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self._client, attribute)
        call = BY_METHOD.get((self._name, attribute))
        if call is None:
            return found

        def checked(*args: Any, **kwargs: Any) -> Any:
            return invoke(call, found, *args, **kwargs)

        return checked


def invoke(call: Call, method: Any, *args: Any, **kwargs: Any) -> Any:
    """Make ``call`` with ``method`` and check its answer (a listing: every page, as a list)."""
    try:
        answer = method(*args, **kwargs)
        if call.listing:
            answer = list(answer)  # every page is read (and parsed) here
    except UNREADABLE as exc:
        raise MalformedResponse(
            f"{call.name} answered with a body that cannot be parsed: {_first_line(exc)}"
        ) from exc
    doc = [as_json(item) for item in answer] if call.listing else as_json(answer)
    paths = [f"[].{p}" for p in call.required] if call.listing else call.required
    found = problems(doc, paths)
    if found:
        raise MalformedResponse(
            f"{call.name} answered without the fields logwarden reads: {summary(found)}"
        )
    return answer


def as_json(answer: Any) -> Any:
    """An answer as JSON without default values: proto-plus and protobuf messages through
    ``json_format``, a Cloud Storage resource as the JSON it was read from."""
    if isinstance(answer, proto.Message):
        answer = type(answer).pb(answer)
    if isinstance(answer, ProtobufMessage):
        return json_format.MessageToDict(answer)
    if isinstance(answer, Policy):  # google-api-core's IAM policy (members parsed as sets)
        return {"etag": answer.etag, "version": answer.version, "bindings": policy_bindings(answer)}
    properties = getattr(answer, "_properties", None)  # google-cloud-storage's raw resource
    return properties if isinstance(properties, dict) else answer


def policy_bindings(policy: Policy) -> list[dict[str, Any]]:
    """The bindings of a parsed IAM policy, members as a sorted list; raises
    :class:`MalformedResponse` for a member that is no principal (``from_api_repr`` turns a
    ``members`` string into the set of its characters)."""
    bindings = []
    for binding in policy.bindings:
        members = sorted(binding.get("members") or ())
        odd = [m for m in members if not PRINCIPAL.match(str(m))]
        if odd:
            raise MalformedResponse(
                f"an IAM policy binding of {binding.get('role')} names members that are no "
                f"principal: {odd[:3]}"
            )
        bindings.append({**binding, "members": members})
    return bindings


def require_utf8(response: Any, *args: Any, **kwargs: Any) -> None:
    """A ``requests`` response hook: a 2xx answer whose body is not UTF-8 is malformed."""
    if not 200 <= response.status_code < 300:
        return
    try:
        response.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        request = response.request
        raise MalformedResponse(
            f"{request.method} {urlsplit(request.url).path} answered {response.status_code} "
            f"with a body that is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
