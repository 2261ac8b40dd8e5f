"""The lazy per-tenant collection cache, and saving/loading it as evidence.

Each kind is collected at most once per tenant, on first use, by the plugin that registered it.
Concurrent readers of the same kind wait for the one collection in progress. Failures are
memoized like results, as ``CollectionError`` values.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from logwarden.scanner.collectors.memo import Memo
from logwarden.scanner.models import (
    CollectionError,
    KindCollection,
    NotApplicable,
    Organization,
    Resource,
    ResourceKind,
    Tenant,
)


class UndeclaredRead(Exception):
    """A collector read a kind its ``ResourceKind.reads`` does not name (a logwarden bug)."""


_collecting = threading.local()  # the kinds being collected on this thread, innermost last
log = logging.getLogger("logwarden.inventory")

# Declared reads only decide which staged kinds a scan collects up front; an undeclared read
# is still collected on first use, so production scans stay right. The tests set this to make
# an undeclared read fail loudly (a stale ``ResourceKind.reads``).
STRICT_READS_ENV = "LOGWARDEN_STRICT_READS"


def _check_declared(kind: str) -> None:
    if not os.environ.get(STRICT_READS_ENV):
        return
    stack: list[ResourceKind] = getattr(_collecting, "stack", [])
    outer = stack[-1] if stack else None
    if outer is not None and outer.reads is not None and kind not in (outer.name, *outer.reads):
        raise UndeclaredRead(
            f"the collector of {outer.name} read {kind}, which its ResourceKind.reads does "
            f"not declare ({', '.join(outer.reads) or 'nothing'})"
        )


class SessionUnavailable(Exception):
    """Raised by a session factory when a tenant cannot be reached (e.g. AssumeRole denied)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Inventory:
    """What is known about one tenant (or, with ``tenant=None``, one organization)."""

    def __init__(
        self,
        *,
        cloud: str,
        tenant: Tenant | None,
        organization: Organization | None,
        kinds: Mapping[str, ResourceKind],
        session_factory: Callable[[], Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        org_inventory: Inventory | None = None,
        offline: bool = False,
    ) -> None:
        self.cloud = cloud
        self.tenant = tenant
        self.organization = organization
        self.kinds = kinds
        self.parameters: Mapping[str, Any] = parameters or {}
        self.org_inventory = org_inventory
        self.peers: list[Inventory] = []  # every tenant inventory of the same organization
        # Facts derived from every peer (every trail of the organization), computed once for
        # all the tenants that share ``peers`` (``engine.link_peers``), not once per tenant:
        # per tenant, reading every peer is quadratic in the organization.
        self.scope_memo = Memo()
        self.offline = offline
        self.evaluated = False  # set once the tenant's rows are made (for the progress line)
        self._session_factory = session_factory
        self._session: Any = None
        self._session_error: SessionUnavailable | None = None
        self._session_lock = threading.Lock()
        self._collected: dict[str, KindCollection] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def owner_id(self) -> str:
        """The tenant id, or the organization id for an organization inventory."""
        if self.tenant is not None:
            return self.tenant.id
        return self.organization.id if self.organization else ""

    @property
    def session(self) -> Any:
        """The cloud session for this tenant, opened once on first use."""
        with self._session_lock:
            if self._session_error is not None:
                raise self._session_error
            if self._session is None:
                if self._session_factory is None:
                    raise SessionUnavailable(
                        "Offline", "no cloud session: evaluating a saved inventory"
                    )
                try:
                    self._session = self._session_factory()
                except SessionUnavailable as exc:
                    self._session_error = exc
                    raise
            return self._session

    def peer(self, tenant_id: str) -> Inventory | None:
        """The inventory of another tenant of the same organization, if it is scanned."""
        for inv in self.peers:
            if inv.tenant is not None and inv.tenant.id == tenant_id:
                return inv
        return None

    def scanned(self) -> list[Inventory]:
        """Every tenant inventory of the organization's scan, this one always included when it
        is a tenant's (for cross-tenant facts: the log bucket another account owns)."""
        out = [p for p in self.peers if p.tenant is not None]
        if self.tenant is not None and all(p is not self for p in out):
            out.append(self)
        return out

    def peer_resources(self, kind: str) -> Iterator[tuple[Inventory, Resource]]:
        """Resources of ``kind`` from every scanned tenant, with the tenant's inventory.

        Collects ``kind`` in every tenant that has not yet: a collector may only read a kind
        of an earlier stage this way (see ``ResourceKind.stage``).
        """
        for peer in self.scanned():
            for res in peer.get(kind).resources:
                yield peer, res

    def org_kind(self, kind: str) -> tuple[list[Resource], list[CollectionError]]:
        """An organization kind as this inventory sees it: ``([], [])`` when organization facts
        are not collected (a static list of tenants), so a tenant kind can still be read."""
        source = self if self.tenant is None else self.org_inventory
        org = self.organization
        if source is None or org is None or not org.facts_available:
            return [], []
        got = source.get(kind)
        return list(got.resources), list(got.errors)

    def view(self, kind: str) -> KindCollection:
        """A kind as this tenant sees it: organization kinds come from the organization."""
        spec = self._spec(kind)
        if spec.organization and self.tenant is not None:
            if self.org_inventory is None:
                return KindCollection(
                    not_applicable="organization facts were not collected: scan with "
                    "targets mode 'organization' from the management account"
                )
            return self.org_inventory.get(kind)
        return self.get(kind)

    def get(self, kind: str) -> KindCollection:
        """This inventory's own collection of ``kind``, collected on first use."""
        _check_declared(kind)
        done = self._collected.get(kind)
        if done is not None:
            return done
        with self._lock_for(kind):
            done = self._collected.get(kind)
            if done is None:
                done = self._collect(kind)
                self._collected[kind] = done
            return done

    def preload(self, kind: str, collection: KindCollection) -> None:
        """Install a collection read from a saved inventory."""
        self._collected[kind] = collection

    def release(self, keep: set[str]) -> None:
        """Drop every collection but those of ``keep`` (once this tenant is evaluated and
        saved, only the kinds other tenants read are still needed)."""
        for kind in [k for k in self._collected if k not in keep]:
            del self._collected[kind]

    def errors(self) -> list[CollectionError]:
        """The collection errors of everything collected so far."""
        return [e for collection in self._collected.values() for e in collection.errors]

    def collected(self) -> dict[str, KindCollection]:
        """Everything collected so far, by kind."""
        return dict(self._collected)

    def _spec(self, kind: str) -> ResourceKind:
        try:
            return self.kinds[kind]
        except KeyError:
            raise KeyError(f"unknown resource kind {kind!r}") from None

    def _lock_for(self, kind: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(kind, threading.Lock())

    def _error(self, kind: str, code: str, message: str, internal: bool = False) -> CollectionError:
        return CollectionError(
            cloud=self.cloud,
            tenant_id=self.owner_id,
            kind=kind,
            region="",
            code=code,
            message=message,
            internal=internal,
        )

    def _collect(self, kind: str) -> KindCollection:
        spec = self._spec(kind)
        if self.offline:
            return KindCollection(
                errors=(
                    self._error(
                        kind, "NotInInventory", "the saved inventory has no data for this kind"
                    ),
                )
            )
        resources: list[Resource] = []
        errors: list[CollectionError] = []
        stack: list[ResourceKind] = _collecting.__dict__.setdefault("stack", [])
        stack.append(spec)
        try:
            self.session  # noqa: B018 - open the session first so its failure is reported once
            for item in spec.collect(self):
                if isinstance(item, CollectionError):
                    errors.append(item)
                else:
                    resources.append(item)
        except NotApplicable as exc:
            return KindCollection(not_applicable=str(exc))
        except SessionUnavailable as exc:
            errors.append(self._error(kind, exc.code, exc.message))
        except Exception as exc:  # a collector bug: reported as an internal error, never a PASS
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            errors.append(
                self._error(kind, "InternalError", f"collector failed: {detail}", internal=True)
            )
        finally:
            stack.pop()
        for error in errors:
            log.info(
                "%s %s %s%s: %s: %s",
                error.cloud,
                error.tenant_id,
                kind,
                f" {error.region}" if error.region else "",
                error.code,
                error.message,
            )
        return KindCollection(resources=tuple(resources), errors=tuple(errors))
