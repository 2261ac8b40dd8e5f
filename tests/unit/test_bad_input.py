"""Bad input through the real CLI: exit 2 with one clear message, never a traceback.

One row per case (issue 11, section 3, and the same bug class found elsewhere): the message
names the file (or option) and the line where there is one, says how to fix it, and nothing
is scanned. Input that is accepted but probably not meant (a plugin name nobody has, kinds
nobody knows) is one warning and leaves the exit code alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner import cli
from logwarden.scanner.models import ExitCode
from tests import aws_docs as d
from tests.catalogue import registry
from tests.report_world import save_inventory

WAIVER = "version: 1\nwaivers:\n  - checks: aws.*\n    reason: r\n    owner: o\n    expires: {}\n"
CONTROL = """\
version: 1
controls:
  - id: {id}
    title: t
    severity: low
    resource: {kind}
    assert:
      - {{key: Name, op: eq, value: {value}}}
    rationale: r
    remediation: {{text: t}}
"""


def _control(
    id: str = "aws.cloudtrail.named", kind: str = "aws.cloudtrail.trail", value: str = "x"
) -> str:
    return CONTROL.format(id=id, kind=kind, value=value)


def _nested(depth: int) -> str:
    return '{"schema": "logwarden.inventory/1", "organizations": ' + "[" * depth + "]" * depth + "}"


Mutation = Callable[[dict[str, Any]], None]


def _tenant_with(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """The first saved tenant that has resources of ``kind``."""
    tenants = doc["organizations"][0]["tenants"]
    return next(t for t in tenants if t["inventory"].get(kind, {}).get("resources"))


def _set_tenant_inventory(doc: dict[str, Any]) -> None:
    doc["organizations"][0]["tenants"][0]["inventory"] = "aws.s3.bucket"


def _set_resource_data(doc: dict[str, Any]) -> None:
    _tenant_with(doc, "aws.s3.bucket")["inventory"]["aws.s3.bucket"]["resources"][0]["data"] = "x"


def _set_tenant_id(doc: dict[str, Any]) -> None:
    doc["organizations"][0]["tenants"][0]["tenant"]["id"] = ["111111111111"]


def _set_cloud(doc: dict[str, Any]) -> None:
    doc["organizations"][0]["organization"]["cloud"] = "oracle"


@dataclass(frozen=True)
class Case:
    """``argv`` runs in a directory holding ``files``, a saved inventory ``inv.json``
    (changed by ``mutate``), a history store ``history.db`` with one scan, a file ``afile``
    and a directory ``adir``; the one error line contains every ``expect`` fragment and its
    fix contains ``fix``."""

    id: str
    argv: list[str]
    expect: tuple[str, ...]
    fix: str
    files: dict[str, str] = field(default_factory=dict)
    mutate: Mutation | None = None
    inventory_text: str | None = None


SCAN = ["scan", "-q", "--inventory", "inv.json"]
CASES = [
    Case(
        "waiver expires: impossible day",
        [*SCAN, "-c", "logwarden.yaml"],
        ("logwarden.yaml:6: '2027-02-30' is not a real date",),
        "YYYY-MM-DD",
        files={"logwarden.yaml": WAIVER.format("2027-02-30")},
    ),
    Case(
        "waiver expires: impossible month",
        [*SCAN, "-c", "logwarden.yaml"],
        ("logwarden.yaml:6: '2027-13-45' is not a real date",),
        "YYYY-MM-DD",
        files={"logwarden.yaml": WAIVER.format("2027-13-45")},
    ),
    Case(
        "waiver expires: a date and time",
        [*SCAN, "-c", "logwarden.yaml"],
        ("logwarden.yaml:6: waiver expires '2027-03-31 10:00:00' has a time of day",),
        "YYYY-MM-DD",
        files={"logwarden.yaml": WAIVER.format("2027-03-31 10:00:00")},
    ),
    Case(
        "config: impossible date in another field",
        [*SCAN, "-c", "logwarden.yaml"],
        ("logwarden.yaml:3: '2027-02-30' is not a real date",),
        "YYYY-MM-DD",
        files={"logwarden.yaml": "version: 1\nparameters:\n  log_retention_days: 2027-02-30\n"},
    ),
    Case(
        "rules file: impossible date (scan --rules)",
        [*SCAN, "--rules", "mine.yaml"],
        ("mine.yaml:8: '2027-02-30' is not a real date",),
        "YYYY-MM-DD",
        files={"mine.yaml": _control(value="2027-02-30")},
    ),
    Case(
        "rules file: impossible date (rules validate)",
        ["rules", "validate", "mine.yaml"],
        ("mine.yaml:8: '2027-02-30' is not a real date",),
        "YYYY-MM-DD",
        files={"mine.yaml": _control(value="2027-02-30")},
    ),
    Case(
        "rules file: id without a known cloud",
        ["rules", "validate", "mine.yaml"],
        ("mine.yaml:3: control id 'custom.aws.named' does not start with a known cloud",),
        ", ".join(f"{c}." for c in registry().clouds),
        files={"mine.yaml": _control(id="custom.aws.named")},
    ),
    Case(
        "rules file: a kind of another cloud",
        ["rules", "validate", "mine.yaml"],
        (
            "mine.yaml:6: control 'aws.cloudtrail.named' checks aws but "
            "'azure.monitor.activity_log_setting' is a resource kind of azure",
        ),
        "start the control id with azure.",
        files={"mine.yaml": _control(kind="azure.monitor.activity_log_setting")},
    ),
    Case(
        "config: nested deeper than any recursion",
        [*SCAN, "-c", "logwarden.yaml"],
        ("logwarden.yaml:", "nested too deeply"),
        "brackets",
        files={"logwarden.yaml": "version: 1\nparameters: " + "[" * 5000 + "]" * 5000 + "\n"},
    ),
    Case(
        "rules file: nested more than 100 levels",
        ["rules", "validate", "mine.yaml"],
        ("mine.yaml:2: parameters.x[0][0]", "nested more than 100 levels"),
        "brackets",
        files={"mine.yaml": "version: 1\nparameters: {x: " + "[" * 150 + "]" * 150 + "}\n"},
    ),
    Case(
        "inventory: a tenant's inventory is a string",
        SCAN,
        ("inv.json: organizations[0].tenants[0].inventory: must be an object",),
        "--save-inventory",
        mutate=_set_tenant_inventory,
    ),
    Case(
        "inventory: resource data is a string",
        SCAN,
        ("inv.json: organizations[0].tenants[", "].inventory.aws.s3.bucket.resources[0].data"),
        "--save-inventory",
        mutate=_set_resource_data,
    ),
    Case(
        "inventory: a tenant id is a list",
        SCAN,
        ("inv.json: organizations[0].tenants[0].tenant.id: must be a string, not a list",),
        "--save-inventory",
        mutate=_set_tenant_id,
    ),
    Case(
        "inventory: an unknown cloud",
        SCAN,
        ("inv.json: organizations[0].organization.cloud: unknown cloud 'oracle'",),
        "--save-inventory",
        mutate=_set_cloud,
    ),
    Case(
        "inventory: nested deeper than any recursion",
        SCAN,
        ("inv.json: nested more than",),
        "--save-inventory",
        inventory_text=_nested(100_000),
    ),
    Case(
        "--history: malformed IPv6 URL",
        [*SCAN, "--history", "postgresql://u@[::1/db"],
        ("--history: malformed history URL 'postgresql://u@[::1/db'",),
        "[::1]",
    ),
    Case(
        "--history: a port that is no number",
        [*SCAN, "--history", "postgresql://u:secret@host:port/db"],
        ("--history: malformed history URL 'postgresql://u:***@host:port/db'",),
        "postgresql://user@host:port/db",
    ),
    Case(
        "--history: empty",
        [*SCAN, "--history", ""],
        ("--history: the history URL is empty",),
        "file path",
    ),
    Case(
        "drift --history: malformed URL",
        ["drift", "--history", "postgresql://u@[::1/db"],
        ("--history: malformed history URL",),
        "[::1]",
    ),
    Case(
        "baseline save --history: malformed URL",
        ["baseline", "save", "b.json", "--history", "postgresql://u@[::1/db"],
        ("--history: malformed history URL",),
        "[::1]",
    ),
    Case(
        "drift --since: not a date",
        ["drift", "--history", "history.db", "--since", "last tuesday"],
        ("--since: 'last tuesday' is not a date",),
        "YYYY-MM-DD",
    ),
    Case(
        "--output: an existing file",
        [*SCAN, "--output", "afile"],
        ("--output: afile is a file, not a directory",),
        "name a directory",
    ),
    Case(
        "--output: a path under a file",
        [*SCAN, "--output", "afile/reports"],
        ("--output: afile is a file, not a directory",),
        "under a directory",
    ),
    *(
        Case(
            f"--{name}: a directory",
            [*SCAN, f"--{name}", "adir"],
            (f"--{name}: adir is a directory",),
            "file",
        )
        for name in registry().reporters
    ),
    Case(
        "--junit: a path under a file",
        [*SCAN, "--junit", "afile/report.xml"],
        ("--junit: afile is a file, not a directory",),
        "under a directory",
    ),
    Case(
        "--json: a directory that cannot be written",
        [*SCAN, "--json", "/sys/logwarden-report.json"],
        ("--json: cannot write to /sys",),
        "directory you can write to",
    ),
    Case(
        "--save-inventory: a directory",
        ["scan", "-q", "--cloud", "aws", "--save-inventory", "adir"],
        ("--save-inventory: adir is a directory",),
        "file",
    ),
    Case(
        "baseline save: a directory",
        ["baseline", "save", "adir", "--history", "history.db"],
        ("baseline save: adir is a directory",),
        "file",
    ),
    Case(
        "baseline save: a path under a file",
        ["baseline", "save", "afile/b.json", "--history", "history.db"],
        ("baseline save: afile is a file, not a directory",),
        "under a directory",
    ),
    Case(
        "init --force: a directory",
        ["init", "adir", "--force"],
        ("init: adir is a directory",),
        "file",
    ),
    Case(
        "demo --output: a file",
        ["demo", "--output", "afile"],
        ("--output: afile is a file, not a directory",),
        "name a directory",
    ),
    Case(
        "--baseline: nested deeper than any recursion",
        [*SCAN, "--baseline", "deep.json"],
        ("deep.json: nested more than",),
        "baseline save",
        files={
            "deep.json": '{"schema": "logwarden.baseline/1", "scan": '
            + "[" * 10**5
            + "]" * 10**5
            + "}"
        },
    ),
    Case(
        "--baseline: a result status of the wrong type",
        [*SCAN, "--baseline", "b.json"],
        ("b.json: corrupt baseline (missing or wrong field) at results[0].status",),
        "baseline save",
        files={
            "b.json": json.dumps(
                {
                    "schema": "logwarden.baseline/1",
                    "scan": {"id": "1", "time": "t", "clouds": ["aws"], "scope": "s"},
                    "results": [
                        dict.fromkeys(
                            ("fingerprint", "check_id", "severity", "cloud", "tenant_id"), "x"
                        )
                        | {"status": 5, "region": "", "resource_id": "r", "message": "m"}
                    ],
                    "resources": [],
                }
            )
        },
    ),
    Case(
        "baseline save --report: a result that is no object",
        ["baseline", "save", "b.json", "--report", "report.json"],
        ("report.json: not a logwarden report.json: results[0]: must be an object",),
        "report.json",
        files={"report.json": '{"scan": {"started_at": "t"}, "organizations": [], "results": [5]}'},
    ),
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with a saved inventory, a history store with one scan, a file, a directory."""
    monkeypatch.setenv("LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD", "1")
    # a case that reached a cloud would find a closed port, never a real endpoint
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    save_inventory(d.compliant_world(), tmp_path / "inv.json")
    assert cli.main([*SCAN, "--history", "history.db"]) == ExitCode.OK
    (tmp_path / "afile").write_text("not a directory\n")
    (tmp_path / "adir").mkdir()
    return tmp_path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_exit_2_with_one_clear_message(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    for name, text in case.files.items():
        (workdir / name).write_text(text)
    inventory = workdir / "inv.json"
    if case.mutate is not None:
        doc = json.loads(inventory.read_text())
        case.mutate(doc)
        inventory.write_text(json.dumps(doc))
    if case.inventory_text is not None:
        inventory.write_text(case.inventory_text)
    capsys.readouterr()
    before = sorted(p.name for p in workdir.iterdir())

    code = cli.main(case.argv)

    err = capsys.readouterr().err
    assert code == ExitCode.USAGE_ERROR, err
    assert "Traceback" not in err and "internal error" not in err
    errors = [line for line in err.splitlines() if line.startswith("logwarden: error: ")]
    assert len(errors) == 1, err
    message = errors[0]
    for fragment in case.expect:
        assert fragment in message, message
    assert "(fix: " in message and case.fix in message.split("(fix: ", 1)[1], message
    assert sorted(p.name for p in workdir.iterdir()) == before, "nothing is written"


def _scan_code(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main([*SCAN, "--format", "json", "--output", "out", *args])
    return code, capsys.readouterr().err


def test_unknown_plugin_name_is_one_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _scan_code(capsys)
    warned, err = _scan_code(capsys, "-p", "no:nosuch", "-p", "no:nosuch", "-p", "no:gcp")
    assert warned == code
    warnings = [line for line in err.splitlines() if line.startswith("logwarden: warning:")]
    assert len(warnings) == 1, err
    assert "no:nosuch" in warnings[0] and "nothing was disabled" in warnings[0]


def test_inventory_kinds_nobody_knows_are_one_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _scan_code(capsys)
    doc = json.loads((workdir / "inv.json").read_text())
    empty = {"resources": [], "errors": [], "not_applicable": None}
    for tenant in doc["organizations"][0]["tenants"]:
        tenant["inventory"]["aws.nosuch.thing"] = empty
    doc["organizations"][0]["inventory"]["azure.monitor.activity_log_setting"] = empty
    (workdir / "inv.json").write_text(json.dumps(doc))
    warned, err = _scan_code(capsys)
    assert warned == code
    warnings = [line for line in err.splitlines() if line.startswith("logwarden: warning:")]
    assert len(warnings) == 1, err
    assert "inv.json" in warnings[0]
    assert "aws.nosuch.thing" in warnings[0] and "azure.monitor.activity_log_setting" in warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_output_directory_without_permission_is_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = workdir / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert cli.main([*SCAN, "--json", str(locked / "report.json")]) == ExitCode.USAGE_ERROR
    finally:
        locked.chmod(0o755)
    assert f"--json: cannot write to {locked}: Permission denied" in capsys.readouterr().err
