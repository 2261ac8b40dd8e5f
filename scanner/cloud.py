"""A cloud is one value: the :class:`Cloud` a plugin registers with ``logwarden_register_clouds``.

Everything the engine, the CLI and the reports know about a cloud is on its descriptor: its
name (``--cloud``, the ``clouds.<name>`` config section, the first part of its control ids and
resource kinds), what reports call it and its tenants, how its config section is read, how its
tenants are found and reached, which resource kinds it collects and who changed a drifted
resource. There is no other list of clouds anywhere.

A descriptor is built when its package is imported, so it must import no cloud SDK: its
callables import the collectors when first called (``logwarden scan --cloud aws`` never imports
an Azure or Google module). See examples/toy-cloud for a complete third-party cloud.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.audit_events import Attribution, Subject
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CloudTerms, Discovery, Organization, ResourceKind, Tenant

#: ``section, file, options -> settings``: validate ``clouds.<name>`` of the config file (an
#: empty mapping without one); raise ``InputError`` naming every problem with its line.
SettingsParser = Callable[[Mapping[str, Any], str, argparse.Namespace | None], Any]
#: ``settings -> Discovery``: the organizations and tenants to scan; failures go in
#: ``Discovery.errors``, never raised.
Discover = Callable[[Any], Discovery]
#: ``settings, tenant, organization -> session``: the session used to collect one tenant
#: (``tenant=None``: the organization's management scope); called lazily, once per tenant, in
#: the worker that first needs it; raises ``SessionUnavailable`` when it cannot be opened.
OpenSession = Callable[[Any, Tenant | None, Organization | None], Any]
#: ``() -> kinds``: every resource kind the cloud collects (imports its collectors).
KindsFactory = Callable[[], Sequence[ResourceKind]]
#: ``subjects, start, end, inventories -> attributions``: who changed each drifted resource,
#: from the cloud's own audit log (see ``logwarden.scanner.attribution``).
Attribute = Callable[[list[Subject], str, str, list[Inventory]], list[Attribution]]

NAME = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True)
class Cloud:
    """One cloud logwarden can scan.

    :param name: ``aws``; lower-case letters and digits, no dot (kinds are
        ``<name>.<service>.<thing>``, control ids ``<name>.<service>.<snake_name>``).
    :param label: what reports call the cloud (``AWS``, ``Google Cloud``).
    :param tenant_word: what one tenant is called (``account``, ``subscription``, ``project``).
    :param ocsf_account_type: the OCSF ``account.type`` of a tenant (``AWS Account``); an
        OCSF account type caption maps to its ``type_id``, anything else is ``Other``.
    :param settings: see :data:`SettingsParser`.
    :param discover: see :data:`Discover`.
    :param open_session: see :data:`OpenSession`.
    :param kinds: see :data:`KindsFactory`.
    :param attribute: see :data:`Attribute`; ``None`` when the cloud cannot say who changed
        what (drift is then reported with "unknown").
    :param config_schema: the JSON Schema of the ``clouds.<name>`` section (``logwarden schema
        config`` publishes it; an empty one accepts any mapping).
    :param attribution_reads: the resource kinds ``attribute`` reads from the scan's
        inventories (``Inventory.collected()``): a scan with history keeps them when it
        releases a tenant's other collections.
    """

    name: str
    label: str
    tenant_word: str
    ocsf_account_type: str
    settings: SettingsParser
    discover: Discover
    open_session: OpenSession
    kinds: KindsFactory
    attribute: Attribute | None = None
    config_schema: Mapping[str, Any] = field(default_factory=dict)
    attribution_reads: tuple[str, ...] = ()

    @property
    def terms(self) -> CloudTerms:
        """What reports need of this cloud (they see the report, never the descriptor)."""
        return CloudTerms(self.label, self.tenant_word, self.ocsf_account_type)
