"""Shape validation for YAML mappings: unknown keys, required keys and value types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from logwarden.scanner.errors import Problem
from logwarden.scanner.yamlsrc import line_of

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
    float: "a number",
}


@dataclass(frozen=True)
class Field:
    """One allowed key: its type(s) and whether it is required."""

    types: type | tuple[type, ...]
    required: bool = False

    def accepts(self, value: Any) -> bool:
        types = self.types if isinstance(self.types, tuple) else (self.types,)
        if isinstance(value, bool) and bool not in types:
            return False  # YAML true is not an integer here
        return isinstance(value, types)

    def describe(self) -> str:
        types = self.types if isinstance(self.types, tuple) else (self.types,)
        return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def check_fields(
    node: Mapping[str, Any],
    fields: Mapping[str, Field],
    file: str,
    what: str,
    problems: list[Problem],
) -> bool:
    """Report unknown keys, missing required keys and wrong types; True when all is well."""
    ok = True
    base = line_of(node)
    for key, value in node.items():
        line = line_of(node, key)
        spec = fields.get(key)
        if spec is None:
            problems.append(
                Problem(
                    file, line, f"unknown {what} field {key!r}", f"use one of: {', '.join(fields)}"
                )
            )
            ok = False
        elif not spec.accepts(value):
            problems.append(
                Problem(
                    file,
                    line,
                    f"{what} field {key!r} must be {spec.describe()}, not {type(value).__name__} {value!r}",
                    f"write {key} as {spec.describe()}",
                )
            )
            ok = False
    for key, spec in fields.items():
        if spec.required and key not in node:
            problems.append(
                Problem(
                    file, base, f"{what} is missing the required field {key!r}", f"add '{key}:'"
                )
            )
            ok = False
    return ok
