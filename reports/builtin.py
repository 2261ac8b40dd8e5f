"""The built-in report formats, registered like any plugin's."""

from __future__ import annotations

from reports import json_report
from scanner.hookspecs import hookimpl
from scanner.models import Reporter


@hookimpl
def logwarden_register_reporters() -> list[Reporter]:
    return [
        Reporter(
            "json",
            "report.json",
            "machine-readable results, schema logwarden.report/1",
            json_report.render,
        ),
    ]
