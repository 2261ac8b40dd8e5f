"""``logwarden waivers list``: every waiver of the config and waivers files, with its owner,
expiry and what it mutes (the controls its glob names, and its tenant/resource globs)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from logwarden.scanner.models import Check, Waiver
from logwarden.scanner.printable import printable
from logwarden.scanner.waivers import is_expired


def state(waiver: Waiver, today: dt.date) -> str:
    """``expired 2026-10-01``, ``expires today``, ``expires in 12 days``."""
    days = (dt.date.fromisoformat(waiver.expires) - today).days
    if is_expired(waiver, today):
        return f"expired {waiver.expires}"
    return "expires today" if days == 0 else f"expires in {days} day{'s' if days != 1 else ''}"


def as_doc(waiver: Waiver, checks: Sequence[Check], today: dt.date) -> dict[str, Any]:
    """One waiver as JSON-ready data, with the control ids its glob names."""
    return {
        "checks": waiver.checks,
        "controls": [c.id for c in checks if fnmatchcase(c.id, waiver.checks)],
        "tenants": list(waiver.tenants),
        "resources": list(waiver.resources),
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires,
        "expired": is_expired(waiver, today),
        "state": state(waiver, today),
        "source": waiver.source,
    }


def render(
    waivers: Sequence[Waiver], checks: Sequence[Check], today: dt.date, output_format: str
) -> str:
    """The list as text (one block per waiver) or JSON."""
    if output_format == "json":
        return json.dumps([as_doc(w, checks, today) for w in waivers], indent=2) + "\n"
    if not waivers:
        return "no waivers (add them under waivers: in logwarden.yaml, or with --waivers FILE)\n"
    lines: list[str] = []
    for w in waivers:
        doc = as_doc(w, checks, today)
        controls = doc["controls"]
        lines += [
            f"{w.checks}  [{doc['state']}]  owner {w.owner}  ({w.source})",
            f"  reason: {w.reason}",
            "  mutes: "
            + (", ".join(controls) if controls else "no control of the catalogue (a typo?)")
            + (f"; tenants {', '.join(w.tenants)}" if w.tenants else "; every tenant")
            + (f"; resources {', '.join(w.resources)}" if w.resources else ""),
            "",
        ]
    return "\n".join(printable(line) for line in lines)
