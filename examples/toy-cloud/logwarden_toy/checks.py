"""``toy.storage.log_bucket_locked``: the Python control (its metadata is in rules.yaml).

A Python control reads the kinds it declared (``ctx.resources``) and yields one ``Outcome``
per subject; the engine turns collection errors of those kinds into ERROR rows first, so the
function only ever sees complete data.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, PythonCheck, Status
from logwarden_toy.kinds import BUCKET, SINK


def log_bucket_locked(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per workspace: every bucket a sink writes the audit log to is locked."""
    buckets = {b.data["Name"]: b for b in ctx.resources(BUCKET)}
    problems = []
    for sink in ctx.resources(SINK):
        target = buckets.get(sink.data["Destination"])
        if target is None:
            problems.append(f"sink {sink.data['Name']} writes to a bucket that does not exist")
        elif target.data.get("Locked") is not True:
            problems.append(f"bucket {target.data['Name']} (sink {sink.data['Name']}) is unlocked")
    evidence = {"buckets": sorted(buckets)}
    if problems:
        yield Outcome(Status.FAIL, "; ".join(problems), subject_id(ctx), evidence=evidence)
    else:
        yield Outcome(
            Status.PASS, "every audit bucket is locked", subject_id(ctx), evidence=evidence
        )


CHECKS = [PythonCheck("toy.storage.log_bucket_locked", log_bucket_locked)]
