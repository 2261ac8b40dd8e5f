"""The registry of a run: one plugin manager, clouds as values, names registered once.

Plugins here are real distributions with a ``logwarden`` entry point (the ``installed_plugin``
fixture), loaded by the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pluggy
import pytest

from logwarden.scanner.cli import main
from logwarden.scanner.models import ExitCode
from logwarden.scanner.plugins import BUILTIN_PLUGINS, create_plugin_manager
from logwarden.scanner.registry import Registry
from logwarden.scanner.rules import builtin_rules_path
from tests import aws_docs as d
from tests.catalogue import load_rules, registry
from tests.report_world import save_inventory

# A cloud with one kind and a catalogue of its own, shipped by the plugin.
LAB_CLOUD = '''
from pathlib import Path
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import Discovery, ResourceKind

RULES = Path(__file__).with_name("lab_rules.yaml")
RULES.write_text("""version: 1
controls:
  - id: lab.box.sealed
    title: Boxes are sealed
    severity: high
    resource: lab.box.item
    assert: {key: Sealed, op: eq, value: true}
    rationale: r
    remediation: {text: seal it}
""")
CLOUD = Cloud(
    name="lab",
    label="Lab",
    tenant_word="bench",
    ocsf_account_type="Lab Bench",
    settings=lambda section, file, options: dict(section),
    discover=lambda settings: Discovery(),
    open_session=lambda settings, tenant, organization: None,
    kinds=lambda: [ResourceKind("lab.box.item", "lab", "a box", collect=lambda inv: [])],
)

@hookimpl
def logwarden_register_clouds():
    return [CLOUD]

@hookimpl
def logwarden_register_rules():
    return [RULES]
'''


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_plugins_have_short_names_and_register_one_cloud_each() -> None:
    reg = Registry.collect(create_plugin_manager())
    assert set(BUILTIN_PLUGINS) == {*reg.clouds, "reports"}
    assert {reg.owners[("cloud", name)] for name in reg.clouds} == set(reg.clouds)
    for name, cloud in reg.clouds.items():
        assert cloud.name == name and cloud.label and cloud.tenant_word and cloud.attribute
        # a cloud's Python controls are registered by the plugin of that cloud
        assert all(reg.owners[("Python control", i)] == name for i in reg.python_checks([name])), (
            name
        )


def test_a_plugin_cloud_with_its_own_catalogue_is_listed_and_validated(
    installed_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_plugin(LAB_CLOUD)
    code, out, _ = _run(capsys, "controls", "list", "--cloud", "lab", "--format", "json")
    assert code == ExitCode.OK
    assert [c["id"] for c in json.loads(out)] == ["lab.box.sealed"]
    code, out, _ = _run(capsys, "controls", "list", "--cloud", "all", "--format", "json")
    listed = {c["id"] for c in json.loads(out)}
    builtin = {
        c.id for c in load_rules([builtin_rules_path()], list(registry().clouds)).checks.values()
    }
    assert listed == builtin | {"lab.box.sealed"}
    code, out, _ = _run(capsys, "scan", "--help")
    assert "aws, azure, gcp, lab or all" in " ".join(out.split())
    # disabled, the cloud and its catalogue are gone
    code, _, err = _run(capsys, "scan", "-p", "no:fakeplugin", "--cloud", "lab")
    assert code == ExitCode.USAGE_ERROR
    assert "unknown cloud 'lab'" in err and "aws, azure, gcp, all" in err


def test_controls_list_all_is_every_installed_clouds_catalogue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "controls", "list", "--cloud", "all", "--format", "json")
    assert code == ExitCode.OK
    catalogue = load_rules([builtin_rules_path()], list(registry().clouds))
    assert [c["id"] for c in json.loads(out)] == [c.id for c in catalogue.enabled_checks()]
    assert {c["id"].split(".")[0] for c in json.loads(out)} == set(registry().clouds)


DUPLICATES = {
    "cloud": (
        "from logwarden.scanner.collectors.aws import CLOUD\n"
        "@hookimpl\ndef logwarden_register_clouds():\n    return [CLOUD]\n",
        "cloud 'aws' is registered by both plugin 'aws' and plugin 'fakeplugin'",
    ),
    "reporter": (
        "from logwarden.scanner.models import Reporter\n"
        "@hookimpl\ndef logwarden_register_reporters():\n"
        "    return [Reporter('json', 'x.json', 'mine', lambda report: '')]\n",
        "report format 'json' is registered by both plugin 'fakeplugin' and plugin 'reports'",
    ),
    "check": (
        "from logwarden.scanner.models import PythonCheck\n"
        "@hookimpl\ndef logwarden_register_checks():\n"
        "    return [PythonCheck('aws.config.recorder_on', lambda ctx: [])]\n",
        "Python control 'aws.config.recorder_on' is registered by both plugin 'aws' and plugin "
        "'fakeplugin'",
    ),
    "kind": (
        "from logwarden.scanner.models import ResourceKind\n"
        "@hookimpl\ndef logwarden_register_kinds():\n"
        "    return [ResourceKind('aws.s3.bucket', 'aws', 'mine', collect=lambda inv: [])]\n",
        "resource kind 'aws.s3.bucket' is registered by both plugin 'aws' and plugin 'fakeplugin'",
    ),
    "kind of another cloud": (
        "from dataclasses import replace\n"
        "from logwarden.scanner.collectors.aws import CLOUD\n"
        "from logwarden.scanner.models import ResourceKind\n"
        "KIND = ResourceKind('aws.s3.thing', 'aws', 'mine', collect=lambda inv: [])\n"
        "@hookimpl\ndef logwarden_register_clouds():\n"
        "    return [replace(CLOUD, name='aws2', kinds=lambda: [KIND])]\n",
        "cloud 'aws2' registers the resource kind 'aws.s3.thing' of cloud 'aws'",
    ),
}


@pytest.mark.parametrize("case", list(DUPLICATES))
def test_a_name_registered_twice_is_a_usage_error_naming_both_plugins(
    case: str, installed_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    source, message = DUPLICATES[case]
    installed_plugin("from logwarden.scanner.hookspecs import hookimpl\n" + source)
    cloud = "aws2" if case == "kind of another cloud" else "aws"
    code, _, err = _run(capsys, "controls", "list", "--cloud", cloud)
    assert code == ExitCode.USAGE_ERROR, err
    assert message in err and "Traceback" not in err
    # without the plugin, the same command is fine
    code, _, err = _run(capsys, "scan", "-p", "no:fakeplugin", "--help")
    assert code == ExitCode.OK, err


def test_an_entry_point_may_not_take_a_builtin_plugins_name(
    installed_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_plugin("", name="gcp")
    code, _, err = _run(capsys, "controls", "list")
    assert code == ExitCode.USAGE_ERROR
    assert "gcp names its logwarden plugin 'gcp', the name of the built-in plugin" in err


MEMO_STORES = """
from logwarden.scanner import history
from logwarden.scanner.hookspecs import hookimpl

