"""The readers of ``resource_clients``: a listing that says part of it was not read is a
failure, never a shorter list; the discovery client's failures become Google API errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import compute_v1

from logwarden.scanner.collectors.gcp import parse_settings
from logwarden.scanner.collectors.gcp.common import error_code
from logwarden.scanner.collectors.gcp.resource_clients import _flatten, _refuse_partial
from logwarden.scanner.collectors.gcp.responses import MalformedResponse
from logwarden_sandbox.gcp_zone import GcpServers, standard_org


@dataclass
class Pages:
    """What the compute pagers give ``_flatten``: their ``pages``."""

    pages: list[Any]


def subnet_page(**scopes: compute_v1.SubnetworksScopedList) -> compute_v1.SubnetworkAggregatedList:
    return compute_v1.SubnetworkAggregatedList(items={f"regions/{k}": v for k, v in scopes.items()})


def test_aggregated_pages_are_flattened_and_empty_scopes_skipped() -> None:
    page = subnet_page(
        a=compute_v1.SubnetworksScopedList(subnetworks=[compute_v1.Subnetwork(name="one")]),
        b=compute_v1.SubnetworksScopedList(
            warning=compute_v1.Warning(code="NO_RESULTS_ON_PAGE", message="nothing")
        ),
    )
    found = _flatten(Pages([page, page]), "subnetworks", "subnetworks.aggregatedList")
    assert [s.name for s in found] == ["one", "one"]


def test_an_unreachable_scope_fails_the_listing() -> None:
    page = subnet_page(
        a=compute_v1.SubnetworksScopedList(
            warning=compute_v1.Warning(code="UNREACHABLE", message="us-east9 is unreachable")
        )
    )
    with pytest.raises(exceptions.ServiceUnavailable, match="regions/a: UNREACHABLE"):
        _flatten(Pages([page]), "subnetworks", "subnetworks.aggregatedList")
    unreachable = compute_v1.SubnetworkAggregatedList(unreachables=["regions/us-east9"])
    with pytest.raises(exceptions.ServiceUnavailable, match="regions/us-east9"):
        _flatten(Pages([unreachable]), "subnetworks", "subnetworks.aggregatedList")


def test_a_cloud_sql_page_with_an_unreachable_region_fails() -> None:
    warning = {"code": "REGION_UNREACHABLE", "message": "x", "region": "asia-east1"}
    with pytest.raises(exceptions.ServiceUnavailable, match="asia-east1"):
        _refuse_partial({"items": [], "warnings": [warning]}, "sql.instances.list")
    with pytest.raises(MalformedResponse):
        _refuse_partial({"warnings": "oops"}, "sql.instances.list")
    _refuse_partial({"warnings": [{"code": "MAX_RESULTS_EXCEEDS_LIMIT"}]}, "sql.instances.list")


@pytest.fixture(scope="module")
def servers() -> Iterator[GcpServers]:
    fakes = GcpServers(standard_org())
    yield fakes
    fakes.stop()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("RESET", exceptions.ServiceUnavailable),  # the connection is dropped
        ("NON_UTF8", MalformedResponse),
        ("GARBAGE", MalformedResponse),
        ("PERMISSION_DENIED", exceptions.Forbidden),  # 403: gRPC status PERMISSION_DENIED
        ("SERVICE_DISABLED", exceptions.Forbidden),
    ],
)
@pytest.mark.parametrize("api", ["dns", "sqladmin"])
def test_discovery_failures_are_google_api_errors(
    servers: GcpServers, api: str, fault: str, error: type[Exception]
) -> None:
    world = standard_org()
    servers.load(world)
    servers.faults.add("*", fault, api)
    settings = parse_settings(servers.config(world), "test.yaml")
    client = settings.session.client(api)
    method = client.list_policies if api == "dns" else client.list_instances
    with pytest.raises(error) as info:
        method("lw-shared", **settings.session.call_options())
    if fault == "SERVICE_DISABLED":
        assert info.value.reason == "SERVICE_DISABLED"
        code, message = error_code(info.value)
        assert (code, message.split(":")[0]) == ("PERMISSION_DENIED", "SERVICE_DISABLED")
