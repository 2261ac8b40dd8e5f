"""The plugin manager factory: the built-in plugins, then the installed entry points.

A run builds exactly one manager (``logwarden.scanner.cli.main``), never at import time, and
collects what it registers once into the registry (``logwarden.scanner.registry``). The
built-in plugins have short names, one per cloud and one for the report formats, so
``-p no:azure`` reads as what it does. Registering a cloud plugin imports no cloud SDK: the
collectors of a cloud are imported only when a run scans it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Iterable

import pluggy

from logwarden.scanner import hookspecs
from logwarden.scanner.errors import fail

#: The built-in plugins: ``-p no:NAME`` name -> module.
BUILTIN_PLUGINS = {
    "aws": "logwarden.scanner.collectors.aws",
    "azure": "logwarden.scanner.collectors.azure",
    "gcp": "logwarden.scanner.collectors.gcp",
    "reports": "logwarden.reports.builtin",
}
DISABLE_AUTOLOAD_ENV = "LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"


def create_plugin_manager(blocked: Iterable[str] = ()) -> pluggy.PluginManager:
    """Build the plugin manager: every built-in plugin, then the installed ones.

    :param blocked: plugin names disabled with ``-p no:NAME`` (built-in or entry point).
    :raises InputError: an installed plugin takes a built-in plugin's name, or implements a
        hook that does not exist (a typo).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in blocked:
        pm.set_blocked(name)
    for name, module_name in BUILTIN_PLUGINS.items():
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(module_name), name=name)
    if not os.environ.get(DISABLE_AUTOLOAD_ENV):
        _refuse_builtin_names()
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise fail(
            str(exc.plugin),
            None,
            f"plugin hook is not a known hook: {exc}",
            "check the hook name spelling (prefix logwarden_)",
        ) from None
    return pm


def _refuse_builtin_names() -> None:
    """An entry point named like a built-in plugin would be skipped without a word."""
    for ep in _entry_points():
        if ep.name in BUILTIN_PLUGINS:
            dist = ep.dist.name if ep.dist is not None else "an installed distribution"
            raise fail(
                f"entry point {ep.name} = {ep.value}",
                None,
                f"{dist} names its logwarden plugin {ep.name!r}, the name of the built-in "
                f"plugin {BUILTIN_PLUGINS[ep.name]}",
                "rename the entry point in that distribution's [project.entry-points.logwarden]",
            )


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=hookspecs.PROJECT))


def plugin_names() -> list[str]:
    """Every name ``-p no:NAME`` can block: the built-ins and the installed entry points."""
    return sorted({*BUILTIN_PLUGINS, *(ep.name for ep in _entry_points())})


def unknown_plugins(blocked: Iterable[str]) -> list[str]:
    """The names in ``blocked`` that are no plugin: blocking them disables nothing."""
    known = set(plugin_names())
    return [name for name in dict.fromkeys(blocked) if name not in known]
