"""azure.entra.tenant_logs_exported: the Entra ID tenant's audit and sign-in logs leave Entra ID.

Entra ID keeps its audit and sign-in logs for 7 to 30 days; only a tenant diagnostic setting
(``microsoft.aadiam/diagnosticSettings``) exports them. The tenant passes when the settings
that send somewhere (a Log Analytics workspace, a storage account or an event hub) enable,
together, every category of ``entra_log_categories`` (default AuditLogs and SignInLogs): one
setting may send the audit logs and another the sign-ins. A setting with no destination sends
nothing. One row for the organization; a refused read (the permission is tenant-level) is an
ERROR row naming it, never a PASS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Status

SETTING = "azure.entra.diagnostic_setting"
ACCEPTED = ("workspace", "storage", "eventhub")


def tenant_logs_exported(ctx: CheckContext) -> Iterator[Outcome]:
    """One row for the Entra ID tenant: which setting exports which required category."""
    required = [str(c) for c in ctx.param("entra_log_categories")]
    settings = list(ctx.resources(SETTING))
    exported: dict[str, list[str]] = {}  # category (lower case) -> the settings exporting it
    for setting in settings:
        destinations = [d for d in setting.data.get("Destinations") or [] if d in ACCEPTED]
        if not destinations:
            continue
        for category in setting.data.get("EnabledCategories") or []:
            exported.setdefault(str(category).lower(), []).append(str(setting.data.get("Name")))
    evidence: dict[str, Any] = {
        "RequiredCategories": required,
        "Settings": {
            str(s.data.get("Name")): {
                "Destinations": s.data.get("Destinations") or [],
                "EnabledCategories": s.data.get("EnabledCategories") or [],
            }
            for s in settings
        },
    }
    missing = [c for c in required if c.lower() not in exported]
    subject = subject_id(ctx)
    if not missing:
        how = "; ".join(f"{c} by {', '.join(exported[c.lower()])}" for c in required)
        yield Outcome(Status.PASS, f"the Entra ID tenant exports {how}", subject, evidence=evidence)
        return
    if not settings:
        message = "the Entra ID tenant has no diagnostic setting: its logs are not exported"
    else:
        message = (
            f"no diagnostic setting of the Entra ID tenant exports {', '.join(missing)} to a "
            "workspace, storage account or event hub"
        )
    yield Outcome(Status.FAIL, message, subject, evidence=evidence)
