"""The data model shared by the engine, the plugins, the checks and the reporters.

Everything here is plain data: no cloud SDK, no I/O. Collectors produce ``Resource`` rows,
checks turn them into ``CheckResult`` rows, and ``ScanReport`` carries the outcome of a scan
to the reporters and computes the process exit code in one place.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

if TYPE_CHECKING:
    from logwarden.scanner.drift import Drift
    from logwarden.scanner.inventory import Inventory
    from logwarden.scanner.shards import ShardInfo


class Status(enum.StrEnum):
    """Outcome of one check for one resource or tenant."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # could not be evaluated: API error, access denied, throttled
    SKIPPED = "SKIPPED"  # not applicable; the message says why


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Scope(enum.StrEnum):
    """What a check evaluates: each resource, each tenant, or the organization once."""

    RESOURCE = "resource"
    TENANT = "tenant"
    ORGANIZATION = "organization"


class ExitCode(enum.IntEnum):
    """The process exit codes; the only place they are defined.

    0 clean; 1 findings at or above ``--fail-on``; 2 usage or configuration error;
    3 incomplete (some check could not be evaluated and nothing failed); 4 internal error.
    """

    OK = 0
    FINDINGS = 1
    USAGE_ERROR = 2
    INCOMPLETE = 3
    INTERNAL_ERROR = 4


@dataclass(frozen=True)
class Tenant:
    """One AWS account, Azure subscription or GCP project."""

    cloud: str
    id: str
    name: str
    organization_id: str | None = None
    # The chain from the organization root down to the tenant's parent, e.g. OU ids.
    parents: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    is_management: bool = False
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Organization:
    """The scope above tenants: an AWS organization, an Azure tenant root, a GCP org."""

    cloud: str
    id: str
    name: str
    management_tenant_id: str | None = None
    # False when targets were a static list or the current credentials only: then the
    # organization-level facts (org trail, SCPs, OU tree) were not collected.
    facts_available: bool = True


@dataclass(frozen=True)
class Resource:
    """One normalized cloud object. ``tenant_id`` is the owner, not the viewer."""

    kind: str
    id: str
    tenant_id: str
    region: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class CollectionError:
    """Something that could not be read. A value, never swallowed, never a PASS."""

    cloud: str
    tenant_id: str
    kind: str
    region: str
    code: str  # e.g. AccessDenied, Throttling, EndpointConnectionError, NotApplicable
    message: str
    internal: bool = False  # a bug in logwarden rather than a cloud answer


DISCOVERY = "discovery"  # the ``kind`` of a CollectionError raised while finding tenants


class NotApplicable(Exception):
    """Raised by a collector when a kind does not apply to a tenant; gives SKIPPED rows."""


@dataclass(frozen=True)
class KindCollection:
    """The outcome of collecting one kind for one tenant: what was read and what was not."""

    resources: tuple[Resource, ...] = ()
    errors: tuple[CollectionError, ...] = ()
    not_applicable: str | None = None


@dataclass(frozen=True)
class ResourceKind:
    """A kind of resource a plugin can collect.

    ``collect(inventory)`` yields the tenant's resources of this kind, and a
    ``CollectionError`` for each part it could not read (a region, a bucket): failures are
    values. It may read other kinds through ``inventory`` and raise ``NotApplicable``. ``stage`` orders collection across tenants: every tenant
    collects all kinds of stage 1 before any tenant collects stage 2, and so on; kinds with
    stage 0 are collected lazily when a check first asks. A collector may read another
    tenant's kinds only if they belong to an earlier stage.
    ``organization=True`` marks kinds collected once per organization (management scope).
    ``volatile`` names the fields (dotted paths) that change without anyone changing the
    configuration (a counter, an operational status); drift and history leave them out.
    ``derived`` names the fields the collector computes from other fields (a summary of a
    lifecycle, the union of enabled categories): they change only with their source, so drift
    shows the source's change once and leaves them out.
    ``reads`` names the other kinds the collector reads (of this tenant, another tenant or the
    organization): a scan collects a staged kind only when a selected control needs it or a
    kind it needs reads it, and a collector that reads a kind it did not declare fails as a
    logwarden bug. ``None`` (undeclared) is read as "any kind of an earlier stage".
    """

    name: str
    cloud: str
    description: str
    collect: Callable[[Inventory], Iterable[Resource | CollectionError]]
    stage: int = 0
    organization: bool = False
    volatile: tuple[str, ...] = ()
    reads: tuple[str, ...] | None = None
    derived: tuple[str, ...] = ()


