"""Compute-once values shared by the threads of a scan (used by every cloud's sessions)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """A value per key, computed at most once; concurrent callers of a key wait for it.

    Failures are memoised like values and re-raised to every caller, so an API call that
    failed is neither retried by the next kind nor silently turned into "nothing found".
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[bool, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value of ``key``, computing it with ``compute`` on first use."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._values.get(key)
            if found is None:
                try:
                    found = (True, compute())
                except Exception as exc:
                    found = (False, exc)
                self._values[key] = found
        ok, value = found
        if not ok:
            raise value
        return value

    def remember(self, key: Hashable, value: Any) -> None:
        """Seed a value already known (e.g. read as part of a listing); first one wins."""
        with self._guard:
            self._values.setdefault(key, (True, value))
