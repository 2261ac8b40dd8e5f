"""``logwarden frameworks list|show``: what the catalogue covers of each framework, and the
generated reference docs/frameworks.md (``python -m logwarden.scanner.frameworks_command``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from logwarden.scanner.compliance import (
    FULL,
    NOT_COVERED,
    NOT_TESTABLE,
    PARTIAL,
    FrameworkCoverage,
    coverage,
)
from logwarden.scanner.errors import fail
from logwarden.scanner.frameworks import FrameworkCatalogue, builtin_frameworks
from logwarden.scanner.models import Check
from logwarden.scanner.printable import printable


def list_table(covered: Sequence[FrameworkCoverage]) -> list[str]:
    """One line per framework: id, version, requirement counts by coverage, title."""
    width = max((len(c.framework.id) for c in covered), default=2)
    lines = [f"{'ID'.ljust(width)}  {'VERSION':8}  REQS  FULL  PART  N/T  TODO  TITLE"]
    for c in covered:
        fw = c.framework
        lines.append(
            f"{fw.id.ljust(width)}  {fw.version:8}  {len(c.requirements):4}  "
            f"{c.count(FULL):4}  {c.count(PARTIAL):4}  {c.count(NOT_TESTABLE):3}  "
            f"{c.count(NOT_COVERED):4}  {printable(fw.title)}"
        )
    lines.append("")
    lines.append(
        "FULL: tested by a control; PART: in part; N/T: not testable from read-only API calls; "
        "TODO: no control yet"
    )
    return lines


def as_json(covered: Iterable[FrameworkCoverage]) -> list[dict[str, Any]]:
    """The coverage as JSON-ready data (``--format json``)."""
    return [
        {
            "id": c.framework.id,
            "title": c.framework.title,
            "version": c.framework.version,
            "cloud": c.framework.cloud,
            "counts": {k: c.count(k) for k in (FULL, PARTIAL, NOT_TESTABLE, NOT_COVERED)},
            "requirements": [
                {
                    "id": r.requirement.id,
                    "title": r.requirement.title,
                    "coverage": r.coverage,
                    "controls": list(r.full),
                    "partial_controls": list(r.partial),
                    "why_not_covered": r.why_not,
                }
                for r in c.requirements
            ],
        }
        for c in covered
    ]


def show_text(c: FrameworkCoverage) -> list[str]:
    """A framework requirement by requirement: its controls, or why it has none."""
    fw = c.framework
    lines = [
        f"{fw.title} {fw.version} ({fw.id}): {len(c.requirements)} requirements, "
        f"{c.count(FULL)} covered, {c.count(PARTIAL)} in part, "
        f"{c.count(NOT_TESTABLE)} not testable, {c.count(NOT_COVERED)} not covered",
        "",
    ]
    for r in c.requirements:
        req = r.requirement
        lines.append(f"{req.id}  {printable(req.title)}  [{r.coverage}]")
        lines.extend(f"    {cid}" for cid in r.full)
        lines.extend(f"    {cid} (partial)" for cid in r.partial)
        if r.why_not:
            lines.append(f"    why: {printable(r.why_not)}")
    return lines


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def show_markdown(c: FrameworkCoverage) -> list[str]:
    """One framework as a Markdown section (docs/frameworks.md)."""
    fw = c.framework
    lines = [
        f"## {fw.title} {fw.version} (`{fw.id}`)",
        "",
        f"{len(c.requirements)} requirements: {c.count(FULL)} covered, {c.count(PARTIAL)} in "
        f"part, {c.count(NOT_TESTABLE)} not testable read-only, {c.count(NOT_COVERED)} not "
        "covered yet.",
        "",
        "| requirement | title | coverage | controls / why not |",
        "|---|---|---|---|",
    ]
    for r in c.requirements:
        controls = [f"`{cid}`" for cid in r.full] + [f"`{cid}` (partial)" for cid in r.partial]
        lines.append(
            f"| {_cell(r.requirement.id)} | {_cell(r.requirement.title)} | {r.coverage} | "
            f"{', '.join(controls) or _cell(r.why_not)} |"
        )
    return [*lines, ""]


DOC_HEADER = [
    "# Frameworks: what logwarden covers, requirement by requirement",
    "",
    "Generated from `frameworks.yaml` and the built-in catalogue by",
    "`python -m logwarden.scanner.frameworks_command > docs/frameworks.md` (a test checks it is",
    "current). `logwarden frameworks list` and `logwarden frameworks show ID` print the same for",
    "the installed catalogue, plugins' controls included. *full*: a control tests the whole",
    "requirement; *partial*: controls test part of it; *not testable*: no read-only API call",
    "can evidence it (the reason is given); *not covered*: no control yet.",
    "",
]


def document(covered: Sequence[FrameworkCoverage]) -> str:
    """docs/frameworks.md."""
    lines = list(DOC_HEADER)
    for c in covered:
        lines.extend(show_markdown(c))
    return "\n".join(lines).rstrip("\n") + "\n"


def run(
    command: str,
    framework_id: str | None,
    output_format: str,
    checks: Sequence[Check],
    frameworks: FrameworkCatalogue | None = None,
) -> None:
    """``frameworks list`` or ``frameworks show ID`` over ``checks``, printed to stdout.

    :raises InputError: an unknown framework id (the fix lists the known ones).
    """
    catalogue = frameworks or builtin_frameworks()
    covered = coverage(catalogue, checks)
    if command == "show":
        chosen = [c for c in covered if c.framework.id == framework_id]
        if not chosen:
            raise fail(
                "argv",
                None,
                f"unknown framework {framework_id!r}",
                f"use one of: {', '.join(c.framework.id for c in covered)}",
            )
        covered = chosen
    if output_format == "json":
        print(json.dumps(as_json(covered), indent=2))
    elif output_format == "markdown":
        print(document(covered), end="")
    elif command == "show":
        print("\n".join(show_text(covered[0])))
    else:
        print("\n".join(list_table(covered)))


def builtin_checks() -> list[Check]:
    """The built-in catalogue of every built-in cloud, installed plugins left out."""
    import os

    from logwarden.scanner.plugins import DISABLE_AUTOLOAD_ENV, create_plugin_manager
    from logwarden.scanner.registry import Registry
    from logwarden.scanner.rules import builtin_rules_path, load_catalogue

    os.environ[DISABLE_AUTOLOAD_ENV] = "1"
    registry = Registry.collect(create_plugin_manager())
    clouds = list(registry.clouds)
    catalogue = load_catalogue(
        [builtin_rules_path()],
        kinds=registry.kinds(clouds),
        python_checks=registry.python_checks(clouds),
        clouds=clouds,
        known_clouds=clouds,
    )
    return catalogue.enabled_checks(set(clouds))


if __name__ == "__main__":  # pragma: no cover - the docs generator
    sys.stdout.write(document(coverage(builtin_frameworks(), builtin_checks())))
