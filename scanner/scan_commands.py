"""``logwarden scan`` and ``logwarden merge``: a scan (whole, one shard, or on a Dask cluster)
or merged shard reports, written as reports, with the exit code of the gate."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from logwarden.scanner import (
    drift_commands,
    engine,
    facts_file,
    logs,
    progress,
    runners,
    shards,
    snapshot,
    waiver_files,
    waivers,
)
from logwarden.scanner import merge as merge_reports
from logwarden.scanner.commands import (
    DEFAULT_JOBS,
    _blocked,
    _catalogue,
    _flatten,
    _gate,
    _select_clouds,
    version,
)
from logwarden.scanner.config import ScanConfig, load_config
from logwarden.scanner.errors import InputError, Problem, fail, warn
from logwarden.scanner.frameworks import builtin_frameworks
from logwarden.scanner.models import ExitCode, Reporter, ResourceKind, ScanReport, Waiver
from logwarden.scanner.outputs import check_writable, quiet_stdout, report_outputs, write_atomic
from logwarden.scanner.plan import ScanPlan
from logwarden.scanner.plugins import plugin_names, unknown_plugins
from logwarden.scanner.printable import printable
from logwarden.scanner.registry import Registry
from logwarden.scanner.report import ScanOutcome, build_report, publish
from logwarden.scanner.rules import Catalogue
from logwarden.scanner.runners import PlanRunner
from logwarden.scanner.selection import Selection, keep_regions, select_controls
from logwarden.scanner.spill import InventorySpill
from logwarden.scanner.tenant_selection import TenantFilter, select_scopes


def _check_options(args: argparse.Namespace) -> None:
    problems = []
    if args.inventory and args.save_inventory:
        problems.append(
            Problem(
                "argv",
                None,
                "--inventory and --save-inventory conflict",
                "evaluate a saved inventory, or save a new one, not both",
            )
        )
    notify_url = getattr(args, "notify", None)
    if notify_url and urllib.parse.urlsplit(notify_url).scheme not in ("http", "https"):
        problems.append(
            Problem(
                "--notify",
                None,
                f"{notify_url!r} is not an http(s) URL",
                "give the webhook's URL, e.g. https://hooks.slack.com/services/...",
            )
        )
    if args.shard and (args.history or args.drift or args.baseline):
        problems.append(
            Problem(
                "argv",
                None,
                "--shard cannot be combined with --history, --drift or --baseline: a shard "
                "is part of a scan",
                "scan without --shard to record history or compare with a baseline",
            )
        )
    if args.dask_scheduler and (args.history or args.drift or args.baseline):
        problems.append(
            Problem(
                "argv",
                None,
                "--dask-scheduler cannot be combined with --history, --drift or --baseline: "
                "the resources stay on the workers",
                "scan in this process to record history or compare with a baseline",
            )
        )
    if args.dask_scheduler and args.inventory:
        problems.append(
            Problem(
                "argv",
                None,
                "--dask-scheduler and --inventory conflict: a saved inventory is evaluated here",
                "drop --dask-scheduler",
            )
        )
    problems += _facts_problems(args)
    if args.jobs is not None and args.jobs < 1:
        problems.append(
            Problem(
                "argv", None, f"--jobs must be at least 1, not {args.jobs}", "use e.g. --jobs 8"
            )
        )
    if problems:
        raise InputError(problems)


def _facts_problems(args: argparse.Namespace) -> list[Problem]:
    """What ``--save-facts``, ``--facts`` and ``--facts-max-age`` cannot be combined with."""
    problems = []
    if args.save_facts:
        others = {
            "--shard": args.shard,
            "--facts": args.facts,
            "--inventory": args.inventory,
            "--save-inventory": args.save_inventory,
            "--dask-scheduler": args.dask_scheduler,
            "--history": args.history,
            "--drift": args.drift,
            "--baseline": args.baseline,
            "--security-hub": args.security_hub,
            "--notify": args.notify,
            "a report option (--format, --output, --json, ...)": (
                _flatten(args.format) or args.output or vars(args).get("report_paths")
            ),
        }
        used = [name for name, value in others.items() if value]
        if used:
            problems.append(
                Problem(
                    "argv",
                    None,
                    f"--save-facts cannot be combined with {', '.join(used)}: it collects the "
                    "facts the shards share and evaluates nothing",
                    "run --save-facts FILE alone first, then each shard with --shard I/N "
                    "--facts FILE and its report options",
                )
            )
    if args.facts and not args.shard:
        problems.append(
            Problem(
                "--facts",
                None,
                "--facts is read by a shard: it holds what the shards of one scan share",
                "add --shard I/N (a whole scan collects its facts itself)",
            )
        )
    if args.facts and (args.inventory or args.dask_scheduler):
        problems.append(
            Problem(
                "argv",
                None,
                "--facts cannot be combined with --inventory or --dask-scheduler",
                "scan a shard live with --shard I/N --facts FILE",
            )
        )
    if args.facts_max_age is not None and (not args.facts or args.facts_max_age <= 0):
        problems.append(
            Problem(
                "--facts-max-age",
                None,
                "--facts-max-age needs --facts and a positive number of hours",
                "e.g. --facts FILE --facts-max-age 24",
            )
        )
    return problems


def scan(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden scan``: scan (or evaluate a saved inventory), write reports, gate."""
    _check_options(args)
    pm = registry.pm
    history = drift_commands.prepare(args, pm)
    cfg = load_config(args.config)
    for name in unknown_plugins(_blocked(args.plugin_opts)):
        warn(
            f"-p no:{name}: no plugin is named {name!r}, nothing was disabled "
            f"(plugins: {', '.join(plugin_names())})"
        )
    selection = Selection.from_args(args)
    all_waivers = [*cfg.waivers, *waiver_files.load_files(args.waivers)]
    today = dt.date.today()
    saved = snapshot.read(args.inventory, registry.clouds) if args.inventory else None
    if saved is not None:
        clouds = snapshot.clouds_in(saved, registry.select(_flatten(args.cloud)))
        saved = snapshot.only_clouds(saved, clouds)
    else:
        clouds = _select_clouds(registry, _flatten(args.cloud), cfg)
    kinds = registry.kinds(clouds)
    shard = shards.parse_shard(args.shard) if args.shard else None
    runner = (
        dask_runner(args.dask_scheduler, cfg, clouds, registry.blocked, selection.regions)
        if args.dask_scheduler
        else None
    )
    outputs = report_outputs(args, registry.reporters)
    if args.save_inventory:
        check_writable([("--save-inventory", args.save_inventory, False)])
    if args.save_facts:
        check_writable([("--save-facts", args.save_facts, False)])
    catalogue = select_controls(
        _catalogue(registry, clouds, cfg, args.rules), clouds, selection, builtin_frameworks()
    )
    tenants = TenantFilter(selection) if selection.narrows_tenants else None
    facts = None
    if args.inventory:
        scan_input = snapshot.load(
            args.inventory, kinds, catalogue.parameters, saved, registry.terms(clouds)
        )
        if tenants is not None:
            select_scopes(scan_input, tenants)
    else:
        scan_input, facts = _live_input(
            args, registry, cfg, clouds, kinds, catalogue, selection.label(), tenants, shard
        )
    if args.save_facts:
        key = _facts_key(cfg, clouds, catalogue, selection.label())
        return save_facts(args, cfg, scan_input, catalogue, key)
    if tenants is not None:
        tenants.warn_unmatched()
    gate = _gate(args, cfg)
    # With history, each tenant's collections wait on disk for the comparison (drift.py), so
    # the scan can release them as it goes, as any other scan does.
    spill = InventorySpill() if args.save_inventory or history is not None else None
    keep = _attribution_reads(registry, clouds) if history is not None else ()
    try:
        with _progress(args, scan_input, catalogue, clouds, kinds, shard):
            outcome = engine.evaluate_scan(
                scan_input,
                catalogue,
                jobs=args.jobs or cfg.jobs or DEFAULT_JOBS,
                waivers=all_waivers,
                today=today,
                shard=shard,
                runner=runner,
                spill=spill,
                release=True,
                keep=keep,
            )
        if shard is not None:
            config = shards.config_digest(cfg, clouds, gate, all_waivers, selection.label())
            scanned = [inv.tenant for s in scan_input.scopes for inv in s.tenants if inv.tenant]
            scan_id = shards.scan_id(args.scan_id) or (facts.header.scan_id if facts else None)
            facts_id = facts.header.id if facts else None
            info = shards.shard_info(shard, scanned, config, scan_id, facts_id)
            outcome = replace(outcome, shard=info)
        outcome = _selected(outcome, selection, all_waivers, today)
        found = None
        if history is not None:
            outcome, found = drift_commands.compare_scan(
                history, outcome, scan_input, registry.clouds, selection.label(), spill
            )
        report = build_report(outcome, gate, found)
        extra: list[tuple[Path, Callable[[], Content]]] = []
        if args.save_inventory:
            save = partial(
                snapshot.write, scan=scan_input, created_at=report.finished_at, spill=spill
            )
            extra.append((args.save_inventory, lambda: save))
        return finish(args, registry, report, outputs, extra)
    finally:
        if spill is not None:
            spill.close()


