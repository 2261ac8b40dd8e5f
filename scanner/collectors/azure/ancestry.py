"""The management groups above a subscription, root first: what ``notScopes`` can name.

In management-group mode discovery knows every subscription's whole chain
(``Tenant.attributes["management_group_chain"]``: the scanned group's ancestors from
``$expand=ancestors`` and the chain below it from the descendants). Otherwise the chains are
read once per scan, and only when an assignment needs them, from the Entities API of
azure-mgmt-managementgroups (``POST /providers/Microsoft.Management/getEntities``, api-version
2023-04-01), which any signed-in caller may use (Reader on a subscription is enough to see
it): it lists the management groups and subscriptions the credential can see, a subscription
(``type: /subscriptions``) with ``parent`` and ``parentNameChain`` (the group names from the
root down).

Paging: the API documents ``$skiptoken`` (taken from the previous page's ``nextLink``) as a
parameter of the POST, so each page is its own POST; the SDK pager would follow ``nextLink``
with a GET, which this operation does not document.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from logwarden.scanner.collectors.azure.common import subscription_of, to_json
from logwarden.scanner.collectors.azure.session import SessionPool
from logwarden.scanner.inventory import Inventory

MAX_PAGES = 1000
SUBSCRIPTION_TYPE = "/subscriptions"


class AncestryUnavailable(Exception):
    """The chain of a subscription could not be established (not an API error)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def known_chain(inv: Inventory) -> tuple[str, ...] | None:
    """The chain discovery found for the subscription (None: it has to be read)."""
    found = inv.tenant.attributes.get("management_group_chain") if inv.tenant else None
    return tuple(str(g) for g in found) if found else None


def chain_of(inv: Inventory) -> tuple[str, ...]:
    """The management groups above the subscription, root first.

    Raises Azure errors (the Entities API failed) and ``AncestryUnavailable``.
    """
    known = known_chain(inv)
    if known is not None:
        return known
    pool: SessionPool = inv.session.pool
    chains: dict[str, tuple[str, ...] | None] = pool.memo(("entities",), lambda: read_chains(pool))
    sub = subscription_of(inv)
    if sub not in chains:
        raise AncestryUnavailable(
            "SubscriptionNotInEntities",
            f"the Entities API (getEntities) does not list subscription {sub}, so the "
            "management groups above it are unknown",
        )
    chain = chains[sub]
    if chain is None:
        raise AncestryUnavailable(
            "IncompleteEntity",
            f"the Entities API (getEntities) lists subscription {sub} without the names of "
            "the management groups above it (parentNameChain), so they are unknown",
        )
    return chain


def read_chains(pool: SessionPool) -> dict[str, tuple[str, ...] | None]:
    """Subscription id -> its management groups, root first (None: not given), for every
    visible subscription."""
    client = pool.tenant_session().client("managementgroups")
    entities: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        pages = client.entities.list(skiptoken=token).by_page()
        entities += [to_json(e) for e in next(pages, [])]
        link = pages.continuation_token
        if not link:
            return _chains(entities)
        token = (parse_qs(urlsplit(link).query).get("$skiptoken") or [""])[0]
        if not token:
            raise AncestryUnavailable(
                "UnreadableNextLink", f"getEntities returned a nextLink without $skiptoken: {link}"
            )
    raise AncestryUnavailable("TooManyPages", f"getEntities returned more than {MAX_PAGES} pages")


def _chains(entities: list[dict[str, Any]]) -> dict[str, tuple[str, ...] | None]:
    """Every subscription's chain; None when its entity has no ``parentNameChain`` (every
    subscription is below the root group at least: its direct parent alone may not be the
    whole chain)."""
    out: dict[str, tuple[str, ...] | None] = {}
    for doc in entities:
        rid = str(doc.get("id") or "").lower()
        kind = str(doc.get("type") or "").lower()
        if kind != SUBSCRIPTION_TYPE and not rid.startswith("/subscriptions/"):
            continue
        props = doc.get("properties") or {}
        name = str(doc.get("name") or rid.rsplit("/", 1)[-1]).lower()
        names = props.get("parentNameChain")
        if not isinstance(names, list) or not names:
            out[name] = None
            continue
        chain = [str(g) for g in names]
        parent = str((props.get("parent") or {}).get("id") or "").rstrip("/").rsplit("/", 1)[-1]
        if parent and parent.lower() not in {g.lower() for g in chain}:
            chain.append(parent)
        out[name] = tuple(chain)
    return out