@hookimpl
def logwarden_history_store(url, create):
    if url.startswith("memo://"):
        return history.open_store(url.replace("memo://", "sqlite:///"), create=create)
    return None
"""


def test_one_plugin_manager_per_run_honours_p_no_for_the_history_store(
    installed_plugin: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed_plugin(MEMO_STORES)
    inventory = save_inventory(d.compliant_world(), tmp_path / "inv.json")
    store = tmp_path / "h.db"
    built: list[pluggy.PluginManager] = []
    original = pluggy.PluginManager.__init__

    def counting(self: pluggy.PluginManager, project_name: str) -> None:
        built.append(self)
        original(self, project_name)

    monkeypatch.setattr(pluggy.PluginManager, "__init__", counting)
    scan = ["scan", "-q", "--inventory", str(inventory), "--format", "json"]
    scan += ["--output", str(tmp_path / "out"), "--history", f"memo://{store}", "--drift"]
    code, _, err = _run(capsys, *scan)
    assert code == ExitCode.OK, err
    assert store.is_file() and len(built) == 1
    # the store's plugin disabled: its URL is refused, not served by another manager
    code, _, err = _run(capsys, *scan, "-p", "no:fakeplugin")
    assert code == ExitCode.USAGE_ERROR
    assert "unsupported history URL" in err


def test_a_disabled_builtin_cloud_is_gone_and_its_controls_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    inventory = save_inventory(d.compliant_world(), tmp_path / "inv.json")
    scan = ["scan", "-q", "--inventory", str(inventory), "--format", "json"]
    scan += ["--output", str(tmp_path / "out")]
    code, _, err = _run(capsys, *scan)
    both, _, both_err = _run(capsys, *scan, "-p", "no:azure", "-p", "no:gcp")
    assert (both, both_err) == (code, err)
    code, _, err = _run(capsys, "scan", "--cloud", "azure", "-p", "no:azure")
    assert code == ExitCode.USAGE_ERROR and "unknown cloud 'azure'" in err
    code, _, err = _run(capsys, *scan, "-p", "no:aws")
    assert code == ExitCode.USAGE_ERROR
    assert "organizations[0].organization.cloud: unknown cloud 'aws'" in err
