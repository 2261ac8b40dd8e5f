"""The plugin manager (built-ins, entry points, blocking, typos) and the small sub-commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.reports.builtin import BUILTIN_FORMATS
from logwarden.scanner.cli import main
from logwarden.scanner.errors import InputError
from logwarden.scanner.plugins import DISABLE_AUTOLOAD_ENV, create_plugin_manager
from logwarden.scanner.registry import Registry
from tests.catalogue import builtin_clouds, control_ids

GOOD_PLUGIN = """
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Reporter

@hookimpl
def logwarden_register_reporters():
    return [Reporter("lines", "report.txt", "one line per result", lambda report: "\\\\n".join(r.check_id for r in report.results))]
"""
TYPO_PLUGIN = """
from logwarden.scanner.hookspecs import hookimpl

@hookimpl
def logwarden_register_reporter():
    return []
"""


def _reporters(pm) -> set[str]:  # type: ignore[no-untyped-def]
    return set(Registry.collect(pm).reporters)


def test_entry_point_plugin_is_loaded_and_can_be_blocked(
    installed_plugin, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    installed_plugin(GOOD_PLUGIN)
    builtin = {name for name, *_ in BUILTIN_FORMATS}
    assert _reporters(create_plugin_manager()) == builtin | {"lines"}
    assert _reporters(create_plugin_manager(blocked=["fakeplugin"])) == builtin
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    assert _reporters(create_plugin_manager()) == builtin


def test_misspelled_hook_is_a_usage_error(installed_plugin) -> None:  # type: ignore[no-untyped-def]
    installed_plugin(TYPO_PLUGIN)
    with pytest.raises(InputError) as info:
        create_plugin_manager()
    assert "logwarden_register_reporter" in str(info.value)


def test_builtin_kinds_are_registered_once_per_name() -> None:
    kinds = Registry.collect(create_plugin_manager()).kinds(["aws"])
    assert {"aws.cloudtrail.trail", "aws.s3.bucket", "aws.organizations.account"} <= set(kinds)
    assert kinds["aws.cloudtrail.trail"].stage == 1
    assert kinds["aws.organizations.policy"].organization


def test_unknown_cloud_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--cloud", "oracle"]) == 2
    assert "unknown cloud 'oracle'" in capsys.readouterr().err


def test_controls_list_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "list"]) == 0
    table = capsys.readouterr().out
    assert "aws.org.scp_protects_cloudtrail" in table and "critical" in table
    assert main(["controls", "list", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {c["id"] for c in doc} == set().union(*map(control_ids, builtin_clouds()))
    lifecycle = next(c for c in doc if c["id"] == "aws.s3.log_bucket_lifecycle")
    assert lifecycle["frameworks"]["aws-security-hub"] == ["S3.13"]
    assert lifecycle["frameworks"]["pci-dss-4.0"] == ["10.5.1"]
    assert lifecycle["remediation"]["terraform"].startswith("resource")


def test_rules_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "version: 1\noverrides:\n  - id: aws.s3.log_bucket_access_logging\n    severity: low\n"
    )
    assert main(["rules", "validate", str(good)]) == 0
    assert f"{good}: ok" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nparameters:\n  log_retention_days: forever\n")
    assert main(["rules", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: parameter 'log_retention_days' must be a whole number" in err
    assert "Traceback" not in err


def test_rules_validate_of_the_builtin_catalogue_itself_is_ok(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Naming the built-in rules.yaml (it is always loaded first) is not a duplicate of it."""
    from logwarden.scanner.rules import builtin_rules_path

    assert main(["rules", "validate", str(builtin_rules_path())]) == 0
    assert "duplicate control id" not in capsys.readouterr().err


def test_init_writes_a_starter_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "logwarden.yaml"
    assert main(["init", str(path)]) == 0
    assert "waivers:" in path.read_text()
    assert main(["init", str(path)]) == 2
    assert "file exists" in capsys.readouterr().err
    assert main(["init", str(path), "--force"]) == 0


def test_help_lists_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "3  incomplete" in out


OPTION_PLUGIN = """
from logwarden.scanner.hookspecs import hookimpl

@hookimpl
def logwarden_add_options(parser):
    parser.add_argument("--fakeplugin-level", default="x")
"""


def test_plugin_options_reach_the_scan_parser(
    installed_plugin, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    installed_plugin(OPTION_PLUGIN)
    assert main(["scan", "--help"]) == 0
    assert "--fakeplugin-level" in capsys.readouterr().out
    assert main(["scan", "-p", "no:fakeplugin", "--fakeplugin-level", "y"]) == 2
    assert "unrecognized arguments: --fakeplugin-level" in capsys.readouterr().err
