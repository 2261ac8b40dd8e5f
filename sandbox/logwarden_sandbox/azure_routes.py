"""Answer one ARM request of the emulator: exactly the endpoints logwarden's collectors call.

Paths are matched case-insensitively after percent-decoding; api-versions are accepted as
sent, except by ``getEntities`` (a POST that pages through ``$skiptoken``), which answers
ARM's 400 for a version the Management Groups API does not have. Lists page through an absolute ``nextLink`` (``@odata.nextLink`` for Policy Insights,
whose first query and next links are both POSTs) carrying a ``$skiptoken``. Unknown paths
answer ARM-shaped 404s. Resource provider registration is what the providers list says
(``azure_resource_logging``; a seed leaves an unregistered provider's resources out); no answer
is 409 ``MissingSubscriptionRegistration`` unless a fault rule makes it one. The Activity Log (a subscription's and the
tenant-level one; ``$filter`` and ``$select`` as in ``azure_activity``) pages through the same
``nextLink``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from logwarden_sandbox.azure_activity import FilterError, parse_filter, project
from logwarden_sandbox.azure_arm import ArmState
from logwarden_sandbox.azure_hierarchy import ancestors_chain, entities
from logwarden_sandbox.azure_resource_logging import route as resource_logging_route
from logwarden_sandbox.azure_tenant import SubscriptionSpec

SUB = r"/subscriptions/([^/]+)"
MG = r"/providers/microsoft\.management/managementgroups/([^/]+)"
EVENTS = r"/providers/microsoft\.insights/eventtypes/management/values"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/subscriptions$"), "subscriptions"),
    ("GET", re.compile(rf"^{MG}/descendants$"), "descendants"),
    ("GET", re.compile(rf"^{MG}$"), "group"),
    ("POST", re.compile(r"^/providers/microsoft\.management/getentities$"), "entities"),
    ("GET", re.compile(rf"^{SUB}/providers/microsoft\.insights/diagnosticsettings$"), "settings"),
    ("GET", re.compile(rf"^{SUB}{EVENTS}$"), "activity"),
    ("GET", re.compile(rf"^{EVENTS}$"), "tenant_activity"),
    (
        "GET",
        re.compile(rf"^{SUB}/providers/microsoft\.authorization/policyassignments$"),
        "assignments",
    ),
    (
        "POST",
        re.compile(
            rf"^{SUB}/providers/microsoft\.policyinsights/policystates/latest/queryresults$"
        ),
        "states",
    ),
]
ENTITY_VERSIONS = frozenset(
    {"2019-11-01", "2020-02-01", "2020-05-01", "2020-10-01", "2021-04-01", "2023-04-01"}
)
FILTER_TERM = re.compile(r"^\s*(\w+)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


@dataclass
class Answer:
    """An HTTP answer: status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def arm_error(status: int, code: str, message: str) -> Answer:
    """An ARM error answer ``{"error": {"code", "message"}}``."""
    return Answer(status, {"error": {"code": code, "message": message}})


def unknown_api_version(
    query: dict[str, list[str]], versions: frozenset[str] | set[str]
) -> Answer | None:
    """ARM's 400 for a request whose api-version the operation does not have, else None."""
    version = (query.get("api-version") or [""])[0]
    if version in versions:
        return None
    return arm_error(
        400,
        "InvalidApiVersionParameter",
        f"The api-version '{version}' is invalid. The supported versions are "
        f"'{','.join(sorted(versions))}'.",
    )


