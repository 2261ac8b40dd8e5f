"""Progress of a long scan on stderr: a line redrawn in place on a terminal, and without one
(CI, cron) a plain line every N seconds, so a long scan is never silent.

The engine does not report progress events; this display observes what exists: each tenant
inventory's ``collected()`` kinds. A tenant is done when every kind its enabled controls
declare has been collected (evaluation after that is CPU work of milliseconds); it is in
progress once its first kind is in. A background thread redraws the line a few times a
second on a terminal; elsewhere (not a TTY, or ``TERM=dumb``) it prints ``logwarden: progress:
12/40 tenants done, 3 errors so far, 95s`` every ``--progress-every`` seconds (default 30);
``-q`` silences both.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TextIO

from logwarden.scanner.engine import ScanInput
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import Check, ResourceKind, Scope
from logwarden.scanner.printable import printable

PLAIN_EVERY_SECONDS = 30.0


def mode(stream: TextIO, quiet: bool) -> str | None:
    """How to show progress on ``stream``: ``line`` (a terminal), ``plain`` (periodic lines
    for logs), or None under ``-q``."""
    if quiet:
        return None
    isatty = getattr(stream, "isatty", None)
    tty = callable(isatty) and isatty() and os.environ.get("TERM", "") != "dumb"
    return "line" if tty else "plain"


def needed_kinds(
    checks: Iterable[Check], kinds: Mapping[str, ResourceKind]
) -> dict[str, frozenset[str]]:
    """Per cloud: the tenant-level kinds the enabled tenant and resource controls read."""
    out: dict[str, set[str]] = {}
    for check in checks:
        if check.scope is Scope.ORGANIZATION:
            continue
        for kind in check.kinds:
            spec = kinds.get(kind)
            if spec is not None and not spec.organization:
                out.setdefault(check.cloud, set()).add(kind)
    return {cloud: frozenset(names) for cloud, names in out.items()}


@dataclass(frozen=True)
class State:
    """What the display shows at one moment."""

    done: int
    total: int
    collected: int  # (tenant, kind) collections done, of ``collections``
    collections: int
    regions: int
    current: tuple[str, ...]  # tenants being collected now
    elapsed: float
    errors: int = 0  # collection errors so far


class ScanProgress:
    """Draws ``[12/40 tenants] now: workload-3 (+5)`` while a scan collects."""

    def __init__(
        self,
        scan: ScanInput,
        needed: Mapping[str, frozenset[str]],
        stream: TextIO,
        *,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        plain: bool = False,
    ) -> None:
        self._tenants: list[Inventory] = [inv for s in scan.scopes for inv in s.tenants]
        self._needed = needed
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._plain = plain
        self._started = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def state(self) -> State:
        """Count tenants done and in progress from their inventories."""
        done, collected, collections, current, errors = 0, 0, 0, [], 0
        regions = max((len(i.tenant.regions) for i in self._tenants if i.tenant), default=0)
        for inv in self._tenants:
            got = inv.collected()
            have = got.keys()
            errors += sum(len(c.errors) for c in got.values())
            needed = self._needed.get(inv.cloud, frozenset())
            collections += len(needed)
            collected += len(needed) if inv.evaluated else len(needed & have)
            if inv.evaluated or needed <= have:
                done += 1
            elif have and inv.tenant is not None:
                current.append(printable(inv.tenant.name or inv.tenant.id))
        elapsed = self._clock() - self._started
        return State(
            done,
            len(self._tenants),
            collected,
            collections,
            regions,
            tuple(current),
            elapsed,
            errors,
        )

    def line(self, width: int | None = None) -> str:
        """The progress line, cut to the terminal width."""
        s = self.state()
        parts = [f"scanning: {s.done}/{s.total} tenants"]
        if s.regions:
            parts[0] += f" x {s.regions} regions"
        if s.collections:
            parts.append(f"{100 * s.collected // s.collections}% collected")
        if s.current:
            more = f" (+{len(s.current) - 1} more in progress)" if len(s.current) > 1 else ""
            parts.append(f"now: {s.current[0]}{more}")
        parts.append(f"{s.elapsed:.0f}s")
        text = "  ·  ".join(parts)
        width = width or shutil.get_terminal_size((100, 20)).columns
        return text[: max(10, width - 1)]

    def plain_line(self) -> str:
        """The periodic line for logs: tenants done of all, errors so far, time."""
        s = self.state()
        return (
            f"logwarden: progress: {s.done}/{s.total} tenants done, "
            f"{s.errors} error{'s' if s.errors != 1 else ''} so far, {s.elapsed:.0f}s"
        )

    def draw(self) -> None:
        """Redraw the line in place (a terminal), or print the next plain line."""
        if self._plain:
            self._stream.write(self.plain_line() + "\n")
        else:
            self._stream.write("\r" + self.line() + "\x1b[K")
        self._stream.flush()

    def start(self) -> ScanProgress:
        self._thread = threading.Thread(target=self._run, name="logwarden-progress", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop redrawing and clear the line (the summary is printed after it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if not self._plain:
                self._stream.write("\r\x1b[K")
                self._stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.draw()

    def __enter__(self) -> ScanProgress:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
