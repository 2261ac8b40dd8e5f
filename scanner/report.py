"""The report of a scan, built once from its inputs.

A scan produces its rows first (:class:`ScanOutcome`: evaluated, waivers applied); when asked,
history and a baseline then add ``first_seen`` and the drift; the gate comes from the command
line and the config file. :func:`build_report` turns these into the one
:class:`~logwarden.scanner.models.ScanReport`, which nothing changes afterwards: the
``logwarden_result`` and ``logwarden_scan_finished`` hooks, the console and every reporter see
the same final rows and the same exit code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from logwarden.scanner.models import (
    Check,
    CheckResult,
    CloudTerms,
    CollectionError,
    Gate,
    Organization,
    ScanReport,
    Tenant,
    Waiver,
)

if TYPE_CHECKING:
    from logwarden.scanner.drift import Drift
    from logwarden.scanner.shards import ShardInfo


@dataclass(frozen=True)
class ScanOutcome:
    """What the engine evaluated: the rows (waivers applied; ``first_seen`` comes from
    history) and what the report says about the scan around them."""

    results: tuple[CheckResult, ...]
    errors: tuple[CollectionError, ...]
    tenants: tuple[Tenant, ...]
    organizations: tuple[Organization, ...]
    checks: tuple[Check, ...]
    started_at: str
    finished_at: str
    expired_waivers: tuple[Waiver, ...] = ()
    # Valid waivers that muted nothing of what the scan evaluated (waivers.stale).
    stale_waivers: tuple[Waiver, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # What each scanned cloud is called (its registered descriptor's terms).
    clouds: Mapping[str, CloudTerms] = field(default_factory=dict)
    # The frameworks the scan was asked about (``--framework``); empty: every claimed one.
    frameworks: tuple[str, ...] = ()
    # Set when the scan is one shard of several (``--shard``).
    shard: ShardInfo | None = None


def build_report(
    outcome: ScanOutcome, gate: Gate | None = None, drift: Drift | None = None
) -> ScanReport:
    """The scan's report: ``outcome``'s rows and context, the gate, and the drift when the
    scan was compared with history or a baseline, as one immutable value."""
    scanned = {f.name: getattr(outcome, f.name) for f in dataclasses.fields(outcome)}
    return ScanReport(**scanned, gate=gate or Gate(), drift=drift)


def publish(pm: pluggy.PluginManager, report: ScanReport) -> None:
    """Hand the built report to the plugins: every row (``logwarden_result``), then the whole
    report (``logwarden_scan_finished``); reporters render it afterwards."""
    for result in report.results:
        pm.hook.logwarden_result(result=result)
    pm.hook.logwarden_scan_finished(report=report)
