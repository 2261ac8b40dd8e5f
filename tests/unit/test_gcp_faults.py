"""Every Google API call the GCP collectors make, broken one at a time in the fakes (Resource
Manager and Cloud Storage over REST, Cloud Logging over gRPC): a fault may only turn rows into
ERROR, and the exit code is 3 (1 when findings remain), never 4.

The calls are the declared table ``logwarden.scanner.collectors.gcp.responses.CALLS``; the clean runs
(a scan in every mode, a drift attribution) make no call missing from it, each row of it is
made by one of them, and each call is broken in the first run that makes it, so neither the
table nor this test can go stale. Scans run in-process
(``tests.fault_rule``) on the standard organization with one defect (so findings remain),
without retries, except the throttled cases: they retry for half a second, and the throttle
outlives that.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.iam.v1 import policy_pb2

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.collectors import gcp as gcp_plugin
from logwarden.scanner.collectors.gcp import parse_settings
from logwarden.scanner.collectors.gcp.attribution.targets import RESOURCE_MANAGER
from logwarden.scanner.collectors.gcp.responses import CALLS, Call
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Tenant
from logwarden_sandbox import gcp_changes
from logwarden_sandbox.gcp_monitoring_faults import GRPC_APIS
from logwarden_sandbox.gcp_zone import SANDBOX_ENV, UNSET_ENV, GcpSandbox, GcpServers, standard_org
from tests.fault_rule import Baseline, assert_only_errors, field_faults, scan

ORG_MODE, SEARCH, PROJECTS, ATTRIBUTION = "organization", "search", "projects", "attribution"
SCANS = (ORG_MODE, SEARCH, PROJECTS)  # each call is exercised in the first run that makes it
FAULTS = ("TRUNCATE", "GARBAGE", "NON_UTF8", "RESET", "INTERNAL", "RESOURCE_EXHAUSTED")
# Errors that say the answer could not be read, by transport: a REST body is checked by
# logwarden; a gRPC message that does not parse is refused by gRPC itself.
UNREADABLE = {"rest": {"MalformedResponse"}, "grpc": {"INTERNAL", "MalformedResponse"}}
PROJECT = "lw-app-1"
AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


CASES = [
    pytest.param(call, fault, "", id=f"{call.name}-{fault}") for call in CALLS for fault in FAULTS
] + [
    pytest.param(call, fault.upper(), key, id=f"{call.name}-{fault}-{key}")
    for call in CALLS
    for fault, key in field_faults(call.required)
    if fault == "strip" or call.api not in GRPC_APIS  # gRPC messages are typed
]


@pytest.fixture(scope="module")
def box() -> Iterator[GcpSandbox]:
    world = standard_org(["folder_exempts_member"])
    servers = GcpServers(world)
    try:
        sandbox = servers.sandbox(world)
        # versioning (off), so every field the collectors read is in some answer
        servers.state.snapshot.storage["lw-audit-archive"]["versioning"] = {"enabled": False}
        yield sandbox
    finally:
        servers.stop()


def _environment(patch: pytest.MonkeyPatch) -> None:
    patch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    for key, value in SANDBOX_ENV.items():
        patch.setenv(key, value)
    for key in UNSET_ENV:
        patch.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch)


def section(box: GcpSandbox, mode: str, retry_deadline: float = 0) -> dict[str, Any]:
    """The ``clouds.gcp`` section of a scan in ``mode``."""
    overrides: dict[str, Any] = {"retry_deadline": retry_deadline}
    if mode == SEARCH:
        overrides["organization"] = None
    if mode == PROJECTS:
        overrides |= {"mode": "projects", "organization": None, "projects": [PROJECT]}
    return box.servers.config(box.world, **overrides)


def attribute(box: GcpSandbox) -> list[Attribution]:
    """Who changed ``PROJECT``'s effective audit config, through the cloud's ``attribute``."""
    settings = parse_settings(section(box, ORG_MODE), "fault-test.yaml")
    tenant = Tenant(
        cloud="gcp",
        id=PROJECT,
        name=PROJECT,
        parents=(box.world.scope_id, "folders/2000000002"),
    )
    inventory = Inventory(
        cloud="gcp",
        tenant=tenant,
        organization=None,
        kinds={},
        session_factory=lambda: gcp_plugin.open_session(
            tenant=tenant, organization=None, settings=settings
        ),
    )
    subject = Subject(
        "gcp",
        "gcp.audit.effective_config",
        f"//cloudresourcemanager.googleapis.com/projects/{PROJECT}/effectiveAuditConfig",
        PROJECT,
        "",
        ("Exemptions",),
    )
    start, end = (AT + dt.timedelta(minutes=m) for m in (-5, 5))
    answer = gcp_plugin.attribute(
        subjects=[subject],
        start=start.isoformat(),
        end=end.isoformat(),
        inventories=[inventory],
    )
    assert answer is not None
    return answer


def record_change(box: GcpSandbox) -> None:
    """One change of ``PROJECT``'s audit config in its Admin Activity log."""
    removed = policy_pb2.AuditConfigDelta(
        action=policy_pb2.AuditConfigDelta.Action.REMOVE,
        service="allServices",
        log_type="DATA_READ",
    )
    gcp_changes.record_activity(
        box,
        f"projects/{PROJECT}",
        service=RESOURCE_MANAGER,
        method="SetIamPolicy",
        resource=f"projects/{PROJECT}",
        principal="erin@example.com",
        source_ip="203.0.113.1",
        delta=policy_pb2.PolicyDelta(audit_config_deltas=[removed]),
        at=AT,
    )


