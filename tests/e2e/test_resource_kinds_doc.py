"""docs/resource-kinds.md against what the real collectors produce: the installed CLI scans the
three sandboxes once (tests/sandbox_documents.py) and every documented field must be in the
documents of its kind, with a documented type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalogue import resource_kinds
from tests.docs_reference import ROOT, FieldDoc, KindDoc, kind_docs, matches, observed_paths
from tests.sandbox_documents import scan_sandboxes

pytestmark = pytest.mark.e2e

KINDS = kind_docs()


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    return scan_sandboxes(tmp_path_factory.mktemp("sandboxes"))


def _observed(documents: list[dict[str, Any]]) -> dict[tuple[str, ...], set[str]]:
    found: dict[tuple[str, ...], set[str]] = {}
    for document in documents:
        for path, types in observed_paths(document).items():
            found.setdefault(path, set()).update(types)
    return found


def _found(row: FieldDoc, observed: dict[tuple[str, ...], set[str]]) -> set[str] | None:
    """The types observed at the paths the row names, or None when none was observed."""
    hits = [types for path, types in observed.items() if matches(row.segments, path)]
    return set().union(*hits) if hits else None


def test_the_sandboxes_produce_every_registered_kind(produced: dict[str, Any]) -> None:
    assert set(resource_kinds()) <= set(produced)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_documented_field_is_produced_with_a_documented_type(
    kind: KindDoc, produced: dict[str, list[dict[str, Any]]]
) -> None:
    observed = _observed(produced.get(kind.name, []))
    missing, mistyped = [], []
    for row in kind.fields:
        if row.not_in_sandbox:
            continue
        types = _found(row, observed)
        if types is None:
            missing.append(f"line {row.line}: {row.path}")
        elif not types <= set(row.types):
            mistyped.append(f"line {row.line}: {row.path} is {sorted(types)}, not {row.types}")
    assert missing == [], f"{kind.name}: documented but never produced"
    assert mistyped == [], kind.name


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_field_the_sandbox_lacks_is_marked_and_the_collector_names_it(
    kind: KindDoc, produced: dict[str, list[dict[str, Any]]]
) -> None:
    """The mark is honest (the sandbox really does not produce it) and the field is not a
    typo (the cloud's collector code names it)."""
    observed = _observed(produced.get(kind.name, []))
    collectors = ROOT / "scanner" / "collectors" / kind.name.split(".")[0]
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(collectors.rglob("*.py")))
    for row in kind.fields:
        if not row.not_in_sandbox:
            continue
        assert _found(row, observed) is None, f"{kind.name} {row.path}: produced; drop the mark"
        assert f'"{row.segments[-1]}"' in source, f"{kind.name} {row.path}: not in {collectors}"
