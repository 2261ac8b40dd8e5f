"""Built-in Python checks for Azure: the controls whose logic the filter language cannot say."""

from __future__ import annotations

from logwarden.checks.azure import categories, monitor, policy
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import PythonCheck


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    """The Azure controls declared ``implementation: python`` in rules.yaml."""
    return [
        PythonCheck("azure.monitor.activity_log_exported", monitor.activity_log_exported),
        PythonCheck("azure.monitor.activity_log_categories", categories.activity_log_categories),
        PythonCheck("azure.policy.activity_log_policy_compliant", policy.activity_log_compliant),
    ]
