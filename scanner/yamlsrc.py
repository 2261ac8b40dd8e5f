"""YAML loading that remembers where each value came from, for error messages.

Dates stay the text that was written (as in YAML 1.2, which has no timestamp type): cloud
APIs return ISO strings, so a rules filter ``value: 2027-03-31`` compares equal to them, and
the few fields that are dates (a waiver's ``expires``) parse and validate the text themselves.
Something YAML 1.1 reads as a timestamp but that is no calendar date (``2027-02-30``) is an
error with its line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from logwarden.scanner.errors import fail
from logwarden.scanner.nesting import MAX_DEPTH, too_deep

_NESTING_FIX = "no logwarden rules or config file nests this deep: check the brackets"


class SourceMap(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class SourceList(list[Any]):
    """A YAML sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


class _BadScalar(yaml.constructor.ConstructorError):
    """A scalar YAML resolved to a type whose value is impossible; carries the fix."""

    def __init__(self, problem: str, fix: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, problem, mark)
        self.fix = fix


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> SourceMap:
    loader.flatten_mapping(node)
    result = SourceMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> SourceList:
    result = SourceList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = str(node.value)
    try:
        loader.construct_yaml_timestamp(node)
    except (ValueError, AttributeError) as exc:  # AttributeError: the resolver matched a prefix
        detail = f" ({exc})" if isinstance(exc, ValueError) else ""
        raise _BadScalar(
            f"{text!r} is not a real date{detail}",
            "write a calendar date as YYYY-MM-DD, or quote the value to keep it as text",
            node.start_mark,
        ) from None
    return text


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def loads(text: str, filename: str) -> Any:
    """Parse YAML text; a syntax error becomes an InputError naming the file and line."""
    loader = _Loader(text)
    try:
        doc = loader.get_single_data()
    except RecursionError:
        stopped = loader.get_mark().line + 1  # where reading stopped: inside the nesting
        raise fail(filename, stopped, "nested too deeply", _NESTING_FIX) from None
    except _BadScalar as exc:
        at = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise fail(filename, at, exc.problem or str(exc), exc.fix) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        raise fail(
            filename, line, f"malformed YAML: {problem}", "correct the YAML syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise fail(filename, None, f"malformed YAML: {exc}", "correct the YAML syntax") from None
    finally:
        loader.dispose()
    found = too_deep(doc)
    if found is not None:
        path, node = found
        raise fail(
            filename, line_of(node), f"{path}: nested more than {MAX_DEPTH} levels", _NESTING_FIX
        )
    return doc


def load_file(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable files become an InputError too."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(name, None, "file not found", "check the path") from None
    except IsADirectoryError:
        raise fail(name, None, "is a directory, not a file", "name a YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(
            name, None, f"cannot read the file: {exc}", "check its permissions and encoding"
        ) from None
    return loads(text, name)


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """The line of ``node`` (or of its ``key`` / item index) when it came from a YAML file.

    The one place that reads positions: a key or index ``node`` does not have gives the line
    of ``node`` itself; a node that did not come from a file (a plain dict, list or scalar)
    gives None, so callers write ``line_of(node, key) or fallback``."""
    if key is not None:
        if isinstance(node, SourceMap) and isinstance(key, str):
            return node.line_of(key)
        if isinstance(node, SourceList) and isinstance(key, int):
            return node.line_of(key)
    return getattr(node, "line", None)


def subset(mapping: Mapping[str, Any], keys: Collection[str]) -> Mapping[str, Any]:
    """``mapping`` restricted to ``keys``, keeping the line of each key when it has them."""
    if isinstance(mapping, SourceMap):
        out = SourceMap({k: v for k, v in mapping.items() if k in keys})
        out.line, out.key_lines = mapping.line, mapping.key_lines
        return out
    return {k: v for k, v in mapping.items() if k in keys}
