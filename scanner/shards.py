"""Shards: a deterministic 1/N of the tenants per machine, merged back into one report.

``--shard I/N`` scans the tenants whose stable hash falls in shard I (1-based). The hash is of
the tenant's cloud and id only, so a tenant stays in its shard when tenants are added or removed
elsewhere. ``--shard auto/N`` reads I from the environment of the job runner:

===========================  ===========================  =========
runner                       variable                     counts
===========================  ===========================  =========
Kubernetes Indexed Job       ``JOB_COMPLETION_INDEX``     from 0
AWS Batch array job          ``AWS_BATCH_JOB_ARRAY_INDEX`` from 0
GitLab ``parallel:``         ``CI_NODE_INDEX``            from 1
anything else (GitHub        ``LOGWARDEN_SHARD_INDEX``    from 1
Actions matrix: set it from
``${{ matrix.shard }}``)
===========================  ===========================  =========

The facts that tenants read across the organization (which bucket some trail writes to) must
be the same as in a single scan. Either each shard discovers the whole organization and
collects the organization kinds, and the kinds other tenants read (``plan.peer_kinds``), for
every tenant, the rest only for its own; or a run before the shards collects those once
(``--save-facts FILE``) and every shard reads them with its organizations and tenants from the
file (``--facts FILE``, ``scanner/facts_file.py``). The organization-scope rows and the
discovery errors belong to shard 1 alone, so a merged report holds them once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from logwarden.scanner.config import ScanConfig
from logwarden.scanner.errors import fail
from logwarden.scanner.models import Gate, Tenant, Waiver

#: (variable, first index, runner) in the order ``auto`` looks at them.
AUTO_VARIABLES: tuple[tuple[str, int, str], ...] = (
    ("JOB_COMPLETION_INDEX", 0, "Kubernetes Indexed Job"),
    ("AWS_BATCH_JOB_ARRAY_INDEX", 0, "AWS Batch array job"),
    ("CI_NODE_INDEX", 1, "GitLab parallel job"),
    ("LOGWARDEN_SHARD_INDEX", 1, "logwarden"),
)
#: GitLab also says how many jobs there are: it must agree with N.
GITLAB_TOTAL = "CI_NODE_TOTAL"
#: The variables a scan id is read from when ``--scan-id`` is not given (first set wins).
SCAN_ID_VARIABLES: tuple[tuple[str, ...], ...] = (
    ("LOGWARDEN_SCAN_ID",),
    ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"),
    ("CI_PIPELINE_ID",),
)
AWS_BATCH_JOB_ID = "AWS_BATCH_JOB_ID"  # "<array job id>:<index>" in a child job

_SPEC = re.compile(r"^(?P<index>auto|\d+)/(?P<count>\d+)$")
FIX = "use --shard I/N with 1 <= I <= N (e.g. --shard 2/4), or --shard auto/N"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based)."""

    index: int
    count: int

    def owns(self, tenant: Tenant) -> bool:
        """Whether ``tenant`` is scanned by this shard."""
        return shard_of(tenant.cloud, tenant.id, self.count) == self.index

    @property
    def first(self) -> bool:
        """Shard 1 reports what belongs to the organization (its rows, discovery errors)."""
        return self.index == 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(cloud: str, tenant_id: str, count: int) -> int:
    """The shard (1..count) of a tenant: a hash of its cloud and id, nothing else."""
    digest = hashlib.sha256(f"{cloud}\x1f{tenant_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(value: str, environ: Mapping[str, str] | None = None) -> Shard:
    """``I/N`` or ``auto/N`` (I read from the job runner's environment).

    :raises InputError: a malformed value, I outside 1..N, or ``auto`` without exactly one
        runner's index in the environment.
    """
    env = os.environ if environ is None else environ
    match = _SPEC.match(value.strip())
    if not match or int(match["count"]) < 1:
        raise fail("--shard", None, f"invalid shard {value!r}", FIX)
    count = int(match["count"])
    index = _auto_index(count, env) if match["index"] == "auto" else int(match["index"])
    if not 1 <= index <= count:
        raise fail("--shard", None, f"shard {index} is not between 1 and {count}", FIX)
    return Shard(index, count)


def _auto_index(count: int, env: Mapping[str, str]) -> int:
    found: dict[str, int] = {}
    for name, base, _runner in AUTO_VARIABLES:
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            raise fail("--shard", None, f"{name}={raw!r} is not a number", FIX)
        found[name] = int(raw) - base + 1
    if not found:
        names = ", ".join(f"{n} ({r}, from {b})" for n, b, r in AUTO_VARIABLES)
        raise fail(
            "--shard",
            None,
            "--shard auto: no job index in the environment",
            f"set one of {names}, or give the index: --shard I/{count}",
        )
    if len(set(found.values())) > 1:
        said = ", ".join(f"{n} gives shard {i}" for n, i in found.items())
        raise fail("--shard", None, f"--shard auto: the environment disagrees: {said}", FIX)
    total = env.get(GITLAB_TOTAL, "").strip()
    if "CI_NODE_INDEX" in found and total and total != str(count):
        raise fail(
            "--shard",
            None,
            f"--shard auto/{count}, but {GITLAB_TOTAL}={total}",
            f"use --shard auto/{total}, or set parallel: {count} on the job",
        )
    return next(iter(found.values()))


def scan_id(option: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The id shared by the shards of one scan: ``--scan-id``, else the CI run's id."""
    if option:
        return option
    env = os.environ if environ is None else environ
    for names in SCAN_ID_VARIABLES:
        values = [env.get(n, "").strip() for n in names]
        if values[0]:
            return "-".join(v for v in values if v)
    batch = env.get(AWS_BATCH_JOB_ID, "").strip()
    if batch:
        return batch.split(":", 1)[0]  # the array job's id, the same for every child
    return None


@dataclass(frozen=True)
class ShardInfo:
    """What a shard's report says about the scan it is part of, for ``logwarden merge``.

    :param tenants: every tenant the shard's discovery found, ``cloud:id``, in discovery
        order (the same in every shard of one scan).
    :param config: a digest of what decides the rows besides the catalogue: the scanned
        clouds' settings, parameters, waivers, overrides and the gate.
    :param scan_id: ``--scan-id`` or the CI run's id (None when neither is known).
    :param facts: the id of the facts file the shard read (``--facts``), None without one.
    """

    index: int
    count: int
    tenants: tuple[str, ...]
    config: str
    scan_id: str | None = None
    facts: str | None = None


def shard_info(
    shard: Shard,
    tenants: Iterable[Tenant],
    config: str,
    scan: str | None,
    facts: str | None = None,
) -> ShardInfo:
    """What shard ``shard``'s report says about its scan (``tenants``: all discovered, or
    those of the facts file)."""
    keys = tuple(tenant_key(t) for t in tenants)
    return ShardInfo(shard.index, shard.count, keys, config, scan, facts)


def config_digest(
    cfg: ScanConfig,
    clouds: Iterable[str],
    gate: Gate,
    waivers: Sequence[Waiver],
    selection: str,
) -> str:
    """What, besides the catalogue, decides the rows: the scanned clouds, their config
    sections, parameters, overrides, the waivers (the config's and ``--waivers`` files'), the
    run-time selection (``Selection.label``) and the gate. Shards of one scan share it."""
    return digest(
        [
            ",".join(sorted(clouds)),
            json.dumps(cfg.clouds, sort_keys=True, default=str),
            json.dumps(cfg.parameters, sort_keys=True, default=str),
            repr(cfg.overrides),
            repr([replace(w, source="") for w in waivers]),
            selection,
            repr(gate),
        ]
    )


def tenant_key(tenant: Tenant) -> str:
    """How shard reports name a tenant: ``cloud:id``."""
    return f"{tenant.cloud}:{tenant.id}"


def digest(parts: Iterable[str]) -> str:
    """A short stable digest of ``parts``."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\x1e")
    return h.hexdigest()[:32]
