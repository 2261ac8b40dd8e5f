"""Built-in Python checks for GCP: the controls whose logic the filter language cannot say."""

from __future__ import annotations

from logwarden.checks.gcp import org_sink
from logwarden.scanner.hookspecs import hookimpl
from logwarden.scanner.models import PythonCheck


@hookimpl
def logwarden_register_checks() -> list[PythonCheck]:
    """Register the Python GCP controls (their metadata is in rules.yaml)."""
    return [PythonCheck("gcp.logging.org_sink", org_sink.org_sink)]
