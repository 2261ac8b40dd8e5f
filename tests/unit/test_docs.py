"""The user docs against the code they describe: the rules reference against the loader and
the operator table, every YAML example against the loaders, the kinds reference against the
registered kinds, the controls list against the catalogue, and every relative link.

(What the collectors produce is checked against docs/resource-kinds.md by
tests/e2e/test_resource_kinds_doc.py, which scans the sandboxes.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from logwarden.scanner import config, frameworks, rules
from logwarden.scanner.errors import InputError
from logwarden.scanner.operators import OPERATORS, VALUE_TYPES
from logwarden.scanner.schema import Field
from tests.catalogue import controls, resource_kinds, validate_config, validate_rules_file
from tests.docs_reference import (
    EXCERPT_OF,
    JSON_TYPES,
    NOT_VALID,
    ROOT,
    USER_DOCS,
    Block,
    anchors,
    between,
    blocks,
    kind_docs,
    links,
    table_after,
)

RULES_DOC = ROOT / "docs" / "rules.md"
CONTROLS_DOC = ROOT / "docs" / "controls.md"
FIELD_TABLES = {
    "TOP_LEVEL": rules.TOP_LEVEL,
    "CONTROL_FIELDS": rules.CONTROL_FIELDS,
    "REMEDIATION_FIELDS": rules.REMEDIATION_FIELDS,
    "OVERRIDE_FIELDS": rules.OVERRIDE_FIELDS,
    "CLAIM_FIELDS": frameworks.CLAIM_FIELDS,
}


def operator_table() -> str:
    """docs/rules.md's operator table, as the operator table says it."""
    rows = [
        "| op | holds when | value | observed | value_type | example |",
        "|---|---|---|---|---|---|",
    ]
    for op in OPERATORS.values():
        value_types = ", ".join(op.value_types) or "-"
        rows.append(
            f"| `{op.name}` | {op.summary} | {op.value.noun} | {', '.join(op.observed)} "
            f"| {value_types} | `{op.example}` |"
        )
    return "\n".join(rows)


def value_type_table() -> str:
    """docs/rules.md's value_type table, as VALUE_TYPES says it."""
    rows = ["| value_type | measures | value | operators | example |", "|---|---|---|---|---|"]
    for vt in VALUE_TYPES.values():
        rows.append(
            f"| `{vt.name}` | {vt.summary} | a number of {vt.unit} | "
            f"{', '.join(vt.operators)} | `{vt.example}` |"
        )
    return "\n".join(rows)


def test_the_operator_reference_is_the_operator_table() -> None:
    documented = between(RULES_DOC, "<!-- operators: begin", "<!-- operators: end")
    assert documented == operator_table(), (
        "docs/rules.md's operator table differs from logwarden.scanner.operators.OPERATORS; "
        "replace it with:\n" + operator_table()
    )
    documented = between(RULES_DOC, "<!-- value types: begin", "<!-- value types: end")
    assert documented == value_type_table(), "replace it with:\n" + value_type_table()


def test_no_table_cell_of_the_generated_tables_contains_a_pipe() -> None:
    for op in OPERATORS.values():
        assert "|" not in op.summary + op.example, op.name
    for vt in VALUE_TYPES.values():
        assert "|" not in vt.summary + vt.example, vt.name


@pytest.mark.parametrize("name", FIELD_TABLES)
def test_every_field_the_loader_accepts_is_documented_as_it_checks_it(name: str) -> None:
    fields: dict[str, Field] = FIELD_TABLES[name]
    rows = table_after(RULES_DOC, f"<!-- fields: {name} -->")
    documented = {row[0].strip("`"): (row[1], row[2]) for row in rows}
    expected = {
        key: ("yes" if spec.required else "", spec.describe()) for key, spec in fields.items()
    }
    assert documented == expected


# A YAML example is a logwarden file when it has one of these top-level keys (the CI
# pipelines and Kubernetes manifests of docs/ci.md have none of them).
LOGWARDEN_KEYS = {"version", "controls", "clouds", "waivers", "overrides", "parameters", "scan"}


def _kind_of_example(doc: Any) -> list[str]:
    """The loaders an example is for: none when it is no logwarden file; a rules file has
    controls, a config clouds or waivers or scan or rules files; one with only the keys both
    have is checked by both (one with an unknown key by the config loader, which names it)."""
    keys = {str(k) for k in doc} if isinstance(doc, dict) else set()
    if not keys & LOGWARDEN_KEYS:
        return []
    loaders = []
    if keys <= set(rules.TOP_LEVEL):
        loaders.append("rules")
    if "controls" not in keys and (keys <= set(config.TOP_LEVEL) or not loaders):
        loaders.append("config")
    return loaders


def _validate(block: Block, tmp_path: Path) -> list[str]:
    """Validate an example with every loader it is for; the loaders that refused it."""
    doc = yaml.safe_load(block.text)
    loaders = _kind_of_example(doc)
    path = tmp_path / "example.yaml"
    path.write_text(block.text, encoding="utf-8")
    for rules_file in doc.get("rules") or []:
        (tmp_path / rules_file).write_text("version: 1\n", encoding="utf-8")
    refused = []
    for loader in loaders:
        try:
            (validate_rules_file if loader == "rules" else validate_config)(path)
        except InputError as exc:
            refused.append(f"{loader}: {exc}")
    return refused


