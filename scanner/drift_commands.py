"""History, drift and baselines on the command line.

``scan --history/--drift/--baseline/--fail-on-drift`` (through ``prepare`` and
``compare_scan``), ``logwarden drift`` and ``logwarden baseline save``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pluggy

from logwarden.scanner import attribution, baseline, drift, json_input
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.engine import ScanInput
from logwarden.scanner.errors import InputError, Problem, fail, warn
from logwarden.scanner.filter_ops import parse_timestamp
from logwarden.scanner.history import HistoryStore, open_store
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.json_input import Shape, Spec
from logwarden.scanner.models import ExitCode
from logwarden.scanner.outputs import check_writable, write_atomic
from logwarden.scanner.printable import printable
from logwarden.scanner.report import ScanOutcome
from logwarden.scanner.spill import InventorySpill


@dataclass
class ScanHistory:
    """What ``scan`` compares with and records to, opened before anything is collected."""

    store: HistoryStore | None
    baseline: drift.ScanState | None
    compare: bool


def prepare(args: argparse.Namespace, pm: pluggy.PluginManager) -> ScanHistory | None:
    """Check the history options and open the store / read the baseline (exit 2 early);
    ``pm`` serves the history URLs logwarden does not know (``logwarden_history_store``)."""
    problems = []
    if args.history is not None and not args.history.strip():
        # an unset CI variable must not silently turn history (and first_seen) off
        problems.append(
            Problem("--history", None, "the history URL is empty", "give a file path or a URL")
        )
    elif args.drift and not args.history:
        problems.append(
            Problem("argv", None, "--drift needs --history", "add --history PATH (or --baseline)")
        )
    if args.drift and args.baseline:
        problems.append(
            Problem(
                "argv",
                None,
                "--drift and --baseline conflict",
                "compare with the previous scan (--drift) or a baseline, not both",
            )
        )
    if args.fail_on_drift and not (args.drift or args.baseline):
        problems.append(
            Problem(
                "argv",
                None,
                "--fail-on-drift needs --baseline FILE or --drift",
                "say what to compare with",
            )
        )
    if problems:
        raise InputError(problems)
    if not (args.history or args.baseline):
        return None
    accepted = baseline.load(args.baseline) if args.baseline else None
    store = open_store(args.history, pm=pm) if args.history else None
    return ScanHistory(store, accepted, bool(args.drift or args.baseline))


def compare_scan(
    ctx: ScanHistory,
    outcome: ScanOutcome,
    scan: ScanInput,
    clouds: Mapping[str, Cloud] | None = None,
    selection: str = "",
    spill: InventorySpill | None = None,
) -> tuple[ScanOutcome, drift.Drift | None]:
    """Before the report is built: set ``first_seen`` (with a history store), compare with
    the previous scan or the baseline and attribute the drift (each of ``clouds`` reads
    its own audit log), then record the scan.

    :param selection: the run-time selection (``Selection.label``): a scan of some controls
        or tenants is its own scope, compared only with scans of the same selection (else
        everything it left out would look removed).
    :param spill: where the scan kept each tenant's collections when it released them.
    :return: the outcome with ``first_seen`` on its rows, and the drift (None when the scan
        is not compared).
    """
    _, scope = drift.scope_of(outcome.organizations)
    scope = f"{scope}|{selection}" if selection else scope
    previous = ctx.store.latest(scope) if ctx.store is not None else None
    if ctx.store is not None:
        rows = drift.carry_first_seen(outcome.results, previous, outcome.started_at)
        outcome = replace(outcome, results=tuple(rows))
    state = drift.state_of(outcome, scan, spill=spill)
    state.scope = scope
    found: drift.Drift | None = None
    try:
        if ctx.baseline is not None:
            if ctx.baseline.scope != state.scope:
                warn(f"the baseline covers {ctx.baseline.scope!r}, this scan {state.scope!r}")
            found = drift.compare(ctx.baseline, state, "baseline")
        elif ctx.compare:
            found = drift.compare(previous, state, "history")
        if found is not None and clouds is not None:
            attribution.attribute(
                found, clouds, live_inventories(scan), outcome.checks, outcome.results
            )
            if found.against == "history":  # recorded: it explains previous -> this
                state.attributions = found.attributions
                state.causes = found.causes
        if ctx.store is not None:
            ctx.store.record(state)
            if found is not None:
                found.after_id = state.id
    finally:
        if ctx.store is not None:
            ctx.store.close()
    return outcome, found


def live_inventories(scan: ScanInput) -> dict[str, list[Inventory]]:
    """The inventories of a live scan by cloud, organization ones first (none when offline)."""
    out: dict[str, list[Inventory]] = {}
    for scope in scan.scopes:
        invs = [scope.inventory, *scope.tenants]
        if not any(inv.offline for inv in invs):
            out.setdefault(scope.organization.cloud, []).extend(invs)
    return {cloud: sorted(invs, key=lambda i: i.tenant is not None) for cloud, invs in out.items()}


def _pick(store: HistoryStore, args: argparse.Namespace) -> tuple[drift.ScanState | None, Any]:
    """(before, after) for ``logwarden drift``."""
    if args.scans:
        if len(args.scans) != 2:
            raise fail("argv", None, "give two scan ids (SCAN_A SCAN_B) or none", "see --list")
        return store.load(args.scans[0]), store.load(args.scans[1])
    after = store.latest(args.scope)
    if after is None:
        raise fail(store.url, None, "no scan recorded yet", "run logwarden scan --history URL")
    if args.baseline:
        return baseline.load(args.baseline), after
    same_scope = store.scans(after.scope)
    earlier = same_scope[: [s[0] for s in same_scope].index(after.id)]
    since = _since(args.since)
    if since is not None:
        before = [s for s in earlier if _recorded_before(s[1], since)] or earlier[:1]
        return (store.load(before[-1][0]) if before else None), after
    return (store.load(earlier[-1][0]) if earlier else None), after


def _since(value: str | None) -> dt.datetime | None:
    """``--since``: a date (midnight UTC) or an ISO 8601 time (UTC when it has no offset)."""
    if value is None:
        return None
    moment = parse_timestamp(value)
    if moment is None:
        raise fail(
            "--since",
            None,
            f"{value!r} is not a date",
            "write a date as YYYY-MM-DD, or a time such as 2026-11-22T05:00:00+00:00",
        )
    return moment


def _recorded_before(time: str, since: dt.datetime) -> bool:
    moment = parse_timestamp(time)
    return moment is not None and moment < since


def drift_command(args: argparse.Namespace, pm: pluggy.PluginManager) -> ExitCode:
    """``logwarden drift``: what changed between two recorded scans."""
    _since(args.since)  # a bad date is a usage error before the store is opened
    store = open_store(args.history, create=False, pm=pm)
    try:
        if args.list:
            for scan_id, time, scope in store.scans(args.scope):
                print(f"{scan_id}\t{printable(time)}\t{printable(scope)}")
            return ExitCode.OK
        before, after = _pick(store, args)
        result = drift.compare(before, after, "baseline" if args.baseline else "history")
        _attach_recorded(store, result, before, after)
    finally:
        store.close()
    from logwarden.reports import console, drift_view, json_report

    view = drift_view.of(result)
    if args.format == "json":
        print(json.dumps(json_report.drift_doc(view), indent=1, sort_keys=True, default=str))
    else:
        print("\n".join(console.drift_text(view)))
    return ExitCode.OK


def _attach_recorded(
    store: HistoryStore,
    result: drift.Drift,
    before: drift.ScanState | None,
    after: drift.ScanState,
) -> None:
    """Who made the drift, as the scans after ``before`` up to ``after`` recorded it."""
    ids = [s[0] for s in store.scans(after.scope)]
    if after.id not in ids or before is None or not before.id or before.id not in ids:
        return  # a baseline, or scans of another scope: nothing recorded for this interval
    first, last = ids.index(before.id), ids.index(after.id)
    if first >= last:
        return  # backwards in time: the recorded events made the opposite change
    found, causes = store.attributions(ids[first + 1 : last + 1])
    drifted = {(c.kind, c.resource_id) for c in result.changes}
    drifted |= {(r.kind, r.id) for r in result.removed_resources}
    result.attributions = {k: v for k, v in found.items() if k in drifted}
    regressions = {r.fingerprint for r in result.regressions}
    result.causes = {
        fp: [k for k in keys if k in result.attributions]
        for fp, keys in causes.items()
        if fp in regressions and any(k in result.attributions for k in keys)
    }
    if result.attributions:
        result.window = (before.time, after.time)


REPORT_FIX = "pass a report.json written by logwarden scan"
REPORT_FIELDS: Spec = {
    "scan": ((dict,), True),
    "organizations": ((list,), True),
    "results": ((list,), True),
}
ORGANIZATION_FIELDS: Spec = {"cloud": ((str,), True), "id": ((str,), True)}


def _state_from_report(path: Path) -> drift.ScanState:
    """The results of a report.json as a scan state (no resources: reports do not keep them)."""
    doc = json_input.read(path, label="report file", option="--report", fix=REPORT_FIX)
    shape = Shape(str(path), REPORT_FIX, what="not a logwarden report.json: ")
    if shape.fields(doc, REPORT_FIELDS, "$", others=True):
        shape.fields(doc["scan"], {"started_at": ((str,), True)}, "scan", others=True)
        shape.each(doc["organizations"], ORGANIZATION_FIELDS, "organizations", others=True)
        shape.each(doc["results"], baseline.RESULT_FIELDS, "results", others=True)
    shape.raise_problems()
    orgs = doc["organizations"]
    clouds = tuple(sorted({o["cloud"] for o in orgs}))
    state = drift.ScanState(
        id="",
        time=doc["scan"]["started_at"],
        clouds=clouds,
        scope=drift.scope_key(clouds, (o["id"] for o in orgs)),
    )
    fields = drift.ResultRow.__dataclass_fields__
    state.results = drift.index_rows(
        drift.ResultRow(**{k: v for k, v in r.items() if k in fields}) for r in doc["results"]
    )
    return state


def baseline_command(args: argparse.Namespace, pm: pluggy.PluginManager) -> ExitCode:
    """``logwarden baseline save FILE``: the accepted state from history or a report.json."""
    if bool(args.history) == bool(args.report):
        raise fail("argv", None, "give one of --history or --report", "see baseline save --help")
    check_writable([("baseline save", args.file, False)])
    if args.report:
        state = _state_from_report(args.report)
    else:
        store = open_store(args.history, create=False, pm=pm)
        try:
            found = store.load(args.scan) if args.scan else store.latest(args.scope)
        finally:
            store.close()
        if found is None:
            raise fail(args.history, None, "no scan recorded yet", "run a scan with --history")
        state = found
    write_atomic(args.file, baseline.dumps(state))
    print(f"wrote {args.file}: {len(state.results)} results, {len(state.resources)} resources")
    return ExitCode.OK
