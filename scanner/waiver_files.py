"""Waivers as the config file and waivers files write them: parsed, dated, located.

A waiver lives in ``logwarden.yaml`` under ``waivers:``, or in a waivers file of its own (a
reviewed file apart from the scan config, owned by the team that accepts the risk): the config
lists such files among its waivers (``- waivers/platform.yaml``, relative to the config) and
``scan --waivers FILE`` adds more. A waivers file is ``version: 1`` and a ``waivers:`` list of
the same entries. Every waiver keeps its ``file:line`` as its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from logwarden.scanner import yamlsrc
from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.models import Waiver
from logwarden.scanner.schema import Field, check_fields
from logwarden.scanner.yamlsrc import line_of

WAIVER_FIELDS = {
    "checks": Field(str, True),
    "tenants": Field(list),
    "resources": Field(list),
    "reason": Field(str, True),
    "owner": Field(str, True),
    "expires": Field((str, dt.date), True),
}
FILE_FIELDS = {"version": Field(int), "waivers": Field(list, True)}


def entries(node: Any, file: str, base: Path, problems: list[Problem]) -> list[Waiver]:
    """The waivers of a config's ``waivers:`` list: mappings, and paths of waivers files
    (relative to ``base``, the config's folder), read in order."""
    out: list[Waiver] = []
    items = node if isinstance(node, list) else []
    for index, item in enumerate(items):
        line = line_of(items, index)
        if isinstance(item, str):
            try:
                out.extend(load_file(base / item))
            except InputError as exc:
                problems.extend(exc.problems)
            continue
        waiver = parse(item, file, line, problems)
        if waiver is not None:
            out.append(waiver)
    return out


def load_file(path: Path | str) -> list[Waiver]:
    """Every waiver of a waivers file.

    :raises InputError: the file cannot be read, or every problem in it (line and fix).
    """
    name = str(path)
    doc = yamlsrc.load_file(path)
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    "a waivers file must be a mapping",
                    "write 'version: 1' and 'waivers:'",
                )
            ]
        )
    check_fields(doc, FILE_FIELDS, name, "waivers file", problems)
    if doc.get("version", 1) != 1:
        problems.append(
            Problem(
                name,
                line_of(doc, "version"),
                f"unsupported version {doc.get('version')!r}",
                "use 'version: 1'",
            )
        )
    listed = doc.get("waivers")
    items: list[Any] = listed if isinstance(listed, list) else []
    out = []
    for index, item in enumerate(items):
        waiver = parse(item, name, line_of(items, index), problems)
        if waiver is not None:
            out.append(waiver)
    if problems:
        raise InputError(problems)
    return out


def load_files(paths: Iterable[Path]) -> list[Waiver]:
    """The waivers of several files (``--waivers``), every file's problems at once."""
    out: list[Waiver] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            out.extend(load_file(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


def parse(node: Any, file: str, line: int | None, problems: list[Problem]) -> Waiver | None:
    """One waiver entry, or None with its problems added."""
    if not isinstance(node, dict):
        problems.append(
            Problem(
                file, line, "a waiver must be a mapping", "give checks, reason, owner and expires"
            )
        )
        return None
    if not check_fields(node, WAIVER_FIELDS, file, "waiver", problems):
        return None
    expires = _expiry(node["expires"], file, line_of(node, "expires"), problems)
    if expires is None:
        return None
    for key in ("tenants", "resources"):
        if not all(isinstance(v, str | int) for v in node.get(key) or ()):
            problems.append(
                Problem(
                    file,
                    line_of(node, key),
                    f"waiver {key} must be a list of ids or globs",
                    f"write e.g. {key}: ['123456789012']",
                )
            )
            return None
    return Waiver(
        checks=node["checks"],
        reason=node["reason"],
        owner=node["owner"],
        expires=expires.isoformat(),
        tenants=tuple(str(t) for t in node.get("tenants") or ()),
        resources=tuple(str(r) for r in node.get("resources") or ()),
        source=f"{file}:{line_of(node)}",
    )


def _expiry(value: Any, file: str, line: int | None, problems: list[Problem]) -> dt.date | None:
    """A waiver's ``expires``: a date. A waiver is valid through that whole day, so a time of
    day would promise a precision it does not have: it is refused, not silently dropped."""
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _is_datetime(value)):
        problems.append(
            Problem(
                file,
                line,
                f"waiver expires {str(value)!r} has a time of day; a waiver is valid through "
                "the whole day it expires",
                "write the date alone as YYYY-MM-DD",
            )
        )
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(
            Problem(
                file,
                line,
                f"waiver expires {value!r} is not a date",
                "write the date as YYYY-MM-DD",
            )
        )
        return None


def _is_datetime(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        try:
            dt.datetime.fromisoformat(text)
        except ValueError:
            return False
        return True
    return False
