"""Whether an Azure Monitor action group would deliver a notification to someone.

An action group (``Microsoft.Insights/actionGroups``, api-version 2023-01-01) delivers when it
is enabled and has at least one active receiver. Its receivers are the lists named
``*Receivers`` (email, SMS, webhook, ITSM, app push, runbook, voice, Logic App, Function, ARM
role, Event Hub, and any list a later api-version adds). Email and SMS receivers carry a
read-only ``status``; Azure documents that "receivers that are not Enabled will not receive any
communications" (an unsubscribed address turns ``Disabled``), so they count only when it says
``Enabled``. The other kinds have no status and count as they are. ``enabled`` is a required
property: an answer without it is unreadable, not enabled.

Spec: https://github.com/Azure/azure-rest-api-specs/blob/main/specification/monitor/resource-manager/Microsoft.Insights/stable/2023-01-01/actionGroups_API.json
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

# receiver kinds whose entries carry a status (the others have none)
WITH_STATUS = frozenset({"emailreceivers", "smsreceivers"})


class Verdict(Enum):
    """A three-valued answer: yes, no, or not decidable from what could be read."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Delivery:
    """Whether one action group delivers, and why."""

    verdict: Verdict
    reason: str


def name_of(resource: Mapping[str, Any], fallback: str = "") -> str:
    """The resource's name, else the last segment of its id, else ``fallback``."""
    name = resource.get("name")
    if isinstance(name, str) and name:
        return name
    rid = resource.get("id")
    if isinstance(rid, str) and rid.strip("/"):
        return rid.rstrip("/").rsplit("/", 1)[-1]
    return fallback


def delivers(group: Mapping[str, Any] | None, group_id: str) -> Delivery:
    """Whether the action group ``group`` (its ARM resource; None: it does not exist) delivers."""
    label = f"action group {name_of(group or {}, group_id)}"
    if group is None:
        return Delivery(Verdict.NO, f"{label} does not exist")
    props = group.get("properties")
    if not isinstance(props, Mapping):
        return Delivery(Verdict.UNKNOWN, f"{label} has no properties in the answer")
    enabled = props.get("enabled")
    if not isinstance(enabled, bool):
        return Delivery(Verdict.UNKNOWN, f"{label} has no readable 'enabled' flag")
    if not enabled:
        return Delivery(Verdict.NO, f"{label} is disabled")
    active, inactive, unclear = 0, [], []
    for kind, receivers in props.items():
        if not kind.lower().endswith("receivers") or receivers is None:
            continue
        if not isinstance(receivers, list):
            return Delivery(Verdict.UNKNOWN, f"{label}: {kind} is not a list")
        for receiver in receivers:
            state = _state(kind, receiver)
            who = name_of(receiver, kind) if isinstance(receiver, Mapping) else kind
            if state is Verdict.YES:
                active += 1
            elif state is Verdict.NO:
                inactive.append(f"{who} ({receiver.get('status')})")
            else:
                unclear.append(who)
    if active:
        return Delivery(Verdict.YES, f"{label} is enabled with {active} active receiver(s)")
    if unclear:
        return Delivery(
            Verdict.UNKNOWN,
            f"{label}: the status of receiver(s) {', '.join(unclear)} could not be read",
        )
    if inactive:
        return Delivery(Verdict.NO, f"{label} has no enabled receiver ({', '.join(inactive)})")
    return Delivery(Verdict.NO, f"{label} has no receiver")


def _state(kind: str, receiver: Any) -> Verdict:
    if not isinstance(receiver, Mapping):
        return Verdict.UNKNOWN
    status = receiver.get("status")
    if status is None:
        return Verdict.UNKNOWN if kind.lower() in WITH_STATUS else Verdict.YES
    if not isinstance(status, str):
        return Verdict.UNKNOWN
    return Verdict.YES if status.lower() == "enabled" else Verdict.NO
