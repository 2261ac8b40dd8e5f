"""The emulator's routes for ``azure_monitoring``: one subscription's activity log alert rules
(paged through ``nextLink`` like every list of the emulator), action groups, and the Entra ID
tenant's diagnostic settings (one unpaged list, as the API answers).

A request with an api-version the operation does not have is refused as ARM does (400
``InvalidApiVersionParameter``), so a client that sends the wrong one on a next page is caught.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from logwarden_sandbox.azure_monitoring import alert_document, entra_setting_document
from logwarden_sandbox.azure_monitoring_dns import networks_of, policies_linked_to, policy_settings
from logwarden_sandbox.azure_monitoring_roles import assignments_for, role_definition
from logwarden_sandbox.azure_routes import Answer, unknown_api_version

if TYPE_CHECKING:
    from logwarden_sandbox.azure_routes import Router

SUB = r"/subscriptions/([^/]+)"
RG = rf"{SUB}/resourcegroups/([^/]+)/providers"
# (method, path pattern, api-versions the operation has, handler name)
ROUTES: list[tuple[str, re.Pattern[str], frozenset[str], str]] = [
    (
        "GET",
        re.compile(rf"^{SUB}/providers/microsoft\.insights/activitylogalerts$"),
        frozenset({"2017-03-01-preview", "2017-04-01", "2020-10-01", "2023-01-01-preview"}),
        "alerts",
    ),
    (
        "GET",
        re.compile(rf"^{RG}/microsoft\.insights/actiongroups/[^/]+$"),
        frozenset(
            {
                "2017-04-01",
                "2018-03-01",
                "2018-09-01",
                "2019-03-01",
                "2019-06-01",
                "2021-09-01",
                "2022-04-01",
                "2022-06-01",
                "2023-01-01",
                "2023-09-01-preview",
                "2024-10-01-preview",
            }
        ),
        "object",
    ),
    (
        "GET",
        re.compile(r"^(/.+)/providers/microsoft\.authorization/roleassignments$"),
        frozenset({"2020-04-01-preview", "2020-10-01-preview", "2022-04-01"}),
        "assignments",
    ),
    (
        "GET",
        re.compile(
            r"^(?:/subscriptions/[^/]+)?/providers/microsoft\.authorization/roledefinitions/([^/]+)$"
        ),
        frozenset({"2018-01-01-preview", "2022-04-01", "2022-05-01-preview"}),
        "role",
    ),
    (
        "GET",
        re.compile(rf"^{SUB}/providers/microsoft\.network/virtualnetworks$"),
        frozenset({"2024-05-01", "2025-03-01", "2026-03-01"}),
        "networks",
    ),
    *(
        (
            verb,  # a POST, and its next pages are GETs
            re.compile(
                rf"^({RG}/microsoft\.network/virtualnetworks/[^/]+)/listdnsresolverpolicies$"
            ),
            frozenset({"2023-07-01-preview", "2025-05-01"}),
            "linked",
        )
        for verb in ("POST", "GET")
    ),
    (
        "GET",
        re.compile(
            rf"^({RG}/microsoft\.network/dnsresolverpolicies/[^/]+)"
            r"/providers/microsoft\.insights/diagnosticsettings$"
        ),
        frozenset({"2021-05-01-preview"}),
        "policy_settings",
    ),
    (
        "GET",
        re.compile(r"^/providers/microsoft\.aadiam/diagnosticsettings$"),
        frozenset({"2017-04-01", "2017-04-01-preview"}),
        "entra",
    ),
]


def handle(router: Router, method: str, low: str, query: dict[str, list[str]]) -> Answer | None:
    """The answer to one of this module's requests, or None when it is not one."""
    for verb, pattern, versions, name in ROUTES:
        match = pattern.match(low)
        if match is None or verb != method:
            continue
        refused = unknown_api_version(query, versions)
        if refused is not None:
            return refused
        if name == "object":
            found = router.state.objects.get(low)
            return Answer(200, found) if found is not None else None
        if name == "assignments":
            docs = assignments_for(router.state.tenant, match.group(1))
            return router._page(low, query, docs)
        if name == "role":
            found = role_definition(low, match.group(1))
            return Answer(200, found) if found is not None else None
        tenant = router.state.tenant
        if name == "networks":
            return router._page(low, query, networks_of(tenant, match.group(1)))
        if name == "linked":
            linked = policies_linked_to(tenant, match.group(1))
            return router._page(low, query, linked) if linked is not None else None
        if name == "policy_settings":
            settings = policy_settings(tenant, match.group(1))
            return Answer(200, {"value": settings}) if settings is not None else None
        if name == "entra":
            docs = [entra_setting_document(tenant, e) for e in tenant.monitoring.entra_settings]
            return Answer(200, {"value": docs})  # the API does not page these
        return _alerts(router, low, query, match.group(1))
    return None


def _alerts(router: Router, low: str, query: dict[str, list[str]], sub_id: str) -> Answer | None:
    tenant = router.state.tenant
    names = {s.id: s.name for s in tenant.subscriptions}
    if sub_id not in names:
        return None
    mine = [a for a in tenant.monitoring.alerts if a.subscription == names[sub_id]]
    docs = sorted((alert_document(tenant, a) for a in mine), key=lambda d: d["name"])
    return router._page(low, query, docs)
