"""azure.monitor.resource_logging (CIS Azure 6.4): every resource of ``resource_log_types``
sends its audit logs to one of ``resource_log_destinations``.

Python because the verdict is per type as well as per resource: a type whose resource provider
is not registered in the subscription has no resources and gets one SKIPPED row saying so
(resource id ``/subscriptions/S/providers/<type>``), never a FAIL; a registered type with no
resources gets no row.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.models import CheckContext, Outcome, Status

PROVIDER = "azure.resources.provider"
RESOURCE_LOG = "azure.monitor.resource_log"


def resource_logging(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per judged resource, and one SKIPPED row per type of an unregistered provider."""
    # imported here: registering the Azure checks must import no Azure SDK module
    from logwarden.scanner.collectors.azure.kinds.resources import log_types

    accepted = {str(d).lower() for d in ctx.param("resource_log_destinations") or []}
    types = [str(t).strip("/").lower() for t in ctx.param("resource_log_types") or []]
    providers = {r.data["Namespace"].lower(): r.data for r in ctx.resources(PROVIDER)}
    sub = ctx.tenant.id if ctx.tenant is not None else ""
    collected = set(log_types(ctx.inventory))
    for rtype in [t for t in dict.fromkeys(types) if t not in collected]:
        yield Outcome(
            Status.ERROR,
            f"{rtype} was not collected: the collector reads the scan-wide resource_log_types; "
            "set it under the scan config's parameters, not for this control only",
            f"/subscriptions/{sub}/providers/{rtype}",
        )
    types = [t for t in types if t in collected]
    # providers that could not be read are ERROR rows already: they never make a type SKIPPED
    unread = bool(ctx.inventory.view(PROVIDER).errors)
    for rtype in dict.fromkeys(types) if not unread else ():
        state = providers.get(rtype.split("/", 1)[0])
        if state is None or not state.get("Registered"):
            namespace = (state or {}).get("Namespace") or rtype.split("/", 1)[0]
            registration = (state or {}).get("RegistrationState") or "not offered"
            yield Outcome(
                Status.SKIPPED,
                f"not applicable: resource provider {namespace} is {registration} in this "
                f"subscription, so it has no {rtype} resources",
                f"/subscriptions/{sub}/providers/{rtype}",
                evidence={"Namespace": namespace, "RegistrationState": registration},
            )
    wanted = set(types)
    for res in ctx.resources(RESOURCE_LOG):
        rtype = str(res.data.get("ResourceType") or "")
        if rtype not in wanted:
            continue
        sent = [d for d in res.data.get("AuditLogDestinations") or [] if d.lower() in accepted]
        evidence = {
            "ResourceType": rtype,
            "DiagnosticSettings": res.data.get("DiagnosticSettings") or [],
            "AuditLogDestinations": res.data.get("AuditLogDestinations") or [],
            "AcceptedDestinations": sorted(accepted),
        }
        if sent:
            message = f"{rtype} {res.id} sends its audit logs to {', '.join(sorted(sent))}"
            yield Outcome(Status.PASS, message, res.id, res.region, evidence)
            continue
        other = evidence["AuditLogDestinations"]
        reason = (
            f"only to {', '.join(other)}, which resource_log_destinations does not accept"
            if other
            else "nowhere: no diagnostic setting enables its audit categories or the audit or "
            "allLogs category group"
        )
        yield Outcome(Status.FAIL, f"{rtype} {res.id} sends its audit logs {reason}", res.id,
                      res.region, evidence)  # fmt: skip
