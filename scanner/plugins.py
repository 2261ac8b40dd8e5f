"""The plugin manager factory: built-ins for the selected clouds, then entry points.

Nothing is created at import time. Built-in cloud plugins are imported only for the clouds
being scanned, so ``--cloud aws`` never imports an Azure or Google module.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Iterable

import pluggy

from logwarden.scanner import hookspecs
from logwarden.scanner.errors import fail

BUILTIN_CLOUD_PLUGINS = {
    "aws": ("logwarden.scanner.collectors.aws", "logwarden.checks.aws"),
    "azure": ("logwarden.scanner.collectors.azure", "logwarden.checks.azure"),
    "gcp": ("logwarden.scanner.collectors.gcp", "logwarden.checks.gcp"),
}
BUILTIN_PLUGINS = ("logwarden.reports.builtin",)
KNOWN_CLOUDS = tuple(BUILTIN_CLOUD_PLUGINS)
DISABLE_AUTOLOAD_ENV = "LOGWARDEN_DISABLE_PLUGIN_AUTOLOAD"


def create_plugin_manager(
    clouds: Iterable[str] = KNOWN_CLOUDS, blocked: Iterable[str] = ()
) -> pluggy.PluginManager:
    """Build a plugin manager with the built-ins for ``clouds`` and the installed plugins.

    :param clouds: the clouds whose built-in collectors and checks are registered.
    :param blocked: plugin names disabled with ``-p no:NAME`` (built-in or entry point).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in blocked:
        pm.set_blocked(name)
    for module_name in BUILTIN_PLUGINS:
        _register_builtin(pm, module_name)
    for cloud in clouds:
        if cloud not in BUILTIN_CLOUD_PLUGINS:
            raise fail(
                "--cloud",
                None,
                f"unknown cloud {cloud!r}",
                f"use one of: {', '.join(KNOWN_CLOUDS)}",
            )
        for module_name in BUILTIN_CLOUD_PLUGINS[cloud]:
            _register_builtin(pm, module_name)
    if not os.environ.get(DISABLE_AUTOLOAD_ENV):
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


def _register_builtin(pm: pluggy.PluginManager, module_name: str) -> None:
    if pm.is_blocked(module_name):
        return
    module = importlib.import_module(module_name)
    pm.register(module, name=module_name)


def plugin_names() -> list[str]:
    """Every name ``-p no:NAME`` can block: the built-ins and the installed entry points."""
    names = [*BUILTIN_PLUGINS, *(m for mods in BUILTIN_CLOUD_PLUGINS.values() for m in mods)]
    names += [ep.name for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT)]
    return sorted(set(names))


def unknown_plugins(blocked: Iterable[str]) -> list[str]:
    """The names in ``blocked`` that are no plugin: blocking them disables nothing."""
    known = set(plugin_names())
    return [name for name in dict.fromkeys(blocked) if name not in known]