@dataclass(frozen=True)
class Remediation:
    text: str
    cli: str | None = None
    terraform: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a check says about one subject before the engine adds the context."""

    status: Status
    message: str
    resource_id: str
    region: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


CheckFunction = Callable[["CheckContext"], Iterable[Outcome]]


class Implementation(enum.StrEnum):
    """How a control decides: the filter language of a rules file, or a Python function
    (``implementation: python``, supplied by a plugin's ``logwarden_register_checks``)."""

    DECLARATIVE = "declarative"
    PYTHON = "python"


@dataclass(frozen=True)
class Check:
    """A control: declarative (from rules.yaml) or Python; both evaluate through ``run``."""

    id: str
    title: str
    severity: Severity
    cloud: str
    scope: Scope
    kinds: tuple[str, ...]
    rationale: str
    remediation: Remediation
    references: tuple[str, ...] = ()
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The subset of ``frameworks`` the control tests only in part (``partial: true``).
    partial_frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    run: CheckFunction | None = None
    source: str = ""  # file:line where the control is defined
    implementation: Implementation = Implementation.DECLARATIVE


@dataclass
class CheckContext:
    """What a check sees: its tenant's inventory (with the organization behind it)."""

    check: Check
    tenant: Tenant | None
    organization: Organization | None
    inventory: Inventory
    parameters: Mapping[str, Any]

    def param(self, name: str) -> Any:
        """The effective value of a parameter for this check."""
        return self.parameters[name]

    def resources(self, kind: str) -> tuple[Resource, ...]:
        """Resources of a kind the check declared, from the tenant or organization inventory.

        The evaluator has already turned collection errors of declared kinds into ERROR rows,
        so a check only ever sees complete data here.
        """
        if kind not in self.check.kinds:
            raise KeyError(f"check {self.check.id} did not declare resource kind {kind!r}")
        return self.inventory.view(kind).resources


@dataclass(frozen=True)
class Waiver:
    """An accepted exception: mutes matching FAIL rows until it expires."""

    checks: str  # glob over check ids
    reason: str
    owner: str
    expires: str  # ISO date, inclusive
    tenants: tuple[str, ...] = ()  # globs; empty = all
    resources: tuple[str, ...] = ()  # globs; empty = all
    source: str = ""


@dataclass(frozen=True)
class CheckResult:
    """One row of the report; waivers and history give a row its final marks by building a
    new row (``dataclasses.replace``), never by changing one."""

    check_id: str
    status: Status
    severity: Severity
    cloud: str
    tenant_id: str
    tenant_name: str
    region: str
    resource_id: str
    message: str
    remediation: Remediation
    title: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    muted: bool = False
    waiver: Waiver | None = None
    first_seen: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable identity: never includes the message, the status or a timestamp."""
        return fingerprint(self.check_id, self.cloud, self.tenant_id, self.resource_id)

    @property
    def is_finding(self) -> bool:
        """An unwaived failure."""
        return self.status is Status.FAIL and not self.muted


def fingerprint(check_id: str, cloud: str, tenant_id: str, resource_id: str) -> str:
    raw = "\x1f".join((check_id, cloud, tenant_id, resource_id))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CloudTerms:
    """How reports name a cloud and its tenants (from the cloud's registered descriptor)."""

    label: str  # "AWS", "Google Cloud"
    tenant_word: str  # "account", "subscription", "project"
    ocsf_account_type: str  # "AWS Account": the OCSF account type of a tenant

    @classmethod
    def unknown(cls, cloud: str) -> CloudTerms:
        """The terms of a cloud no installed plugin describes (a report from elsewhere)."""
        return cls(cloud.upper(), "tenant", "Tenant")


@dataclass(frozen=True)
class Gate:
    """What fails the run: the CI gate of ``scan`` (see ``ScanReport.exit_code``)."""

    # Unwaived findings at or above ``fail_on`` exit 1 (None: never).
    fail_on: Severity | None = Severity.LOW
    # ERROR rows (and a failed discovery, or no tenant at all) make the scan incomplete: 3.
    fail_on_error: bool = True
    # The drift gate: only regressions (at or above ``fail_on``, any when it is None) are
    # findings; failures already there before do not count.
    fail_on_drift: bool = False
    # With ``fail_on_drift``: configuration changes and removed resources fail the run too.
    fail_on_changes: bool = False

    @property
    def fail_on_name(self) -> str:
        """``fail_on`` as ``--fail-on`` spells it: a severity, or ``none``."""
        return self.fail_on.value if self.fail_on is not None else "none"


@dataclass(frozen=True)
class ScanReport:
    """Everything a scan produced, and the exit code derived from it.

    Built once (``logwarden.scanner.report.build_report``) and never changed afterwards: the
    sequences are stored as tuples, so no hook or renderer can add, drop or alter a row.
    """

    results: Sequence[CheckResult]
    errors: Sequence[CollectionError]
    tenants: Sequence[Tenant]
    organizations: Sequence[Organization]
    checks: Sequence[Check]
    started_at: str
    finished_at: str
    expired_waivers: Sequence[Waiver] = ()
    stale_waivers: Sequence[Waiver] = ()  # valid, but muted nothing the scan evaluated
    parameters: Mapping[str, Any] = field(default_factory=dict)
    gate: Gate = Gate()
    # Set when the scan was compared with history or a baseline (scanner/drift.py).
    drift: Drift | None = None
    # What each scanned cloud is called, so renderers stay pure functions of the report.
    clouds: Mapping[str, CloudTerms] = field(default_factory=dict)
    # The frameworks the scan was asked about (``--framework``); empty: every claimed one.
    frameworks: Sequence[str] = ()
    # Set on the report of one shard of a sharded scan (``--shard``), for ``logwarden merge``.
    shard: ShardInfo | None = None

    _SEQUENCES: ClassVar[tuple[str, ...]] = (
        "results",
        "errors",
        "tenants",
        "organizations",
        "checks",
        "expired_waivers",
        "stale_waivers",
        "frameworks",
    )

    def __post_init__(self) -> None:
        for name in self._SEQUENCES:
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def exit_code(self) -> ExitCode:
        """The one place the exit code of a scan is computed.

        Internal errors win over everything: a broken scanner must not look like a finding
        or a clean scan. Then findings (1), then an incomplete scan (3), else 0. With
        ``fail_on_drift`` the findings that count are the drift's regressions only (and, with
        ``fail_on_changes``, any configuration change or removed resource).
        """
        gate = self.gate
        if any(e.internal for e in self.errors):
            return ExitCode.INTERNAL_ERROR
        if gate.fail_on_drift:
            floor = gate.fail_on.rank if gate.fail_on is not None else Severity.INFO.rank
            if self.drift is not None and any(
                Severity(r.severity).rank >= floor for r in self.drift.regressions
            ):
                return ExitCode.FINDINGS
            if (
                gate.fail_on_changes
                and self.drift is not None
                and (self.drift.changes or self.drift.removed_resources)
            ):
                return ExitCode.FINDINGS
        elif gate.fail_on is not None and any(
            r.is_finding and r.severity.rank >= gate.fail_on.rank for r in self.results
        ):
            return ExitCode.FINDINGS
        if gate.fail_on_error and (
            any(r.status is Status.ERROR for r in self.results)
            or any(e.kind == DISCOVERY for e in self.errors)
            or not (self.shard.tenants if self.shard is not None else self.tenants)
        ):
            return ExitCode.INCOMPLETE
        return ExitCode.OK

    def terms(self, cloud: str) -> CloudTerms:
        """How reports name ``cloud`` and its tenants."""
        return self.clouds.get(cloud) or CloudTerms.unknown(cloud)

    def counts(self) -> dict[str, int]:
        """Counts by status, with waived failures counted apart."""
        out = {s.value: 0 for s in Status}
        out["WAIVED"] = 0
        for r in self.results:
            if r.muted:
                out["WAIVED"] += 1
            else:
                out[r.status.value] += 1
        return out


@dataclass(frozen=True)
class PythonCheck:
    """The implementation of a control whose logic does not fit the filter language.

    Its metadata (title, severity, remediation, ...) still lives in rules.yaml under the same
    id with ``implementation: python``; this descriptor only supplies ``run``.
    """

    id: str
    run: CheckFunction


@dataclass(frozen=True)
class Discovery:
    """What a cloud plugin found to scan: organizations, tenants, and what failed."""

    organizations: list[Organization] = field(default_factory=list)
    tenants: list[Tenant] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)


@dataclass(frozen=True)
class Reporter:
    """A report format: ``render`` returns the whole document as a string (no I/O).

    ``write``, when given, writes the same document to a text stream as it is made, so a big
    report is never held whole in memory; the scan writes files with it."""

    name: str
    filename: str
    description: str
    render: Callable[[ScanReport], str]
    write: Callable[[ScanReport, TextIO], None] | None = None
