"""Built-in Python checks for Azure: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``azure`` plugin
(``logwarden.scanner.collectors.azure``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.azure import (
    alerts,
    categories,
    dns,
    entra,
    log_access,
    monitor,
    policy,
    resource_logging,
)
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (
    PythonCheck("azure.monitor.activity_log_exported", monitor.activity_log_exported),
    PythonCheck("azure.monitor.activity_log_categories", categories.activity_log_categories),
    PythonCheck("azure.policy.activity_log_policy_compliant", policy.activity_log_compliant),
    *alerts.CHECKS,
    PythonCheck("azure.entra.tenant_logs_exported", entra.tenant_logs_exported),
    PythonCheck("azure.authorization.log_readers_allowed", log_access.log_readers_allowed),
    PythonCheck("azure.dns.query_logging", dns.query_logging),
    PythonCheck("azure.monitor.resource_logging", resource_logging.resource_logging),
)
