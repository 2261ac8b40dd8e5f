"""The GCP resource kinds, one module per service: ``gcp.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/gcp.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.gcp.kinds import (
    audit,
    compute,
    logging,
    resourcemanager,
    sql,
    storage,
)
from logwarden.scanner.models import ResourceKind

KINDS: list[ResourceKind] = [*resourcemanager.KINDS, *audit.KINDS, *logging.KINDS, *storage.KINDS]
KINDS += [*compute.KINDS, *sql.KINDS]  # project resources (CIS GCP 2.12, 2.16, 3.8, 6.2)
