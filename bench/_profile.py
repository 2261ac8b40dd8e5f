"""cProfile over every thread of the scan (the engine's workers included), merged into one.

``cProfile`` only profiles the thread that enables it. :class:`ThreadProfiler` enables one in
the calling thread and installs a ``threading.setprofile`` hook that starts another in each
thread created afterwards (the first event in the thread swaps the hook for a profiler); the
statistics of all of them are merged at the end.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any


class ThreadProfiler:
    """Profile this thread and every thread started while active."""

    def __init__(self) -> None:
        self._profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _start_here(self, *_: Any) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self._profiles.append(profile)
        profile.enable()

    def _hook(self, _frame: FrameType, _event: str, _arg: Any) -> None:
        self._start_here()

    def __enter__(self) -> ThreadProfiler:
        threading.setprofile(self._hook)
        self._start_here()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        threading.setprofile(None)
        with self._lock:
            self._profiles[0].disable()  # the others stop with their threads

    def stats(self) -> pstats.Stats:
        """The merged statistics of every profiled thread."""
        with self._lock:
            profiles = list(self._profiles)
        merged = pstats.Stats(profiles[0], stream=io.StringIO())
        for profile in profiles[1:]:
            try:
                merged.add(profile)
            except TypeError:  # a thread whose profiler never recorded anything
                continue
        return merged

    def dump(self, path: Path, top: int = 40) -> str:
        """Write the merged stats to ``path`` (pstats format); return a summary by component
        and the top entries (cumulative, then own time) as text."""
        merged = self.stats()
        merged.dump_stats(str(path))
        out = io.StringIO()
        out.write(by_component(merged) + "\n\n")
        merged.stream = out  # type: ignore[attr-defined]
        merged.sort_stats("cumulative").print_stats(top)
        merged.sort_stats("tottime").print_stats(top)
        return out.getvalue()


COMPONENTS = (
    ("logwarden", ("/scanner/", "/checks/", "/reports/")),
    ("botocore", ("/botocore/",)),
    ("urllib3", ("/urllib3/",)),
    ("dateutil", ("/dateutil/",)),
    ("pluggy", ("/pluggy/",)),
    ("jmespath", ("/jmespath/",)),
)


def component(filename: str) -> str:
    """Which package a profiled function belongs to."""
    for name, markers in COMPONENTS:
        if any(m in filename for m in markers):
            return name
    if filename == "~" or filename.startswith("<"):
        return "built-ins (C, called from any of the above)"
    return "standard library and other"


def by_component(stats: pstats.Stats) -> str:
    """Own time (tottime) summed by package: where the CPU goes, without double counting."""
    totals: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        name = component(filename)
        totals[name] = totals.get(name, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    lines = ["own CPU time by component (all threads):"]
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {name:<46} {seconds:7.2f} s  {100 * seconds / whole:5.1f} %")
    return "\n".join(lines)


class GcTimer:
    """Time spent in the cyclic garbage collector, by generation (``gc.callbacks``).

    A scan that keeps many objects alive pays for it in the oldest generation's collections,
    whose cost grows with the number of live objects: one of the ways CPU time per API call
    can grow with the size of the organization.
    """

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = int(info.get("generation", 2))
            self.seconds[generation] += time.perf_counter() - self._started
            self.collections[generation] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        gc.callbacks.remove(self._callback)
