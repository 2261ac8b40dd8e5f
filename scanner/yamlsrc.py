"""YAML loading that remembers where each value came from, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scanner.errors import fail


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


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def loads(text: str, filename: str) -> Any:
    """Parse YAML text; a syntax error becomes an InputError naming the file and line."""
    try:
        return yaml.load(text, Loader=_Loader)
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
    """The line of ``node`` (or of its ``key`` / item index) when it came from a YAML file."""
    if key is not None:
        if isinstance(node, SourceMap) and isinstance(key, str):
            return node.line_of(key)
        if isinstance(node, SourceList) and isinstance(key, int):
            return node.line_of(key)
    return getattr(node, "line", None)
