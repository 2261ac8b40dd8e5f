"""The sandbox's project-resource listings (``logwarden_sandbox.gcp_resources``) have Google's
shapes: Compute Engine answers parse into ``google-cloud-compute``'s messages with unknown
fields refused, Cloud DNS and Cloud SQL Admin answers use only the properties of the discovery
documents ``google-api-python-client`` ships; every listing pages with ``nextPageToken``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import googleapiclient
import pytest
from google.cloud import compute_v1
from google.protobuf import json_format

from logwarden_sandbox.gcp_zone import GcpServers, standard_org

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
COMPUTE = {
    "global/networks": compute_v1.NetworkList,
    "aggregated/subnetworks": compute_v1.SubnetworkAggregatedList,
    "aggregated/backendServices": compute_v1.BackendServiceAggregatedList,
}
DISCOVERY = {  # path under the endpoint -> (discovery document, response schema)
    "dns/v1/projects/{p}/policies": ("dns.v1.json", "PoliciesListResponse"),
    "v1/projects/{p}/instances": ("sqladmin.v1.json", "InstancesListResponse"),
}


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


def pages(servers: GcpServers, path: str) -> list[dict[str, Any]]:
    """Every page of a listing, following ``nextPageToken``."""
    out: list[dict[str, Any]] = []
    token = ""
    while True:
        query = f"?pageToken={token}" if token else ""
        with urllib.request.urlopen(f"{servers.rest.endpoint}/{path}{query}", timeout=10) as r:
            page = json.loads(r.read())
        out.append(page)
        token = page.get("nextPageToken", "")
        if not token:
            return out


def unknown_properties(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    """The keys of ``value`` its discovery schema does not declare (recursively)."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if isinstance(value, list):
        return [u for v in value for u in unknown_properties(v, schema.get("items", {}), schemas)]
    if not isinstance(value, dict):
        return []
    props = schema.get("properties", {})
    out = [k for k in value if k not in props]
    for key, child in value.items():
        if key in props:
            out += unknown_properties(child, props[key], schemas)
    return out


@pytest.mark.parametrize("listing", sorted(COMPUTE))
def test_compute_answers_parse_as_the_library_messages(servers: GcpServers, listing: str) -> None:
    found = pages(servers, f"compute/v1/projects/lw-shared/{listing}")
    names = []
    for page in found:
        message = COMPUTE[listing].pb()()  # the protobuf class, instantiated
        json_format.Parse(json.dumps(page), message, ignore_unknown_fields=False)
        items = page["items"]
        if isinstance(items, dict):  # aggregated: scope -> scoped list
            names += [i["name"] for scoped in items.values() for i in next(
                (v for k, v in scoped.items() if k != "warning"), []
            )]  # fmt: skip
            assert items["regions/us-east1"]["warning"]["code"] == "NO_RESULTS_ON_PAGE"
        else:
            names += [i["name"] for i in items]
    assert len(names) == len(set(names)) > 0
    if listing != "global/networks":
        assert len(found) == 2, "lw-shared has four of each: two pages"


@pytest.mark.parametrize("path", sorted(DISCOVERY))
def test_dns_and_sql_answers_use_the_discovery_schemas(servers: GcpServers, path: str) -> None:
    document, response = DISCOVERY[path]
    schemas = json.loads((DOCUMENTS / document).read_text())["schemas"]
    project = "lw-app-1" if "instances" in path else "lw-shared"
    for page in pages(servers, path.format(p=project)):
        assert unknown_properties(page, schemas[response], schemas) == []


def test_sql_instances_page_two_at_a_time(servers: GcpServers) -> None:
    found = pages(servers, "v1/projects/lw-app-1/instances")
    assert [[i["name"] for i in p["items"]] for p in found] == [["orders-db", "reports-db"]]


def test_an_unknown_project_is_refused(servers: GcpServers) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(
            f"{servers.rest.endpoint}/compute/v1/projects/nope-123/global/networks", timeout=10
        )
    assert info.value.code == 403
    assert json.loads(info.value.read())["error"]["status"] == "PERMISSION_DENIED"
