"""What a finished AWS scan tells attribution: its trails and where they deliver, who owns the
log buckets, the organization's ids, and a session into any account.

Only what the scan already collected is read (``Inventory.collected()``): attribution never
starts a collection of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.audit_events import Subject
from logwarden.scanner.collectors.aws.attribution.archive import Archive
from logwarden.scanner.collectors.aws.common import (
    ACCOUNT,
    BUCKET,
    ORG_TRAIL,
    ORGANIZATION,
    TRAIL,
    session_of,
)
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory, SessionUnavailable
from logwarden.scanner.models import Resource


def _collected(inv: Inventory, kind: str) -> tuple[Resource, ...]:
    found = inv.collected().get(kind)
    return found.resources if found is not None else ()


@dataclass
class ScanScope:
    """The inventories of one AWS scan, seen by attribution."""

    org: Inventory | None = None
    tenants: dict[str, Inventory] = field(default_factory=dict)
    org_id: str = ""  # "o-..." when known
    management: str = ""
    trails: list[Resource] = field(default_factory=list)  # organization trails first
    buckets: dict[str, Resource] = field(default_factory=dict)  # by bucket name
    documents: dict[tuple[str, str], Resource] = field(default_factory=dict)

    @classmethod
    def of(cls, inventories: Sequence[Any]) -> ScanScope:
        """Index the scan's inventories (organization inventory first, then tenants)."""
        scope = cls()
        trails: dict[str, Resource] = {}
        for inv in inventories:
            if not isinstance(inv, Inventory) or inv.cloud != "aws":
                continue
            org = inv.organization
            if org is not None:
                scope.management = scope.management or (org.management_tenant_id or "")
                if org.id.startswith("o-"):
                    scope.org_id = scope.org_id or org.id
            if inv.tenant is None:
                scope.org = scope.org or inv
                for kind in (ACCOUNT, ORGANIZATION):
                    for res in _collected(inv, kind):
                        scope.documents[(kind, res.id)] = res
            else:
                scope.tenants[inv.tenant.id] = inv
                for res in _collected(inv, BUCKET):
                    scope.buckets.setdefault(str(res.data.get("Name", "")), res)
            for kind in (ORG_TRAIL, TRAIL):
                for res in _collected(inv, kind):
                    if res.id not in trails or not res.data.get("Shadow"):
                        trails[res.id] = res
        scope.trails = sorted(
            trails.values(), key=lambda r: (not r.data.get("IsOrganizationTrail"), r.id)
        )
        return scope

    def extra_names(self, subject: Subject) -> list[str]:
        """Ids that also name ``subject`` in Organizations events: an account's root and OUs,
        an organization's roots."""
        doc = self.documents.get((subject.kind, subject.resource_id))
        if doc is None:
            return []
        if subject.kind == ACCOUNT:
            return [str(p.get("Id")) for p in doc.data.get("ParentPath", []) if p.get("Id")]
        return [str(r.get("Id")) for r in doc.data.get("Roots", []) if r.get("Id")]

    def session(self, account: str) -> AwsSession:
        """A session acting in ``account`` (the scan's own, else AssumeRole from the scan's
        base); raises SessionUnavailable."""
        inv = self.tenants.get(account)
        if inv is not None:
            return session_of(inv)
        base = self.org or next(iter(self.tenants.values()), None)
        if base is None:
            raise SessionUnavailable("NoSession", "the scan has no AWS inventory")
        session = session_of(base)
        if not account or session.account_id == account:
            return session
        return session.pool.for_account(account)

    def archives(self, account: str, region: str) -> list[Archive]:
        """The S3 archives that hold ``account``'s management events of ``region``, best first.

        A trail counts when it logs write management events, covers the account (an
        organization trail covers every account; another trail only its own) and the region
        (multi-region, or its home region). An organization trail needs the organization id
        (its key layout has it).
        """
        out: dict[tuple[str, str], Archive] = {}
        for trail in self.trails:
            data = trail.data
            bucket = str(data.get("S3BucketName") or "")
            events = data.get("ManagementEvents") or {}
            org_trail = bool(data.get("IsOrganizationTrail"))
            if not bucket or events.get("Write") is False:
                continue
            if (org_trail and not self.org_id) or (not org_trail and trail.tenant_id != account):
                continue
            if not data.get("IsMultiRegionTrail") and trail.region != region:
                continue
            owner = self.buckets.get(bucket)
            archive = Archive(
                bucket=bucket,
                prefix=str(data.get("S3KeyPrefix") or ""),
                org_id=self.org_id if org_trail else "",
                owner=owner.tenant_id if owner is not None else "",
                region=owner.region if owner is not None else "",
                trail=trail.id,
                excluded=frozenset(str(s) for s in events.get("ExcludedSources") or []),
            )
            out.setdefault((bucket, archive.base(account, region)), archive)
        return list(out.values())
