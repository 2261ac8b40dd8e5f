"""How a declarative control (``where`` / ``expect`` / ``assert``) turns into outcomes."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from logwarden.scanner.filters import Filter
from logwarden.scanner.models import CheckContext, CheckFunction, Outcome, Resource, Scope, Status

MAX_CANDIDATES_SHOWN = 3


class Expect(enum.StrEnum):
    EACH = "each"  # every selected resource must satisfy the assertion
    ANY = "any"  # at least one selected resource must satisfy it
    NONE = "none"  # no selected resource may satisfy it (or exist, without an assertion)


@dataclass(frozen=True)
class DeclarativeSpec:
    kind: str
    expect: Expect
    where: Filter | None
    assertion: Filter | None


def make_runner(spec: DeclarativeSpec) -> CheckFunction:
    """The check function for a declarative control."""

    def run(ctx: CheckContext) -> Iterator[Outcome]:
        resources = ctx.resources(spec.kind)
        if ctx.check.scope is Scope.RESOURCE:
            owner = ctx.tenant.id if ctx.tenant is not None else None
            owned = [r for r in resources if owner is None or r.tenant_id == owner]
            yield from _each(spec, owned, ctx)
        else:
            yield _aggregate(spec, resources, ctx)

    return run


def subject_id(ctx: CheckContext) -> str:
    """The stable resource id of a tenant- or organization-scope row."""
    if ctx.tenant is not None:
        return ctx.tenant.id
    return ctx.organization.id if ctx.organization else ""


def _selected(
    spec: DeclarativeSpec, resources: Any, params: Any
) -> Iterator[tuple[Resource, dict[str, Any]]]:
    for resource in resources:
        observed: dict[str, Any] = {}
        if spec.where is not None:
            verdict = spec.where.evaluate(resource.data, params)
            if not verdict.ok:
                continue
            observed.update(verdict.observed)
        yield resource, observed


def _each(spec: DeclarativeSpec, resources: Any, ctx: CheckContext) -> Iterator[Outcome]:
    assert spec.assertion is not None
    for resource, observed in _selected(spec, resources, ctx.parameters):
        verdict = spec.assertion.evaluate(resource.data, ctx.parameters)
        evidence = {**observed, **verdict.observed}
        if verdict.ok:
            message = f"{_name(resource)}: {_observed_text(verdict.observed)}"
            yield Outcome(Status.PASS, message, resource.id, resource.region, evidence)
        else:
            message = f"{_name(resource)}: {'; '.join(verdict.reasons)}"
            yield Outcome(Status.FAIL, message, resource.id, resource.region, evidence)


def _aggregate(spec: DeclarativeSpec, resources: Any, ctx: CheckContext) -> Outcome:
    subject = subject_id(ctx)
    matches: list[Resource] = []
    misses: list[tuple[Resource, tuple[str, ...], dict[str, Any]]] = []
    for resource, observed in _selected(spec, resources, ctx.parameters):
        if spec.assertion is None:
            matches.append(resource)
            continue
        verdict = spec.assertion.evaluate(resource.data, ctx.parameters)
        if verdict.ok:
            matches.append(resource)
        else:
            misses.append((resource, verdict.reasons, {**observed, **verdict.observed}))
    if spec.expect is Expect.NONE:
        if not matches:
            return Outcome(Status.PASS, f"no {spec.kind} matches", subject)
        ids = [r.id for r in matches]
        return Outcome(
            Status.FAIL,
            f"{len(ids)} {spec.kind} should not exist or match: {', '.join(ids[:MAX_CANDIDATES_SHOWN])}",
            subject,
            evidence={"matching": ids},
        )
    if matches:
        first = matches[0]
        return Outcome(
            Status.PASS,
            f"satisfied by {_name(first)}",
            subject,
            evidence={"satisfied_by": [r.id for r in matches]},
        )
    if not misses:
        if spec.where is not None and resources:
            message = f"none of the {len(resources)} {spec.kind} matches {spec.where.describe()}"
        else:
            message = f"no {spec.kind} found"
        return Outcome(Status.FAIL, message, subject, evidence={"candidates": {}})
    shown = "; ".join(
        f"{_name(r)}: {', '.join(reasons)}" for r, reasons, _ in misses[:MAX_CANDIDATES_SHOWN]
    )
    more = (
        f" (and {len(misses) - MAX_CANDIDATES_SHOWN} more)"
        if len(misses) > MAX_CANDIDATES_SHOWN
        else ""
    )
    evidence = {"candidates": {r.id: obs for r, _, obs in misses}}
    return Outcome(
        Status.FAIL,
        f"no {spec.kind} satisfies the control: {shown}{more}",
        subject,
        evidence=evidence,
    )


def _name(resource: Resource) -> str:
    data = resource.data
    for key in ("Name", "name", "logGroupName", "KeyId"):
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, str) and value:
            return value
    return resource.id


def _observed_text(observed: dict[str, Any]) -> str:
    # keys sorted: a saved inventory (sorted keys) and a live scan say the same
    return (
        ", ".join(
            f"{k} = {json.dumps(v, default=str, sort_keys=True)}" for k, v in observed.items()
        )
        or "ok"
    )
