"""Where a scan's plan runs: ``run_local`` (this process's threads) follows the plan's three
phases (``scanner/plan.py``); ``scanner/dask_run.py`` follows the same phases on a Dask cluster.

A runner returns one ``SubjectOutcome`` per subject of the plan, never fewer: a subject that
could not be evaluated is ERROR rows with the reason, not a missing tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from logwarden.scanner.evaluator import Evaluation, evaluate
from logwarden.scanner.inventory import Inventory, SessionUnavailable
from logwarden.scanner.models import CollectionError
from logwarden.scanner.plan import ScanPlan, Subject
from logwarden.scanner.spill import InventorySpill

#: The error code of the rows of a subject whose work failed on every attempt.
TASK_FAILED = "TaskFailed"

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class SubjectOutcome:
    """What one subject gave: its evaluations, and (a tenant's) collection errors."""

    evaluations: list[Evaluation]
    errors: list[CollectionError] = field(default_factory=list)


#: ``(plan, jobs, spill) -> outcomes``: collects and evaluates a plan somewhere.
PlanRunner = Callable[[ScanPlan, int, InventorySpill | None], list[SubjectOutcome]]


def run_local(plan: ScanPlan, jobs: int, spill: InventorySpill | None) -> list[SubjectOutcome]:
    """Run ``plan`` on a bounded pool of ``jobs`` threads in this process."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="logwarden") as pool:
        _collect_shared(pool, plan)
        # One job per subject: its other kinds are fetched by one worker while the other
        # workers serve other tenants.
        return _map(pool, partial(finish_subject, plan=plan, spill=spill), plan.subjects())


def collect_shared(plan: ScanPlan, jobs: int) -> None:
    """Collect the plan's first two phases only (the organization facts, then the peer kinds
    of every tenant, stage by stage) on ``jobs`` threads: what ``--save-facts`` saves."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="logwarden") as pool:
        _collect_shared(pool, plan)


def _collect_shared(pool: ThreadPoolExecutor, plan: ScanPlan) -> None:
    _map(pool, collect_item, plan.org_items())
    for stage in plan.stages():
        _map(pool, collect_item, plan.stage_items(stage))


def collect_item(item: tuple[Inventory, str]) -> None:
    """Collect one (inventory, kind) of the plan."""
    item[0].get(item[1])


def evaluate_subject(subject: Subject, parameters: dict[str, Any]) -> list[Evaluation]:
    """Every check of ``subject`` over its inventory."""
    return [
        evaluate(
            check,
            tenant=subject.tenant,
            organization=subject.organization,
            inventory=subject.inventory,
            parameters=parameters,
        )
        for check in subject.checks
    ]


def finish_subject(
    subject: Subject, plan: ScanPlan, spill: InventorySpill | None
) -> SubjectOutcome:
    """Evaluate ``subject``; for a tenant, also take its collection errors, keep its
    collections in ``spill`` and drop all but the kinds other tenants read."""
    evaluations = evaluate_subject(subject, plan.parameters)
    inv = subject.inventory
    if subject.tenant is None:  # the organization's errors are taken once, at the end
        return SubjectOutcome(evaluations)
    errors = inv.errors()
    if spill is not None:
        spill.add_inventory(inv)
    inv.evaluated = True
    if plan.release:
        inv.release(set(plan.keep))
    return SubjectOutcome(evaluations, errors)


def unreachable_outcome(
    subject: Subject, parameters: dict[str, Any], reason: str
) -> SubjectOutcome:
    """The outcome of a subject whose work could not be done (a task that failed on every
    attempt): its controls evaluated over an inventory that reaches nothing, so each is an
    ERROR row saying why (``TaskFailed``), and never a missing row. Organization facts
    already collected are still read."""

    def refuse() -> Any:
        raise SessionUnavailable(TASK_FAILED, reason)

    source = subject.inventory
    inv = Inventory(
        cloud=source.cloud,
        tenant=subject.tenant,
        organization=subject.organization,
        kinds=source.kinds,
        session_factory=refuse,
        parameters=source.parameters,
        org_inventory=source.org_inventory if subject.tenant is not None else None,
    )
    target = Subject(subject.checks, subject.tenant, subject.organization, inv)
    evaluations = evaluate_subject(target, parameters)
    return SubjectOutcome(evaluations, inv.errors() if subject.tenant is not None else [])


def _map(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    futures = [pool.submit(fn, item) for item in items]
    return [f.result() for f in futures]  # re-raises a worker's exception