@pytest.fixture(scope="module")
def baseline(box: GcpSandbox, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """Every clean run, in order; a clean attribution finds the change."""
    record_change(box)
    found = Baseline()
    cwd = tmp_path_factory.mktemp("clean")
    declared = {c.name for c in CALLS}
    with pytest.MonkeyPatch.context() as patch:
        _environment(patch)
        for run in (*SCANS, ATTRIBUTION):
            before = Counter(box.servers.state.calls)
            if run == ATTRIBUTION:
                [clean] = attribute(box)
                assert (clean.error, len(clean.events)) == ("", 1)
            else:
                found.scans[run] = scan("gcp", section(box, run), cwd, run)
            calls = Counter(box.servers.state.calls) - before
            found.made[run] = {f"{api} {method}" for api, method, _ in calls}
            unknown = sorted(found.made[run] - declared)
            assert unknown == [], f"{run}: calls missing from gcp.responses.CALLS"
    return found


def calls_of(box: GcpSandbox, call: Call) -> int:
    """How many times the fakes answered ``call``."""
    return sum(
        n
        for (api, method, _), n in box.servers.state.calls.items()
        if (api, method) == (call.api, call.operation)
    )


@pytest.mark.parametrize(("call", "fault", "field"), CASES)
def test_a_fault_only_turns_rows_into_error(
    box: GcpSandbox,
    baseline: Baseline,
    tmp_path: Path,
    call: Call,
    fault: str,
    field: str,
) -> None:
    where = baseline.where(call.name)
    assert where, f"no clean run makes {call.name}"
    before = calls_of(box, call)
    box.servers.faults.add("*", fault, call.api, call.operation, field)
    try:
        if where == ATTRIBUTION:
            [answer] = attribute(box)
        else:
            retry = 0.5 if fault == "RESOURCE_EXHAUSTED" else 0
            faulted = scan("gcp", section(box, where, retry), tmp_path, "faulted")
    finally:
        box.servers.faults.clear()
    assert calls_of(box, call) > before, f"the scan never made {call.name}"
    if where == ATTRIBUTION:  # the log is an error of the subject, never "nobody changed it"
        assert answer.error and answer.events == [], answer
        return
    assert_only_errors(baseline.scans[where], faulted)
    if fault in ("TRUNCATE", "GARBAGE", "NON_UTF8", "STRIP", "MISTYPE"):
        codes = {e["code"] for e in faulted.errors}
        transport = "grpc" if call.api in GRPC_APIS else "rest"
        assert codes & UNREADABLE[transport], faulted.explain()


def test_the_table_names_every_call_the_clean_runs_make_and_each_is_made(
    baseline: Baseline,
) -> None:
    # the baseline fails on a call missing from the table; here: no row of it is dead
    assert {c.name for c in CALLS} - set().union(*baseline.made.values()) == set()
