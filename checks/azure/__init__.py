"""Built-in Python checks for Azure: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``azure`` plugin
(``logwarden.scanner.collectors.azure``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.azure import categories, monitor, policy, resource_logging
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (
    PythonCheck("azure.monitor.activity_log_exported", monitor.activity_log_exported),
    PythonCheck("azure.monitor.activity_log_categories", categories.activity_log_categories),
    PythonCheck("azure.policy.activity_log_policy_compliant", policy.activity_log_compliant),
    PythonCheck("azure.monitor.resource_logging", resource_logging.resource_logging),
)
