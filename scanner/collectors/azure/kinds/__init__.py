"""The Azure resource kinds, one module per service: ``azure.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/azure.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.azure.kinds import (
    alerts,
    authorization,
    dns,
    entra,
    loganalytics,
    monitor,
    policy,
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
]
