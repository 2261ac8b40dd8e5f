"""``logwarden merge``: the shard reports of one scan combined into the report of the whole.

The merged report has the rows, summary and exit code a single-machine scan of the same
organization would have. Merging is refused (exit 2, with the reason) when the reports are not
the complete set of shards of one scan: a report that is no shard's, shards of different
scans (another scan id, other tenants discovered), catalogues or configurations, a shard given
twice or a tenant in two reports, and a missing shard (never a silently smaller report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logwarden.scanner import report_load as load
from logwarden.scanner.engine import error_order, row_order
from logwarden.scanner.errors import InputError, Problem, fail
from logwarden.scanner.models import CloudTerms, Gate, ScanReport, Severity
from logwarden.scanner.shards import ShardInfo, shard_of

FIX = "merge the report.json of every shard of one scan, each once"


@dataclass(frozen=True)
class ShardReport:
    """One shard's report.json: its path, document and shard section."""

    path: Path
    doc: dict[str, Any]
    shard: ShardInfo


def read_shards(paths: Sequence[Path]) -> list[ShardReport]:
    """Every report, read and checked to be a shard report (InputError if not)."""
    out = []
    for path in paths:
        doc = load.read(path)
        if "shard" not in doc:
            raise fail(
                str(path),
                None,
                "not a shard report: it was scanned without --shard",
                "merge only the reports of logwarden scan --shard I/N",
            )
        if "drift" in doc:
            raise fail(str(path), None, "a shard report with drift cannot be merged", FIX)
        section = load.field(path, doc, "shard")
        try:
            info = ShardInfo(
                index=int(section["index"]),
                count=int(section["count"]),
                tenants=tuple(str(t) for t in section["tenants"]),
                config=str(section["config"]),
                scan_id=section.get("scan_id"),
                facts=section.get("facts"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(str(path), None, f"its shard section is damaged: {exc}", FIX) from None
        out.append(ShardReport(path, doc, info))
    return out


def check_complete(shards: Sequence[ShardReport]) -> None:
    """Refuse anything but every shard of one scan, each once (InputError with every reason)."""
    if not shards:
        raise fail("merge", None, "no report to merge", FIX)
    first = shards[0]
    problems: list[Problem] = []

    def differs(what: str, value: Any, other: ShardReport, fix: str) -> None:
        problems.append(
            Problem(
                str(other.path),
                None,
                f"{what} differs from {first.path}'s: the reports are not shards of one scan",
                fix,
            )
        )

    same = [
        ("the shard count", lambda s: s.shard.count, "merge the shards of one --shard I/N run"),
        ("the scan id", lambda s: s.shard.scan_id, "merge the shards of one run (--scan-id)"),
        (
            "the organization facts (--facts)",
            lambda s: s.shard.facts,
            "scan every shard with the same --facts file, or every shard without one",
        ),
        (
            "the discovered tenants",
            lambda s: s.shard.tenants,
            "run the shards of one scan together; rerun them all when the organization changed",
        ),
        (
            "the catalogue (controls)",
            lambda s: s.doc.get("checks"),
            "scan every shard with the same logwarden version, rules and plugins",
        ),
        (
            "the configuration",
            lambda s: (s.shard.config, s.doc.get("scan", {}).get("parameters")),
            "scan every shard with the same config file and options",
        ),
        (
            "the gate (--fail-on, --fail-on-error)",
            lambda s: _gate_doc(s.doc),
            "scan every shard with the same --fail-on and --fail-on-error",
        ),
    ]
    for what, key, fix in same:
        for other in shards[1:]:
            if key(other) != key(first):
                differs(what, key(other), other, fix)
    if problems:
        raise InputError(problems)
    count = first.shard.count
    given: dict[int, Path] = {}
    for s in shards:
        if s.shard.index in given:
            problems.append(
                Problem(
                    str(s.path),
                    None,
                    f"overlapping shards: shard {s.shard.index}/{count} is also {given[s.shard.index]}",
                    FIX,
                )
            )
        given.setdefault(s.shard.index, s.path)
    missing = [i for i in range(1, count + 1) if i not in given]
    if missing:
        names = ", ".join(f"{i}/{count}" for i in missing)
        problems.append(
            Problem(
                "merge",
                None,
                f"missing shard(s) {names}: without them the report would lack their tenants",
                f"add the report.json of shard(s) {names} (or rerun them)",
            )
        )
    if problems:
        raise InputError(problems)
    _check_tenants(shards)


def _check_tenants(shards: Sequence[ShardReport]) -> None:
    """Each report holds exactly the tenants its shard owns."""
    problems = []
    for s in shards:
        owned = {t for t in s.shard.tenants if _shard_of_key(t, s.shard.count) == s.shard.index}
        held = {f"{t['cloud']}:{t['id']}" for t in load.field(s.path, s.doc, "tenants")}
        if held != owned:
            extra = sorted(held - owned)[:5]
            lacking = sorted(owned - held)[:5]
            problems.append(
                Problem(
                    str(s.path),
                    None,
                    f"shard {s.shard} does not hold its tenants (extra: {extra or 'none'}, "
                    f"missing: {lacking or 'none'})",
                    "rerun this shard: the report was changed or made by another version",
                )
            )
    if problems:
        raise InputError(problems)


def _shard_of_key(key: str, count: int) -> int:
    cloud, _, tenant_id = key.partition(":")
    return shard_of(cloud, tenant_id, count)


def _gate_doc(doc: Mapping[str, Any]) -> tuple[Any, Any]:
    scan = doc.get("scan") or {}
    return scan.get("fail_on"), scan.get("fail_on_error")


def merged_report(shards: Sequence[ShardReport], terms: Mapping[str, CloudTerms]) -> ScanReport:
    """The report of the whole scan (``shards`` checked by ``check_complete``).

    :param terms: what reports call each cloud (the installed clouds').
    """
    first = min(shards, key=lambda s: s.shard.index)
    results = [r for s in shards for r in load.each(s.path, s.doc, "results", load.result)]
    errors = {e for s in shards for e in load.each(s.path, s.doc, "errors", load.error)}
    tenants = {
        f"{t.cloud}:{t.id}": t
        for s in shards
        for t in load.each(s.path, s.doc, "tenants", load.tenant)
    }
    organizations = load.each(first.path, first.doc, "organizations", load.organization)
    fail_on, fail_on_error = _gate_doc(first.doc)
    scan = load.field(first.path, first.doc, "scan")
    clouds = {o.cloud for o in organizations} | {t.cloud for t in tenants.values()}
    return ScanReport(
        results=sorted(results, key=row_order),
        errors=sorted(errors, key=error_order),
        tenants=[tenants[key] for key in first.shard.tenants if key in tenants],
        organizations=organizations,
        checks=load.each(first.path, first.doc, "checks", load.check),
        started_at=min(str(s.doc["scan"]["started_at"]) for s in shards),
        finished_at=max(str(s.doc["scan"]["finished_at"]) for s in shards),
        expired_waivers=[
            w for w in load.each(first.path, first.doc, "expired_waivers", load.waiver) if w
        ],
        parameters=dict(scan.get("parameters") or {}),
        gate=Gate(
            fail_on=Severity(fail_on) if fail_on not in (None, "none") else None,
            fail_on_error=bool(fail_on_error),
        ),
        clouds={c: terms[c] for c in sorted(clouds) if c in terms},
    )
