"""The organization facts the shards of one scan share: ``logwarden scan --save-facts FILE``
collects them once, ``logwarden scan --shard I/N --facts FILE`` reads them instead.

A shard evaluates its own tenants, but it reads facts of the whole organization: the
organization kinds (the organization trail, SCPs, the OU tree) and the kinds other tenants'
collectors read (the ``peer`` kinds of ``scanner/plan.py``: every account's trails and buckets,
to find the central log bucket). Without a facts file every shard collects all of them for
every tenant; with one they are collected once, before the shards, and each shard collects
only its own tenants' other kinds. A shard also takes the organizations and tenants from the
file instead of discovering them again, so every shard of the scan works on one discovery.

The file is the saved inventory (``scanner/snapshot.py``) of the plan's first two phases, under
a header that says what made it. A shard refuses, with exit 2 and the reason, a file made by
another logwarden version or with another configuration or selection, one that lacks a kind its
controls read, and one older than ``--facts-max-age``: facts collected long before the shard
could pass an organization trail deleted since.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from logwarden.scanner import json_input, snapshot, snapshot_shape
from logwarden.scanner.cloud import Cloud
from logwarden.scanner.engine import ScanInput, discovered_scopes
from logwarden.scanner.errors import InputError, Problem, fail
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.json_input import Shape
from logwarden.scanner.models import CloudTerms, Discovery, KindCollection, ResourceKind
from logwarden.scanner.plan import ScanPlan
from logwarden.scanner.shards import digest

SCHEMA = "logwarden.facts/1"
#: Facts older than this (hours) are refused unless ``--facts-max-age`` says otherwise.
DEFAULT_MAX_AGE_HOURS = 12.0
FIX = "collect the facts again with logwarden scan --save-facts FILE (same version and options)"

HEADER_FIELDS: json_input.Spec = {
    "id": ((str,), True),
    "created_at": ((str,), True),
    "key": ((str,), True),
    "scan_id": ((str, json_input.NONE), True),
    "version": ((str,), True),
    "organization_kinds": ((list,), True),
    "peer_kinds": ((list,), True),
}
DOCUMENT_FIELDS: json_input.Spec = {
    "schema": ((str,), True),
    "facts": ((dict,), True),
    "inventory": ((dict,), True),
}


@dataclass(frozen=True)
class FactsHeader:
    """What made a facts file.

    :param id: this file's id; each shard's report names it, and ``merge`` refuses shards
        that read different facts (or some a file and some none).
    :param key: ``facts_key`` of the run that made it; a shard's must be the same.
    :param organization_kinds: the organization kinds collected (for organizations whose
        facts are available).
    :param peer_kinds: the tenant kinds collected for every tenant.
    """

    id: str
    created_at: str
    key: str
    scan_id: str | None
    version: str
    organization_kinds: tuple[str, ...]
    peer_kinds: tuple[str, ...]


def facts_key(
    version: str,
    clouds: Iterable[str],
    sections: Mapping[str, Any],
    parameters: Mapping[str, Any],
    selection: str,
) -> str:
    """What decides the facts besides the controls: the logwarden version, the scanned clouds,
    their config sections, the catalogue's parameters and the run-time selection
    (``Selection.label``: the tenants and regions scanned)."""
    return digest(
        [
            version,
            ",".join(sorted(clouds)),
            json.dumps(dict(sections), sort_keys=True, default=str),
            json.dumps(dict(parameters), sort_keys=True, default=str),
            selection,
        ]
    )


def header(plan: ScanPlan, key: str, version: str, scan_id: str | None) -> FactsHeader:
    """The header of the facts ``plan``'s first two phases collect."""
    return FactsHeader(
        id=uuid.uuid4().hex,
        created_at=_now().isoformat(timespec="seconds"),
        key=key,
        scan_id=scan_id,
        version=version,
        organization_kinds=tuple(sorted({kind for _inv, kind in plan.org_items()})),
        peer_kinds=tuple(sorted(plan.peer)),
    )


def write(out: TextIO, scan: ScanInput, head: FactsHeader) -> None:
    """Write the facts ``scan``'s inventories hold (after ``runners.collect_shared``), one
    tenant at a time."""
    out.write(f'{{"facts": {json.dumps(head.__dict__, sort_keys=True)},\n"inventory": ')
    snapshot.write(out, scan, head.created_at)
    out.write(f',\n"schema": {json.dumps(SCHEMA)}}}\n')


@dataclass(frozen=True)
class Facts:
    """A facts file as read: its header and its saved inventory's document."""

    path: Path
    header: FactsHeader
    inventory: dict[str, Any]