def _live_input(
    args: argparse.Namespace,
    registry: Registry,
    cfg: ScanConfig,
    clouds: list[str],
    kinds: Mapping[str, ResourceKind],
    catalogue: Catalogue,
    selection: str,
    tenants: TenantFilter | None,
    shard: shards.Shard | None,
) -> tuple[engine.ScanInput, facts_file.Facts | None]:
    """What a live scan scans: the organizations and tenants it discovers, or those of the
    ``--facts`` file with its facts installed (the file checked against this shard's plan)."""
    settings = {
        cloud: registry.clouds[cloud].settings(cfg.clouds.get(cloud, {}), cfg.file, args)
        for cloud in clouds
    }
    if not args.facts:
        found = engine.discover(
            registry.clouds, settings, kinds, catalogue.parameters, select=tenants
        )
        return found, None
    facts = facts_file.read(args.facts, list(registry.clouds))
    max_age = args.facts_max_age or facts_file.DEFAULT_MAX_AGE_HOURS
    key = _facts_key(cfg, clouds, catalogue, selection)
    facts_file.check_made(facts, key, version(), max_age)
    terms = registry.terms(clouds)
    scan_input = facts_file.live_scan(
        facts, registry.clouds, settings, kinds, catalogue.parameters, terms
    )
    if tenants is not None:  # selected when the facts were collected: this only counts them
        select_scopes(scan_input, tenants)
    checks = catalogue.enabled_checks(set(clouds))
    facts_file.check_kinds(facts, ScanPlan.of(scan_input, checks, catalogue.parameters, shard))
    return scan_input, facts


