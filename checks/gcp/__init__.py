"""Built-in Python checks for GCP: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``gcp`` plugin
(``logwarden.scanner.collectors.gcp``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.gcp import org_sink
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (PythonCheck("gcp.logging.org_sink", org_sink.org_sink),)
