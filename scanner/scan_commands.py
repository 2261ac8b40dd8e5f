"""``logwarden scan`` and ``logwarden merge``: a scan (whole, one shard, or on a Dask cluster)
or merged shard reports, written as reports, with the exit code of the gate."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from logwarden.scanner import drift_commands, engine, progress, shards, snapshot
from logwarden.scanner import merge as merge_reports
from logwarden.scanner.commands import (
    DEFAULT_JOBS,
    _blocked,
    _catalogue,
    _flatten,
    _gate,
    _select_clouds,
)
from logwarden.scanner.config import ScanConfig, load_config
from logwarden.scanner.errors import InputError, Problem, fail, warn
from logwarden.scanner.models import ExitCode, ResourceKind, ScanReport
from logwarden.scanner.outputs import check_writable, report_outputs, write_atomic
from logwarden.scanner.plugins import plugin_names, unknown_plugins
from logwarden.scanner.registry import Registry
from logwarden.scanner.report import build_report, publish
from logwarden.scanner.rules import Catalogue
from logwarden.scanner.runners import PlanRunner
from logwarden.scanner.spill import InventorySpill


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
    if args.inventory and args.cloud:
        problems.append(
            Problem(
                "argv",
                None,
                "--inventory and --cloud conflict: the clouds come from the inventory file",
                "drop --cloud",
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
    if args.jobs is not None and args.jobs < 1:
        problems.append(
            Problem(
                "argv", None, f"--jobs must be at least 1, not {args.jobs}", "use e.g. --jobs 8"
            )
        )
    if problems:
        raise InputError(problems)


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
    saved = snapshot.read(args.inventory, registry.clouds) if args.inventory else None
    clouds = (
        snapshot.clouds_in(saved)
        if saved is not None
        else _select_clouds(registry, _flatten(args.cloud), cfg)
    )
    kinds = registry.kinds(clouds)
    shard = shards.parse_shard(args.shard) if args.shard else None
    runner = (
        dask_runner(args.dask_scheduler, cfg, clouds, registry.blocked)
        if args.dask_scheduler
        else None
    )
    outputs = report_outputs(args, registry.reporters)
    if args.save_inventory:
        check_writable([("--save-inventory", args.save_inventory, False)])
    catalogue = _catalogue(registry, clouds, cfg, args.rules)
    if args.inventory:
        scan_input = snapshot.load(
            args.inventory, kinds, catalogue.parameters, saved, registry.terms(clouds)
        )
    else:
        settings = {
            cloud: registry.clouds[cloud].settings(cfg.clouds.get(cloud, {}), cfg.file, args)
            for cloud in clouds
        }
        scan_input = engine.discover(registry.clouds, settings, kinds, catalogue.parameters)
    gate = _gate(args, cfg)
    spill = InventorySpill() if args.save_inventory else None
    try:
        with _progress(args, scan_input, catalogue, clouds, kinds, shard):
            outcome = engine.evaluate_scan(
                scan_input,
                catalogue,
                jobs=args.jobs or cfg.jobs or DEFAULT_JOBS,
                waivers=cfg.waivers,
                shard=shard,
                runner=runner,
                spill=spill,
                release=history is None,
            )
        if shard is not None:
            config = shards.config_digest(cfg, clouds, gate)
            tenants = [inv.tenant for s in scan_input.scopes for inv in s.tenants if inv.tenant]
            info = shards.shard_info(shard, tenants, config, shards.scan_id(args.scan_id))
            outcome = replace(outcome, shard=info)
        found = None
        if history is not None:
            outcome, found = drift_commands.compare_scan(
                history, outcome, scan_input, registry.clouds
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
    files += [(path, partial(registry.reporters[name].render, report)) for name, path in outputs]
    written, failed = _write_all(files)
    if not args.quiet:
        from logwarden.reports import console

        sys.stdout.write(console.render(report))
        for path in written:
            print(f"wrote {path}")
    if failed:  # checked before the scan, so something changed since: say so, exit 2
        raise InputError(failed)
    return report.exit_code


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
    address: str, cfg: ScanConfig, clouds: list[str], blocked: Sequence[str]
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
    return dask_run.DaskRunner(address, sections, blocked)


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
    if args.inventory or args.dask_scheduler or not progress.enabled(sys.stderr, args.quiet):
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
    return progress.ScanProgress(scan_input, needed, sys.stderr)
