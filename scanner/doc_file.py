"""Resource documents kept on disk, read back one at a time: what keeps a scan with
``--history`` or ``--drift`` from holding every resource of the organization in memory.

A scan state (``drift.ScanState``) names every in-scope resource of the scan, and of the scan
it is compared with, by (kind, id) with a digest; only the documents of resources whose digest
changed are read to find which fields changed, and recording a scan copies each document's
text into the history store. So a state keeps its documents in a temporary ``DocFile`` and
each ``ResourceState.data`` is a ``LazyData``: a mapping that reads its document from the file
when it is used, and does not keep it.
"""

from __future__ import annotations

import json
import tempfile
import threading
import weakref
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import IO, Any


def document_text(data: Mapping[str, Any]) -> str:
    """The JSON text a resource document is kept and recorded as."""
    if isinstance(data, LazyData):
        return data.text()
    return json.dumps(data, sort_keys=True, default=str)


def plain(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``data`` as an ordinary mapping (a ``LazyData`` read once)."""
    return data.load() if isinstance(data, LazyData) else data


class DocFile:
    """A temporary file of resource documents (JSON texts), removed when closed or freed."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._lock = threading.Lock()
        # closed when the last LazyData of this file is freed, if not before
        self._closer = weakref.finalize(self, self._file.close)

    def add(self, text: str) -> LazyData:
        """Keep ``text`` (a JSON object); the mapping that reads it back."""
        raw = text.encode()
        with self._lock:
            self._file.seek(0, 2)
            start = self._file.tell()
            self._file.write(raw)
        return LazyData(self, start, len(raw))

    def read(self, start: int, size: int) -> str:
        """The text kept at ``start``."""
        with self._lock:
            self._file.seek(start)
            return self._file.read(size).decode()

    def close(self) -> None:
        """Remove the file (its ``LazyData`` can no longer be read)."""
        self._closer()


class LazyData(Mapping[str, Any]):
    """A resource document in a ``DocFile``, parsed each time it is read (never kept)."""

    __slots__ = ("_file", "_size", "_start")

    def __init__(self, file: DocFile, start: int, size: int) -> None:
        self._file = file
        self._start = start
        self._size = size

    def text(self) -> str:
        """The document's JSON text."""
        return self._file.read(self._start, self._size)

    def load(self) -> dict[str, Any]:
        """The document, parsed."""
        doc: dict[str, Any] = json.loads(self.text())
        return doc

    def __getitem__(self, key: str) -> Any:
        return self.load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.load())

    # One read for a whole view, not one per key (Mapping's default reads per item).
    def keys(self) -> KeysView[str]:
        return self.load().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.load().items()

    def values(self) -> ValuesView[Any]:
        return self.load().values()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self.load() == dict(plain(other))

    __hash__ = None  # type: ignore[assignment]  # a mapping, like dict

    def __repr__(self) -> str:
        return f"LazyData({self.text()})"
