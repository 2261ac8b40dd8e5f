"""Logging, colour and verbosity options shared by every sub-command.

logwarden logs through the standard :mod:`logging` module under the ``logwarden`` logger:
every API error (a collection error, with its tenant, kind, region and cause), every tenant
left out, every organization that could not be discovered. The console shows warnings by
default; ``-v`` shows INFO, ``-vv`` DEBUG (including the cloud SDKs' own retry messages, from
``botocore``, ``azure`` and ``google``), ``--log-level`` sets it by name, and ``--log-file``
writes the same records, with timestamps, to a file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from logwarden.scanner.errors import fail

LEVELS = ("debug", "info", "warning", "error")
LOGGER = "logwarden"
# The cloud SDKs' loggers: quiet unless DEBUG was asked for (their INFO is per request).
SDK_LOGGERS = ("botocore", "boto3", "urllib3", "azure", "google", "grpc")
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Where the SDKs say they retry (at DEBUG): shown from INFO up, as logwarden's own records.
RETRY_LOGGERS = (
    "botocore.retries",
    "botocore.retryhandler",
    "azure.core.pipeline.policies._retry",
    "google.api_core.retry",
)


class _RetriesAsInfo(logging.Filter):
    """Lift the SDKs' DEBUG retry records to INFO, so ``-v`` shows every retry."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.startswith(RETRY_LOGGERS):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def add_options(parser: argparse.ArgumentParser) -> None:
    """``-v``, ``--log-level``, ``--log-file``, ``--no-color`` on one (sub-)command."""
    group = parser.add_argument_group("logging and output")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more on stderr: -v INFO (every API error, retry and skipped tenant), -vv DEBUG",
    )
    group.add_argument(
        "--log-level", choices=LEVELS, help="log level by name (overrides -v; default warning)"
    )
    group.add_argument(
        "--log-file", type=Path, metavar="FILE", help="also write the log, timestamped, to FILE"
    )
    group.add_argument(
        "--no-color",
        action="store_true",
        help="no colour on a terminal (also: the NO_COLOR environment variable)",
    )


def level_of(args: argparse.Namespace) -> int:
    """The level ``args`` ask for: ``--log-level``, else by ``-v`` count, else WARNING."""
    name = getattr(args, "log_level", None)
    if name:
        return int(getattr(logging, name.upper()))
    verbose = int(getattr(args, "verbose", 0) or 0)
    return logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING


def configure(args: argparse.Namespace, stream: TextIO | None = None) -> None:
    """Send logwarden's log records (and, at DEBUG, the SDKs') to stderr and ``--log-file``.

    :raises InputError: the log file cannot be opened (exit 2, before anything runs).
    """
    level = level_of(args)
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    handlers[0].setFormatter(logging.Formatter("logwarden: %(levelname)s: %(message)s"))
    path = getattr(args, "log_file", None)
    if path is not None:
        try:
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            raise fail(
                "--log-file", None, f"cannot write {path}: {exc.strerror}", "name a writable file"
            ) from None
        handler.setFormatter(logging.Formatter(FILE_FORMAT))
        handlers.append(handler)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_logwarden", False)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler._logwarden = True  # type: ignore[attr-defined]
        handler.setLevel(level)
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger(LOGGER).setLevel(level)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(
            logging.DEBUG if level <= logging.DEBUG else logging.WARNING
        )


def color_enabled(args: argparse.Namespace, stream: TextIO) -> bool:
    """Colour only on a terminal, never with ``--no-color``, ``NO_COLOR`` (any non-empty
    value, as no-color.org says) or ``TERM=dumb``."""
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())
