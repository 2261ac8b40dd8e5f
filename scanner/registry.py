"""The registry of a run: the clouds, resource kinds, Python checks, rules files and report
formats the plugins provide, collected once from the run's one plugin manager.

A name two plugins register (a cloud, a kind, a Python control id, a report format) is a usage
error naming both plugins: one would silently replace the other. Collecting is cheap: a
cloud's resource kinds are asked for, and its collectors imported, only for the clouds a run
scans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from logwarden.scanner.cloud import NAME, Cloud
from logwarden.scanner.errors import fail
from logwarden.scanner.models import CloudTerms, PythonCheck, Reporter, ResourceKind

T = TypeVar("T")
#: ``--cloud all``: every registered cloud.
ALL = "all"


@dataclass
class Registry:
    """What the plugins of one run provide (built by :meth:`collect`)."""

    pm: pluggy.PluginManager
    clouds: dict[str, Cloud]
    checks: dict[str, PythonCheck]
    reporters: dict[str, Reporter]
    rules_files: list[Path]
    #: the plugin names ``-p no:NAME`` disabled
    blocked: tuple[str, ...] = ()
    #: (what, name) -> the plugin that registered it, for error messages
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    _extra_kinds: list[tuple[str, ResourceKind]] = field(default_factory=list)
    _kinds: dict[tuple[str, ...], dict[str, ResourceKind]] = field(default_factory=dict)

    @classmethod
    def collect(cls, pm: pluggy.PluginManager, blocked: Iterable[str] = ()) -> Registry:
        """Ask every plugin once for its clouds, checks, rules files, reporters and kinds.

        :raises InputError: two plugins register the same name, or a cloud's name is invalid.
        """
        owners: dict[tuple[str, str], str] = {}
        clouds = _unique(_provided(pm, "logwarden_register_clouds"), "cloud", _cloud_name, owners)
        clouds = dict(sorted(clouds.items()))  # listed by name, whatever the plugins' order
        checks = _unique(_provided(pm, "logwarden_register_checks"), "Python control", _id, owners)
        reporters = _unique(
            _provided(pm, "logwarden_register_reporters"), "report format", _name, owners
        )
        rules = [Path(path) for _, path in _provided(pm, "logwarden_register_rules")]
        extra = _provided(pm, "logwarden_register_kinds")
        return cls(pm, clouds, checks, reporters, rules, tuple(blocked), owners, extra)

    def select(self, names: Iterable[str]) -> list[str]:
        """The clouds named with ``--cloud`` (``all``: every registered one), each once.

        :raises InputError: a name no plugin registers.
        """
        chosen: list[str] = []
        for name in names:
            if name not in self.clouds and name != ALL:
                raise fail(
                    "--cloud",
                    None,
                    f"unknown cloud {name!r}",
                    f"use one of: {', '.join([*self.clouds, ALL])}",
                )
            chosen.extend(self.clouds if name == ALL else [name])
        return list(dict.fromkeys(chosen))

    def kinds(self, clouds: Iterable[str]) -> dict[str, ResourceKind]:
        """The resource kinds of ``clouds`` by name (imports their collectors, once).

        :raises InputError: two plugins register the same kind, or a cloud registers a kind
            of another cloud.
        """
        key = tuple(sorted(clouds))
        if key not in self._kinds:
            provided: list[tuple[str, ResourceKind]] = []
            for name in key:
                plugin = self.owners[("cloud", name)]
                for kind in self.clouds[name].kinds():
                    if kind.cloud != name or not kind.name.startswith(f"{name}."):
                        raise fail(
                            f"plugin {plugin}",
                            None,
                            f"cloud {name!r} registers the resource kind {kind.name!r} of "
                            f"cloud {kind.cloud!r}",
                            f"name its kinds {name}.<service>.<thing>, with cloud={name!r}",
                        )
                    provided.append((plugin, kind))
            provided += [(p, k) for p, k in self._extra_kinds if k.cloud in key]
            self._kinds[key] = _unique(provided, "resource kind", _name, dict(self.owners))
        return dict(self._kinds[key])

    def python_checks(self, clouds: Iterable[str]) -> dict[str, PythonCheck]:
        """The Python controls of ``clouds`` (the first part of a control id is its cloud)."""
        wanted = set(clouds)
        return {i: c for i, c in self.checks.items() if i.split(".")[0] in wanted}

    def terms(self, clouds: Iterable[str]) -> dict[str, CloudTerms]:
        """What reports call each of ``clouds`` and its tenants."""
        return {name: self.clouds[name].terms for name in clouds if name in self.clouds}


def _provided(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """(plugin name, item) for every item of a register-style hook, in pluggy's call order."""
    out: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        out.extend((impl.plugin_name, item) for item in impl.function() or ())
    return out


def _unique(
    provided: Sequence[tuple[str, T]],
    what: str,
    name_of: Callable[[T, str], str],
    owners: dict[tuple[str, str], str],
) -> dict[str, T]:
    """Items by name; a name registered twice is a usage error naming both plugins."""
    out: dict[str, T] = {}
    for plugin, item in provided:
        name = name_of(item, plugin)
        first = owners.get((what, name))
        if first is not None:
            who = (
                f"twice by plugin {plugin!r}"
                if first == plugin
                else "by both plugin {!r} and plugin {!r}".format(*sorted((first, plugin)))
            )
            raise fail(
                "plugins",
                None,
                f"{what} {name!r} is registered {who}",
                f"keep one: disable a plugin with -p no:NAME, or rename the {what}",
            )
        out[name] = item
        owners[(what, name)] = plugin
    return out


def _cloud_name(cloud: Cloud, plugin: str) -> str:
    if not NAME.match(cloud.name):
        raise fail(
            f"plugin {plugin}",
            None,
            f"cloud name {cloud.name!r} is not lower-case letters and digits",
            "name the cloud like aws or gcp (it starts its kinds and control ids)",
        )
    return cloud.name


def _id(check: PythonCheck, plugin: str) -> str:
    return check.id


def _name(item: Reporter | ResourceKind, plugin: str) -> str:
    return item.name
