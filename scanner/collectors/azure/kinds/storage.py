"""``azure.storage.log_account``: the storage accounts that receive Activity Logs.

Stage 2 (see ``destinations``). Per account, in its own subscription and once per scan: the
account (``storage_accounts.get_properties``: public blob access, encryption, account-level
immutability), its lifecycle management policy (``management_policies.get``, 404 = none) and
the ``insights-activity-logs`` container Azure Monitor writes to (``blob_containers.get``,
404 = nothing written yet), whose immutability policy protects the logs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.azure.common import (
    ACTIVITY_LOG_SETTING,
    AZURE_ERRORS,
    NAME,
    STORAGE_ACCOUNT,
    ResourceId,
    not_found,
    to_json,
)
from logwarden.scanner.collectors.azure.destination_kind import collect_destinations
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

LOG_CONTAINER = "insights-activity-logs"
DELETE_DAYS = (
    "daysAfterModificationGreaterThan",
    "daysAfterCreationGreaterThan",
    "daysAfterLastAccessTimeGreaterThan",
)


def immutability(account: dict[str, Any], container: dict[str, Any] | None) -> dict[str, Any]:
    """The immutability policies protecting the log container (container and account level)."""
    out: dict[str, Any] = {}
    policy = ((container or {}).get("properties") or {}).get("immutabilityPolicy") or {}
    props = policy.get("properties") or policy
    days = props.get("immutabilityPeriodSinceCreationInDays")
    if isinstance(days, int) and str(props.get("state", "")).lower() in ("locked", "unlocked"):
        out["ContainerPolicy"] = {"Days": days, "State": props.get("state")}
    worm = (account.get("properties") or {}).get("immutableStorageWithVersioning") or {}
    account_policy = worm.get("immutabilityPolicy") or {}
    days = account_policy.get("immutabilityPeriodSinceCreationInDays")
    state = str(account_policy.get("state", "")).lower()
    if worm.get("enabled") and isinstance(days, int) and state in ("locked", "unlocked"):
        out["AccountPolicy"] = {"Days": days, "State": account_policy.get("state")}
    return out


def _applies_to_logs(rule: dict[str, Any]) -> bool:
    if rule.get("enabled", True) is False or rule.get("type", "Lifecycle") != "Lifecycle":
        return False
    prefixes = ((rule.get("definition") or {}).get("filters") or {}).get("prefixMatch") or []
    target = f"{LOG_CONTAINER}/"
    return not prefixes or any(
        target.startswith(str(p)) or str(p).startswith(LOG_CONTAINER) for p in prefixes
    )


def log_lifecycle(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    """The enabled lifecycle rules that touch the log container and when they delete logs
    (the earliest base-blob delete, None = never); None when no rule touches the logs."""
    rules = ((policy or {}).get("properties") or {}).get("policy", {}).get("rules") or []
    touching = [r for r in rules if isinstance(r, dict) and _applies_to_logs(r)]
    if not touching:
        return None
    deletes: list[int] = []
    for rule in touching:
        actions = ((rule.get("definition") or {}).get("actions") or {}).get("baseBlob") or {}
        delete = actions.get("delete") or {}
        deletes += [delete[k] for k in DELETE_DAYS if isinstance(delete.get(k), int | float)]
    return {
        "Rules": sorted(str(r.get("name")) for r in touching),
        "DeleteAfterDays": min(deletes) if deletes else None,
    }


def _optional(call: Any) -> dict[str, Any] | None:
    try:
        return to_json(call())
    except AZURE_ERRORS as exc:
        if not_found(exc):
            return None
        raise


def read_account(pool: SessionPool, account: ResourceId) -> dict[str, Any]:
    """The storage account document, read once per scan in the account's own subscription
    (raises Azure errors, memoised too; a 404 on the account means it does not exist)."""
    found: dict[str, Any] = pool.memo(
        ("storage", account.key), functools.partial(_read, pool, account)
    )
    return found


def _read(pool: SessionPool, target: ResourceId) -> dict[str, Any]:
    client = pool.for_subscription(target.subscription).client("storage")
    rg, name = target.resource_group, target.name
    account = to_json(client.storage_accounts.get_properties(rg, name))
    policy = _optional(lambda: client.management_policies.get(rg, name, "default"))
    container = _optional(lambda: client.blob_containers.get(rg, name, LOG_CONTAINER))
    props = account.get("properties") or {}
    key_source = (props.get("encryption") or {}).get("keySource")
    locks = immutability(account, container)
    days = [p["Days"] for p in locks.values()]
    data: dict[str, Any] = {**account, "Name": account.get("name")}
    if policy is not None:
        data["ManagementPolicy"] = policy
    if container is not None:
        data["ActivityLogContainer"] = container
    data |= {
        # The API's documented default for an absent allowBlobPublicAccess is false.
        "AllowBlobPublicAccess": props.get("allowBlobPublicAccess") is True,
        "KeySource": key_source,
        "CustomerManagedKey": str(key_source or "").lower() == "microsoft.keyvault",
        "Immutability": locks,
        "ImmutabilityLocked": any(str(p["State"]).lower() == "locked" for p in locks.values()),
    }
    if days:
        data["ImmutabilityDays"] = max(days)
    lifecycle = log_lifecycle(policy)
    if lifecycle is not None:
        data["LogLifecycle"] = lifecycle
    return data


def collect_accounts(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The storage accounts this subscription reads (its own, or unscanned owners')."""
    return collect_destinations(
        inv,
        "StorageAccountId",
        STORAGE_ACCOUNT,
        "storage account",
        "StorageAccountNotFound",
        read_account,
    )


KINDS = [
    ResourceKind(
        name=STORAGE_ACCOUNT,
        reads=(ACTIVITY_LOG_SETTING,),
        cloud=NAME,
        description="Storage accounts receiving Activity Logs: access, encryption, retention.",
        collect=collect_accounts,
        stage=2,
    ),
]
