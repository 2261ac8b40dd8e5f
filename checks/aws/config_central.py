"""aws.config.central_delivery: every region that records configuration delivers it to the
central bucket (a bucket of the log-archive account)."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status

CHANNEL = "aws.config.delivery_channel"
RECORDER = "aws.config.recorder"


def central_delivery(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per account: the recorder regions whose delivery channel is not central."""
    channels = ctx.resources(CHANNEL)
    regions = sorted({r.region for r in ctx.resources(RECORDER)})
    evidence: dict[str, str] = {}
    problems: list[str] = []
    archives: set[str] = set()
    for region in regions:
        here = [c for c in channels if c.region == region]
        archives.update(a for c in here for a in c.data.get("LogArchiveAccounts") or ())
        central = [c for c in here if c.data.get("CentralBucket")]
        if central:
            evidence[region] = str(central[0].data.get("s3BucketName"))
        elif not here:
            evidence[region] = "no delivery channel"
            problems.append(f"{region}: the recorder has no delivery channel")
        else:
            buckets = ", ".join(sorted(str(c.data.get("s3BucketName")) for c in here))
            evidence[region] = buckets
            problems.append(f"{region}: delivers to {buckets}, not a bucket of the log archive")
    where = f" (log archive: {', '.join(sorted(archives))})" if archives else ""
    if not regions:
        yield Outcome(
            Status.SKIPPED,
            "not applicable: no configuration recorder in the scanned regions (see aws.config.recorder_on)",
            subject_id(ctx),
        )
    elif problems:
        yield Outcome(
            Status.FAIL,
            "; ".join(problems) + where,
            subject_id(ctx),
            evidence={"Regions": evidence},
        )
    else:
        yield Outcome(
            Status.PASS,
            f"{len(regions)} region(s) deliver to the log archive's bucket{where}",
            subject_id(ctx),
            evidence={"Regions": evidence},
        )
