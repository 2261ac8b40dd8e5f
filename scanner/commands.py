"""The sub-commands: each turns parsed arguments into work and an exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import importlib.metadata
import json
import sys
from pathlib import Path
from typing import Any

from logwarden.scanner import (
    completion,
    drift_commands,
    frameworks_command,
    json_schema,
    waiver_files,
    waivers_command,
)
from logwarden.scanner.config import STARTER, ScanConfig, load_config
from logwarden.scanner.errors import fail
from logwarden.scanner.models import Check, ExitCode, Gate, Severity
from logwarden.scanner.outputs import check_writable, write_atomic
from logwarden.scanner.printable import printable
from logwarden.scanner.registry import Registry
from logwarden.scanner.rules import Catalogue, builtin_rules_path, load_catalogue

# Measured best for 200 accounts x 2 regions with 50 ms per API call (bench/RESULTS.md).
DEFAULT_JOBS = 16
# Without --cloud and without clouds in the config: the current AWS credentials.
DEFAULT_CLOUD = "aws"


def version() -> str:
    """The installed logwarden version (``0+unknown`` when running from a bare tree)."""
    try:
        return importlib.metadata.version("logwarden")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def dispatch(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """Run the sub-command named in ``args`` with the run's registry."""
    if args.command in ("scan", "merge"):
        from logwarden.scanner import scan_commands  # it uses this module's helpers

        if args.command == "scan":
            return scan_commands.scan(args, registry)
        return scan_commands.merge(args, registry)
    if args.command == "controls":
        return list_controls(args, registry)
    if args.command == "schema":
        print(json.dumps(_schema(args.document, registry), indent=2))
        return ExitCode.OK
    if args.command == "waivers":
        return list_waivers(args, registry)
    if args.command == "frameworks":
        return show_frameworks(args, registry)
    if args.command == "rules":
        return validate_rules(args, registry)
    if args.command == "init":
        return init(args)
    if args.command == "completion":
        sys.stdout.write(completion.script(args.shell, args.parser))
        return ExitCode.OK
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


def _control_doc(c: Check, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "id": c.id,
        "cloud": c.cloud,
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
            **{k: catalogue.parameters[k] for k in c.parameters if k in catalogue.parameters},
            **dict(c.parameters),
        },
        "source": c.source,
    }


def _controls_of(args: argparse.Namespace, registry: Registry) -> tuple[list[Check], Catalogue]:
    """The enabled controls of ``--cloud`` (default: every installed cloud)."""
    clouds = registry.select(_flatten(args.cloud) or list(registry.clouds))
    catalogue = _catalogue(registry, clouds, ScanConfig(), args.rules)
    return catalogue.enabled_checks(set(clouds)), catalogue


def list_controls(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden controls list``: every installed cloud's controls (or ``--cloud``'s) as a
    table or JSON; ``controls show ID``: one control whole."""
    checks, catalogue = _controls_of(args, registry)
    if args.controls_command == "show":
        return _show_control(args.control, checks, catalogue)
    if args.format == "json":
        print(json.dumps([_control_doc(c, catalogue) for c in checks], indent=2))
        return ExitCode.OK
    width = max(len(c.id) for c in checks) if checks else 10
    title_width = min(72, max((len(c.title) for c in checks), default=5))
    print(
        f"{'ID'.ljust(width)}  {'CLOUD':6}  {'SEVERITY':8}  {'SCOPE':12}  "
        f"{'TITLE'.ljust(title_width)}  FRAMEWORKS"
    )
    for c in checks:
        title = printable(c.title)
        title = title if len(title) <= title_width else title[: title_width - 1] + "…"
        print(
            f"{c.id.ljust(width)}  {c.cloud:6}  {c.severity.value:8}  {c.scope.value:12}  "
            f"{title.ljust(title_width)}  {','.join(sorted(c.frameworks))}"
        )
    return ExitCode.OK


def _show_control(control_id: str, checks: list[Check], catalogue: Catalogue) -> ExitCode:
    """``controls show ID``: rationale, parameters, remediation, frameworks, references."""
    check = next((c for c in checks if c.id == control_id), None)
    if check is None:
        close = difflib.get_close_matches(control_id, [c.id for c in checks], n=3)
        raise fail(
            "argv",
            None,
            f"unknown control {control_id!r}",
            f"did you mean {', '.join(close)}?"
            if close
            else "see the ids with: logwarden controls list",
        )
    doc = _control_doc(check, catalogue)
    out = [
        f"{check.id}: {check.title}",
        f"  cloud {check.cloud} · severity {check.severity.value} · scope {check.scope.value}"
        f" · {check.implementation.value} control ({check.source})",
        f"  resource kinds: {', '.join(check.kinds) or '-'}",
        "",
        "Rationale:",
        *(f"  {line}" for line in check.rationale.strip().splitlines()),
    ]
    if doc["parameters"]:
        out += ["", "Parameters (override in logwarden.yaml under parameters/overrides):"]
        out += [f"  {k}: {json.dumps(v)}" for k, v in doc["parameters"].items()]
    out += ["", "Remediation:", *(f"  {ln}" for ln in check.remediation.text.strip().splitlines())]
    for label, snippet in (
        ("CLI", check.remediation.cli),
        ("Terraform", check.remediation.terraform),
    ):
        if snippet:
            out += ["", f"{label}:", *(f"  {ln}" for ln in snippet.rstrip().splitlines())]
    if check.frameworks:
        out += ["", "Frameworks:"]
        for fw, ids in sorted(check.frameworks.items()):
            partial = set(check.partial_frameworks.get(fw, ()))
            out.append(
                f"  {fw}: " + ", ".join(f"{i} (partial)" if i in partial else i for i in ids)
            )
    if check.references:
        out += ["", "References:", *(f"  {r}" for r in check.references)]
    print("\n".join(printable(line) for line in out))
    return ExitCode.OK


def _schema(document: str, registry: Registry) -> dict[str, Any]:
    """The JSON Schema of ``document`` for every installed cloud."""
    if document == "config":
        return json_schema.config_schema(registry.clouds)
    if document == "rules":
        clouds = list(registry.clouds)
        return json_schema.rules_schema(sorted(registry.kinds(clouds)), clouds)
    return json_schema.waivers_schema()


def list_waivers(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden waivers list``: the config's waivers and ``--waivers`` files'."""
    cfg = load_config(args.config)
    found = [*cfg.waivers, *waiver_files.load_files(args.waivers)]
    clouds = list(registry.clouds)
    checks = _catalogue(registry, clouds, cfg, []).enabled_checks(set(clouds))
    sys.stdout.write(waivers_command.render(found, checks, dt.date.today(), args.format))
    return ExitCode.OK


def show_frameworks(args: argparse.Namespace, registry: Registry) -> ExitCode:
    """``logwarden frameworks list|show``: coverage by every installed cloud's controls."""
    clouds = list(registry.clouds)
    checks = _catalogue(registry, clouds, ScanConfig(), args.rules).enabled_checks(set(clouds))
    frameworks_command.run(
        args.frameworks_command, getattr(args, "framework", None), args.format, checks
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
