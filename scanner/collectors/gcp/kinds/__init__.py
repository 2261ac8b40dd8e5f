"""The GCP resource kinds, one module per service: ``gcp.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/gcp.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.gcp.kinds import (
    audit,
    compute,
    log_access,
    logging,
    logging_export,
    monitoring,
    resourcemanager,
    services,
    sql,
    storage,
)
from logwarden.scanner.models import ResourceKind

KINDS: list[ResourceKind] = [
    *resourcemanager.KINDS,
    *audit.KINDS,
    *logging.KINDS,
    *storage.KINDS,
    *monitoring.KINDS,
    *logging_export.KINDS,
    *services.KINDS,
    *log_access.KINDS,
    *compute.KINDS,  # project resources (CIS GCP 2.12, 2.16, 3.8, 6.2)
    *sql.KINDS,
]
