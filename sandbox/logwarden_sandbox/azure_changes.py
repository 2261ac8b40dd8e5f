"""Change the running Azure sandbox the way an administrator would, and log it.

Each change edits the tenant the emulator serves (the next scan sees it) and records what
Azure Resource Manager would write to the subscription's Activity Log: an Administrative
``BeginRequest`` event (status ``Started``) and its ``EndRequest`` (status ``Succeeded``),
sharing one ``correlationId``, with the caller, its claims and the client IP. The demo and the
drift tests call these between two scans; logwarden's attribution then names the caller::

    with start_azure_sandbox() as box:
        ...  # first scan
        event = remove_activity_log_category(box)  # bob disables Security
        ...  # second scan with --drift: the regression says bob did it, from 192.0.2.44
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from logwarden_sandbox.azure_activity import event_document
from logwarden_sandbox.azure_sandbox import AzureSandbox
from logwarden_sandbox.azure_tenant import ALL_CATEGORIES, SettingSpec, SubscriptionSpec

PRINCIPAL = "bob@contoso.example"
SOURCE_IP = "192.0.2.44"  # TEST-NET-1: never a real address
SETTINGS_WRITE = "microsoft.insights/diagnosticSettings/write"
SETTINGS_DELETE = "microsoft.insights/diagnosticSettings/delete"
# What a category group exports, as logwarden counts it (the audit group: nothing documented).
GROUPS = {"alllogs": ALL_CATEGORIES}


def record_activity(
    box: AzureSandbox,
    operation: str,
    resource_id: str,
    *,
    principal: str = PRINCIPAL,
    source_ip: str = SOURCE_IP,
    status: str = "Succeeded",
    when: dt.datetime | None = None,
    correlation_id: str | None = None,
    method: str = "PUT",
) -> dict[str, Any]:
    """Record one Administrative event in the Activity Log of the subscription in
    ``resource_id`` (the tenant-level log for ids outside subscriptions) and return it."""
    doc = event_document(
        tenant_id=box.world.tenant_id,
        operation=operation,
        resource_id=resource_id,
        principal=principal,
        source_ip=source_ip,
        status=status,
        when=when,
        correlation_id=correlation_id,
        method=method,
    )
    return box.server.state.activity.add(doc)


def enabled_categories(setting: SettingSpec) -> tuple[str, ...]:
    """The categories a setting exports (listed ones and those of its groups)."""
    found = set(setting.categories)
    for group in setting.groups:
        found.update(GROUPS.get(group.lower(), ()))
    return tuple(c for c in ALL_CATEGORIES if c in found) + tuple(
        sorted(found - set(ALL_CATEGORIES))
    )


def setting_id(sub: SubscriptionSpec, setting: SettingSpec) -> str:
    """The setting's id as the Activity Log names it (ARM ids compare without case)."""
    return f"/subscriptions/{sub.id}/providers/Microsoft.Insights/diagnosticSettings/{setting.name}"


def remove_activity_log_category(
    box: AzureSandbox,
    subscription_id: str | None = None,
    *,
    category: str = "Security",
    principal: str = PRINCIPAL,
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """Disable ``category`` in a subscription's Activity Log diagnostic setting and log it.

    ``subscription_id`` None: the first subscription whose setting exports ``category`` to a
    destination. A setting that had the category through the ``allLogs`` group lists its
    other categories one by one afterwards, as the portal does. Returns the
    recorded ``microsoft.insights/diagnosticSettings/write`` event (status Succeeded).
    Raises ValueError when no such subscription or setting exists.
    """
    sub, setting = _find(
        box,
        subscription_id,
        lambda s: category in enabled_categories(s) and bool(s.workspace or s.storage),
        f"diagnostic setting exporting {category} to a destination",
    )
    setting.categories = tuple(c for c in enabled_categories(setting) if c != category)
    setting.groups = ()
    setting.disabled = tuple(dict.fromkeys((*setting.disabled, category)))
    return _log_change(box, SETTINGS_WRITE, setting_id(sub, setting), principal, source_ip, "PUT")


def delete_activity_log_setting(
    box: AzureSandbox,
    subscription_id: str | None = None,
    *,
    name: str | None = None,
    principal: str = PRINCIPAL,
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """Delete a subscription's Activity Log diagnostic setting (``name``, else its first) and
    log it; ``subscription_id`` None: the first subscription with a setting exporting to a
    destination. Returns the recorded ``microsoft.insights/diagnosticSettings/delete`` event
    (status Succeeded). Policy compliance is not re-evaluated (Azure Policy does that later).
    Raises ValueError when no such subscription or setting exists.
    """
    sub, setting = _find(
        box,
        subscription_id,
        lambda s: (name is None or s.name == name) and bool(s.workspace or s.storage),
        f"diagnostic setting {name or ''}".rstrip(),
    )
    sub.settings = [s for s in sub.settings if s is not setting]
    return _log_change(
        box, SETTINGS_DELETE, setting_id(sub, setting), principal, source_ip, "DELETE"
    )


def _find(
    box: AzureSandbox, subscription_id: str | None, wanted: Callable[[SettingSpec], bool], what: str
) -> tuple[SubscriptionSpec, SettingSpec]:
    subs = box.server.tenant.subscriptions
    if subscription_id is not None:
        subs = [s for s in subs if s.id == subscription_id.lower()]
        if not subs:
            raise ValueError(f"the sandbox has no subscription {subscription_id}")
    for sub in subs:
        for setting in sub.settings:
            if wanted(setting):
                return sub, setting
    if subscription_id is not None:
        raise ValueError(f"subscription {subscription_id} has no {what}")
    raise ValueError(f"no subscription has a {what}")


def _log_change(
    box: AzureSandbox, operation: str, resource_id: str, principal: str, ip: str, method: str
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    correlation = str(uuid.uuid4())
    common: dict[str, Any] = {
        "principal": principal,
        "source_ip": ip,
        "correlation_id": correlation,
        "method": method,
    }
    record_activity(
        box, operation, resource_id, status="Started", when=now - dt.timedelta(seconds=1), **common
    )
    return record_activity(box, operation, resource_id, status="Succeeded", when=now, **common)
