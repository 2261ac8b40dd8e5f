"""The logwarden plugin API.

Plugins are modules or objects with functions named after these specs and marked with
``@hookimpl``; they are registered by the plugin manager (built-ins for the selected clouds,
then setuptools entry points in the group ``logwarden``). Register-style hooks return
descriptors; the engine keeps control of the flow. Every hook is called with keyword
arguments, so an implementation may accept only the parameters it needs.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.models import (
    CheckResult,
    Discovery,
    Organization,
    PythonCheck,
    Reporter,
    ResourceKind,
    ScanReport,
    Tenant,
)

if TYPE_CHECKING:
    from logwarden.scanner.history import HistoryStore
    from logwarden.scanner.inventory import Inventory

PROJECT = "logwarden"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def logwarden_add_options(parser: argparse.ArgumentParser) -> None:
    """Add command-line options to ``logwarden scan``.

    :param parser: the ``scan`` sub-command parser. Use option names prefixed with the
        plugin's name to avoid clashes; read the values back from ``options`` in
        ``logwarden_configure_cloud``.
    """


@hookspec
def logwarden_register_kinds() -> list[ResourceKind]:
    """Return the resource kinds this plugin collects.

    Kind names are ``<cloud>.<service>.<thing>`` and must be unique across plugins; a
    duplicate is a usage error. ``rules.yaml`` may only select kinds registered here.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_checks() -> list[PythonCheck]:
    """Return Python implementations for controls declared with ``implementation: python``.

    The control's metadata stays in a rules file; a declared Python control without an
    implementation, or an implementation without a declaration, is a usage error.
    """
    raise NotImplementedError


@hookspec
def logwarden_register_reporters() -> list[Reporter]:
    """Return report formats selectable with ``--format``; names must be unique."""
    raise NotImplementedError


@hookspec(firstresult=True)
def logwarden_configure_cloud(
    cloud: str, section: Mapping[str, Any], file: str, options: argparse.Namespace | None
) -> Any:
    """Validate the configuration section of one cloud and return its settings object.

    :param cloud: the cloud name (``aws``, ``azure``, ``gcp``); return ``None`` for clouds
        this plugin does not handle.
    :param section: the ``clouds.<cloud>`` mapping from the config file (a
        :class:`logwarden.scanner.yamlsrc.SourceMap` when read from a file, so ``line_of(key)`` gives
        line numbers for error messages); an empty mapping when there is no config file.
    :param file: the config file name, for error messages.
    :param options: the parsed ``scan`` command line, including options the plugin added in
        ``logwarden_add_options`` (None when not called from the command line).
    :raises logwarden.scanner.errors.InputError: with every problem found (file, line, fix).

    firstresult: the first non-None answer is used.
    """


@hookspec
def logwarden_discover_tenants(cloud: str, settings: Any) -> Discovery | None:
    """Find the organizations and tenants to scan for ``cloud``.

    :param settings: the object returned by ``logwarden_configure_cloud`` for this cloud.
    :return: a :class:`Discovery`, or ``None`` when the plugin does not handle ``cloud``.
        Failures are returned in ``Discovery.errors``, not raised.
    """


@hookspec(firstresult=True)
def logwarden_open_session(
    cloud: str, tenant: Tenant | None, organization: Organization | None, settings: Any
) -> Any:
    """Open the cloud session used to collect one tenant's (or organization's) resources.

    Called lazily, in the worker thread that first needs it, at most once per tenant.
    ``tenant=None`` asks for the organization-level session (the management scope).

    :raises logwarden.scanner.inventory.SessionUnavailable: when the tenant cannot be reached; every
        kind of that tenant then becomes an ERROR row and the scan goes on.

    firstresult: the first non-None answer is used.
    """


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


@hookspec
def logwarden_attribute(
    cloud: str, subjects: list[Subject], start: str, end: str, inventories: list[Inventory]
) -> list[Attribution] | None:
    """Say who changed each drifted resource, from ``cloud``'s own audit log.

    Called after a scan that was compared with history or a baseline, once per cloud with
    drifted resources. Read the audit log (AWS CloudTrail, the Azure Activity Log, Cloud
    Audit Logs) for API calls between ``start`` and ``end`` that touched each subject.

    :param subjects: the drifted resources of ``cloud`` (changed fields, or removed).
    :param start: ISO 8601 UTC, the earlier scan's start (bounded to 90 days back).
    :param end: ISO 8601 UTC, now.
    :param inventories: the scan's inventories of ``cloud`` (organization inventories first);
        their ``session`` and collected kinds say where the logs are and how to read them.
    :return: one :class:`Attribution` per subject this plugin handles (events oldest first;
        ``error`` set when the log could not be read), or ``None`` for other clouds. Never
        raise for an API error: it is the subject's ``error``.
    """


@hookspec(firstresult=True)
def logwarden_history_store(url: str, create: bool) -> HistoryStore | None:
    """Open a scan history store for a ``--history`` URL that logwarden does not know.

    Built-in stores: a file path or ``sqlite:///path`` and ``postgresql://...``; a plugin may
    serve other schemes. ``create=False`` is a reading command: refuse a store that does not
    exist (raise :class:`logwarden.scanner.errors.InputError`).

    firstresult: the first non-None answer is used.
    """
