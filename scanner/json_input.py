"""JSON files given to logwarden (saved inventories, baselines, report.json): read and shape.

Every way such a file can be wrong is an InputError naming the file and, for a value of the
wrong type, its JSON path (``organizations[0].tenants[2].inventory``): never a traceback
halfway through a scan. ``read`` also refuses documents nested deeper than any cloud's
configuration (:mod:`logwarden.scanner.nesting`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logwarden.scanner.errors import InputError, Problem, fail
from logwarden.scanner.nesting import MAX_DEPTH, too_deep

MAX_PROBLEMS = 20

NONE = type(None)
# key -> (accepted types, required)
Spec = Mapping[str, tuple[tuple[type, ...], bool]]
_TYPE_WORDS = {str: "a string", bool: "true or false", list: "a list", dict: "an object"}
_TYPE_WORDS |= {NONE: "null", int: "an integer"}
_VALUE_WORDS = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
_VALUE_WORDS |= {int: "an integer", float: "a number"}


def read(path: str | Path, *, label: str, option: str, fix: str) -> Any:
    """The parsed document of the JSON file ``path``.

    :param label: what the file is, for messages ("inventory file").
    :param option: the option that named it, for a path that does not exist ("--inventory").
    :param fix: how to get a good file.
    """
    name = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(name, None, f"{label} not found", f"check the {option} path") from None
    except IsADirectoryError:
        raise fail(name, None, "is a directory", f"give {option} a {label}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(name, None, f"cannot read the {label}: {exc}", "check its permissions") from None
    except json.JSONDecodeError as exc:
        raise fail(name, exc.lineno, f"malformed JSON: {exc.msg}", fix) from None
    except RecursionError:
        raise fail(name, None, f"nested more than {MAX_DEPTH} levels deep", fix) from None
    check_depth(doc, name, fix)
    return doc


def read_document(
    path: str | Path, *, label: str, option: str, fix: str, schema: str
) -> dict[str, Any]:
    """The parsed JSON object of ``path`` (see ``read``), refused unless its ``schema`` field
    is ``schema``: a file of another kind or version is named as such, not misread."""
    doc = read(path, label=label, option=option, fix=fix)
    found = doc.get("schema") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or found != schema:
        raise fail(
            str(path), None, f"not a logwarden {label} (schema {found!r}, not {schema})", fix
        )
    return doc


def check_depth(doc: Any, file: str, fix: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a document nested deeper than ``limit`` (see :mod:`logwarden.scanner.nesting`)."""
    found = too_deep(doc, limit)
    if found is not None:
        raise fail(file, None, f"{found[0]}: nested more than {limit} levels deep", fix)


@dataclass
class Shape:
    """Collects what is wrong with a document's shape, each problem with its JSON path."""

    file: str
    fix: str
    what: str = ""  # said before each path, e.g. "corrupt baseline at "
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, None, f"{self.what}{path}: {message}", self.fix))

    def fields(self, node: Any, spec: Spec, path: str, others: bool = False) -> bool:
        """Check an object against ``spec`` (missing, mistyped and, unless ``others``,
        unknown fields); True when every field in ``spec`` can be read."""
        if not isinstance(node, dict):
            self.add(path, f"must be an object, not {describe(node)}")
            return False
        ok = True
        for key, value in node.items():
            where = f"{path}.{key}".removeprefix("$.")
            types = spec[key][0] if key in spec else ()
            if not types:
                if not others:
                    self.add(where, f"unknown field (expected: {', '.join(spec)})")
                    ok = False
            elif not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                words = " or ".join(_TYPE_WORDS[t] for t in types)
                self.add(where, f"must be {words}, not {describe(value)}")
                ok = False
        for key, (_, required) in spec.items():
            if required and key not in node:
                self.add(path, f"missing the field {key!r}")
                ok = False
        return ok

    def items(self, node: Any, path: str) -> list[Any]:
        """``node`` when it is a list (a problem and no items otherwise)."""
        if not isinstance(node, list):
            self.add(path, f"must be a list, not {describe(node)}")
            return []
        return node

    def each(self, node: Any, spec: Spec, path: str, others: bool = False) -> None:
        """Check every item of the list ``node`` against ``spec`` (see ``fields``)."""
        for index, item in enumerate(self.items(node, path)):
            self.fields(item, spec, f"{path}[{index}]", others)

    def strings(self, node: Any, path: str) -> None:
        for index, item in enumerate(self.items(node, path)):
            if not isinstance(item, str):
                self.add(f"{path}[{index}]", f"must be a string, not {describe(item)}")

    def raise_problems(self) -> None:
        """Raise an InputError with the problems found (the first MAX_PROBLEMS), if any."""
        problems = self.problems
        if len(problems) > MAX_PROBLEMS:
            more = f"... and {len(problems) - MAX_PROBLEMS} more problems"
            problems = [*problems[:MAX_PROBLEMS], Problem(self.file, None, more, self.fix)]
        if problems:
            raise InputError(problems)


def describe(value: Any) -> str:
    """``a string 'oops'``, ``an object``, ``null``: what was found instead."""
    if value is None:
        return "null"
    kind = _VALUE_WORDS.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, dict | list):
        return kind
    return f"{kind} {cut(repr(value), 60)}"


def cut(text: str, limit: int) -> str:
    """``text`` shortened to about ``limit`` characters, keeping both ends."""
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]
