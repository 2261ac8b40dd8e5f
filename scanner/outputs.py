"""Where output files go, whether they can be written there, and how they are written.

``--format`` names files ``<--output>/<reporter filename>``; ``--junit PATH``-style options, one
for every registered format, give one format a path of its own. Every output path is checked
before a scan starts (a directory where a file must go, a file where a directory must go, a
directory that cannot be written), so a long scan never ends in a crash. Files are replaced
atomically through a temporary file beside them, so a CI job or an auditor never reads half a
report; temporary files that a killed run left behind are removed by the next write of the
same file.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from logwarden.scanner.errors import InputError, Problem, fail
from logwarden.scanner.models import Reporter

TEMP_SUFFIX = ".tmp"


class _Run:
    """When this run started (``begin_run``; else when this module was imported): a temporary
    file of ours older than that belongs to a run that died before renaming it."""

    started = time.time()


def quiet_stdout() -> None:
    """After the reader of stdout went away (``| head``): send what is left to /dev/null, so
    the interpreter's final flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def begin_run() -> None:
    """Mark the start of a command (``logwarden.scanner.cli.main`` calls it first)."""
    _Run.started = time.time()


def _flatten(values: list[list[str]]) -> list[str]:
    return [v for group in values for v in group]


class _FormatPath(argparse.Action):
    """``--NAME PATH``: the path of format NAME (``const``), kept in ``args.report_paths``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        paths = dict(getattr(namespace, self.dest) or {})
        paths[self.const] = values
        setattr(namespace, self.dest, paths)


def add_format_options(
    group: argparse._ActionsContainer, reporters: Mapping[str, Reporter]
) -> None:
    """A ``--NAME PATH`` option for every registered report format, a plugin's too.

    :raises InputError: a format named like an option ``scan`` already has.
    """
    for name in reporters:
        try:
            group.add_argument(
                f"--{name}",
                action=_FormatPath,
                dest="report_paths",
                const=name,
                type=Path,
                metavar="PATH",
                help=f"write the {name} report to PATH",
            )
        except argparse.ArgumentError:
            raise fail(
                f"--{name}",
                None,
                f"the report format {name!r} has the name of a scan option",
                "rename the format in the plugin that registers it, or disable that plugin "
                "with -p no:NAME",
            ) from None


def report_outputs(
    args: argparse.Namespace, reporters: Mapping[str, Reporter]
) -> list[tuple[str, Path]]:
    """(format, path) of every report file asked for, checked before anything is scanned.

    ``--format`` names files ``<--output>/<reporter filename>``; ``--output DIR`` without
    ``--format`` means every registered format; ``--junit PATH``-style options give one
    format its own path (and win over ``--output`` for that format).

    :raises InputError: an unknown format, two formats on one path, or a path that cannot be
        written (see :func:`check_writable`).
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
    paths: dict[str, Path] = dict(sorted((vars(args).get("report_paths") or {}).items()))
    options = {name: f"--{name}" for name in paths}
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
    derived = [name for name in paths if name not in options]
    checks: list[tuple[str, Path, bool]] = [("--output", output, True)] if derived else []
    checks += [(options.get(name, "--output"), path, False) for name, path in paths.items()]
    check_writable(checks)
    return list(paths.items())


def check_writable(targets: Iterable[tuple[str, Path, bool]]) -> None:
    """Raise one InputError for every (option, path, is_directory) that cannot be written.

    A file's path must not be a directory; a directory's path must not be a file; the
    nearest existing directory above either must accept a new file (tried, not guessed from
    permission bits: root, ACLs and read-only mounts all answer truthfully that way).
    """
    problems: list[Problem] = []
    for option, path, is_directory in targets:
        problem = _problem(option, path, is_directory)
        # the files under one bad --output directory share its problem: said once
        if problem is not None and (option, problem.message) not in {
            (p.file, p.message) for p in problems
        }:
            problems.append(problem)
    if problems:
        raise InputError(problems)


def _problem(option: str, path: Path, is_directory: bool) -> Problem | None:
    if not is_directory and os.path.isdir(path):
        return Problem(option, None, f"{path} is a directory", "give the path of a file in it")
    start = path if is_directory else path.parent
    existing = _nearest_existing(start)
    if not os.path.isdir(existing):
        where = f"{existing} is a file" if existing != path else f"{path} is a file"
        return Problem(
            option,
            None,
            f"{where}, not a directory",
            "name a directory" if existing == path else "choose a path under a directory",
        )
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".logwarden-probe-")
    except OSError as exc:
        return Problem(
            option,
            None,
            f"cannot write to {existing}: {exc.strerror or exc}",
            "choose a directory you can write to, or fix its permissions",
        )
    os.close(fd)
    os.unlink(probe)
    return None


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (as anything: file or directory)."""
    while True:
        try:
            path.stat()
            return path
        except (FileNotFoundError, NotADirectoryError):
            if path.parent == path:
                return path
            path = path.parent
        except OSError:
            return path  # exists but cannot be examined: the write probe will say why


def write_atomic(path: Path, text: str | Callable[[TextIO], None]) -> None:
    """Write a file so readers never see it half-written.

    :param text: the content, or a function that writes it to the open file (a big file
        written piece by piece, never held in memory whole).

    :raises InputError: the file cannot be written (naming the path and the reason).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                text(handle)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports are ordinary files
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files of ``path`` that a killed run left behind; return them.

    Only names this module creates for ``path`` (``.<name>.<random>.tmp``) and only files
    older than this run: a concurrent run's file in progress is newer and stays.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]+{re.escape(TEMP_SUFFIX)}")
    removed = []
    with os.scandir(path.parent) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_mtime < _Run.started:
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed


def _write_error(path: Path, exc: OSError) -> InputError:
    return fail(
        str(path),
        None,
        f"cannot write the file: {exc.strerror or exc}",
        "check that its directory can be written and the disk has space",
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
