"""The compliance frameworks logwarden maps its controls to (``frameworks.yaml``), and the
``frameworks:`` claims of a control checked against them.

``frameworks.yaml`` is data, beside ``rules.yaml``: each framework (a CIS benchmark version,
NIST SP 800-53, PCI DSS, ...) with its requirement ids and titles, and the reference schemes
(``mappings``: Security Hub control ids, MCSB, ...) whose ids are not catalogued. A control
claims requirements as ``cis-aws-6.0: ["4.1", {id: "4.6", partial: true}]``; a claim on a
catalogued framework must name one of its requirements, so a renumbered benchmark or a typo is
a load error instead of a silent wrong mapping.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from logwarden.scanner import yamlsrc
from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.schema import Field, check_fields

# Keys that name a catalogued family: a claim under an unknown key of one of these families is
# a typo or a version logwarden does not know (say so), any other key is the user's own scheme.
CATALOGUED_FAMILY = re.compile(r"^(cis|nist|pci|iso|soc)")
FILE_FIELDS = {
    "version": Field(int, True),
    "frameworks": Field(dict, True),
    "mappings": Field(dict),
}
FRAMEWORK_FIELDS = {
    "title": Field(str, True),
    "version": Field((str, int, float), True),
    "cloud": Field(str),
    "url": Field(str),
    "requirements": Field(list, True),
}
REQUIREMENT_FIELDS = {
    "id": Field((str, int, float), True),
    "title": Field(str, True),
    "section": Field(str),
    "level": Field(str),
    "assessment": Field(str),
    "not_testable": Field(str),
}
CLAIM_FIELDS = {"id": Field((str, int, float), True), "partial": Field(bool)}
SECTIONS = ("", "related")  # "related": outside the framework's logging section


@dataclass(frozen=True)
class Requirement:
    """One requirement of a framework.

    ``section`` is ``related`` for a requirement outside the framework's logging and
    monitoring section that a control still evidences in part; ``not_testable`` says why no
    read-only API call can evidence it (then no control is expected to cover it).
    """

    id: str
    title: str
    section: str = ""
    level: str = ""
    assessment: str = ""
    not_testable: str = ""


@dataclass(frozen=True)
class Framework:
    """A framework version and its requirements, in document order."""

    id: str
    title: str
    version: str
    requirements: tuple[Requirement, ...]
    cloud: str = ""
    url: str = ""

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement with this id, if the framework has it."""
        return next((r for r in self.requirements if r.id == requirement_id), None)


@dataclass(frozen=True)
class FrameworkCatalogue:
    """Every catalogued framework by id, and the titles of the uncatalogued mappings."""

    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    mappings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Claims:
    """A control's claims: every requirement id per framework, and those claimed in part."""

    all: dict[str, tuple[str, ...]]
    partial: dict[str, tuple[str, ...]]


def builtin_frameworks_path() -> Path:
    """The framework catalogue shipped with logwarden (``frameworks.yaml`` in the package)."""
    return Path(str(resources.files("logwarden.scanner").joinpath("frameworks.yaml")))


@functools.cache
def builtin_frameworks() -> FrameworkCatalogue:
    """The built-in framework catalogue, loaded once per process."""
    return load_frameworks(builtin_frameworks_path())


def load_frameworks(path: Path | str | None = None) -> FrameworkCatalogue:
    """Load and validate a framework catalogue (default: the built-in one).

    :raises InputError: with every problem found (file, line, fix).
    """
    path = path or builtin_frameworks_path()
    name = str(path)
    doc = yamlsrc.load_file(path)
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise InputError([Problem(name, None, "must be a mapping", "start with 'version: 1'")])
    check_fields(doc, FILE_FIELDS, name, "frameworks file", problems)
    frameworks: dict[str, Framework] = {}
    for key, node in (doc.get("frameworks") or {}).items():
        framework = _framework(str(key), node, name, problems)
        if framework is not None:
            frameworks[framework.id] = framework
    mappings = {str(k): str(v) for k, v in (doc.get("mappings") or {}).items()}
    if problems:
        raise InputError(problems)
    return FrameworkCatalogue(frameworks=frameworks, mappings=mappings)


