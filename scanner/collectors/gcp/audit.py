"""The effective audit configuration of a project: its IAM ``auditConfigs`` merged over the
organization and folders above it (pure functions, no Google call).

Cloud Audit Logs apply the union of the audit configs set anywhere on the hierarchy: a log
type enabled for ``allServices`` at the organization is enabled for every service of every
project below it; a service-specific config adds log types for that service only (it never
takes anything away, nor does it stand in for ``allServices``). An exempted member anywhere
on the chain is exempted in the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ALL_SERVICES = "allServices"
LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def effective_audit_config(
    project_id: str, sources: Sequence[tuple[str, Iterable[Mapping[str, Any]]]]
) -> dict[str, Any]:
    """Merge ``(node, auditConfigs)`` pairs, top of the hierarchy first, project last.

    Returns the document of ``gcp.audit.effective_config`` (see docs/gcp.md).
    """
    all_services: dict[str, list[str]] = {}
    services: dict[str, dict[str, list[str]]] = {}
    exempted: list[dict[str, str]] = []
    kept: list[dict[str, Any]] = []
    for node, configs in sources:
        configs = [dict(c) for c in configs]
        kept.append({"resource": node, "auditConfigs": configs})
        for config in configs:
            service = str(config.get("service") or "")
            target = all_services if service == ALL_SERVICES else services.setdefault(service, {})
            for log_config in config.get("auditLogConfigs") or ():
                log_type = str(log_config.get("logType") or "")
                if not log_type or log_type == "LOG_TYPE_UNSPECIFIED":
                    continue
                where = target.setdefault(log_type, [])
                if node not in where:
                    where.append(node)
                exempted.extend(
                    {"member": str(m), "logType": log_type, "service": service, "setAt": node}
                    for m in log_config.get("exemptedMembers") or ()
                )
    return {
        "projectId": project_id,
        "Hierarchy": [node for node, _ in sources],
        "AllServices": {"LogTypes": sorted(all_services), "SetAt": all_services},
        "MissingAllServicesLogTypes": [t for t in LOG_TYPES if t not in all_services],
        "Services": {
            name: {"LogTypes": sorted(set(types) | set(all_services)), "SetAt": types}
            for name, types in sorted(services.items())
        },
        "ExemptedMembers": exempted,
        "Exemptions": [
            f"{e['member']} from {e['logType']} of {e['service']} (set at {e['setAt']})"
            for e in exempted
        ],
        "Sources": kept,
    }
