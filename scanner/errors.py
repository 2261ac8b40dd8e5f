"""User-facing input errors: always a file, a line and the fix; exit code 2, no traceback."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from logwarden.scanner.printable import printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


class InputError(Exception):
    """One or more problems in user input (rules, config, CLI options, saved inventories)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def fail(file: str, line: int | None, message: str, fix: str = "") -> InputError:
    """Build an InputError for a single problem (``raise fail(...)``)."""
    return InputError([Problem(file, line, message, fix)])


def warn(message: str) -> None:
    """Tell the user about input that is accepted but probably not what was meant (stderr;
    the exit code does not change)."""
    print(f"logwarden: warning: {printable(message)}", file=sys.stderr)