def read(path: Path, clouds: Collection[str]) -> Facts:
    """The facts file at ``path``, its schema and shape checked (InputError if not).

    :param clouds: the registered clouds: an organization of another cloud is refused.
    """
    name = str(path)
    doc = json_input.read_document(
        path, label="facts file", option="--facts", fix=FIX, schema=SCHEMA
    )
    shape = Shape(name, FIX)
    if shape.fields(doc, DOCUMENT_FIELDS, "$") and shape.fields(
        doc["facts"], HEADER_FIELDS, "facts"
    ):
        shape.strings(doc["facts"]["organization_kinds"], "facts.organization_kinds")
        shape.strings(doc["facts"]["peer_kinds"], "facts.peer_kinds")
    shape.raise_problems()
    inventory = doc["inventory"]
    if inventory.get("schema") != snapshot.SCHEMA:
        raise fail(name, None, f"inventory: unsupported schema {inventory.get('schema')!r}", FIX)
    snapshot_shape.check(inventory, name, clouds, FIX)
    facts = doc["facts"]
    head = FactsHeader(
        **{
            **facts,
            "organization_kinds": tuple(facts["organization_kinds"]),
            "peer_kinds": tuple(facts["peer_kinds"]),
        }
    )
    return Facts(path, head, inventory)


def check_made(facts: Facts, key: str, version: str, max_age_hours: float) -> None:
    """Refuse facts made by another version, with another configuration or selection, or too
    long ago (InputError, every reason); checked before anything is built from the file.

    :param key: the shard's ``facts_key``.
    """
    head = facts.header
    name = str(facts.path)
    problems: list[Problem] = []
    if head.version != version:
        problems.append(
            Problem(name, None, f"made by logwarden {head.version}, this is {version}", FIX)
        )
    elif head.key != key:
        problems.append(
            Problem(
                name,
                None,
                "made with another configuration, parameters or selection (clouds, config "
                "sections, --tenants, --regions, control options) than this shard's",
                "collect the facts with the same config file and options as the shards",
            )
        )
    age = _age_hours(head.created_at)
    if age is None:
        problems.append(Problem(name, None, f"created_at {head.created_at!r} is not a time", FIX))
    elif age < -1:  # a clock an hour off, or a file edited by hand
        problems.append(Problem(name, None, f"collected at {head.created_at}, in the future", FIX))
    elif age > max_age_hours:
        problems.append(
            Problem(
                name,
                None,
                f"collected at {head.created_at}, {age:.1f} hours ago; older than "
                f"--facts-max-age {max_age_hours:g}: the organization may have changed since",
                f"{FIX}, or raise --facts-max-age",
            )
        )
    if problems:
        raise InputError(problems)


def check_kinds(facts: Facts, plan: ScanPlan) -> None:
    """Refuse facts that lack a kind the shard's plan reads of the whole organization (made
    with other rules files or plugins).

    :param plan: the shard's plan over the file's organizations and tenants.
    """
    head = facts.header
    lacking = sorted(
        ({kind for _inv, kind in plan.org_items()} - set(head.organization_kinds))
        | (plan.peer - set(head.peer_kinds))
    )
    if lacking:
        raise fail(
            str(facts.path),
            None,
            f"lacks resource kinds this shard's controls read: {', '.join(lacking)}",
            "collect the facts with the same rules files and plugins as the shards",
        )


def _age_hours(created_at: str) -> float | None:
    try:
        when = dt.datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return (_now() - when).total_seconds() / 3600


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def live_scan(
    facts: Facts,
    clouds: Mapping[str, Cloud],
    settings: Mapping[str, Any],
    kinds: Mapping[str, ResourceKind],
    parameters: Mapping[str, Any],
    terms: Mapping[str, CloudTerms],
) -> ScanInput:
    """The scan of the file's organizations and tenants, live (each tenant reached with the
    sessions ``settings`` open), with the file's collections installed: nothing in the file is
    collected again.

    :param settings: the settings of every cloud the file covers (``Cloud.settings``).
    """
    saved = snapshot.load(facts.path, kinds, parameters, facts.inventory, terms)
    scan = ScanInput(scopes=[], errors=saved.errors, clouds=saved.clouds)
    for scope in saved.scopes:
        org = scope.organization
        if org.cloud not in settings:
            raise fail(
                str(facts.path),
                None,
                f"holds a {org.cloud} organization, and this shard scans {', '.join(settings)}",
                FIX,
            )
        found = Discovery(
            organizations=[org], tenants=[inv.tenant for inv in scope.tenants if inv.tenant]
        )
        cloud = clouds[org.cloud]
        [live] = discovered_scopes(cloud, settings[org.cloud], found, kinds, parameters)
        if len(live.tenants) != len(scope.tenants):  # a tenant under another organization
            raise fail(str(facts.path), None, f"the tenants of {org.id} are damaged", FIX)
        _install(scope.inventory.collected(), live.inventory)
        saved_tenants = {inv.owner_id: inv for inv in scope.tenants}
        for inv in live.tenants:
            _install(saved_tenants[inv.owner_id].collected(), inv)
        scan.scopes.append(live)
    return scan


def _install(collections: Mapping[str, KindCollection], inv: Inventory) -> None:
    for kind, collection in collections.items():
        inv.preload(kind, collection)
