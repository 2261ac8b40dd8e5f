"""Built-in Python checks for GCP: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``gcp`` plugin
(``logwarden.scanner.collectors.gcp``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.gcp import all_entries_sink, metric_alerts, org_sink
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (
    PythonCheck("gcp.logging.org_sink", org_sink.org_sink),
    PythonCheck("gcp.logging.all_entries_sink", all_entries_sink.all_entries_sink),
    *(PythonCheck(control, run) for control, run in metric_alerts.CHECKS.items()),
)
