"""Where report files go, and how they are written.

``--format`` names files ``<--output>/<reporter filename>``; ``--junit PATH``-style options give
one format a path of its own; files are replaced atomically so a CI job or an auditor never
reads half a report.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from scanner.errors import fail
from scanner.models import Reporter


def _flatten(values: list[list[str]]) -> list[str]:
    return [v for group in values for v in group]


def report_outputs(
    args: argparse.Namespace, reporters: Mapping[str, Reporter]
) -> list[tuple[str, Path]]:
    """(format, path) of every report file asked for, checked before anything is scanned.

    ``--format`` names files ``<--output>/<reporter filename>``; ``--output DIR`` without
    ``--format`` means every registered format; ``--junit PATH``-style options give one
    format its own path (and win over ``--output`` for that format).
    """
    formats = _flatten(args.format)
    for name in formats:
        if name not in reporters:
            raise fail(
                "--format",
                None,
                f"unknown report format {name!r}",
                f"use one of: {', '.join(reporters)}",
            )
    paths: dict[str, Path] = {}
    for option, path in sorted(vars(args).items()):
        name = option.removeprefix("report_")
        if option.startswith("report_") and path is not None:
            if name not in reporters:
                raise fail(
                    f"--{name}",
                    None,
                    f"no reporter is registered for the format {name!r}",
                    "do not disable the plugin that provides it (-p no:...)",
                )
            paths[name] = path
    if not formats and args.output is not None:
        formats = list(reporters)  # --output without --format: every format
    output = args.output or Path("logwarden-report")
    for name in dict.fromkeys(formats):
        paths.setdefault(name, output / reporters[name].filename)
    seen: dict[Path, str] = {}
    for name, path in paths.items():
        other = seen.setdefault(path.resolve(), name)
        if other != name:
            raise fail(
                "argv",
                None,
                f"the {other} and {name} reports would both be written to {path}",
                "give each format its own path",
            )
    return list(paths.items())


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers never see it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
