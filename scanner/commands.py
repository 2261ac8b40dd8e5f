"""The sub-commands: each turns parsed arguments into work and an exit code."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from logwarden.scanner import drift_commands
from logwarden.scanner.config import STARTER, ScanConfig
from logwarden.scanner.errors import fail
from logwarden.scanner.models import ExitCode, Gate, Severity
from logwarden.scanner.outputs import check_writable, write_atomic
from logwarden.scanner.printable import printable
from logwarden.scanner.registry import Registry
from logwarden.scanner.rules import Catalogue, builtin_rules_path, load_catalogue

# Measured best for 200 accounts x 2 regions with 50 ms per API call (bench/RESULTS.md).
DEFAULT_JOBS = 16
# Without --cloud and without clouds in the config: the current AWS credentials.
DEFAULT_CLOUD = "aws"


def dispatch(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """Run the sub-command named in ``args`` with the run's registry."""
    if args.command in ("scan", "merge"):
        from logwarden.scanner import scan_commands  # it uses this module's helpers

        if args.command == "scan":
            return scan_commands.scan(args, registry)
        return scan_commands.merge(args, registry)
    if args.command == "controls":
        return list_controls(args, registry)
    if args.command == "rules":
        return validate_rules(args, registry)
    if args.command == "init":
        return init(args)
    if args.command in ("drift", "baseline"):
        if args.command == "drift":
            return drift_commands.drift_command(args, registry.pm)
        return drift_commands.baseline_command(args, registry.pm)
    if args.command == "demo":
        check_writable([("--output", args.output, True)])
        return _sandbox_demo()(args.output)
    raise fail("argv", None, f"unknown command {args.command!r}", "see logwarden --help")


SANDBOX_INSTALL = "pip install ./sandbox  (from a logwarden checkout; or: make demo)"


def _sandbox_demo() -> Any:
    """The demo of the emulators' distribution (logwarden-sandbox), which the logwarden wheel
    does not contain; a usage error naming the install command when it is not installed."""
    try:
        from logwarden_sandbox.demo import run_demo  # imports moto: only for the demo
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("logwarden_sandbox"):
            raise
        raise fail(
            "demo",
            None,
            "the local emulators (the logwarden-sandbox distribution) are not installed",
            f"install them: {SANDBOX_INSTALL}",
        ) from None
    return run_demo


def _flatten(values: list[list[str]]) -> list[str]:
    return [v for group in values for v in group]


def _blocked(plugin_opts: list[str]) -> list[str]:
    blocked = []
    for opt in plugin_opts:
        if not opt.startswith("no:") or len(opt) < 4:
            raise fail(
                "-p",
                None,
                f"unsupported plugin option {opt!r}",
                "use -p no:NAME to disable the plugin NAME",
            )
        blocked.append(opt[3:])
    return blocked


def _catalogue(
    registry: Registry, clouds: list[str], cfg: ScanConfig, extra_rules: list[Path]
) -> Catalogue:
    """The controls of ``clouds``: the built-in catalogue, the plugins' rules files, the
    config's and ``--rules`` files, in that order."""
    files: list[Path | str] = [
        builtin_rules_path(),
        *registry.rules_files,
        *cfg.rules_files,
        *extra_rules,
    ]
    return load_catalogue(
        files,
        kinds=registry.kinds(clouds),
        python_checks=registry.python_checks(clouds),
        clouds=clouds,
        known_clouds=list(registry.clouds),
        disabled=registry.blocked,
        parameters=(cfg.file, cfg.parameters),
        overrides=cfg.overrides,
    )


def _select_clouds(registry: Registry, args_clouds: list[str], cfg: ScanConfig) -> list[str]:
    return registry.select(args_clouds or list(cfg.clouds) or [DEFAULT_CLOUD])


def _fail_on(option: str | None, cfg: ScanConfig) -> Severity | None:
    """--fail-on, else the config's scan.fail_on, else low; "none" never fails on findings."""
    value = option or cfg.fail_on or "low"
    return None if value == "none" else Severity(value)


def _gate(args: argparse.Namespace, cfg: ScanConfig) -> Gate:
    """The gate of ``scan``: options first, then the config file, then the defaults."""
    fail_on_error = args.fail_on_error if args.fail_on_error is not None else cfg.fail_on_error
    return Gate(
        fail_on=_fail_on(args.fail_on, cfg),
        fail_on_error=fail_on_error if fail_on_error is not None else True,
        fail_on_drift=bool(args.fail_on_drift),
        fail_on_changes=args.fail_on_drift == "changes",
    )


def list_controls(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden controls list``: the catalogue as a table or JSON (``--cloud all``: every
    installed cloud's)."""
    clouds = _select_clouds(registry, _flatten(args.cloud), ScanConfig())
    catalogue = _catalogue(registry, clouds, ScanConfig(), args.rules)
    checks = catalogue.enabled_checks(set(clouds))
    if args.format == "json":
        doc: list[dict[str, Any]] = [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity.value,
                "scope": c.scope.value,
                "resource_kinds": list(c.kinds),
                "rationale": c.rationale,
                "remediation": {
                    "text": c.remediation.text,
                    "cli": c.remediation.cli,
                    "terraform": c.remediation.terraform,
                },
                "frameworks": {k: list(v) for k, v in c.frameworks.items()},
                "partial_frameworks": {k: list(v) for k, v in c.partial_frameworks.items()},
                "references": list(c.references),
                "parameters": {
                    **{k: catalogue.parameters[k] for k in c.parameters},
                    **dict(c.parameters),
                },
            }
            for c in checks
        ]
        print(json.dumps(doc, indent=2))
        return ExitCode.OK
    width = max(len(c.id) for c in checks) if checks else 10
    print(f"{'ID'.ljust(width)}  {'SEVERITY':8}  {'SCOPE':12}  TITLE")
    for c in checks:
        print(
            f"{c.id.ljust(width)}  {c.severity.value:8}  {c.scope.value:12}  {printable(c.title)}"
        )
    return ExitCode.OK


def validate_rules(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden rules validate FILE...``: load the files over the built-in catalogue and
    the plugins' rules files, for every installed cloud."""
    shipped = {p.resolve() for p in [builtin_rules_path(), *registry.rules_files]}
    # the shipped catalogues are always loaded first; naming one again is not a second copy
    extra = [p for p in args.files if Path(p).resolve() not in shipped]
    _catalogue(registry, list(registry.clouds), ScanConfig(), extra)
    for path in args.files:
        print(f"{path}: ok")
    return ExitCode.OK


def init(args: argparse.Namespace) -> ExitCode:
    """``logwarden init``: write a commented starter configuration."""
    path: Path = args.path
    check_writable([("init", path, False)])
    if path.exists() and not args.force:
        raise fail(
            str(path), None, "file exists", "use --force to overwrite it, or name another path"
        )
    write_atomic(path, STARTER)
    print(f"wrote {path}; edit it, then run: logwarden scan --config {path}")
    return ExitCode.OK
