"""``clouds.toy`` of the config file, validated: every problem with its file, line and fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.errors import InputError, Problem
from logwarden_toy.api import ToyApi

KEYS = {"workspaces"}


@dataclass(frozen=True)
class ToySettings:
    """What a scan of the toy cloud needs: the workspaces to scan and the API client."""

    workspaces: tuple[str, ...] = ()  # empty: every workspace
    api: ToyApi = field(default_factory=ToyApi, compare=False)


def parse_settings(section: Mapping[str, Any], file: str) -> ToySettings:
    """Validate ``clouds.toy``; raise ``InputError`` naming every problem.

    A section read from a file carries line numbers (``section.line_of(key)``).
    """
    line_of = getattr(section, "line_of", lambda key: None)
    problems = [
        Problem(file, line_of(key), f"unknown key clouds.toy.{key}", "use: workspaces")
        for key in section
        if key not in KEYS
    ]
    workspaces = section.get("workspaces", [])
    if not isinstance(workspaces, list) or not all(isinstance(w, str) for w in workspaces):
        problems.append(
            Problem(
                file,
                line_of("workspaces"),
                "clouds.toy.workspaces must be a list of workspace ids",
                "write e.g. workspaces: [ws-good]",
            )
        )
    if problems:
        raise InputError(problems)
    return ToySettings(workspaces=tuple(workspaces))