def _facts_key(cfg: ScanConfig, clouds: list[str], catalogue: Catalogue, selection: str) -> str:
    sections = {cloud: cfg.clouds.get(cloud, {}) for cloud in clouds}
    return facts_file.facts_key(version(), clouds, sections, catalogue.parameters, selection)


def save_facts(
    args: argparse.Namespace,
    cfg: ScanConfig,
    scan_input: engine.ScanInput,
    catalogue: Catalogue,
    key: str,
) -> ExitCode:
    """``--save-facts FILE``: collect the facts the shards share, write them, evaluate
    nothing. Collection errors are in the file: the shards report them (shard 1 the
    organization's, each tenant's shard its own), so the run itself exits 0 once it is
    written."""
    clouds = {s.organization.cloud for s in scan_input.scopes}
    plan = ScanPlan.of(scan_input, catalogue.enabled_checks(clouds), catalogue.parameters, None)
    runners.collect_shared(plan, args.jobs or cfg.jobs or DEFAULT_JOBS)
    head = facts_file.header(plan, key, version(), shards.scan_id(args.scan_id))
    write_atomic(args.save_facts, partial(facts_file.write, scan=scan_input, head=head))
    if not args.quiet:
        tenants = sum(len(s.tenants) for s in scan_input.scopes)
        errors = len(scan_input.errors) + sum(
            len(inv.errors()) for s in scan_input.scopes for inv in [s.inventory, *s.tenants]
        )
        print(
            f"collected the shared facts of {len(scan_input.scopes)} organization(s) and "
            f"{tenants} tenant(s): {len(head.organization_kinds)} organization kind(s), "
            f"{len(head.peer_kinds)} tenant kind(s), {errors} error(s) (the shards report them)"
        )
        print(f"wrote {args.save_facts}")
    return ExitCode.OK


def _attribution_reads(registry: Registry, clouds: Sequence[str]) -> set[str]:
    """The kinds the scanned clouds' attribution reads from the inventories afterwards."""
    return {kind for cloud in clouds for kind in registry.clouds[cloud].attribution_reads}


def _selected(
    outcome: ScanOutcome, selection: Selection, all_waivers: Sequence[Waiver], today: dt.date
) -> ScanOutcome:
    """The outcome as the run-time selection shows it: the frameworks asked about, the
    waivers that went stale, only the rows of ``--regions``."""
    if selection.frameworks:
        outcome = replace(outcome, frameworks=selection.frameworks)
    unused = waivers.stale(all_waivers, outcome.results, [c.id for c in outcome.checks], today)
    outcome = replace(outcome, stale_waivers=tuple(unused))
    if selection.regions:
        results, errors = keep_regions(outcome.results, outcome.errors, selection.regions)
        outcome = replace(outcome, results=results, errors=errors)
    return outcome


#: A file's content: its text, or a function writing it (see ``outputs.write_atomic``).
Content = str | Callable[[TextIO], None]


