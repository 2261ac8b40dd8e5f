"""The console summary and the progress line."""

from __future__ import annotations

import dataclasses
import io
import re
import time

import pytest

from logwarden.reports import console
from logwarden.scanner import engine, progress
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import KindCollection, Organization, ResourceKind, Tenant
from tests.offline import aws_catalogue
from tests.report_world import multi_cloud_report


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_summary_table_by_cloud_and_severity() -> None:
    text = console.render(multi_cloud_report())
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("CLOUD "))
    assert lines[header].split() == [
        "CLOUD",
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "INFO",
        "NOT-EVALUATED",
        "WAIVED",
        "PASS",
    ]
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 2 : header + 5]}
    assert rows["AWS"] == ["0", "1", "2", "0", "0", "2", "1", "107"]
    assert rows["Google"] == ["Cloud", "0", "1", "0", "0", "0", "0", "0", "1"]
    assert rows["all"] == ["0", "2", "2", "0", "0", "2", "1", "108"]
    assert text.rstrip().endswith("exit code 1: findings at or above the --fail-on severity")


def test_terminal_escapes_in_cloud_data_are_made_inert() -> None:
    report = multi_cloud_report()
    row = next(r for r in report.results if r.is_finding)
    bad = dataclasses.replace(row, message="\x1b]0;pwned\x07 \x1b[2J\rgone \x9b31m")
    text = console.render(dataclasses.replace(report, results=[bad]))
    assert not any(ch in text for ch in "\x1b\x07\r\x9b")
    assert r"\x1b]0;pwned\x07 \x1b[2J\rgone \x9b31m" in text  # visible, inert


def _scan_input(collected: list[set[str]]) -> engine.ScanInput:
    kind = ResourceKind("aws.x.a", "aws", "", collect=lambda inv: [])
    kinds = {name: kind for name in ("aws.x.a", "aws.x.b")}
    org = Organization("aws", "o-1", "o-1")
    scope = engine.Scope_(org, Inventory(cloud="aws", tenant=None, organization=org, kinds=kinds))
    for index, names in enumerate(collected):
        tenant = Tenant("aws", f"{index:012d}", f"account-{index}", "o-1", regions=("r1", "r2"))
        inv = Inventory(cloud="aws", tenant=tenant, organization=org, kinds=kinds)
        for name in names:
            inv.preload(name, KindCollection())
        scope.tenants.append(inv)
    return engine.ScanInput(scopes=[scope])


def test_progress_counts_tenants_done_and_names_the_current_one() -> None:
    scan = _scan_input([{"aws.x.a", "aws.x.b"}, {"aws.x.a"}, set(), {"aws.x.b"}])
    needed = {"aws": frozenset({"aws.x.a", "aws.x.b"})}
    times = [0.0, 12.4]
    bar = progress.ScanProgress(
        scan, needed, _Tty(), clock=lambda: times.pop(0) if len(times) > 1 else times[0]
    )
    state = bar.state()
    assert (state.done, state.total, state.regions) == (1, 4, 2)
    assert (state.collected, state.collections) == (4, 8)
    assert state.current == ("account-1", "account-3")
    assert state.elapsed == pytest.approx(12.4)
    line = bar.line(width=200)
    assert line.startswith("scanning: 1/4 tenants x 2 regions")
    assert "50% collected" in line and "now: account-1 (+1 more in progress)" in line
    assert len(bar.line(width=30)) == 29


def test_progress_draws_then_clears_the_line() -> None:
    stream = _Tty()
    scan = _scan_input([{"aws.x.a"}])
    with progress.ScanProgress(scan, {"aws": frozenset({"aws.x.a"})}, stream, interval=0.01):
        pass
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_is_a_line_on_terminals_and_periodic_lines_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert progress.mode(_Tty(), quiet=False) == "line"
    assert progress.mode(_Tty(), quiet=True) is None
    assert progress.mode(io.StringIO(), quiet=False) == "plain"
    assert progress.mode(io.StringIO(), quiet=True) is None
    monkeypatch.setenv("TERM", "dumb")
    assert progress.mode(_Tty(), quiet=False) == "plain"


def test_plain_progress_prints_whole_lines_with_errors_so_far() -> None:
    scan = _scan_input([{"aws.x.a"}, set()])
    stream = io.StringIO()
    with progress.ScanProgress(
        scan, {"aws": frozenset({"aws.x.a"})}, stream, interval=0.01, plain=True
    ):
        time.sleep(0.05)
    lines = stream.getvalue().splitlines()
    assert lines and all(
        re.fullmatch(r"logwarden: progress: \d+/2 tenants done, \d+ errors? so far, \d+s", line)
        for line in lines
    ), lines
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_needed_kinds_are_the_tenant_kinds_of_enabled_controls() -> None:
    catalogue, kinds = aws_catalogue()
    needed = progress.needed_kinds(catalogue.enabled_checks({"aws"}), kinds)
    assert "aws.config.recorder" in needed["aws"]
    assert "aws.cloudtrail.org_trail" not in needed["aws"]  # organization-level


def test_colour_only_when_asked_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from logwarden.scanner import logs
    from tests.report_world import multi_cloud_report

    report = multi_cloud_report()
    plain = console.render(report)
    coloured = console.render(report, color=True)
    assert "\x1b[" not in plain and "\x1b[31m[HIGH    ]\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[\d;]*m", "", coloured) == plain
    args = argparse.Namespace(no_color=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert logs.color_enabled(args, _Tty())
    assert not logs.color_enabled(args, io.StringIO())
    assert not logs.color_enabled(argparse.Namespace(no_color=True), _Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not logs.color_enabled(args, _Tty())
