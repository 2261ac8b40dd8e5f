"""CIS GCP 2.2 (a sink exports every entry), 2.13 (Cloud Asset API) and 2.15 (Access Approval)
offline: the real catalogue over documents."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.models import Resource, Status
from tests import gcp_docs as d
from tests import gcp_monitoring_docs as m
from tests.offline import rows, scan_gcp_world

ALL_ENTRIES = "gcp.logging.all_entries_sink"
CLOUD_ASSET = "gcp.serviceusage.cloud_asset_api_enabled"
ACCESS_APPROVAL = "gcp.accessapproval.enabled"


def _with(
    change: dict[str, Any] | None = None, *, kind: str = "", replace: Resource | None = None
) -> Any:
    world = d.build(d.compliant_model())
    sinks = world.tenants[d.APP]["gcp.logging.exporting_sinks"][0]
    if change is not None:
        sinks.data["Sinks"][0].update(change)
    if replace is not None:
        target = world.org if kind == "gcp.accessapproval.settings" else world.tenants[d.APP]
        target[kind] = [replace]
    return scan_gcp_world(world)


def test_an_inherited_sink_with_an_empty_filter_exports_every_entry() -> None:
    [row] = rows(_with(), ALL_ENTRIES, d.APP)
    assert row.status is Status.PASS
    assert "organizations/111/sinks/all-entries" in row.message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"filter": 'logName:"cloudaudit.googleapis.com"'}, "its filter is not empty"),
        ({"filter": "   "}, ""),  # blank is empty
        ({"disabled": True}, "it is disabled"),
        ({"exclusions": [{"name": "debug", "filter": "severity<ERROR"}]}, "exclusions debug"),
        ({"exclusions": [{"name": "off", "filter": "x", "disabled": True}]}, ""),
        ({"DestinationExists": False}, "does not exist"),
        ({"DestinationExists": None}, "not verified"),
    ],
    ids=[
        "filter",
        "blank-filter",
        "disabled",
        "exclusion",
        "disabled-exclusion",
        "missing",
        "unverified",
    ],
)
def test_a_sink_that_does_not_export_every_entry_fails(change: dict[str, Any], words: str) -> None:
    [row] = rows(_with(change), ALL_ENTRIES, d.APP)
    if not words:
        assert row.status is Status.PASS, row.message
        return
    assert row.status is Status.FAIL
    assert words in row.message


def test_no_sink_at_all_fails() -> None:
    world = d.build(d.compliant_model())
    world.tenants[d.APP]["gcp.logging.exporting_sinks"][0].data["Sinks"] = []
    [row] = rows(scan_gcp_world(world), ALL_ENTRIES, d.APP)
    assert row.status is Status.FAIL and "no sink" in row.message


def test_the_cloud_asset_api_not_enabled_fails_with_its_state() -> None:
    report = _with(
        kind="gcp.serviceusage.service", replace=m.cloud_asset_resource(d.APP, "DISABLED")
    )
    [row] = rows(report, CLOUD_ASSET, d.APP)
    assert row.status is Status.FAIL and "DISABLED" in row.message
    [other] = rows(report, CLOUD_ASSET, d.LOGGING_PROJECT)
    assert other.status is Status.PASS


def test_access_approval_with_nothing_enrolled_fails() -> None:
    report = _with(
        kind="gcp.accessapproval.settings", replace=m.access_approval_resource(d.ORG, ())
    )
    [row] = rows(report, ACCESS_APPROVAL)
    assert row.status is Status.FAIL
    [ok] = rows(_with(), ACCESS_APPROVAL)
    assert ok.status is Status.PASS


def test_every_gcp_control_claims_nist_pci_and_iso_and_the_cis_ones_both_versions() -> None:
    from tests.offline import gcp_catalogue

    cat, _ = gcp_catalogue()
    for check in cat.checks.values():
        if check.cloud != "gcp":
            continue
        for framework in ("nist-800-53-r5", "pci-dss-4.0", "iso-27001-2022"):
            assert check.frameworks.get(framework), (check.id, framework)
        assert check.frameworks.get("cis-gcp-2.0") == check.frameworks.get("cis-gcp-3.0"), check.id
