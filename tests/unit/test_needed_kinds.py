"""Which kinds a scan collects up front: the closure of what its controls read."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from logwarden.scanner.engine import needed_kinds
from logwarden.scanner.inventory import STRICT_READS_ENV, Inventory
from logwarden.scanner.models import (
    Check,
    Organization,
    Remediation,
    Resource,
    ResourceKind,
    Scope,
    Severity,
)
from tests.catalogue import controls, resource_kinds


def _kind(name: str, stage: int = 0, reads: tuple[str, ...] | None = ()) -> ResourceKind:
    return ResourceKind(name, "x", name, lambda inv: iter(()), stage=stage, reads=reads)


def _check(*kinds: str) -> Check:
    return Check("x.svc.c", "t", Severity.LOW, "x", Scope.TENANT, kinds, "r", Remediation("fix"))


KINDS = {
    "x.a.one": _kind("x.a.one", 1),
    "x.a.two": _kind("x.a.two", 2, reads=("x.a.one",)),
    "x.a.three": _kind("x.a.three", 3, reads=None),  # undeclared: every earlier stage
    "x.b.lazy": _kind("x.b.lazy", 0, reads=("x.a.two",)),
    "x.c.unrelated": _kind("x.c.unrelated", 1),
}


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        ([_check("x.a.one")], {"x.a.one"}),
        ([_check("x.a.two")], {"x.a.one", "x.a.two"}),
        ([_check("x.b.lazy")], {"x.b.lazy", "x.a.two", "x.a.one"}),
        ([_check("x.a.three")], {"x.a.three", "x.a.two", "x.a.one", "x.c.unrelated"}),
        ([], set()),
    ],
)
def test_a_scan_collects_the_closure_of_what_its_controls_read(
    checks: list[Check], expected: set[str]
) -> None:
    assert needed_kinds(checks, KINDS) == expected


def test_the_builtin_catalogue_needs_every_builtin_staged_kind() -> None:
    """Selecting every control changes nothing: each staged kind is needed by some control."""
    kinds = resource_kinds()
    staged = {k for k, v in kinds.items() if v.stage > 0}
    assert staged <= needed_kinds(controls(), kinds)


def test_every_builtin_kind_declares_what_it_reads() -> None:
    kinds = resource_kinds()
    for name, kind in kinds.items():
        assert kind.reads is not None, f"{name} does not declare ResourceKind.reads"
        assert set(kind.reads) <= set(kinds), name
        assert all(kinds[r].cloud == kind.cloud for r in kind.reads), name


@pytest.fixture
def strict() -> Iterator[None]:
    saved = os.environ.get(STRICT_READS_ENV)
    os.environ[STRICT_READS_ENV] = "1"
    yield
    if saved is None:
        os.environ.pop(STRICT_READS_ENV)
    else:
        os.environ[STRICT_READS_ENV] = saved


def test_an_undeclared_read_fails_loudly_in_strict_mode(strict: None) -> None:
    def sneaky(inv: Inventory) -> Iterator[Resource]:
        inv.get("x.c.unrelated")
        return iter(())

    kinds = {**KINDS, "x.d.sneaky": ResourceKind("x.d.sneaky", "x", "", sneaky, reads=())}
    inv = Inventory(
        cloud="x",
        tenant=None,
        organization=Organization("x", "o", "o"),
        kinds=kinds,
        session_factory=lambda: object(),
    )
    [error] = inv.get("x.d.sneaky").errors
    assert error.internal and "x.c.unrelated" in error.message and "reads" in error.message
