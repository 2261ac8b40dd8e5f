"""Validation helpers shared by the cloud plugins' ``clouds.<cloud>`` config parsers.

Each plugin subclasses :class:`SectionParser` with its own id formats; the common parts
(line numbers, collecting every problem, strings, numbers, unknown keys) live here once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.yamlsrc import line_of


def require_mapping(section: Any, cloud: str, file: str) -> Mapping[str, Any]:
    """``section`` (None = empty), or an InputError when it is not a mapping."""
    section = section if section is not None else {}
    if not isinstance(section, Mapping):
        where = line_of(section)
        fix = f"write key: value pairs under clouds.{cloud}"
        raise InputError([Problem(file, where, f"clouds.{cloud} must be a mapping", fix)])
    return section


class SectionParser:
    """Reads one ``clouds.<cloud>`` mapping, collecting every problem with its line."""

    def __init__(self, cloud: str, section: Mapping[str, Any], file: str) -> None:
        self.cloud = cloud
        self.section = section
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: Any, key: str | int, message: str, fix: str) -> None:
        """Record one problem at the line of ``node[key]``."""
        self.problems.append(Problem(self.file, line_of(node, key), message, fix))

    def text(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> str | None:
        """An optional non-empty string (stripped), matching ``pattern`` when given."""
        value = self.section.get(key)
        if value is None:
            return None
        name = f"clouds.{self.cloud}.{key}"
        if not isinstance(value, str) or not value.strip():
            self.problem(
                self.section, key, f"{name} must be a non-empty string", hint or "quote the value"
            )
            return None
        if pattern is not None and not pattern.match(value):
            self.problem(self.section, key, f"{name} {value!r} is not valid", hint)
            return None
        return value.strip()

    def number(
        self,
        key: str,
        default: float,
        low: float,
        high: float,
        *,
        whole: bool = False,
        unit: str = "",
    ) -> float:
        """An optional number in ``[low, high]``; the default when absent or invalid."""
        value = self.section.get(key, default)
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            kind = "a whole number" if whole else "a number"
            of = f" of {unit}" if unit else ""
            self.problem(
                self.section,
                key,
                f"clouds.{self.cloud}.{key} {value!r} is not valid",
                f"use {kind}{of} from {low:g} to {high:g}, e.g. {default:g}",
            )
            return default
        return value

    def unknown_keys(self, allowed: Iterable[str], skip: Iterable[str] = ()) -> None:
        """A problem (with a did-you-mean) for every key not in ``allowed``."""
        allowed = list(allowed)
        skipped = set(skip)
        for key in self.section:
            if key in allowed or key in skipped:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.problem(
                self.section,
                key,
                f"unknown key clouds.{self.cloud}.{key}",
                f"{hint}allowed keys: {', '.join(allowed)}",
            )

    def raise_problems(self) -> None:
        """Raise every problem found, together and in file order, as one InputError."""
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda problem: problem.line or 0))
