"""Read the parts of the Markdown docs that tests check against the code: fenced YAML
examples, field tables after a ``<!-- fields: NAME -->`` marker, generated blocks, relative
links, and the per-kind field tables of docs/resource-kinds.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
USER_DOCS = [ROOT / "README.md", *DOCS]
KINDS_DOC = ROOT / "docs" / "resource-kinds.md"
NOT_VALID = "# not valid:"  # first line of a YAML example that shows a mistake on purpose
# First line of an example quoted from a file of the repository (a plugin's catalogue, which
# loads only with that plugin installed): the test checks the quote against the file.
EXCERPT_OF = "# excerpt of "
JSON_TYPES = ("string", "number", "boolean", "list", "mapping", "null")
FIELD_HEADER = ("field", "type", "meaning")

_FENCE = re.compile(r"^```(\w*)\s*$")
_ROW = re.compile(r"^\|(.*)\|\s*$")
_KIND_HEADING = re.compile(r"^### `([a-z0-9_]+\.[a-z0-9_.]+)`\s*$")
_PLACEMENT = re.compile(r"^(Organization|Tenant) level, stage (\d+)\.")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    """A fenced code block: the file, the line of its first content line, its language."""

    path: Path
    line: int
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path, language: str) -> list[Block]:
    """Every fenced block of ``language`` in a Markdown file."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    inside: tuple[str, int] | None = None
    body: list[str] = []
    for number, text in enumerate(lines, 1):
        fence = _FENCE.match(text)
        if fence and inside is None:
            inside, body = (fence.group(1), number + 1), []
        elif fence and inside is not None and not fence.group(1):
            if inside[0] == language:
                found.append(Block(path, inside[1], language, "\n".join(body) + "\n"))
            inside = None
        elif inside is not None:
            body.append(text)
    return found


def cells(row: str) -> list[str]:
    """The cells of one Markdown table row (no cell of these docs contains ``|``)."""
    match = _ROW.match(row)
    return [c.strip() for c in match.group(1).split("|")] if match else []


def table_after(path: Path, marker: str) -> list[list[str]]:
    """The body rows of the table that follows the line ``marker``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(marker) + 1
    rows = []
    for text in lines[start:]:
        if not text.startswith("|"):
            break
        rows.append(cells(text))
    return rows[2:]  # header and separator


def between(path: Path, begin: str, end: str) -> str:
    """The text between the lines starting with ``begin`` and ``end`` (exclusive)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, text in enumerate(lines) if text.startswith(begin))
    last = next(i for i, text in enumerate(lines) if i > first and text.startswith(end))
    return "\n".join(lines[first + 1 : last])


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every Markdown link outside code blocks."""
    inside = False
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(text):
            inside = not inside
        elif not inside:
            for target in _LINK.findall(text):
                yield number, target


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    found: set[str] = set()
    inside = False
    for text in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(text):
            inside = not inside
        elif not inside and text.startswith("#"):
            title = text.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            found.add(slug)
    return found


@dataclass(frozen=True)
class FieldDoc:
    """One row of a kind's field table."""

    path: str
    types: tuple[str, ...]
    meaning: str
    line: int

    @property
    def segments(self) -> tuple[str, ...]:
        """``Roots[].PolicyTypes`` -> ("Roots", "[]", "PolicyTypes")."""
        out: list[str] = []
        for part in self.path.split("."):
            name = part.removesuffix("[]")
            out.append(name)
            out.extend(["[]"] * ((len(part) - len(name)) // 2))
        return tuple(s for s in out if s)

    @property
    def volatile(self) -> bool:
        return "*(volatile" in self.meaning

    @property
    def not_in_sandbox(self) -> bool:
        return "*(not in the sandbox:" in self.meaning


@dataclass
class KindDoc:
    """One ``### `kind``` section of docs/resource-kinds.md."""

    name: str
    line: int
    organization: bool | None = None
    stage: int | None = None
    fields: list[FieldDoc] = field(default_factory=list)


def kind_docs(path: Path = KINDS_DOC) -> list[KindDoc]:
    """Every documented kind, in file order (a kind documented twice appears twice)."""
    kinds: list[KindDoc] = []
    current: KindDoc | None = None
    in_fields = False  # inside a "| field | type | meaning |" table
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        heading = _KIND_HEADING.match(text)
        placement = _PLACEMENT.match(text)
        in_fields = in_fields and text.startswith("|")
        if heading:
            current = KindDoc(heading.group(1), number)
            kinds.append(current)
        elif text.startswith("## "):
            current = None
        elif current is not None and current.stage is None and placement:
            current.organization = placement.group(1) == "Organization"
            current.stage = int(placement.group(2))
        elif current is not None and cells(text) == list(FIELD_HEADER):
            in_fields = True
        elif in_fields and text.startswith("| `"):
            name, types, meaning = cells(text)
            assert current is not None
            current.fields.append(
                FieldDoc(name.strip("`"), tuple(types.split(" or ")), meaning, number)
            )
    return kinds


def json_type(value: Any) -> str:
    """The JSON type name of a value (the vocabulary of the type column)."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "mapping"


def observed_paths(document: Any) -> dict[tuple[str, ...], set[str]]:
    """Every path of a document (list items as "[]") with the JSON types found there."""
    found: dict[tuple[str, ...], set[str]] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if path:
            found.setdefault(path, set()).add(json_type(node))
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
        elif isinstance(node, list):
            for item in node:
                walk(item, (*path, "[]"))

    walk(document, ())
    return found


def matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """A documented path (``*`` = any key) against an observed one."""
    return len(pattern) == len(path) and all(
        p == o or (p == "*" and o != "[]") for p, o in zip(pattern, path, strict=True)
    )
