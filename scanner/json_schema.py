"""JSON Schemas of the files users write: ``logwarden.yaml``, rules files and waivers files
(``logwarden schema config|rules|waivers``), for editors that validate and complete YAML
(the YAML language server reads a ``# yaml-language-server: $schema=...`` line).

The schemas are built from the same tables the loaders validate with (``Field`` tables of
config.py, rules.py, waiver_files.py, the operator table, the registered clouds' section
schemas and resource kinds), so they cannot drift from what logwarden accepts. The loaders stay
the authority: they also check what a schema cannot say (a control's kinds belong to its cloud,
a claim names a catalogued requirement, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from logwarden.scanner import config, rules, waiver_files
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.declarative import Expect
from logwarden.scanner.filters import BOOLEANS, LEAF_FIELDS
from logwarden.scanner.models import Implementation, Scope, Severity
from logwarden.scanner.operators import OPERATORS, VALUE_TYPES
from logwarden.scanner.schema import Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://logwarden.dev/schemas"
_TYPES = {
    int: "integer",
    float: "number",
    str: "string",
    bool: "boolean",
    dict: "object",
    list: "array",
    dt.date: "string",
}


def _field_type(f: Field) -> dict[str, Any]:
    types = f.types if isinstance(f.types, tuple) else (f.types,)
    names = sorted({_TYPES[t] for t in types})
    return {"type": names[0] if len(names) == 1 else names}


def object_of(
    fields: Mapping[str, Field], refine: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """An object schema of a loader's ``Field`` table; ``refine`` adds per-field detail."""
    refine = refine or {}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [k for k, f in fields.items() if f.required],
        "properties": {k: {**_field_type(f), **refine.get(k, {})} for k, f in fields.items()},
    }


SEVERITIES = [s.value for s in Severity]
WAIVER = object_of(
    waiver_files.WAIVER_FIELDS,
    {
        "checks": {"description": "a glob over control ids"},
        "tenants": {
            "items": {"type": ["string", "integer"]},
            "description": "globs over tenant ids or names",
        },
        "resources": {
            "items": {"type": ["string", "integer"]},
            "description": "globs over resource ids",
        },
        "expires": {"format": "date", "description": "YYYY-MM-DD, valid through that day"},
    },
)


def config_schema(clouds: Mapping[str, Cloud]) -> dict[str, Any]:
    """``logwarden.yaml``, with the ``clouds.<name>`` section of every registered cloud."""
    sections = {
        name: dict(cloud.config_schema) or {"type": "object"} for name, cloud in clouds.items()
    }
    override = object_of(rules.OVERRIDE_FIELDS, {"severity": {"enum": SEVERITIES}})
    return {
        "$schema": DRAFT,
        "$id": f"{BASE}/config.json",
        "title": "logwarden scan configuration (logwarden.yaml)",
        **object_of(
            config.TOP_LEVEL,
            {
                "version": {"const": 1},
                "clouds": {
                    "additionalProperties": False,
                    "properties": sections,
                    "description": "the clouds to scan and how to reach them",
                },
                "parameters": {"description": "overrides of the rules' parameters"},
                "rules": {
                    "items": {"type": "string"},
                    "description": "extra rules files, relative to this file",
                },
                "overrides": {"items": override},
                "waivers": {
                    "items": {
                        "oneOf": [
                            WAIVER,
                            {
                                "type": "string",
                                "description": "a waivers file, relative to this file",
                            },
                        ]
                    }
                },
                "scan": object_of(
                    config.SCAN_FIELDS,
                    {
                        "jobs": {"minimum": 1, "description": "tenants scanned in parallel"},
                        "fail_on": {"enum": [*SEVERITIES, "none"]},
                        "fail_on_error": {"description": "exit 3 when some checks errored"},
                    },
                ),
            },
        ),
    }


def _filter() -> dict[str, Any]:
    leaf = {
        "type": "object",
        "properties": {
            "key": {"type": "string", "description": "a JMESPath expression"},
            "op": {"enum": list(OPERATORS), "default": "eq"},
            "value": {},
            "param": {"type": "string", "description": "compare with this rules parameter"},
            "value_type": {"enum": list(VALUE_TYPES)},
        },
        "required": ["key"],
        "additionalProperties": False,
    }
    combined = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            "and": {"type": "array", "items": {"$ref": "#/$defs/filter"}, "minItems": 1},
            "or": {"type": "array", "items": {"$ref": "#/$defs/filter"}, "minItems": 1},
            "not": {"$ref": "#/$defs/filters"},
        },
        "additionalProperties": False,
    }
    shorthand = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"not": {"enum": [*LEAF_FIELDS, *BOOLEANS]}},
        "description": "{Field: value}: eq",
    }
    return {"anyOf": [leaf, combined, shorthand]}


def rules_schema(kinds: Sequence[str], clouds: Sequence[str]) -> dict[str, Any]:
    """A rules file (``rules.yaml`` and users' own), with the known kinds and clouds."""
    claim = {
        "type": "array",
        "items": {
            "oneOf": [
                {"type": ["string", "number"]},
                {
                    "type": "object",
                    "required": ["id"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": ["string", "number"]},
                        "partial": {"type": "boolean"},
                    },
                },
            ]
        },
    }
    control = object_of(
        rules.CONTROL_FIELDS,
        {
            "id": {
                "pattern": rules.CONTROL_ID.pattern,
                "description": f"<cloud>.<service>.<name>; clouds: {', '.join(clouds)}",
            },
            "severity": {"enum": SEVERITIES},
            "scope": {"enum": [s.value for s in Scope], "default": "resource"},
            "resource": {"enum": list(kinds), "description": "the resource kind evaluated"},
            "resources": {"items": {"enum": list(kinds)}},
            "where": {"$ref": "#/$defs/filters"},
            "assert": {"$ref": "#/$defs/filters"},
            "expect": {"enum": [e.value for e in Expect]},
            "implementation": {"enum": [Implementation.PYTHON.value]},
            "remediation": object_of(rules.REMEDIATION_FIELDS),
            "references": {"items": {"type": "string", "format": "uri"}},
            "frameworks": {"additionalProperties": claim},
        },
    )
    override = object_of(rules.OVERRIDE_FIELDS, {"severity": {"enum": SEVERITIES}})
    return {
        "$schema": DRAFT,
        "$id": f"{BASE}/rules.json",
        "title": "logwarden rules file",
        "$defs": {
            "filter": _filter(),
            "filters": {
                "oneOf": [
                    {"$ref": "#/$defs/filter"},
                    {"type": "array", "items": {"$ref": "#/$defs/filter"}},
                ]
            },
        },
        **object_of(
            rules.TOP_LEVEL,
            {
                "version": {"const": 1},
                "controls": {"items": control},
                "overrides": {"items": override},
            },
        ),
    }


def waivers_schema() -> dict[str, Any]:
    """A waivers file (``version: 1``, ``waivers: [...]``)."""
    return {
        "$schema": DRAFT,
        "$id": f"{BASE}/waivers.json",
        "title": "logwarden waivers file",
        **object_of(
            waiver_files.FILE_FIELDS,
            {"version": {"const": 1}, "waivers": {"items": WAIVER}},
        ),
    }
