"""The logwarden plugin API.

Plugins are modules or objects with functions named after these specs and marked with
``@hookimpl``; the run's one plugin manager registers them (the built-ins ``aws``, ``azure``,
``gcp`` and ``reports``, then setuptools entry points in the group ``logwarden``; ``-p no:NAME``
blocks any of them). Register-style hooks return descriptors, collected once per run into the
registry (``logwarden.scanner.registry``); the engine keeps control of the flow. Every hook is
called with keyword arguments, so an implementation may accept only the parameters it needs.
The list, with what each returns: docs/architecture.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from logwarden.scanner.models import CheckResult, PythonCheck, Reporter, ResourceKind, ScanReport

if TYPE_CHECKING:
    from logwarden.scanner.cloud import Cloud
    from logwarden.scanner.history import HistoryStore

PROJECT = "logwarden"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def logwarden_add_options(parser: argparse.ArgumentParser) -> None:
    """Add command-line options to ``logwarden scan``.

    :param parser: the ``scan`` sub-command parser. Use option names prefixed with the
        plugin's name to avoid clashes; a cloud reads the values back from ``options`` in its
        settings parser (:attr:`logwarden.scanner.cloud.Cloud.settings`).
    """


@hookspec
def logwarden_register_clouds() -> list[Cloud]:
    """Return the clouds this plugin adds (see :class:`logwarden.scanner.cloud.Cloud`).

    Cloud names must be unique across plugins; a duplicate is a usage error naming both
    plugins. Building a descriptor must import no cloud SDK: its callables import what they
    need when called, and only the clouds a run scans are called.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_kinds() -> list[ResourceKind]:
    """Return resource kinds beyond those of the clouds' own descriptors (``Cloud.kinds``),
    for example kinds a plugin adds to a built-in cloud.

    Kind names are ``<cloud>.<service>.<thing>`` and must be unique across plugins; a
    duplicate is a usage error naming both plugins. Only the kinds of the clouds a run scans
    are used. Rules files may only select registered kinds.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_checks() -> list[PythonCheck]:
    """Return Python implementations for controls declared with ``implementation: python``.

    The control's metadata stays in a rules file; a declared Python control without an
    implementation, or an implementation without a declaration, is a usage error, and so is
    a control id two plugins implement.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_rules() -> list[Path | str]:
    """Return the rules files this plugin ships (its catalogue of controls).

    They are loaded after the built-in ``rules.yaml`` and before the config's ``rules:`` and
    ``--rules`` files, so a user's overrides apply to them too; only the controls of the
    clouds a run scans are loaded.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_reporters() -> list[Reporter]:
    """Return report formats selectable with ``--format``; a name two plugins register is a
    usage error naming both."""
    raise NotImplementedError


@hookspec
def logwarden_result(result: CheckResult) -> None:
    """Called for every result row of the built report, in the report's order.

    The row is final: waivers applied (``muted``, ``waiver``) and, with ``--history``,
    ``first_seen`` set. Rows are immutable; the report they belong to comes next, in
    ``logwarden_scan_finished``.
    """


@hookspec
def logwarden_scan_finished(report: ScanReport) -> None:
    """Called once with the complete report, after ``logwarden_result`` for its rows and
    before reports are rendered.

    The report is built once (rows, drift, gate) and immutable: what this hook sees is what
    every reporter renders, and ``report.exit_code`` is the exit code of the run.
    """


@hookspec(firstresult=True)
def logwarden_history_store(url: str, create: bool) -> HistoryStore | None:
    """Open a scan history store for a ``--history`` URL that logwarden does not know.

    Built-in stores: a file path or ``sqlite:///path`` and ``postgresql://...``; a plugin may
    serve other schemes. ``create=False`` is a reading command: refuse a store that does not
    exist (raise :class:`logwarden.scanner.errors.InputError`).

    firstresult: the first non-None answer is used.
    """
