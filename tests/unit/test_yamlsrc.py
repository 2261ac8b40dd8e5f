"""Positions in YAML files: one helper, yamlsrc.line_of, and nobody else reads them."""

from __future__ import annotations

import re
from pathlib import Path

from logwarden.scanner import yamlsrc
from logwarden.scanner.yamlsrc import line_of, loads, subset

TEXT = """\
top:
  a: 1

  b:
    - x
    - {c: 2}
"""
ROOT = Path(__file__).resolve().parents[2]


def test_line_of_a_key_an_item_and_the_node_itself() -> None:
    doc = loads(TEXT, "t.yaml")
    top = doc["top"]
    assert (line_of(doc), line_of(doc, "top"), line_of(top), line_of(top, "b")) == (1, 1, 2, 4)
    items = top["b"]
    assert (line_of(items, 0), line_of(items, 1), line_of(items[1], "c")) == (5, 6, 6)


def test_what_the_node_does_not_have_falls_back_to_the_node_then_to_none() -> None:
    top = loads(TEXT, "t.yaml")["top"]
    assert line_of(top, "missing") == 2  # a key it does not have: its own line
    assert line_of(top, 0) == 2  # an index on a mapping
    assert line_of(top["b"], 9) == 5 and line_of(top["b"], "x") == 5
    for plain in ({"a": 1}, [1], "text", 3, None):
        assert line_of(plain) is None and line_of(plain, "a") is None and line_of(plain, 0) is None


def test_subset_keeps_the_lines_of_the_keys_it_keeps() -> None:
    top = loads(TEXT, "t.yaml")["top"]
    kept = subset(top, {"b"})
    assert dict(kept) == {"b": top["b"]} and line_of(kept, "b") == 4 and line_of(kept) == 2
    assert subset({"a": 1, "b": 2}, ["a"]) == {"a": 1}


def test_no_module_but_yamlsrc_reads_yaml_positions() -> None:
    """``.line_of(``, ``key_lines``, ``item_lines`` and ``getattr(x, "line"`` belong to
    yamlsrc: every other module asks yamlsrc.line_of."""
    reads = re.compile(r"(?<!yamlsrc)\.line_of\(|key_lines|item_lines|getattr\([^)]*[\"']line")
    own = Path(yamlsrc.__file__).resolve()
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("scanner", "checks", "reports")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.resolve() != own
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(text)
    ]
    assert found == []