def finish(
    args: argparse.Namespace,
    registry: Registry,
    report: ScanReport,
    outputs: list[tuple[str, Path]],
    extra: Sequence[tuple[Path, Callable[[], Content]]] = (),
) -> ExitCode:
    """Publish ``report`` to the plugins, write ``extra`` files and the reports, print the
    summary (unless ``--quiet``); the report's exit code."""
    publish(registry.pm, report)
    files = [*extra]
    files += [(path, _content(registry.reporters[name], report)) for name, path in outputs]
    written, failed = _write_all(files)
    if not args.quiet:
        from logwarden.reports import console

        try:
            sys.stdout.write(console.render(report, color=logs.color_enabled(args, sys.stdout)))
            for path in written:
                print(f"wrote {path}")
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reports are written, the exit code stands
            quiet_stdout()
    if failed:  # checked before the scan, so something changed since: say so, exit 2
        raise InputError(failed)
    delivered = _export(args, report, written)
    if not delivered and report.exit_code is ExitCode.OK:
        return ExitCode.INCOMPLETE  # a clean scan whose results did not reach their readers
    return report.exit_code


def _export(args: argparse.Namespace, report: ScanReport, written: Sequence[Path]) -> bool:
    """Security Hub and the webhook, when asked; whether everything asked was delivered."""
    delivered = True
    if getattr(args, "security_hub", False):
        from logwarden.reports import security_hub

        sent = security_hub.export(report, args.security_hub_region)
        if sent.ok:
            if not args.quiet:
                print(f"Security Hub: {sent.imported} findings imported, {sent.archived} archived")
        else:
            delivered = False
            why = sent.error or f"{len(sent.failed)} refused, first: {sent.failed[0]}"
            print(
                f"logwarden: error: Security Hub export failed: {printable(why)}", file=sys.stderr
            )
    if getattr(args, "notify", None):
        from logwarden.reports import notify

        error = notify.send(args.notify, notify.payload(report, [str(p) for p in written]))
        if error:
            delivered = False
            print(f"logwarden: error: --notify failed: {printable(error)}", file=sys.stderr)
    return delivered


def merge(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden merge REPORT...``: the shard reports of one scan as one report."""
    outputs = report_outputs(args, registry.reporters)
    found = merge_reports.read_shards(args.reports)
    merge_reports.check_complete(found)
    clouds = [c for c in registry.clouds]
    report = merge_reports.merged_report(found, registry.terms(clouds))
    return finish(args, registry, report, outputs)


DASK_INSTALL = 'pip install "logwarden[dask]"'


def dask_runner(
    address: str,
    cfg: ScanConfig,
    clouds: list[str],
    blocked: Sequence[str],
    regions: Sequence[str] = (),
) -> PlanRunner:
    """The runner of ``--dask-scheduler ADDRESS``; a usage error naming the install command
    when Dask is not installed (the default install does not depend on it)."""
    try:
        from logwarden.scanner import dask_run
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] not in ("dask", "distributed"):
            raise
        raise fail(
            "--dask-scheduler",
            None,
            "Dask is not installed (the dask.distributed client runs the scan on a cluster)",
            f"install it: {DASK_INSTALL}",
        ) from None
    sections = {cloud: (cfg.clouds.get(cloud, {}), cfg.file) for cloud in clouds}
    return dask_run.DaskRunner(address, sections, blocked, regions)


def _content(reporter: Reporter, report: ScanReport) -> Callable[[], Content]:
    """How to make ``reporter``'s file: streamed when the format can, else rendered whole."""
    write = reporter.write
    if write is None:
        return partial(reporter.render, report)
    return lambda: partial(write, report)


def _write_all(
    files: Sequence[tuple[Path, Callable[[], Content]]],
) -> tuple[list[Path], list[Problem]]:
    """Write every file that can be written; (written, problems of the others)."""
    written: list[Path] = []
    failed: list[Problem] = []
    for path, render in files:
        try:
            write_atomic(path, render())
        except InputError as exc:
            failed.extend(exc.problems)
        else:
            written.append(path)
    return written, failed


def _progress(
    args: argparse.Namespace,
    scan_input: engine.ScanInput,
    catalogue: Catalogue,
    clouds: list[str],
    kinds: Mapping[str, ResourceKind],
    shard: shards.Shard | None,
) -> contextlib.AbstractContextManager[object]:
    """The progress line of a live scan in this process on a terminal (of a shard's own
    tenants); nothing otherwise (a Dask scan's inventories are on the workers)."""
    shown = progress.mode(sys.stderr, args.quiet)
    if args.inventory or args.dask_scheduler or shown is None:
        return contextlib.nullcontext()
    needed = progress.needed_kinds(catalogue.enabled_checks(set(clouds)), kinds)
    if shard is not None:
        scopes = [
            engine.Scope_(
                s.organization,
                s.inventory,
                [i for i in s.tenants if i.tenant and shard.owns(i.tenant)],
            )
            for s in scan_input.scopes
        ]
        scan_input = engine.ScanInput(scopes, scan_input.errors, scan_input.clouds)
    if shown == "plain":
        every = args.progress_every or progress.PLAIN_EVERY_SECONDS
        return progress.ScanProgress(scan_input, needed, sys.stderr, interval=every, plain=True)
    return progress.ScanProgress(scan_input, needed, sys.stderr)
