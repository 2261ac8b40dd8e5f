"""The JSON Schemas of logwarden.yaml, rules files and waivers files agree with the loaders:
what the loaders accept validates, what they refuse for a reason a schema can express does not,
and docs/config.md is generated from the config schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from logwarden.scanner.cli import main
from logwarden.scanner.config import STARTER
from logwarden.scanner.config_doc import document
from logwarden.scanner.json_schema import config_schema, rules_schema, waivers_schema
from logwarden.scanner.rules import builtin_rules_path
from tests.catalogue import builtin_clouds, registry
from tests.unit.test_docs import EXAMPLES, EXCERPT_OF, NOT_VALID, _kind_of_example

ROOT = Path(__file__).resolve().parents[2]


def config() -> dict[str, Any]:
    return config_schema(registry().clouds)


def rules() -> dict[str, Any]:
    clouds = list(builtin_clouds())
    return rules_schema(sorted(registry().kinds(clouds)), clouds)


def errors(schema: dict[str, Any], doc: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_schemas_are_valid_json_schemas() -> None:
    for schema in (config(), rules(), waivers_schema()):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("cloud", builtin_clouds())
def test_each_cloud_section_lists_exactly_the_keys_its_parser_accepts(cloud: str) -> None:
    import importlib

    settings = importlib.import_module(f"logwarden.scanner.collectors.{cloud}.settings")
    section = config()["properties"]["clouds"]["properties"][cloud]
    assert set(section["properties"]) == set(settings.ALLOWED_KEYS)
    assert all(
        p.get("description") or p.get("type") == "object" for p in section["properties"].values()
    )


def test_the_starter_config_and_the_builtin_rules_validate() -> None:
    assert errors(config(), yaml.safe_load(STARTER)) == []
    assert errors(rules(), yaml.safe_load(builtin_rules_path().read_text())) == []


VALID = [b for b in EXAMPLES if not b.text.startswith((NOT_VALID, EXCERPT_OF))]


@pytest.mark.parametrize("block", VALID, ids=[b.where for b in VALID])
def test_every_valid_docs_example_validates_against_its_schema(block: Any) -> None:
    doc = yaml.safe_load(block.text)
    for loader in _kind_of_example(doc):
        schema = rules() if loader == "rules" else config()
        assert errors(schema, json.loads(json.dumps(doc, default=str))) == [], block.where


@pytest.mark.parametrize(
    ("which", "doc", "where"),
    [
        ("config", {"version": 1, "clouds": {"aws": {"regoins": ["us-east-1"]}}}, "regoins"),
        ("config", {"version": 1, "clouds": {"aws": {"max_attempts": 99}}}, "max_attempts"),
        ("config", {"version": 1, "scan": {"fail_on": "urgent"}}, "fail_on"),
        ("config", {"version": 1, "waivers": [{"checks": "x", "reason": "r"}]}, "waivers"),
        ("rules", {"version": 1, "controls": [{"id": "aws.s3.x", "title": "t"}]}, "controls"),
        ("waivers", {"version": 1, "waivers": [{"checks": "x"}]}, "waivers"),
    ],
)
def test_what_the_loaders_refuse_the_schemas_refuse(which: str, doc: Any, where: str) -> None:
    schema = {"config": config, "rules": rules, "waivers": waivers_schema}[which]()
    found = errors(schema, doc)
    assert found and any(where in e for e in found), found


def test_schema_command_and_docs_config_md(capsys: pytest.CaptureFixture[str]) -> None:
    for document_name in ("config", "rules", "waivers"):
        assert main(["schema", document_name]) == 0
        assert json.loads(capsys.readouterr().out)["$schema"].startswith("https://json-schema")
    current = (ROOT / "docs" / "config.md").read_text()
    assert current == document(config()), "docs/config.md is stale: make docs"
