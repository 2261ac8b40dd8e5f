"""The built-in catalogue as the tests read it. Which controls and resource kinds exist is read
from here (the plugins registered and rules.yaml loaded as a scan does), never written down as a
list or a count in a test, so a new control or kind needs no test edit to be counted."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from logwarden.scanner.config import load_config
from logwarden.scanner.models import Check, ResourceKind
from logwarden.scanner.plugins import DISABLE_AUTOLOAD_ENV, create_plugin_manager
from logwarden.scanner.registry import Registry
from logwarden.scanner.rules import Catalogue, builtin_rules_path, load_catalogue


@functools.cache
def registry() -> Registry:
    """The registry a run collects from logwarden's built-in plugins alone (shared by the
    tests, so a plugin one test installs never leaks into another)."""
    saved = os.environ.get(DISABLE_AUTOLOAD_ENV)
    os.environ[DISABLE_AUTOLOAD_ENV] = "1"
    try:
        return Registry.collect(create_plugin_manager())
    finally:
        if saved is None:
            del os.environ[DISABLE_AUTOLOAD_ENV]
        else:
            os.environ[DISABLE_AUTOLOAD_ENV] = saved


def builtin_clouds() -> tuple[str, ...]:
    """The clouds logwarden's built-in plugins register."""
    return tuple(registry().clouds)


def load_rules(files: list[Path | str], clouds: Iterable[str], **kw: Any) -> Catalogue:
    """Rules files loaded as a scan of ``clouds`` loads them (``kw``: ``load_catalogue``'s)."""
    clouds = list(clouds)
    return load_catalogue(
        files,
        kinds=registry().kinds(clouds),
        python_checks=registry().python_checks(clouds),
        clouds=clouds,
        known_clouds=list(registry().clouds),
        **kw,
    )


def builtin_catalogue(
    clouds: Iterable[str], **parameters: Any
) -> tuple[Catalogue, dict[str, ResourceKind]]:
    """rules.yaml loaded with the plugins of ``clouds`` (the controls of other clouds are left
    out, as ``--cloud`` does), ``parameters`` applied as a scan config's; and the kinds."""
    clouds = list(clouds)
    catalogue = load_rules(
        [builtin_rules_path()], clouds, parameters=("test", parameters) if parameters else None
    )
    return catalogue, registry().kinds(clouds)


@functools.cache
def _everything() -> tuple[Catalogue, Mapping[str, ResourceKind]]:
    return builtin_catalogue(builtin_clouds())


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
    load_rules([builtin_rules_path(), path], builtin_clouds())


def validate_config(path: Path) -> None:
    """Everything a scan checks in a config file before it calls a cloud: the file, each
    ``clouds.<cloud>`` section, and the catalogue with its rules files, parameters and
    overrides. :raises InputError: with every problem."""
    cfg = load_config(path)
    clouds = list(dict.fromkeys([*cfg.clouds, *builtin_clouds()]))
    for cloud, section in cfg.clouds.items():
        registry().clouds[cloud].settings(section, cfg.file, None)
    load_rules(
        [builtin_rules_path(), *cfg.rules_files],
        clouds,
        parameters=(cfg.file, cfg.parameters),
        overrides=cfg.overrides,
    )
