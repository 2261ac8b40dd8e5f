"""``logwarden demo`` as a user runs it: two scans of the three sandboxes with changes in
between, and the drift naming who made each change in every report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli_process import cli_env, run_logwarden

pytestmark = pytest.mark.e2e


def test_demo_scans_changes_rescans_and_names_who(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = run_logwarden(["demo", "--output", str(out)], tmp_path, cli_env(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = proc.stdout.split("3. second scan", 1)[1]
    assert "Drift since scan 1" in summary  # the drift comes first in the summary
    assert "New failures" in summary and "by arn:aws:sts::" in summary

    results = json.loads((out / "report.json").read_text())["results"]
    missing_alarm = {
        r["status"]
        for r in results
        if r["check_id"] == "aws.monitoring.unauthorized_api_calls_alarm"
    }
    assert missing_alarm == {"FAIL"}  # the demo's missing alarm, in every account
    drift = json.loads((out / "report.json").read_text())["drift"]
    assert drift["before"]["id"] == "1" and drift["after"]["id"] == "2"
    who = {
        r["check_id"]: {e["principal"] for e in r["who"]} for r in drift["regressions"] if r["who"]
    }
    assert any("assumed-role" in p for p in who.get("aws.cloudtrail.org_trail", set()))
    assert who.get("aws.s3.log_bucket_lifecycle"), drift["regressions"]
    assert who.get("azure.monitor.activity_log_categories"), drift["regressions"]
    assert who.get("gcp.audit.data_access_logs"), drift["regressions"]
    failed = {
        r["check_id"]
        for r in json.loads((out / "report.json").read_text())["results"]
        if r["status"] == "FAIL"
    }
    assert "azure.monitor.alert_create_update_nsg" in failed  # a rule scoped to a group
    assert "azure.authorization.log_readers_allowed" in failed  # an outside workspace reader
    changes = {(c["kind"], c["path"]): c for c in drift["changes"]}
    assert changes[("aws.cloudtrail.org_trail", "Status.IsLogging")]["who"][0]["action"] == (
        "StopLogging"
    )

    # the same drift, with who, in the other reports of the second scan
    html = (out / "report.html").read_text()
    assert "Changed since" in html and "StopLogging" in html
    markdown = (out / "report.md").read_text()
    assert "Drift since" in markdown and "StopLogging" in markdown
    junit = ET.parse(out / "report.junit.xml").getroot()
    messages = [f.get("message", "") for f in junit.iter("failure")]
    assert any(m.startswith("NEW since") for m in messages)
    # the history and a baseline of the first scan are left for the user to try
    assert (out / "history.db").is_file()
    assert json.loads((out / "baseline.json").read_text())["schema"] == "logwarden.baseline/1"
