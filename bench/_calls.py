"""Counting the scanner's AWS API calls with a botocore ``before-call`` hook, and summarising them.

The hook is registered through ``SessionPool.register``, so it runs in every botocore session of
the scan and gets the session's account as ``account_id`` (empty for the base session until its
identity is known). ``before-call`` fires once per API call: retries are not counted here (the
moto server's request count shows them).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

# (account, region, service, operation)
CallKey = tuple[str, str, str, str]
BASE = "(base)"  # the base session's first GetCallerIdentity, before its account is known


class CallCounter:
    """Thread-safe counts of API calls by (account, region, service, operation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[CallKey] = Counter()

    def handler(self, account_id: str, model: Any, context: Any = None, **_: Any) -> None:
        """The ``before-call`` handler (``SessionPool`` adds ``account_id``); returns None so
        botocore goes on and sends the request."""
        region = str((context or {}).get("client_region") or "")
        key = (account_id or BASE, region, model.service_model.service_name, model.name)
        with self._lock:
            self._calls[key] += 1

    def snapshot(self) -> Counter[CallKey]:
        """A copy of the counts so far."""
        with self._lock:
            return Counter(self._calls)


@dataclass
class CallSummary:
    """The figures the benchmark prints about API calls."""

    total: int
    org_level: int  # Organizations + the management account's GetCallerIdentity
    assume_role: int  # sts:AssumeRole by the management account, once per member account
    account_regions: int
    by_service: dict[str, int]
    by_operation: dict[str, int]
    accounts_calling: int

    @property
    def per_account_region(self) -> float:
        """All calls / account-regions (the BENCHMARKS.md budget: at most 10)."""
        return self.total / self.account_regions

    @property
    def per_account_region_excl_org(self) -> float:
        """Calls that scale with the organization's size / account-regions."""
        return (self.total - self.org_level) / self.account_regions


def is_org_level(key: CallKey, management: str) -> bool:
    """Organization-level: every Organizations call, and the management account's STS calls
    except AssumeRole (which is made once per member account, so it scales with accounts)."""
    account, _, service, operation = key
    if service == "organizations":
        return True
    return service == "sts" and account in (management, BASE) and operation != "AssumeRole"


def summarise(calls: Counter[CallKey], management: str, account_regions: int) -> CallSummary:
    """Totals, organization-level calls, and calls by service and operation."""
    by_service: Counter[str] = Counter()
    by_operation: Counter[str] = Counter()
    org_level = assume = 0
    for key, n in calls.items():
        _, _, service, operation = key
        by_service[service] += n
        by_operation[f"{service}.{operation}"] += n
        if is_org_level(key, management):
            org_level += n
        elif service == "sts" and operation == "AssumeRole":
            assume += n
    return CallSummary(
        total=sum(calls.values()),
        org_level=org_level,
        assume_role=assume,
        account_regions=account_regions,
        by_service=dict(sorted(by_service.items())),
        by_operation=dict(sorted(by_operation.items())),
        accounts_calling=len({k[0] for k in calls} - {BASE}),
    )


def service_table(summary: CallSummary) -> str:
    """Calls per account-region by service, then by operation."""
    ar = summary.account_regions
    lines = [f"  {'service / operation':<52} {'calls':>7} {'per acct-region':>16}"]
    for service, n in summary.by_service.items():
        lines.append(f"  {service:<52} {n:>7} {n / ar:>16.3f}")
    lines.append("  " + "-" * 77)
    for op, n in summary.by_operation.items():
        lines.append(f"  {op:<52} {n:>7} {n / ar:>16.3f}")
    return "\n".join(lines)
