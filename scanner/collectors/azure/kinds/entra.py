"""``azure.entra.diagnostic_setting``: the Entra ID tenant's diagnostic settings, which export its
audit and sign-in logs (``GET /providers/microsoft.aadiam/diagnosticSettings``, api-version
2017-04-01, one unpaged list).

No azure-mgmt package models this provider, so the request goes through azure-mgmt-monitor's
own pipeline (``send_request``): the same credential, endpoint override, retries and answer
check (``responses.ResponseCheckPolicy``) as every other call. It is an organization kind,
read once per scan with the tenant-wide session, and only when a selected control needs it
(stage 0). The read is authorized for the Entra ID tenant, not for a subscription: Reader on
a management group does not grant it, so a refusal (403) is an error that names the
permission (docs/azure.md#permissions), never an empty list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    AZURE_ERRORS,
    NAME,
    failure,
    normalise,
    resource,
    session_of,
)
from logwarden.scanner.collectors.azure.kinds.monitor import DESTINATIONS
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

ENTRA_SETTING = "azure.entra.diagnostic_setting"
PATH = "/providers/microsoft.aadiam/diagnosticSettings"
API_VERSION = "2017-04-01"
READING = "reading the Entra ID tenant's diagnostic settings"
PERMISSION = (
    f"{READING} needs "
    "microsoft.aadiam/diagnosticSettings/read for the tenant (an Entra ID role such as "
    "Security Reader or Global Reader, or an Azure role with that action at the root scope "
    "'/'); Reader on a management group or subscription does not grant it"
)


def derive(doc: dict[str, Any]) -> dict[str, Any]:
    """The enabled categories and the destinations set of one setting."""
    props = doc.get("properties") or {}
    logs = props.get("logs") or []
    enabled = sorted(
        str(log["category"])
        for log in logs
        if isinstance(log, dict) and log.get("enabled") is True and log.get("category")
    )
    return {
        "Name": doc.get("name"),
        "EnabledCategories": enabled,
        "Destinations": [d for d, key in DESTINATIONS if props.get(key)],
    }


def _list(inv: Inventory) -> list[dict[str, Any]]:
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    client = session_of(inv).client("monitor")
    url = client._client.format_url(PATH)  # the endpoint override, as every operation does
    request = HttpRequest("GET", url, params={"api-version": API_VERSION})
    response = client._client.send_request(request)  # the client's own pipeline
    if response.status_code != 200:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    body = response.json()
    return [normalise(d) for d in body.get("value") or []]


def collect(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Every diagnostic setting of the Entra ID tenant (organization inventory)."""
    try:
        found = _list(inv)
    except AZURE_ERRORS as exc:
        denied = getattr(exc, "status_code", None) in (401, 403)
        yield failure("", ENTRA_SETTING, exc, PERMISSION if denied else READING)
        return
    for doc in sorted(found, key=lambda d: str(d.get("name", "")).lower()):
        rid = str(doc.get("id") or f"{PATH}/{doc.get('name', '')}")
        yield resource(ENTRA_SETTING, rid, "", "", {**doc, **derive(doc)})


KINDS = [
    ResourceKind(
        name=ENTRA_SETTING,
        reads=(),
        cloud=NAME,
        description="Diagnostic settings of the Entra ID tenant (audit and sign-in logs).",
        collect=collect,
        organization=True,
    ),
]
