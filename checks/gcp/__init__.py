"""Built-in Python checks for GCP: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``gcp`` plugin
(``logwarden.scanner.collectors.gcp``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.gcp import all_entries_sink, log_access, metric_alerts, org_sink
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (
    PythonCheck("gcp.logging.org_sink", org_sink.org_sink),
    PythonCheck("gcp.logging.all_entries_sink", all_entries_sink.all_entries_sink),
    PythonCheck("gcp.logging.log_readers_restricted", log_access.log_readers_restricted),
    PythonCheck("gcp.logging.sink_writer_least_privilege", log_access.sink_writer_least_privilege),
    PythonCheck("gcp.logging.bucket_cmek", log_access.bucket_cmek),
    *(PythonCheck(control, run) for control, run in metric_alerts.CHECKS.items()),
)
