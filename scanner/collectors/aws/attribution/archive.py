"""Reading a trail's archived log files in S3: the key layout, the files of a window, the records.

CloudTrail delivers each account's and region's events as gzipped JSON files (``{"Records":
[...]}``) under::

    [<S3KeyPrefix>/]AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/
        <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 characters>.json.gz

(``<org-id>/`` for an organization trail). The time in the name is when the file was
delivered, to the minute, and a file holds records written at any point before that time. So
for events in ``start < eventTime <= end``:

- a file delivered in a minute before ``start``'s minute holds only events before ``start``:
  skip it; a file of ``start``'s own minute may hold events after ``start``: read it;
- an event at ``end`` may be delivered up to :data:`DELIVERY_LAG` later (AWS says "an average
  of about 5 minutes", without guarantee): files up to ``end + DELIVERY_LAG`` are read, and an
  event not delivered by then is not in the archive (LookupEvents may have it).

Only the day prefixes of that span are listed, newest day first, and at most ``max_files``
files are read, the newest first (the latest change is what attribution shows); the read
says when that cap cut the search short.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

DELIVERY_LAG = dt.timedelta(minutes=15)
MAX_FILES = 1000
READ_WORKERS = 8

_FILE = re.compile(r"^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$")

Record = dict[str, Any]


@dataclass(frozen=True)
class Archive:
    """Where one trail delivers its log files."""

    bucket: str
    prefix: str = ""  # the trail's S3KeyPrefix ("" = none)
    org_id: str = ""  # an organization trail's organization ("" = not one)
    owner: str = ""  # the account that owns the bucket ("" = not known)
    region: str = ""  # the bucket's region ("" = not known)
    trail: str = ""  # the trail's ARN
    excluded: frozenset[str] = frozenset()  # event sources the trail does not log (globs)

    def base(self, account: str, region: str) -> str:
        """The key prefix of ``account``'s files for ``region``."""
        prefix = f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""
        org = f"{self.org_id}/" if self.org_id else ""
        return f"{prefix}AWSLogs/{org}{account}/CloudTrail/{region}/"

    def url(self, key: str) -> str:
        """``s3://bucket/key``."""
        return f"s3://{self.bucket}/{key}"


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def file_span(
    start: dt.datetime, end: dt.datetime, lag: dt.timedelta = DELIVERY_LAG
) -> tuple[dt.datetime, dt.datetime]:
    """The delivery times (inclusive) of the files that can hold events of the window."""
    return _minute(start), end + lag


def day_prefixes(
    base: str, start: dt.datetime, end: dt.datetime, lag: dt.timedelta = DELIVERY_LAG
) -> list[str]:
    """The ``YYYY/MM/DD/`` prefixes under ``base`` that can hold the window's files, newest
    first."""
    first, last = file_span(start, end, lag)
    days = (last.date() - first.date()).days
    return [
        f"{base}{(last.date() - dt.timedelta(days=n)).strftime('%Y/%m/%d')}/"
        for n in range(days + 1)
    ]


def file_time(key: str, account: str, region: str) -> dt.datetime | None:
    """The delivery time in a log file's name; None when ``key`` is not a log file of
    ``account`` in ``region`` (digest files, other accounts, stray objects)."""
    match = _FILE.match(key.rsplit("/", 1)[-1])
    if match is None or match.group(1) != account or match.group(2) != region:
        return None
    return dt.datetime.strptime(match.group(3), "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)


@dataclass
class FileList:
    """The files of a window, newest first, and whether the cap left some out."""

    keys: list[str] = field(default_factory=list)
    truncated: bool = False


def list_files(
    client: Any,
    archive: Archive,
    account: str,
    region: str,
    window: tuple[dt.datetime, dt.datetime],
    *,
    max_files: int = MAX_FILES,
    lag: dt.timedelta = DELIVERY_LAG,
) -> FileList:
    """The newest ``max_files`` log files of ``account`` in ``region`` that can hold events of
    ``window`` (start, end). Raises the S3 error when the bucket cannot be listed."""
    first, last = file_span(*window, lag)
    base = archive.base(account, region)
    out = FileList()
    for prefix in day_prefixes(base, *window, lag):
        found: list[tuple[dt.datetime, str]] = []
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=archive.bucket, Prefix=prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                moment = file_time(item["Key"], account, region)
                if moment is not None and first <= moment <= last:
                    found.append((moment, item["Key"]))
        found.sort(reverse=True)
        room = max_files - len(out.keys)
        out.keys.extend(key for _, key in found[:room])
        if len(found) > room:
            out.truncated = True
            break
    return out


def parse_file(body: bytes) -> list[Record]:
    """The records of one log file (gzipped or, when the transport already inflated it,
    plain JSON); raises ValueError for anything else."""
    try:
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        doc = json.loads(body)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"not a gzip file: {exc}") from None
    records = doc.get("Records") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise ValueError("no Records list")
    return [r for r in records if isinstance(r, dict)]


@dataclass
class ArchiveRead:
    """What one archive search read."""

    files: int = 0
    truncated: bool = False
    bad: list[str] = field(default_factory=list)  # "s3://...: why" for unreadable files


def read_archive(
    client: Any,
    archive: Archive,
    account: str,
    region: str,
    window: tuple[dt.datetime, dt.datetime],
    visit: Callable[[Record, str], None],
    *,
    max_files: int = MAX_FILES,
    workers: int = READ_WORKERS,
) -> ArchiveRead:
    """Call ``visit(record, s3_url)`` for every record of the window's files (newest file
    first; files fetched by ``workers`` threads, records visited in this thread).

    Raises the S3 (or KMS) error when listing or getting an object fails: the archive is then
    unreadable as a whole. A file that is not valid CloudTrail JSON is skipped and named in
    ``bad``.
    """
    listing = list_files(client, archive, account, region, window, max_files=max_files)
    read = ArchiveRead(files=len(listing.keys), truncated=listing.truncated)

    def fetch(key: str) -> tuple[str, list[Record] | str]:
        body = client.get_object(Bucket=archive.bucket, Key=key)["Body"].read()
        try:
            return key, parse_file(body)
        except ValueError as exc:
            return key, str(exc)

    for key, records in _fetch_all(fetch, listing.keys, workers):
        if isinstance(records, str):
            read.bad.append(f"{archive.url(key)}: {records}")
            continue
        for record in records:
            visit(record, archive.url(key))
    return read


def _fetch_all(
    fetch: Callable[[str], tuple[str, list[Record] | str]], keys: list[str], workers: int
) -> Iterator[tuple[str, list[Record] | str]]:
    if len(keys) <= 1 or workers <= 1:
        yield from map(fetch, keys)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cloudtrail-read")
    try:
        yield from pool.map(fetch, keys)  # re-raises the first failure, in key order
    finally:  # on a failure, files not yet fetched are not fetched at all
        pool.shutdown(wait=True, cancel_futures=True)
