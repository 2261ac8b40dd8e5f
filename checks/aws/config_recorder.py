"""aws.config.recorder_on: every scanned region records all resources, one records globals."""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status


def recorder_on(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per account: which regions lack a recording, all-resource recorder."""
    regions_docs = ctx.resources("aws.config.regions")
    regions = sorted({r for doc in regions_docs for r in doc.data.get("Regions") or ()})
    recorders = ctx.resources("aws.config.recorder")
    problems: list[str] = []
    per_region: dict[str, str] = {}
    records_global = False
    for region in regions:
        in_region = [r for r in recorders if r.region == region]
        if not in_region:
            problems.append(f"{region}: no configuration recorder")
            per_region[region] = "none"
            continue
        good = [
            r
            for r in in_region
            if (r.data.get("recordingGroup") or {}).get("allSupported") is True
            and (r.data.get("Status") or {}).get("recording") is True
        ]
        if good:
            per_region[region] = "recording all resources"
            records_global = records_global or any(
                (r.data.get("recordingGroup") or {}).get("includeGlobalResourceTypes") is True
                for r in good
            )
            continue
        for r in in_region:
            group = r.data.get("recordingGroup") or {}
            status = r.data.get("Status") or {}
            if status.get("recording") is not True:
                problems.append(f"{region}: recorder {r.data.get('name')} is not recording")
                per_region[region] = "stopped"
            elif group.get("allSupported") is not True:
                problems.append(
                    f"{region}: recorder {r.data.get('name')} records only some resource types"
                )
                per_region[region] = "partial"
    if regions and not records_global:
        problems.append("no region records global resource types (IAM)")
    evidence = {"Regions": per_region, "GlobalResourcesRecorded": records_global}
    if not regions:
        yield Outcome(
            Status.ERROR,
            "could not be evaluated: no scanned region is known for this account",
            subject_id(ctx),
            evidence=evidence,
        )
    elif problems:
        yield Outcome(Status.FAIL, "; ".join(problems), subject_id(ctx), evidence=evidence)
    else:
        yield Outcome(
            Status.PASS,
            f"recording all resources in {len(regions)} region(s), global resources included",
            subject_id(ctx),
            evidence=evidence,
        )
