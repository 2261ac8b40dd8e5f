"""The built-in catalogue as the tests read it. Which controls and resource kinds exist is read
from here (the plugins registered and rules.yaml loaded as a scan does), never written down as a
list or a count in a test, so a new control or kind needs no test edit to be counted."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from logwarden.scanner import engine
from logwarden.scanner.config import load_config
from logwarden.scanner.models import Check, PythonCheck, ResourceKind
from logwarden.scanner.plugins import KNOWN_CLOUDS, create_plugin_manager
from logwarden.scanner.rules import Catalogue, builtin_rules_path, load_catalogue

BUILTIN_CLOUDS: tuple[str, ...] = tuple(KNOWN_CLOUDS)


def registered(
    clouds: Iterable[str],
) -> tuple[dict[str, ResourceKind], dict[str, PythonCheck]]:
    """The resource kinds and Python checks that the plugins of ``clouds`` register."""
    pm = create_plugin_manager(list(clouds))
    kinds = engine.registered_kinds(pm)
    checks = {c.id: c for group in pm.hook.logwarden_register_checks() for c in group}
    return kinds, checks


def builtin_catalogue(
    clouds: Iterable[str], **parameters: Any
) -> tuple[Catalogue, dict[str, ResourceKind]]:
    """rules.yaml loaded with the plugins of ``clouds`` (the controls of other clouds are left
    out, as ``--cloud`` does), ``parameters`` applied as a scan config's; and the kinds."""
    kinds, checks = registered(clouds)
    catalogue = load_catalogue(
        [builtin_rules_path()],
        kinds=kinds,
        python_checks=checks,
        parameters=("test", parameters) if parameters else None,
    )
    return catalogue, kinds


@functools.cache
def _everything() -> tuple[Catalogue, Mapping[str, ResourceKind]]:
    return builtin_catalogue(BUILTIN_CLOUDS)


def controls(cloud: str | None = None) -> list[Check]:
    """The built-in controls enabled by default (of ``cloud``, or of every cloud), by id."""
    catalogue, _ = _everything()
    return catalogue.enabled_checks(None if cloud is None else {cloud})


def control_ids(cloud: str | None = None) -> set[str]:
    """The ids of :func:`controls`."""
    return {c.id for c in controls(cloud)}


def resource_kinds(cloud: str | None = None) -> dict[str, ResourceKind]:
    """The resource kinds the built-in plugins register (of ``cloud``, or of every cloud)."""
    _, kinds = _everything()
    return {name: k for name, k in kinds.items() if cloud is None or k.cloud == cloud}


def validate_rules_file(path: Path) -> None:
    """Load ``path`` over the built-in catalogue with every built-in cloud, as
    ``logwarden rules validate`` does. :raises InputError: with every problem."""
    kinds, checks = registered(BUILTIN_CLOUDS)
    load_catalogue([builtin_rules_path(), path], kinds=kinds, python_checks=checks)


def validate_config(path: Path) -> None:
    """Everything a scan checks in a config file before it calls a cloud: the file, each
    ``clouds.<cloud>`` section, and the catalogue with its rules files, parameters and
    overrides. :raises InputError: with every problem."""
    cfg = load_config(path)
    clouds = list(dict.fromkeys([*cfg.clouds, *BUILTIN_CLOUDS]))
    pm = create_plugin_manager(clouds)
    for cloud, section in cfg.clouds.items():
        pm.hook.logwarden_configure_cloud(cloud=cloud, section=section, file=cfg.file, options=None)
    kinds, checks = registered(clouds)
    load_catalogue(
        [builtin_rules_path(), *cfg.rules_files],
        kinds=kinds,
        python_checks=checks,
        parameters=(cfg.file, cfg.parameters),
        overrides=cfg.overrides,
    )
