"""The kinds of issue 14 through the real SDK clients, over HTTPS, against the ARM emulator:
paging, one read per action group per scan, and no call at all when no selected control
needs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.scanner import cli
from logwarden.scanner.collectors.azure.kinds import databases, network, resources, services
from logwarden.scanner.collectors.azure.resource_responses import RESOURCE_CALLS
from logwarden.scanner.collectors.azure.responses import operation_for
from logwarden_sandbox.azure_sandbox import AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_zone import CORP, ONLINE, PLATFORM
from tests.catalogue import controls

ALERT_KINDS = {"azure.monitor.activity_log_alert", "azure.monitor.action_group"}
# the kinds of issue 14's slice, and the requests that only they make
NEW_KINDS = {
    *ALERT_KINDS,
    "azure.entra.diagnostic_setting",
    "azure.authorization.log_access",
    "azure.dns.virtual_network",
}
ALERTS = "*/providers/microsoft.insights/activitylogalerts"
GROUPS = "*/providers/microsoft.insights/actiongroups/*"
NEW_CALLS = (
    ALERTS,
    GROUPS,
    "/providers/microsoft.aadiam/*",
    "*/providers/microsoft.authorization/roleassignments",
    "*/providers/microsoft.authorization/roledefinitions/*",
    "*/providers/microsoft.network/virtualnetworks",
    "*/dnsresolverpolicies/*/providers/microsoft.insights/diagnosticsettings",
)


def alert_controls() -> set[str]:
    """The controls that read the alert kinds."""
    return {c.id for c in controls("azure") if set(c.kinds) & ALERT_KINDS}


def new_controls() -> set[str]:
    """The controls that read a new kind (the others are the ones before them)."""
    return {c.id for c in controls("azure") if set(c.kinds) & NEW_KINDS}


@pytest.fixture
def box(monkeypatch: pytest.MonkeyPatch) -> Iterator[AzureSandbox]:
    sandbox = start_azure_sandbox()
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    with sandbox:
        yield sandbox


def scan(box: AzureSandbox, cwd: Path, disabled: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    config: dict[str, Any] = {"version": 1, "clouds": {"azure": box.config}}
    if disabled:
        config["overrides"] = [{"id": i, "enabled": False} for i in sorted(disabled)]
    (cwd / "logwarden.yaml").write_text(yaml.safe_dump(config))
    code = cli.main(["scan", "-q", "--config", str(cwd / "logwarden.yaml"), "--json", "r.json"])
    report: dict[str, Any] = json.loads((Path.cwd() / "r.json").read_text())
    assert code == 0, [r for r in report["results"] if r["status"] != "PASS"]
    return report


def test_rules_are_paged_and_each_action_group_read_once(
    box: AzureSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = scan(box, tmp_path)
    subs = box.world.subscriptions
    corp = subs[CORP]
    # lz-corp has ten rules: five pages of two, each page sent with api-version 2020-10-01
    # (the emulator refuses another version with a 400, which would be an ERROR row)
    assert box.server.count("GET", f"/subscriptions/{corp}{ALERTS[1:]}") == 5
    # ag-secops (platform) is named by the rules of three subscriptions: read once
    assert box.server.count("GET", "*/actiongroups/ag-secops") == 1
    assert box.server.count("GET", "*/actiongroups/ag-online") == 1
    rows = [r for r in report["results"] if r["check_id"] in alert_controls()]
    assert {r["tenant_id"] for r in rows} == set(subs.values())
    online = [r for r in rows if r["tenant_id"] == subs[ONLINE]]
    assert {r["evidence"]["CoveringRule"] for r in online} == {
        "alert-policy",
        "alert-network-security-sql",
    }
    platform = [r for r in rows if r["tenant_id"] == subs[PLATFORM]]
    assert all(r["evidence"]["CoveringRule"].startswith("alert-") for r in platform)


def resource_controls() -> set[str]:
    """The controls of issue 14's other slice (resource logging: providers, resources,
    services, databases, network)."""
    kinds = {k.name for m in (resources, services, databases, network) for k in m.KINDS}
    return {c.id for c in controls("azure") if set(c.kinds) & kinds}


@pytest.mark.parametrize("issue_14_off", [False, True], ids=["this-slice-off", "issue-14-off"])
def test_a_scan_of_the_previous_controls_makes_no_new_call(
    box: AzureSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, issue_14_off: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    disabled = new_controls() | (resource_controls() if issue_14_off else set())
    report = scan(box, tmp_path, disabled=disabled)
    assert report["results"] and not {r["check_id"] for r in report["results"]} & disabled
    assert {path: box.server.count("GET", path) for path in NEW_CALLS} == dict.fromkeys(
        NEW_CALLS, 0
    )
    assert box.server.count("POST", "*/listdnsresolverpolicies") == 0
    made = {op.name for method, path in box.server.calls if (op := operation_for(method, path))}
    resource_calls = {name for name, *_ in RESOURCE_CALLS}
    # with the controls of both slices off, the scan makes the calls of before issue 14 only
    assert made.isdisjoint(resource_calls) is issue_14_off, made & resource_calls
    # and the whole catalogue makes each of them
    scan(box, tmp_path)
    assert all(box.server.count("GET", path) > 0 for path in NEW_CALLS)
    assert box.server.count("POST", "*/listdnsresolverpolicies") == 3  # one per network


def test_a_subscription_without_the_network_provider_is_skipped_with_the_reason(
    box: AzureSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    online = box.world.subscriptions[ONLINE]
    box.server.faults.add(FaultRule(409, subscription=online, path="*/virtualnetworks"))
    config = {"version": 1, "clouds": {"azure": box.config}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    code = cli.main(["scan", "-q", "--config", str(tmp_path / "c.yaml"), "--json", "r.json"])
    report = json.loads((tmp_path / "r.json").read_text())
    dns = [r for r in report["results"] if r["check_id"] == "azure.dns.query_logging"]
    skipped = [r for r in dns if r["tenant_id"] == online]
    assert [r["status"] for r in skipped] == ["SKIPPED"]
    assert "Microsoft.Network resource provider is not registered" in skipped[0]["message"]
    assert {r["status"] for r in dns if r["tenant_id"] != online} == {"PASS"}
    assert code == 0
