"""The ARM emulator's resource-logging and network APIs: api-versions, filters, paging, shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_zone import CORP, PLATFORM

RESOURCES = {"api-version": "2025-04-01"}
NETWORK = {"api-version": "2026-03-01"}


@pytest.fixture(scope="module")
def box() -> Iterator[AzureSandbox]:
    with start_azure_sandbox() as sandbox:
        yield sandbox


def get(box: AzureSandbox, path: str, params: dict[str, str]) -> requests.Response:
    return requests.get(
        path if path.startswith("https:") else f"{box.server.base_url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {box.server.token}"},
        verify=box.server.ca_path,
        timeout=10,
    )


def every_page(box: AzureSandbox, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    answer = get(box, path, params).json()
    while True:
        found += answer["value"]
        if not answer.get("nextLink"):
            return found
        answer = get(box, answer["nextLink"], {}).json()


def test_an_unknown_api_version_is_refused_as_arm_does(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    for path in (f"/subscriptions/{sub}/resources", f"/subscriptions/{sub}/providers"):
        answer = get(box, path, {"api-version": "2099-01-01"})
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_the_resource_list_filters_by_type_and_pages(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    path = f"/subscriptions/{sub}/resources"
    query = "resourceType eq 'Microsoft.KeyVault/vaults' or resourceType eq 'microsoft.storage/storageaccounts'"
    found = every_page(box, path, {**RESOURCES, "$filter": query})
    assert (
        sorted(d["type"] for d in found)
        == ["Microsoft.KeyVault/vaults"] + ["Microsoft.Storage/storageAccounts"] * 2
    )
    assert {d["kind"] for d in found if "kind" in d} == {"StorageV2", "BlockBlobStorage"}
    bad = get(box, path, {**RESOURCES, "$filter": "location eq 'westeurope'"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidFilterInQueryString"


def test_a_storage_account_serves_only_the_services_its_kind_offers(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    account = (
        f"/subscriptions/{sub}/resourceGroups/rg-workload/providers/Microsoft.Storage/"
        "storageAccounts/stcorppremium01"
    )
    settings = "providers/Microsoft.Insights/diagnosticSettings"
    version = {"api-version": "2021-05-01-preview"}
    blob = get(box, f"{account}/blobServices/default/{settings}", version)
    queue = get(box, f"{account}/queueServices/default/{settings}", version)
    assert blob.status_code == 200 and blob.json()["value"]
    assert queue.status_code == 404


def test_flow_logs_page_and_name_their_target(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    watchers = get(
        box, f"/subscriptions/{sub}/providers/Microsoft.Network/networkWatchers", NETWORK
    )
    [watcher] = watchers.json()["value"]
    assert watcher["name"] == "NetworkWatcher_westeurope" and "nextLink" not in watchers.json()
    logs = every_page(box, f"{watcher['id']}/flowLogs", NETWORK)
    targets = sorted(f["properties"]["targetResourceId"].rsplit("/", 2)[1] for f in logs)
    assert targets == ["networkSecurityGroups", "virtualNetworks"]


def test_database_documents_are_read_by_id(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[PLATFORM]
    server = (
        f"/subscriptions/{sub}/resourceGroups/rg-workload/providers/Microsoft.DBforPostgreSQL/"
        "flexibleServers/psql-central"
    )
    found = get(
        box, f"{server}/configurations/logfiles.retention_days", {"api-version": "2024-08-01"}
    )
    assert found.json()["properties"]["value"] == "7"
    missing = get(box, f"{server}/configurations/nope", {"api-version": "2024-08-01"})
    assert missing.status_code == 404
