"""Which S3 object-level (data) events a trail logs for every bucket: CIS AWS 4.8 / 4.9.

A pure function of the ``GetEventSelectors`` answer. Only a selector that logs the object
events of *every* current and future bucket counts; a selector narrowed to some buckets, some
event names or some callers does not, so an unusual selector can make the control FAIL, never
PASS wrongly.
"""

from __future__ import annotations

import re
from typing import Any

# "arn:aws:s3" or "arn:aws:s3:::" (any partition): every bucket, as the console writes it.
_ALL_BUCKETS = re.compile(r"^arn:[\w-]+:s3(:::)?$")
_S3_OBJECT = "AWS::S3::Object"
# Advanced selector fields that do not narrow which S3 object events are logged.
_NEUTRAL_FIELDS = frozenset({"eventCategory", "resources.type", "readOnly", "resources.ARN"})


def s3_data_events(
    basic: list[dict[str, Any]] | None, advanced: list[dict[str, Any]] | None
) -> dict[str, bool]:
    """``{Read, Write}``: whether read / write object events of all buckets are logged.

    Advanced selectors win when present, as for management events.
    """
    grants: list[tuple[bool, bool]] = []
    if advanced:
        grants = [g for g in (_advanced(s) for s in advanced) if g is not None]
    elif basic:
        for selector in basic:
            if any(_all_objects(res) for res in selector.get("DataResources") or []):
                rw = selector.get("ReadWriteType", "All")
                grants.append((rw in ("All", "ReadOnly"), rw in ("All", "WriteOnly")))
    return {"Read": any(g[0] for g in grants), "Write": any(g[1] for g in grants)}


def _all_objects(data_resource: dict[str, Any]) -> bool:
    if data_resource.get("Type") != _S3_OBJECT:
        return False
    return any(_ALL_BUCKETS.match(str(v)) for v in data_resource.get("Values") or [])


def _advanced(selector: dict[str, Any]) -> tuple[bool, bool] | None:
    fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
    if set(fields) - _NEUTRAL_FIELDS:
        return None  # narrowed by event name, caller, ...: not every object event
    if "Data" not in (fields.get("eventCategory", {}).get("Equals") or []):
        return None
    if (fields.get("resources.type", {}).get("Equals") or []) != [_S3_OBJECT]:
        return None
    arn = fields.get("resources.ARN")
    if arn is not None:
        # Only "starts with arn:<partition>:s3:::" keeps every bucket.
        others = {op: v for op, v in arn.items() if op != "Field" and v}
        starts = others.pop("StartsWith", [])
        if others or not any(_ALL_BUCKETS.match(str(p)) for p in starts):
            return None
    return read_write(fields.get("readOnly"))


def read_write(read_only: dict[str, Any] | None) -> tuple[bool, bool]:
    """(read, write) events an advanced selector's ``readOnly`` field lets through."""
    if read_only is not None:
        if read_only.get("Equals"):
            value = str(read_only["Equals"][0]).lower()
            return value == "true", value == "false"
        if read_only.get("NotEquals"):
            value = str(read_only["NotEquals"][0]).lower()
            return value != "true", value != "false"
    return True, True