class Router:
    """Routes requests to the documents of an :class:`ArmState`."""

    def __init__(self, state: ArmState, base_url: str, page_size: int = 2) -> None:
        self.state = state
        self.base_url = base_url
        self.page_size = page_size

    def handle(self, method: str, path: str, query: dict[str, list[str]]) -> Answer:
        """The answer to ``method path?query`` (query values already decoded)."""
        low = unquote(path).rstrip("/").lower() or "/"
        if (answer := resource_logging_route(self, method, low, query)) is not None:
            return answer
        for verb, pattern, name in ROUTES:
            match = pattern.match(low)
            if match and verb == method:
                return getattr(self, f"_{name}")(low, query, *match.groups())
        from logwarden_sandbox import azure_monitoring_routes  # it imports this module

        found = azure_monitoring_routes.handle(self, method, low, query)
        if found is not None:
            return found
        if method == "GET" and low in self.state.objects:
            return Answer(200, self.state.objects[low])
        if method not in ("GET", "POST"):
            return arm_error(405, "MethodNotAllowed", f"the sandbox is read-only: {method} {path}")
        return self._not_found(low)

    def _not_found(self, low: str) -> Answer:
        sub = re.match(rf"^{SUB}", low)
        if sub and self._subscription(sub.group(1)) is None:
            return arm_error(
                404,
                "SubscriptionNotFound",
                f"The subscription '{sub.group(1)}' could not be found.",
            )
        if "/managementgroups/" in low and low.count("/") <= 4:
            return arm_error(
                404, "NotFound", f"Management group '{low.rsplit('/', 1)[-1]}' not found."
            )
        if "/managementpolicies/" in low:
            return arm_error(
                404, "ManagementPolicyNotFound", "No ManagementPolicy found for account"
            )
        if "/containers/" in low:
            return arm_error(404, "ContainerNotFound", "The specified container does not exist.")
        return arm_error(404, "ResourceNotFound", f"The resource '{low}' was not found.")

    def _subscription(self, sub_id: str) -> SubscriptionSpec | None:
        for spec in self.state.tenant.subscriptions:
            if spec.id == sub_id.lower():
                return spec
        return None

    def _page(
        self,
        low: str,
        query: dict[str, list[str]],
        items: list[dict[str, Any]],
        link_key: str = "nextLink",
        extra: dict[str, Any] | None = None,
    ) -> Answer:
        start = int((query.get("$skiptoken") or ["0"])[0] or 0)
        end = start + self.page_size
        body: dict[str, Any] = {**(extra or {}), "value": items[start:end]}
        if end < len(items):
            version = (query.get("api-version") or [""])[0]
            params = [f"api-version={quote(version)}", f"$skiptoken={end}"]
            for key in ("$filter", "$select"):
                if query.get(key):
                    params.append(f"{key}={quote(query[key][0])}")
            body[link_key] = f"{self.base_url}{low}?{'&'.join(params)}"
        return Answer(200, body)

    def _subscriptions(self, low: str, query: dict[str, list[str]]) -> Answer:
        return self._page(low, query, self.state.subscriptions)

    def _descendants(self, low: str, query: dict[str, list[str]], group: str) -> Answer:
        found = self.state.descendants(group)
        if found is None:
            return self._not_found(low)
        return self._page(low, query, found)

    def _group(self, low: str, query: dict[str, list[str]], group: str) -> Answer:
        doc = self.state.objects.get(low)
        if doc is None:
            return self._not_found(low)
        if "ancestors" in (query.get("$expand") or [""])[0].lower().split(","):
            details = {**doc["properties"]["details"]}
            details["managementGroupAncestorsChain"] = ancestors_chain(self.state.tenant, group)
            doc = {**doc, "properties": {**doc["properties"], "details": details}}
        return Answer(200, doc)

    def _entities(self, low: str, query: dict[str, list[str]]) -> Answer:
        refused = unknown_api_version(query, ENTITY_VERSIONS)
        if refused is not None:
            return refused
        return self._page(low, query, entities(self.state.tenant))

    def _settings(self, low: str, query: dict[str, list[str]], sub_id: str) -> Answer:
        sub = self._subscription(sub_id)
        if sub is None:
            return self._not_found(low)
        return Answer(200, {"value": self.state.settings(sub)})  # the API does not page these

    def _activity(self, low: str, query: dict[str, list[str]], sub_id: str) -> Answer:
        if self._subscription(sub_id) is None:
            return self._not_found(low)
        return self._events(low, query, sub_id.lower())

    def _tenant_activity(self, low: str, query: dict[str, list[str]]) -> Answer:
        return self._events(low, query, None)

    def _events(self, low: str, query: dict[str, list[str]], sub_id: str | None) -> Answer:
        """The Activity Log (a subscription's, or the tenant-level one), newest first."""
        try:
            wanted = parse_filter((query.get("$filter") or [""])[0])
        except FilterError as exc:
            return arm_error(400, "BadRequest", str(exc))
        select = (query.get("$select") or [""])[0]
        events = [project(e, select) for e in self.state.activity.query(sub_id, wanted)]
        return self._page(low, query, events)

    def _assignments(self, low: str, query: dict[str, list[str]], sub_id: str) -> Answer:
        sub = self._subscription(sub_id)
        if sub is None:
            return self._not_found(low)
        wanted = (query.get("$filter") or [""])[0].replace(" ", "").lower()
        if wanted not in ("", "atscope()"):
            return arm_error(
                400, "InvalidFilterInQueryString", f"the sandbox supports only atScope(): {wanted}"
            )
        return self._page(low, query, self.state.assignments_at(sub))

    def _states(self, low: str, query: dict[str, list[str]], sub_id: str) -> Answer:
        sub = self._subscription(sub_id)
        if sub is None:
            return self._not_found(low)
        terms: list[tuple[str, str]] = []
        text = (query.get("$filter") or [""])[0]
        for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE) if text else []:
            match = FILTER_TERM.match(part)
            if match is None:
                return arm_error(
                    400,
                    "InvalidFilterInQueryString",
                    f"the sandbox supports only \"<field> eq '<value>'\" terms: {text}",
                )
            terms.append((match.group(1).lower(), match.group(2).lower()))
        states = [
            s
            for s in self.state.policy_states(sub)
            if all(str(_field(s, k)).lower() == v for k, v in terms)
        ]
        context = {
            "@odata.context": "https://management.azure.com/providers/Microsoft.PolicyInsights/"
            "policyStates/$metadata#latest",
            "@odata.count": len(states),
        }
        return self._page(low, query, states, "@odata.nextLink", context)


def _field(doc: dict[str, Any], name: str) -> Any:
    for key, value in doc.items():
        if key.lower() == name:
            return value
    return None
