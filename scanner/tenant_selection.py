"""Run-time selection of tenants (``--tenants``, ``--exclude-tenants``, ``--ous``).

Discovery results pass through :class:`TenantFilter` before any inventory is made, so a tenant
left out is never collected: the calls of a scan shrink with the selection. Other filters (a
shard of the tenants, say) compose with it: each is a function from the discovered tenants of a
cloud to those kept. A saved inventory is narrowed by :func:`select_scopes` after it is loaded.

A tenant pattern that matches no discovered tenant is a warning, not an error: what discovery
finds is only known during the scan (an account may be suspended, a listing may fail), and a
scan left with no tenant is incomplete (exit 3), never clean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from logwarden.scanner.engine import ScanInput
from logwarden.scanner.errors import warn
from logwarden.scanner.models import Tenant
from logwarden.scanner.selection import Selection

log = logging.getLogger("logwarden.selection")

#: discovered tenants of one cloud -> the tenants scanned
TenantSelector = Callable[[Sequence[Tenant]], list[Tenant]]


def _names(tenant: Tenant) -> tuple[str, ...]:
    return (tenant.id, tenant.name)


def _matches(tenant: Tenant, glob: str) -> bool:
    return any(fnmatchcase(name, glob) for name in _names(tenant))


def _below(tenant: Tenant, ou: str) -> bool:
    """Whether ``ou`` is on the tenant's parent chain: the exact id (AWS ``ou-...``, an
    Azure management group, GCP ``folders/N``), or the last part of a GCP resource name
    (``N`` for ``folders/N``); case-insensitive, as Azure ids are."""
    wanted = ou.lower()
    return any(
        parent.lower() == wanted or parent.lower().rsplit("/", 1)[-1] == wanted
        for parent in tenant.parents
    )


@dataclass
class TenantFilter:
    """Keeps the tenants a :class:`Selection` names; remembers which patterns matched."""

    selection: Selection
    matched: set[tuple[str, str]] = field(default_factory=set)

    def __call__(self, tenants: Sequence[Tenant]) -> list[Tenant]:
        """The tenants in scope, in discovery order; each one left out is logged with why."""
        kept: list[Tenant] = []
        for tenant in tenants:
            reason = self._reason_to_skip(tenant)
            if reason is None:
                kept.append(tenant)
            else:
                log.info(
                    "%s tenant %s (%s) not scanned: %s",
                    tenant.cloud,
                    tenant.id,
                    tenant.name,
                    reason,
                )
        return kept

    def _reason_to_skip(self, tenant: Tenant) -> str | None:
        sel = self.selection
        for option, values, test in (
            ("--tenants", sel.tenants, _matches),
            ("--ous", sel.ous, _below),
        ):
            if not values:
                continue
            hits = [v for v in values if test(tenant, v)]
            self.matched.update((option, v) for v in hits)
            if not hits:
                return f"matches no {option} value"
        excluded = [g for g in sel.exclude_tenants if _matches(tenant, g)]
        self.matched.update(("--exclude-tenants", g) for g in excluded)
        if excluded:
            return f"--exclude-tenants {excluded[0]!r}"
        return None

    def warn_unmatched(self) -> None:
        """Warn about each pattern that matched no discovered tenant (a typo, or a tenant
        discovery did not find)."""
        sel = self.selection
        for option, values in (
            ("--tenants", sel.tenants),
            ("--ous", sel.ous),
            ("--exclude-tenants", sel.exclude_tenants),
        ):
            for value in values:
                if (option, value) not in self.matched:
                    warn(f"{option} {value!r} matched no tenant the scan discovered")


def select_scopes(scan: ScanInput, keep: TenantSelector) -> ScanInput:
    """A loaded scan (a saved inventory) with only the tenants ``keep`` returns.

    The tenants left out stay the others' peers: their saved evidence is still read where a
    control reads across tenants (the log bucket of a log-archive account), as it was when the
    inventory was saved; only the tenants kept are evaluated. An organization left with no
    tenant is dropped.
    """
    scopes = []
    for scope in scan.scopes:
        tenants = [inv.tenant for inv in scope.tenants if inv.tenant is not None]
        kept = {id(t) for t in keep(tenants)}
        chosen = [inv for inv in scope.tenants if id(inv.tenant) in kept]
        if chosen or not scope.tenants:
            scope.tenants = chosen
            scopes.append(scope)
    scan.scopes = scopes
    return scan
