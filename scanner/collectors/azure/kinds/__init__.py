"""The Azure resource kinds, one module per service: ``azure.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/azure.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.azure.kinds import (
    alerts,
    authorization,
    databases,
    dns,
    entra,
    loganalytics,
    monitor,
    network,
    policy,
    resources,
    services,
    storage,
)
from logwarden.scanner.models import ResourceKind

KINDS: list[ResourceKind] = [
    *monitor.KINDS,
    *policy.KINDS,
    *loganalytics.KINDS,
    *storage.KINDS,
    *alerts.KINDS,
    *entra.KINDS,
    *authorization.KINDS,
    *dns.KINDS,
    *resources.KINDS,
    *services.KINDS,
    *databases.KINDS,
    *network.KINDS,
]
