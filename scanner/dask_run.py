"""``--dask-scheduler ADDRESS``: the plan of a scan (``scanner/plan.py``) as tasks on a Dask
cluster (the ``[dask]`` extra: ``dask.distributed``).

The three phases of the plan, as tasks:

1. one task per organization collects its organization facts, once; they are shared with
   every later task (and kept here, for the organization's rows and errors);
2. per stage, one task per tenant collects the kinds other tenants read (``ScanPlan.peer``);
   the results are shared with the next stage's tasks and with the evaluations;
3. one task per subject collects the rest of its tenant's kinds and evaluates its controls;
   the rows (and, with ``--save-inventory``, the collections) stream back as tasks finish.

A worker rebuilds the scan from a ``WorkerJob``: the plugins to load, each cloud's config
section, the discovered organizations and tenants, the controls. It opens its cloud sessions
itself, from its own environment (credentials, endpoints): nothing secret is sent, and
plugin command-line options are not sent either (a cloud's settings come from the config
file's section and the ``--regions`` selection). Tasks are retried by Dask when a worker dies (``RETRIES``); a tenant whose
task still fails is evaluated here over an unreachable inventory, so it is ERROR rows with
the reason, never missing rows.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distributed import Client, Future, as_completed

from logwarden.scanner import engine
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.errors import fail
from logwarden.scanner.evaluator import Evaluation
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    Check,
    CollectionError,
    KindCollection,
    Organization,
    Scope,
    Tenant,
)
from logwarden.scanner.plan import ScanPlan, Subject
from logwarden.scanner.runners import (
    TASK_FAILED,
    SubjectOutcome,
    evaluate_subject,
    unreachable_outcome,
)
from logwarden.scanner.spill import InventorySpill, collection_doc

#: Attempts Dask makes again when a task's worker dies (or the task raises).
RETRIES = 3
#: Seconds to wait for the scheduler.
CONNECT_TIMEOUT = 30
#: Organization key -> kind -> collection; tenant key -> kind -> collection.
Facts = dict[str, dict[str, KindCollection]]


@dataclass(frozen=True)
class WorkerJob:
    """What a worker needs to rebuild the scan's inventories (no credentials, no sessions).

    :param clouds: cloud name -> (its config section, the config file's name).
    :param blocked: the plugins disabled with ``-p no:NAME``.
    :param regions: the run-time ``--regions`` selection (a cloud's settings read it).
    """

    token: str
    clouds: Mapping[str, tuple[Mapping[str, Any], str]]
    blocked: tuple[str, ...]
    regions: tuple[str, ...]
    organizations: tuple[Organization, ...]
    tenants: tuple[Tenant, ...]
    checks: tuple[Check, ...]
    parameters: Mapping[str, Any]
    keep: frozenset[str]  # the kinds a tenant keeps once evaluated (``ScanPlan.keep``)


@dataclass(frozen=True)
class Shared:
    """The facts every task may read: organization facts and the peer kinds so far."""

    version: int
    organizations: Facts
    tenants: Facts


def org_key(org: Organization) -> str:
    return f"{org.cloud}:{org.id}"


def tenant_key(tenant: Tenant) -> str:
    return f"{tenant.cloud}:{tenant.organization_id}:{tenant.id}"


class DaskRunner:
    """A ``PlanRunner`` on the Dask cluster at ``address`` (a scheduler, or a ``Client``)."""

    def __init__(
        self,
        address: str | Client,
        clouds: Mapping[str, tuple[Mapping[str, Any], str]],
        blocked: Sequence[str] = (),
        regions: Sequence[str] = (),
    ) -> None:
        self.address = address
        self.clouds = dict(clouds)
        self.blocked = tuple(blocked)
        self.regions = tuple(regions)

    def __call__(
        self, plan: ScanPlan, jobs: int, spill: InventorySpill | None
    ) -> list[SubjectOutcome]:
        """Run ``plan`` on the cluster (``jobs`` is the workers' business: their threads)."""
        client = self.address if isinstance(self.address, Client) else _connect(self.address)
        job = self._job(plan)
        try:
            return _Run(client, job, plan, spill).run()
        finally:
            with contextlib.suppress(Exception):  # a worker gone since: nothing left there
                client.run(forget, job.token)
            if not isinstance(self.address, Client):
                client.close()

    def _job(self, plan: ScanPlan) -> WorkerJob:
        scopes = plan.scan.scopes
        return WorkerJob(
            token=uuid.uuid4().hex,
            clouds={name: self.clouds.get(name, ({}, "<defaults>")) for name in plan.scan.clouds},
            blocked=self.blocked,
            regions=self.regions,
            organizations=tuple(s.organization for s in scopes),
            tenants=tuple(inv.tenant for s in scopes for inv in s.tenants if inv.tenant),
            checks=tuple(plan.checks),
            parameters=dict(plan.parameters),
            keep=plan.keep,
        )


class _Run:
    """One scan's tasks, submitted and gathered phase by phase."""

    def __init__(
        self, client: Client, job: WorkerJob, plan: ScanPlan, spill: InventorySpill | None
    ) -> None:
        self.client = client
        self.job = self.hold("job", job)
        self.token = job.token
        self.plan = plan
        self.spill = spill
        self.orgs: Facts = {}
        self.tenants: Facts = {}

    def submit(self, name: str, fn: Any, *args: Any) -> Future:
        return self.client.submit(
            fn, *args, key=f"logwarden-{name}-{uuid.uuid4().hex}", retries=RETRIES, pure=False
        )

    def hold(self, name: str, value: Any) -> Future:
        """``value`` as the result of a task, for the tasks that read it. Not scattered: the
        cluster loses scattered data with the last worker holding it, whereas a task's result
        is computed again when its worker dies."""
        with warnings.catch_warnings():  # the facts of a large organization are a large graph
            warnings.simplefilter("ignore", UserWarning)
            return self.submit(name, _value, value)

    def shared(self, version: int) -> Future:
        return self.hold(f"facts{version}", Shared(version, self.orgs, self.tenants))

    def run(self) -> list[SubjectOutcome]:
        plan = self.plan
        by_org: dict[int, tuple[Inventory, list[str]]] = {}
        for inv, kind in plan.org_items():
            by_org.setdefault(id(inv), (inv, []))[1].append(kind)
        work = list(by_org.values())
        for (inv, _), got in zip(work, self.collect(None, work), strict=True):
            self.orgs[_ref(inv)[0]] = got
            for kind, collection in got.items():  # this process reports the organization's
                inv.preload(kind, collection)  # errors
        for version, stage in enumerate(plan.stages(), start=1):
            work = [
                (inv, kinds)
                for scope in plan.scan.scopes
                for inv in scope.tenants
                if (kinds := plan.stage_kinds(inv, stage))
            ]
            for (inv, _), got in zip(work, self.collect(self.shared(version), work), strict=True):
                self.tenants.setdefault(str(_ref(inv)[1]), {}).update(got)
        return self.evaluate(self.shared(len(plan.stages()) + 1))

    def collect(
        self, shared: Future | None, work: list[tuple[Inventory, list[str]]]
    ) -> list[dict[str, KindCollection]]:
        """Collect each (inventory, kinds) of ``work`` in a task of its own; a task that
        failed on every attempt leaves an error for each of its kinds."""
        futures = [
            self.submit("collect", collect_kinds, self.job, shared, _ref(inv), kinds)
            for inv, kinds in work
        ]
        return [
            _result(future) or _failed(inv, kinds, future)
            for (inv, kinds), future in zip(work, futures, strict=True)
        ]

    def evaluate(self, shared: Future) -> list[SubjectOutcome]:
        subjects = self.plan.subjects()
        save = self.spill is not None
        futures = {
            self.submit(
                "evaluate", evaluate_remote, self.job, shared, _ref(s.inventory), save
            ): index
            for index, s in enumerate(subjects)
        }
        outcomes: list[SubjectOutcome | None] = [None] * len(subjects)
        for future in as_completed(futures):
            index = futures.pop(future)
            subject = subjects[index]
            if future.status == "finished":
                evaluations, errors, saved = future.result()
            else:
                evaluations, errors, saved = self.failed(subject, future)
            if saved is not None and self.spill is not None and subject.tenant is not None:
                self.spill.add(subject.tenant, saved)
            outcomes[index] = SubjectOutcome(evaluations, errors)
            future.release()
        return [o for o in outcomes if o is not None]

    def failed(
        self, subject: Subject, future: Future
    ) -> tuple[list[Evaluation], list[CollectionError], dict[str, Any] | None]:
        """ERROR rows for a subject whose task failed on every attempt."""
        reason = f"the Dask task failed after {RETRIES + 1} attempts: {_describe(future)}"
        found = unreachable_outcome(subject, dict(self.plan.parameters), reason)
        return found.evaluations, found.errors, None


def _connect(address: str) -> Client:
    """A client of the scheduler at ``address``; a usage error when it cannot be reached."""
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise fail(
            "--dask-scheduler",
            None,
            f"cannot reach the Dask scheduler at {address}: {exc}",
            "start one (dask scheduler) with workers (dask worker ADDRESS), or fix the address",
        ) from None


def _value(value: Any) -> Any:
    """Task: ``value`` itself (see ``_Run.hold``)."""
    return value


def _ref(inv: Inventory) -> tuple[str, str | None]:
    """How a task names an inventory: (organization key, tenant key or None)."""
    assert inv.organization is not None
    return org_key(inv.organization), tenant_key(inv.tenant) if inv.tenant else None


def _result(future: Future) -> dict[str, KindCollection] | None:
    """A task's result, or None when it failed on every attempt."""
    try:
        result: dict[str, KindCollection] = future.result()
    except Exception:
        return None
    return result


def _describe(future: Future) -> str:
    try:
        exc = future.exception()
    except Exception as err:  # the exception itself could not be brought back
        exc = err
    return f"{type(exc).__name__}: {exc}"


def _failed(inv: Inventory, kinds: Sequence[str], future: Future) -> dict[str, KindCollection]:
    """What a failed collection task leaves: an error for each of its kinds."""
    message = f"the Dask task failed after {RETRIES + 1} attempts: {_describe(future)}"
    return {
        kind: KindCollection(
            errors=(CollectionError(inv.cloud, inv.owner_id, kind, "", TASK_FAILED, message),)
        )
        for kind in kinds
    }


# --- on the workers ---------------------------------------------------------------------


@dataclass
class _WorkerScan:
    """A scan's live inventories on one worker, by key (``_ref``), and the version of the
    shared facts installed in them."""

    inventories: dict[tuple[str, str | None], Inventory]
    applied: int = 0


_scans: dict[str, _WorkerScan] = {}
_lock = threading.Lock()


def _worker_inventory(
    job: WorkerJob, shared: Shared | None, ref: tuple[str, str | None]
) -> Inventory:
    """The inventory ``ref`` of the scan on this worker: the scan is built once per worker,
    the shared facts of ``shared`` installed once per version."""
    with _lock:
        scan = _scans.get(job.token)
        if scan is None:
            scan = _scans[job.token] = _build(job)
        if shared is not None and scan.applied < shared.version:
            for key, inv in scan.inventories.items():
                facts = shared.organizations if key[1] is None else shared.tenants
                for kind, col in facts.get(key[0] if key[1] is None else key[1], {}).items():
                    inv.preload(kind, col)
            scan.applied = shared.version
    try:
        return scan.inventories[ref]
    except KeyError:
        raise KeyError(f"the scan on this worker has no inventory {ref}") from None


def worker_settings(job: WorkerJob, cloud: Cloud) -> Any:
    """``cloud``'s settings on a worker: its config section, and the run-time options its
    settings read (``--regions``) as the scanning process parsed them."""
    section, file = job.clouds[cloud.name]
    options = argparse.Namespace(regions=[list(job.regions)] if job.regions else [])
    return cloud.settings(section, file, options)


def _build(job: WorkerJob) -> _WorkerScan:
    from logwarden.scanner.models import Discovery
    from logwarden.scanner.plugins import create_plugin_manager
    from logwarden.scanner.registry import Registry

    registry = Registry.collect(create_plugin_manager(list(job.blocked)), list(job.blocked))
    kinds = registry.kinds(list(job.clouds))
    inventories: dict[tuple[str, str | None], Inventory] = {}
    for name in job.clouds:
        cloud = registry.clouds[name]
        settings = worker_settings(job, cloud)
        orgs = [o for o in job.organizations if o.cloud == name]
        tenants = [t for t in job.tenants if t.cloud == name]
        found = Discovery(organizations=orgs, tenants=tenants)
        for scope in engine.discovered_scopes(cloud, settings, found, kinds, job.parameters):
            for inv in [scope.inventory, *scope.tenants]:
                inventories[_ref(inv)] = inv
    return _WorkerScan(inventories)


def forget(token: str) -> None:
    """Drop a finished scan's inventories from this worker."""
    with _lock:
        _scans.pop(token, None)


def collect_kinds(
    job: WorkerJob, shared: Shared | None, ref: tuple[str, str | None], kinds: list[str]
) -> dict[str, KindCollection]:
    """Task: collect ``kinds`` of an inventory (``ref``: see ``_ref``)."""
    inv = _worker_inventory(job, shared, ref)
    return {kind: inv.get(kind) for kind in kinds}


def evaluate_remote(
    job: WorkerJob, shared: Shared, ref: tuple[str, str | None], save: bool
) -> tuple[list[Evaluation], list[CollectionError], dict[str, Any] | None]:
    """Task: evaluate one subject; (evaluations, the tenant's errors, its collections)."""
    inv = _worker_inventory(job, shared, ref)
    tenant = ref[1]
    assert inv.organization is not None
    scope = Scope.ORGANIZATION
    checks = tuple(
        c for c in job.checks if c.cloud == inv.cloud and ((c.scope is scope) == (tenant is None))
    )
    subject = Subject(checks, inv.tenant, inv.organization, inv)
    evaluations = evaluate_subject(subject, dict(job.parameters))
    if tenant is None:
        return evaluations, [], None
    errors = inv.errors()
    saved = collection_doc(inv.collected()) if save else None
    inv.release(set(job.keep))
    return evaluations, errors, saved
