"""Where each Activity Log diagnostic setting sends, and whether that destination counts.

A destination counts only if it exists (``azure.monitor.activity_log_destination`` says
``Exists``). One that is gone (``NotFound``) never counts; one that could not be read
(``Unreadable``) or is not verified by logwarden (``NotVerified``) is *unknown*: a control
whose answer depends on it is an ERROR, never a PASS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from logwarden.scanner.models import CheckContext, Resource

SETTING = "azure.monitor.activity_log_setting"
DESTINATION = "azure.monitor.activity_log_destination"
# (type, the property of a diagnostic setting that names it), as the collector derives them
FIELDS = (
    ("workspace", "workspaceId"),
    ("storage", "storageAccountId"),
    ("eventhub", "eventHubAuthorizationRuleId"),
    ("partner", "marketplacePartnerId"),
)
EXISTS = "Exists"
AUDIT_NOTE = (
    "categoryGroup audit is not documented to include Administrative, Security, Alert and "
    "Policy for the subscription Activity Log; use allLogs or list the categories"
)
UNKNOWN = frozenset({"Unreadable", "NotVerified"})


@dataclass(frozen=True)
class Target:
    """One destination of one setting, with what is known about it."""

    type: str
    id: str
    state: str  # Exists, NotFound, Unreadable, NotVerified, or Missing (no document)
    reason: str

    @property
    def counts(self) -> bool:
        """The destination exists."""
        return self.state == EXISTS

    @property
    def unknown(self) -> bool:
        """Whether it exists could not be established."""
        return self.state in UNKNOWN or self.state == "Missing"


def name_of(setting: Resource) -> str:
    """The setting's name (its id when unnamed)."""
    return str(setting.data.get("Name") or setting.id)


def _key(kind: str, rid: str) -> tuple[str, str]:
    return kind, rid.rstrip("/").lower()  # ARM ids compare without case


class Destinations:
    """The destination documents of one subscription, by (type, id)."""

    def __init__(self, ctx: CheckContext) -> None:
        self._docs = {
            _key(str(d.data.get("Type")), str(d.data.get("id") or d.id)): d
            for d in ctx.resources(DESTINATION)
        }

    def targets(self, setting: Resource, types: Iterable[str] | None = None) -> list[Target]:
        """The destinations ``setting`` names (only ``types`` when given)."""
        props = setting.data.get("properties") or {}
        wanted = set(types) if types is not None else None
        out: list[Target] = []
        for kind, field in FIELDS:
            rid = props.get(field)
            if not isinstance(rid, str) or not rid or (wanted is not None and kind not in wanted):
                continue
            doc = self._docs.get(_key(kind, rid))
            if doc is None:
                out.append(Target(kind, rid, "Missing", f"no state was collected for {rid}"))
            else:
                reason = str(doc.data.get("Reason") or "")
                out.append(Target(kind, rid, str(doc.data.get("State")), reason))
        return out
