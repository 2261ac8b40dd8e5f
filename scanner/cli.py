"""argv -> config -> engine -> reporters -> exit code; nothing else."""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from logwarden.scanner import commands, completion, logs, outputs, selection
from logwarden.scanner.errors import InputError
from logwarden.scanner.models import ExitCode, Reporter
from logwarden.scanner.plugins import create_plugin_manager
from logwarden.scanner.printable import printable
from logwarden.scanner.registry import ALL, Registry

EXIT_CODES_HELP = """\
exit codes:
  0  clean: no unwaived finding at or above --fail-on, nothing left unevaluated
  1  unwaived findings at or above --fail-on (default: low); waived findings never count;
     with --fail-on-drift: only failures new against the baseline or previous scan
     (--fail-on-drift changes: also any configuration change or removed resource)
  2  usage or configuration error (bad option, rules file or config file)
  3  incomplete: some checks could not be evaluated (API error, access denied, throttled)
     and no finding gave 1; never reported as clean (--no-fail-on-error gives 0 instead)
  4  internal error in logwarden (please report it)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"logwarden: error: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE_ERROR)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _add_report_files(command: argparse.ArgumentParser, reporters: Mapping[str, Reporter]) -> None:
    """``--format``, ``--output`` and ``--NAME PATH`` (every format) of ``scan`` and ``merge``."""
    reports = command.add_argument_group(
        "report files",
        "pick formats with --format (files named report.<ext> in --output; --output\n"
        "without --format writes every format), and/or give a format a path of its own\n"
        "(--junit PATH, ...); files are replaced atomically",
    )
    reports.add_argument(
        "--format",
        action="append",
        type=_csv,
        default=[],
        help=f"report formats: {', '.join(reporters)} (repeatable or comma list)",
    )
    reports.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="directory for the --format files (default: ./logwarden-report)",
    )
    outputs.add_format_options(reports, reporters)


def build_parser(registry: Registry) -> argparse.ArgumentParser:
    """The command-line interface of the run's ``registry``: ``--cloud`` names the installed
    clouds, ``scan`` gets a ``--NAME PATH`` option for every registered report format (a
    plugin's too), and plugins add their options to ``scan``."""
    clouds = ", ".join(registry.clouds) or commands.DEFAULT_CLOUD
    reporters = registry.reporters
    parser = _Parser(
        prog="logwarden",
        description="Prove that cloud audit logs are centrally collected, protected and retained.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"logwarden {commands.version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser(
        "scan",
        help="scan the configured tenants",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument("-c", "--config", type=Path, help="scan configuration file (logwarden.yaml)")
    scan.add_argument(
        "--cloud",
        action="append",
        type=_csv,
        default=[],
        help=f"cloud(s) to scan: {clouds} or {ALL} (repeatable or comma list; default: those "
        "in the config)",
    )
    scan.add_argument(
        "--rules",
        action="append",
        type=Path,
        default=[],
        help="extra rules file merged with the built-in catalogue (repeatable)",
    )
    chosen = scan.add_argument_group(
        "selection",
        "what to scan at run time (docs/selection.md); also on --inventory. A control option\n"
        "value that selects no control is exit 2; a tenant pattern matching no tenant is a\n"
        "warning",
    )
    selection.add_control_options(chosen)
    selection.add_tenant_options(chosen)
    _add_report_files(scan, reporters)
    scan.add_argument(
        "--fail-on",
        choices=["critical", "high", "medium", "low", "info", "none"],
        help="exit 1 on unwaived findings at or above this severity; none: never "
        "(default: scan.fail_on in the config, else low)",
    )
    scan.add_argument(
        "--fail-on-error",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="exit 3 when some checks could not be evaluated and no finding gave 1 "
        "(default: on; --no-fail-on-error accepts partial scans)",
    )
    scan.add_argument("-j", "--jobs", type=int, help="tenants scanned in parallel (default: 16)")
    scan.add_argument(
        "--save-inventory",
        type=Path,
        metavar="FILE",
        help="write everything collected (the evidence) to FILE",
    )
    scan.add_argument(
        "--inventory",
        type=Path,
        metavar="FILE",
        help="evaluate a saved inventory offline instead of scanning",
    )
    scale = scan.add_argument_group("past one machine (see docs/scale.md)")
    scale.add_argument(
        "--shard",
        metavar="I/N",
        help="scan shard I of N (a stable 1/N of the tenants); auto/N reads I from the job "
        "runner (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, CI_NODE_INDEX, "
        "LOGWARDEN_SHARD_INDEX); combine the reports with logwarden merge",
    )
    scale.add_argument(
        "--scan-id",
        metavar="ID",
        help="the id shared by the shards of one scan, checked by merge (default: the CI "
        "run's id when there is one)",
    )
    scale.add_argument(
        "--save-facts",
        type=Path,
        metavar="FILE",
        help="collect only the organization facts the shards of one scan share (organization "
        "kinds, and the kinds read across tenants for every tenant), write them to FILE and "
        "evaluate nothing; then scan each shard with --facts FILE",
    )
    scale.add_argument(
        "--facts",
        type=Path,
        metavar="FILE",
        help="with --shard: read the organizations, tenants and shared facts from a "
        "--save-facts FILE instead of discovering and collecting them again",
    )
    scale.add_argument(
        "--facts-max-age",
        type=float,
        metavar="HOURS",
        help="refuse a --facts file collected longer ago than this (default: 12)",
    )
    scale.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the tenants as tasks on this Dask cluster (tcp://host:8786; needs the "
        "[dask] extra)",
    )
    drift = scan.add_argument_group("history and drift (see docs/drift.md)")
    drift.add_argument(
        "--history",
        metavar="URL",
        help="record the scan in this history store (a SQLite file path, sqlite:///path or "
        "postgresql://user@host:port/db) and set first_seen on the results",
    )
    drift.add_argument(
        "--drift",
        action="store_true",
        help="compare with the previous scan of the same scope in --history and name who "
        "made each change from the clouds' audit logs; the drift comes first in every report",
    )
    drift.add_argument(
        "--baseline", type=Path, metavar="FILE", help="compare with an accepted baseline file"
    )
    drift.add_argument(
        "--fail-on-drift",
        nargs="?",
        const="regressions",
        choices=["regressions", "changes"],
        help="exit 1 only on what is new against --baseline (or the previous scan with "
        "--drift) instead of on every finding: new failures (regressions, the default), or "
        "also any configuration change or removed resource (changes)",
    )
    scan.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing but errors (no progress line, no summary)",
    )
    scan.add_argument(
        "--waivers",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a waivers file (version: 1, waivers: [...]) added to the config's waivers "
        "(repeatable)",
    )
    exports = scan.add_argument_group(
        "exports", "send the findings where they are read (docs/exports.md)"
    )
    exports.add_argument(
        "--security-hub",
        action="store_true",
        help="import the findings into AWS Security Hub (ASFF) in the account of the "
        "environment's AWS credentials; findings sent before are updated, not duplicated",
    )
    exports.add_argument(
        "--security-hub-region", metavar="REGION", help="Security Hub's region (default: the SDK's)"
    )
    exports.add_argument(
        "--notify",
        metavar="URL",
        help="POST a JSON summary (gate, counts, new failures, report paths, a Slack-compatible "
        "text) to this webhook",
    )
    scan.add_argument(
        "--progress-every",
        type=float,
        metavar="SECONDS",
        help="without a terminal (CI, cron), print a progress line every SECONDS on stderr "
        "(tenants done, errors so far; default 30)",
    )
    scan.add_argument(
        "-p",
        dest="plugin_opts",
        action="append",
        default=[],
        metavar="no:NAME",
        help="disable a plugin by name",
    )

    merge = sub.add_parser(
        "merge",
        help="combine the shard reports of one scan (--shard) into the report of the whole",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument(
        "reports", nargs="+", type=Path, metavar="REPORT", help="each shard's report.json"
    )
    _add_report_files(merge, reporters)
    merge.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    merge.add_argument(
        "-p",
        dest="plugin_opts",
        action="append",
        default=[],
        metavar="no:NAME",
        help="disable a plugin by name",
    )

    controls = sub.add_parser("controls", help="the control catalogue")
    controls_sub = controls.add_subparsers(
        dest="controls_command", required=True, parser_class=_Parser
    )
    listing = controls_sub.add_parser("list", help="list the controls")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    shown = controls_sub.add_parser(
        "show", help="one control: rationale, parameters, remediation, frameworks, references"
    )
    shown.add_argument("control", metavar="ID", help="a control id (see controls list)")
    for p in (listing, shown):
        p.add_argument(
            "--rules", action="append", type=Path, default=[], help="extra rules file to include"
        )
        p.add_argument(
            "--cloud",
            action="append",
            type=_csv,
            default=[],
            help=f"the controls of these clouds: {clouds} or {ALL} (default: all installed)",
        )

    waivers_cmd = sub.add_parser("waivers", help="waivers: accepted exceptions and their expiry")
    waivers_sub = waivers_cmd.add_subparsers(
        dest="waivers_command", required=True, parser_class=_Parser
    )
    w_list = waivers_sub.add_parser(
        "list", help="every waiver with owner, expiry and the controls it mutes"
    )
    w_list.add_argument("-c", "--config", type=Path, help="logwarden.yaml with waivers")
    w_list.add_argument(
        "--waivers", action="append", type=Path, default=[], metavar="FILE", help="a waivers file"
    )
    w_list.add_argument("--format", choices=["table", "json"], default="table")

    schema_cmd = sub.add_parser(
        "schema",
        help="print the JSON Schema of logwarden.yaml, rules files or waivers files",
        description="For editors: save it and point the YAML language server at it, e.g.\n"
        "  logwarden schema config > logwarden.schema.json\n"
        "  # yaml-language-server: $schema=logwarden.schema.json   (first line of the file)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema_cmd.add_argument("document", choices=["config", "rules", "waivers"])

    fws = sub.add_parser(
        "frameworks",
        help="compliance frameworks: what the controls cover, requirement by requirement",
    )
    fws_sub = fws.add_subparsers(dest="frameworks_command", required=True, parser_class=_Parser)
    fw_list = fws_sub.add_parser(
        "list", help="every framework: requirements, and how many the controls cover fully/partly"
    )
    fw_show = fws_sub.add_parser(
        "show", help="one framework: each requirement's controls, or why it has none"
    )
    fw_show.add_argument("framework", metavar="ID", help="a framework id (see frameworks list)")
    for p in (fw_list, fw_show):
        p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
        p.add_argument(
            "--rules", action="append", type=Path, default=[], help="extra rules file to include"
        )

    rules = sub.add_parser("rules", help="rules files")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    validate = rules_sub.add_parser(
        "validate", help="check rules files against the language and the known resource kinds"
    )
    validate.add_argument("files", nargs="+", type=Path)

    init = sub.add_parser("init", help="write a commented starter logwarden.yaml")
    init.add_argument("path", nargs="?", type=Path, default=Path("logwarden.yaml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    drift_cmd = sub.add_parser(
        "drift", help="what changed between two recorded scans (default: latest vs previous)"
    )
    drift_cmd.add_argument("--history", required=True, metavar="URL", help="the history store")
    drift_cmd.add_argument("scans", nargs="*", metavar="SCAN", help="two scan ids: before after")
    drift_cmd.add_argument(
        "--since", metavar="DATE", help="compare the latest scan with the last one before DATE"
    )
    drift_cmd.add_argument(
        "--baseline", type=Path, metavar="FILE", help="compare the latest scan with a baseline"
    )
    drift_cmd.add_argument("--scope", help="only scans of this scope (see --list)")
    drift_cmd.add_argument("--list", action="store_true", help="list the recorded scans")
    drift_cmd.add_argument("--format", choices=["text", "json"], default="text")

    base = sub.add_parser("baseline", help="accepted-state files for CI (--baseline)")
    base_sub = base.add_subparsers(dest="baseline_command", required=True, parser_class=_Parser)
    save = base_sub.add_parser("save", help="write the accepted state as canonical JSON")
    save.add_argument("file", type=Path, metavar="FILE")
    save.add_argument("--history", metavar="URL", help="from a recorded scan (default: latest)")
    save.add_argument("--scan", metavar="ID", help="the recorded scan to accept")
    save.add_argument("--scope", help="the latest scan of this scope")
    save.add_argument(
        "--report", type=Path, metavar="FILE", help="from a report.json (results only)"
    )

    demo = sub.add_parser(
        "demo", help="scan a seeded landing zone on local emulators and write every report"
    )
    demo.add_argument("-o", "--output", type=Path, default=Path("logwarden-demo"))
    completion.add_command(sub)
    registry.pm.hook.logwarden_add_options(parser=scan)
    for leaf in completion.leaf_parsers(parser):
        logs.add_options(leaf)
    return parser


def _blocked_in(argv: list[str]) -> list[str]:
    """Plugins named by ``-p no:NAME`` / ``-pno:NAME``, before the parser exists."""
    names = []
    for index, arg in enumerate(argv):
        value = (
            argv[index + 1]
            if arg == "-p" and index + 1 < len(argv)
            else arg[2:]
            if arg.startswith("-p")
            else ""
        )
        if value.startswith("no:"):
            names.append(value[3:])
    return names


def tune_gc() -> None:
    """Fewer garbage collections during a scan.

    A scan allocates many long-lived SDK objects (botocore clients, models); with the default
    thresholds a third of the scanner's CPU went to full collections (bench/RESULTS.md).
    Renderers pause the collector themselves.
    """
    gc.set_threshold(10_000, 50, 1_000)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``logwarden`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    outputs.begin_run()
    tune_gc()
    try:
        # The run's one plugin manager, and what its plugins provide, collected once; a
        # cloud's collectors are imported only when the command scans that cloud.
        blocked = _blocked_in(args_list)
        registry = Registry.collect(create_plugin_manager(blocked), blocked)
        parser = build_parser(registry)
        args = parser.parse_args(args_list)
        args.parser = parser
        logs.configure(args)
        code = int(commands.dispatch(args, registry))
        sys.stdout.flush()  # here, so a closed pipe is caught below rather than at exit
        return code
    except BrokenPipeError:  # the reader closed the pipe: nothing more to say, no traceback
        outputs.quiet_stdout()
        return int(ExitCode.OK)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE_ERROR)
    except InputError as exc:
        for problem in exc.problems:
            print(f"logwarden: error: {printable(str(problem))}", file=sys.stderr)
        return int(ExitCode.USAGE_ERROR)
    except KeyboardInterrupt:
        print("logwarden: interrupted", file=sys.stderr)
        return 130
    except Exception:
        print(
            "logwarden: internal error (please report it with the traceback below)", file=sys.stderr
        )
        traceback.print_exc()
        return int(ExitCode.INTERNAL_ERROR)


if __name__ == "__main__":
    raise SystemExit(main())