EXAMPLES = [
    block
    for path in USER_DOCS
    for block in blocks(path, "yaml")
    if _kind_of_example(yaml.safe_load(block.text))  # not the CI pipelines of docs/ci.md
]


def _same(quoted: Any, source: Any) -> bool:
    """Equal, but for the whitespace YAML's block scalars add to a string."""
    if isinstance(quoted, str) and isinstance(source, str):
        return quoted.split() == source.split()
    if isinstance(quoted, dict) and isinstance(source, dict):
        return quoted.keys() == source.keys() and all(_same(quoted[k], source[k]) for k in quoted)
    if isinstance(quoted, list) and isinstance(source, list):
        return len(quoted) == len(source) and all(map(_same, quoted, source))
    return bool(quoted == source)


def _check_excerpt(block: Block) -> None:
    """Every control an example quotes from a repository file is that file's control."""
    source_file = ROOT / block.text.splitlines()[0].removeprefix(EXCERPT_OF).strip()
    source = {c["id"]: c for c in yaml.safe_load(source_file.read_text())["controls"]}
    quoted = yaml.safe_load(block.text)["controls"]
    assert quoted, f"{block.where} quotes no control"
    for control in quoted:
        assert _same(control, source.get(control["id"])), (
            f"{block.where}: {control['id']} differs from {source_file.relative_to(ROOT)}"
        )


@pytest.mark.parametrize("block", EXAMPLES, ids=[b.where for b in EXAMPLES])
def test_every_yaml_example_validates(block: Block, tmp_path: Path) -> None:
    if block.text.startswith(EXCERPT_OF):
        _check_excerpt(block)
        return
    refused = _validate(block, tmp_path)
    if block.text.startswith(NOT_VALID):
        assert refused, f"{block.where} says it is not valid, but it loads"
    else:
        assert refused == [], f"{block.where} does not load:\n" + "\n".join(refused)


def test_the_docs_have_examples_of_both_files() -> None:
    kinds = {
        loader
        for block in EXAMPLES
        if not block.text.startswith(NOT_VALID)
        for loader in _kind_of_example(yaml.safe_load(block.text))
    }
    assert kinds == {"rules", "config"}
    assert any(b.path == RULES_DOC and b.text.startswith(NOT_VALID) for b in EXAMPLES)


def test_every_registered_kind_is_documented_once_with_where_it_is_collected() -> None:
    documented = kind_docs()
    names = [k.name for k in documented]
    assert sorted(names) == sorted(set(names)), "a kind is documented twice"
    registered = resource_kinds()
    assert set(names) == set(registered)
    for doc in documented:
        kind = registered[doc.name]
        where = (doc.organization, doc.stage)
        assert where == (kind.organization, kind.stage), (doc.name, doc.line)
        assert doc.fields, f"{doc.name} documents no field"
        volatile = {f.path for f in doc.fields if f.volatile}
        assert volatile == set(kind.volatile), doc.name


def test_every_field_row_is_well_formed() -> None:
    for doc in kind_docs():
        paths = [f.path for f in doc.fields]
        assert len(paths) == len(set(paths)), f"{doc.name}: a field is documented twice"
        for row in doc.fields:
            assert set(row.types) <= set(JSON_TYPES), (doc.name, row.line, row.types)
            assert re.fullmatch(r"[\w@:*-]+(\[\])*(\.[\w@:*-]+(\[\])*)*", row.path), row


def test_operator_examples_read_documented_fields() -> None:
    documented = {f.path for doc in kind_docs() for f in doc.fields}
    examples = [op.example for op in OPERATORS.values()]
    examples += [vt.example for vt in VALUE_TYPES.values()]
    for example in examples:
        assert yaml.safe_load(example)["key"] in documented, example


def test_the_controls_reference_lists_the_catalogue() -> None:
    rows = table_after(CONTROLS_DOC, "<!-- controls: every built-in control -->")
    documented = {row[0].strip("`"): (row[1], row[2]) for row in rows}
    assert len(documented) == len(rows), "a control is listed twice"
    expected = {c.id: (c.severity.value, c.scope.value) for c in controls()}
    assert documented == expected


def test_docs_name_only_controls_and_kinds_that_exist() -> None:
    known = {c.id for c in controls()} | set(resource_kinds())
    cloud_ids = re.compile(r"`((?:aws|azure|gcp)\.[a-z0-9_]+\.[a-z0-9_]+)`")
    examples = {
        m for b in EXAMPLES for m in re.findall(r"\b(?:aws|azure|gcp)\.[a-z0-9_.]+", b.text)
    }
    unknown = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in USER_DOCS
        for name in cloud_ids.findall(path.read_text(encoding="utf-8"))
        if name not in known and name not in examples
    ]
    assert unknown == []


def test_relative_links_lead_to_a_file_and_heading_that_exist() -> None:
    broken = []
    for path in USER_DOCS:
        for line, target in links(path):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}:{line}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{path.relative_to(ROOT)}:{line}: {target} (no such heading)")
    assert broken == []


def test_the_error_example_shows_what_rules_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from logwarden.scanner.cli import main

    bad = next(b for b in EXAMPLES if b.path == RULES_DOC and b.text.startswith(NOT_VALID))
    shown = next(b for b in blocks(RULES_DOC, "text") if b.line > bad.line).text.splitlines()
    assert shown[0] == "$ logwarden rules validate bad.yaml"
    (tmp_path / "bad.yaml").write_text(bad.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "validate", "bad.yaml"]) == 2
    assert capsys.readouterr().err.splitlines() == shown[1:]
