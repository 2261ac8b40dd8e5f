"""azure.dns.query_logging: every virtual network's DNS queries are logged to a workspace.

The Well-Architected security audits list DNS query logging: Azure logs a network's queries
when a DNS security policy (``Microsoft.Network/dnsResolverPolicies``) is linked to it and a
diagnostic setting of the policy sends its ``DnsResponse`` category (or ``allLogs``) to a Log
Analytics workspace (``expected_workspace_id`` when set). One row per virtual network; a policy
whose settings could not be read leaves the network undecided (ERROR), never passed.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.checks.azure.monitor import same_id
from logwarden.scanner.models import CheckContext, Outcome, Status

NETWORK = "azure.dns.virtual_network"


def query_logging(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per virtual network of the subscription."""
    expected = ctx.param("expected_workspace_id")
    for net in ctx.resources(NETWORK):
        name = net.data.get("Name") or net.id
        policies = net.data.get("DnsSecurityPolicies") or []
        evidence = {"DnsSecurityPolicies": policies, "ExpectedWorkspaceId": expected}
        good = [
            (p["id"], w)
            for p in policies
            for w in p.get("QueryLogWorkspaces") or []
            if expected is None or same_id(w, expected)
        ]
        if good:
            policy, workspace = good[0]
            message = f"{name}'s DNS queries are logged by policy {policy} to workspace {workspace}"
            yield Outcome(Status.PASS, message, net.id, net.region, evidence)
            continue
        unread = [str(p.get("Reason")) for p in policies if p.get("State") == "Unreadable"]
        if unread:
            message = f"could not be evaluated: {name}'s DNS query logging depends on " + "; ".join(
                unread
            )
            yield Outcome(Status.ERROR, message, net.id, net.region, evidence)
            continue
        if not policies:
            message = f"no DNS security policy is linked to {name}: its DNS queries are not logged"
        else:
            where = f"workspace {expected}" if expected else "a Log Analytics workspace"
            ids = ", ".join(str(p["id"]) for p in policies)
            message = (
                f"no DNS security policy linked to {name} ({ids}) sends its query logs "
                f"(DnsResponse) to {where}"
            )
        yield Outcome(Status.FAIL, message, net.id, net.region, evidence)
