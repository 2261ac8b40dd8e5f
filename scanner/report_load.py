"""A ``report.json`` read back into the report's values (for ``logwarden merge``).

The inverse of ``reports/json_report.py`` for what a report needs to be rendered again: rows,
collection errors, tenants, organizations, the catalogue, waivers. A damaged file is one
InputError naming it, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logwarden.scanner import json_input
from logwarden.scanner.errors import fail
from logwarden.scanner.models import (
    Check,
    CheckResult,
    CollectionError,
    Organization,
    Remediation,
    Scope,
    Severity,
    Status,
    Tenant,
    Waiver,
)

SCHEMA = "logwarden.report/1"
FIX = "pass the report.json files the shards wrote (logwarden scan --shard I/N --format json)"


def read(path: Path) -> dict[str, Any]:
    """The document of a ``report.json``, its schema checked."""
    return json_input.read_document(
        path, label="JSON report", option="merge", fix=FIX, schema=SCHEMA
    )


def field(path: Path, doc: Mapping[str, Any], *keys: str) -> Any:
    """``doc[keys[0]][keys[1]]...``; an InputError naming the file and the key if absent."""
    node: Any = doc
    for index, key in enumerate(keys):
        if not isinstance(node, Mapping) or key not in node:
            where = ".".join(keys[: index + 1])
            raise fail(str(path), None, f"the report has no {where}", FIX)
        node = node[key]
    return node


def remediation(doc: Mapping[str, Any]) -> Remediation:
    return Remediation(text=doc["text"], cli=doc.get("cli"), terraform=doc.get("terraform"))


def waiver(doc: Mapping[str, Any] | None) -> Waiver | None:
    if doc is None:
        return None
    return Waiver(
        checks=doc["checks"],
        reason=doc["reason"],
        owner=doc["owner"],
        expires=doc["expires"],
        tenants=tuple(doc["tenants"]),
        resources=tuple(doc["resources"]),
        source=doc.get("source", ""),
    )


def result(doc: Mapping[str, Any]) -> CheckResult:
    return CheckResult(
        check_id=doc["check_id"],
        status=Status(doc["status"]),
        severity=Severity(doc["severity"]),
        cloud=doc["cloud"],
        tenant_id=doc["tenant_id"],
        tenant_name=doc["tenant_name"],
        region=doc["region"],
        resource_id=doc["resource_id"],
        message=doc["message"],
        remediation=remediation(doc["remediation"]),
        title=doc["title"],
        evidence=doc["evidence"],
        muted=doc["muted"],
        waiver=waiver(doc["waiver"]),
        first_seen=doc["first_seen"],
    )


def error(doc: Mapping[str, Any]) -> CollectionError:
    return CollectionError(**doc)


def tenant(doc: Mapping[str, Any]) -> Tenant:
    return Tenant(
        cloud=doc["cloud"],
        id=doc["id"],
        name=doc["name"],
        organization_id=doc["organization_id"],
        parents=tuple(doc["parents"]),
        regions=tuple(doc["regions"]),
    )


def organization(doc: Mapping[str, Any]) -> Organization:
    return Organization(**doc)


def check(doc: Mapping[str, Any]) -> Check:
    return Check(
        id=doc["id"],
        title=doc["title"],
        severity=Severity(doc["severity"]),
        cloud=doc["cloud"],
        scope=Scope(doc["scope"]),
        kinds=tuple(doc["resource_kinds"]),
        rationale=doc["rationale"],
        remediation=remediation(doc["remediation"]),
        references=tuple(doc["references"]),
        frameworks={k: tuple(v) for k, v in doc["frameworks"].items()},
        partial_frameworks={k: tuple(v) for k, v in doc["partial_frameworks"].items()},
        parameters=dict(doc["parameters"]),
    )


def each(path: Path, doc: Mapping[str, Any], key: str, parse: Any) -> list[Any]:
    """Every item of ``doc[key]`` parsed; an InputError naming the file and the item if one
    is not what the report writes."""
    out = []
    for index, item in enumerate(field(path, doc, key)):
        try:
            out.append(parse(item))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise fail(
                str(path), None, f"{key}[{index}] is not a report {key} entry: {exc}", FIX
            ) from None
    return out
