"""Where a DNS security policy's diagnostic settings send its query logs."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.azure.kinds.dns import query_log_workspaces

WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"


def setting(logs: list[dict[str, Any]], workspace: str | None = WS) -> dict[str, Any]:
    props: dict[str, Any] = {"logs": logs}
    if workspace:
        props["workspaceId"] = workspace
    return {"name": "s", "properties": props}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ([setting([{"category": "DnsResponse", "enabled": True}])], [WS]),
        ([setting([{"category": "dnsresponse", "enabled": True}])], [WS]),
        ([setting([{"categoryGroup": "allLogs", "enabled": True}])], [WS]),
        ([setting([{"categoryGroup": "audit", "enabled": True}])], []),
        ([setting([{"category": "DnsResponse", "enabled": False}])], []),
        ([setting([{"category": "DnsResponse", "enabled": "true"}])], []),
        ([setting([{"category": "DnsResponse", "enabled": True}], workspace=None)], []),
        ([], []),
    ],
    ids=[
        "category",
        "case",
        "allLogs",
        "audit-unknown",
        "disabled",
        "string-true",
        "storage-only",
        "none",
    ],
)
def test_query_log_workspaces(settings: list[dict[str, Any]], expected: list[str]) -> None:
    assert query_log_workspaces(settings) == expected