def _framework(key: str, node: Any, file: str, problems: list[Problem]) -> Framework | None:
    if not isinstance(node, dict):
        problems.append(Problem(file, None, f"framework {key!r} must be a mapping", ""))
        return None
    before = len(problems)
    check_fields(node, FRAMEWORK_FIELDS, file, "framework", problems)
    requirements: list[Requirement] = []
    seen: set[str] = set()
    listed = node.get("requirements")
    items: list[Any] = listed if isinstance(listed, list) else []
    for index, item in enumerate(items):
        line = yamlsrc.line_of(items, index)
        if not isinstance(item, dict) or not check_fields(
            item, REQUIREMENT_FIELDS, file, "requirement", problems
        ):
            if not isinstance(item, dict):
                problems.append(Problem(file, line, "a requirement must be a mapping", ""))
            continue
        rid = str(item["id"])
        section = str(item.get("section", ""))
        if rid in seen:
            problems.append(Problem(file, line, f"{key}: duplicate requirement {rid!r}", ""))
        if section not in SECTIONS:
            problems.append(
                Problem(file, line, f"unknown section {section!r}", "use 'related' or omit it")
            )
        seen.add(rid)
        requirements.append(
            Requirement(
                id=rid,
                title=str(item["title"]),
                section=section,
                level=str(item.get("level", "")),
                assessment=str(item.get("assessment", "")),
                not_testable=str(item.get("not_testable", "")),
            )
        )
    if len(problems) > before:
        return None
    return Framework(
        id=key,
        title=str(node["title"]),
        version=str(node["version"]),
        requirements=tuple(requirements),
        cloud=str(node.get("cloud", "")),
        url=str(node.get("url", "")),
    )


def parse_claims(
    node: Any, file: str, catalogue: FrameworkCatalogue | None, problems: list[Problem]
) -> Claims:
    """A control's ``frameworks:`` mapping, validated against ``catalogue`` when given.

    Each framework lists requirement ids, as strings or ``{id: ..., partial: true}``.
    """
    out = Claims(all={}, partial={})
    if not isinstance(node, dict):
        return out
    for key, items in node.items():
        fw = str(key)
        line = yamlsrc.line_of(node, fw)
        if not isinstance(items, list):
            problems.append(
                Problem(
                    file,
                    line,
                    f"framework {fw!r} must list requirement ids",
                    'write e.g. cis-aws-6.0: ["4.1", {id: "4.6", partial: true}]',
                )
            )
            continue
        ids, partial = _claim_ids(fw, items, file, line, problems)
        _check_known(fw, ids, file, line, catalogue, problems)
        out.all[fw] = tuple(ids)
        if partial:
            out.partial[fw] = tuple(partial)
    return out


def _claim_ids(
    fw: str, items: list[Any], file: str, line: int | None, problems: list[Problem]
) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    partial: list[str] = []
    for item in items:
        if isinstance(item, dict) and check_fields(item, CLAIM_FIELDS, file, "claim", problems):
            ids.append(str(item["id"]))
            if item.get("partial"):
                partial.append(str(item["id"]))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            ids.append(str(item))
        elif not isinstance(item, dict):
            problems.append(
                Problem(
                    file,
                    line,
                    f"framework {fw!r}: {item!r} is not a requirement id",
                    'write the id as a string, or {id: "4.6", partial: true}',
                )
            )
    return ids, partial


def _check_known(
    fw: str,
    ids: list[str],
    file: str,
    line: int | None,
    catalogue: FrameworkCatalogue | None,
    problems: list[Problem],
) -> None:
    if catalogue is None or fw in catalogue.mappings:
        return
    framework = catalogue.frameworks.get(fw)
    if framework is None:
        if CATALOGUED_FAMILY.match(fw):
            problems.append(
                Problem(
                    file,
                    line,
                    f"unknown framework {fw!r}",
                    f"use one of: {', '.join(sorted(catalogue.frameworks))}",
                )
            )
        return
    for rid in ids:
        if framework.requirement(rid) is None:
            problems.append(
                Problem(
                    file,
                    line,
                    f"{fw} has no requirement {rid!r}",
                    f"use one of the ids in frameworks.yaml ({framework.title} "
                    f"{framework.version})",
                )
            )
