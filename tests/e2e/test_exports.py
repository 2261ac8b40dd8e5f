"""Exports through the installed CLI: ``--security-hub`` into the moto server's Security Hub,
``--notify`` to a local webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from logwarden_sandbox.aws_server import MotoServer
from tests.cli_process import cli_env, moto_env, run_logwarden, seeded_moto

pytestmark = pytest.mark.e2e
REGION = "us-east-1"


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, Path]]:
    home = tmp_path_factory.mktemp("exports")
    with seeded_moto(home, [REGION], ["bucket_no_kms"]) as server:
        yield server, home


def scan(zone: tuple[MotoServer, Path], out: Path, *args: str) -> tuple[int, Any, str]:
    server, home = zone
    env = cli_env(home, moto_env(server.endpoint_url, REGION))
    proc = run_logwarden(["scan", "-c", "logwarden.yaml", "--json", str(out), *args], home, env)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(out.read_text()) if out.exists() else None
    return proc.returncode, report, proc.stdout + proc.stderr


def test_security_hub_gets_each_finding_once(zone: tuple[MotoServer, Path], tmp_path: Path) -> None:
    server, _ = zone
    hub = boto3.client(
        "securityhub",
        region_name=REGION,
        endpoint_url=server.endpoint_url,
        aws_access_key_id="e2e-access-key",
        aws_secret_access_key="e2e-secret-key",
    )
    hub.enable_security_hub()
    code, report, out = scan(zone, tmp_path / "a.json", "--security-hub")
    assert code == 1, out
    open_rows = [r for r in report["results"] if r["status"] in ("FAIL", "ERROR")]
    findings = hub.get_findings(MaxResults=100)["Findings"]
    assert {f["Id"] for f in findings} == {f"logwarden/{r['fingerprint']}" for r in open_rows}
    assert f"Security Hub: {len(open_rows)} findings imported, 0 archived" in out
    code, _, _ = scan(zone, tmp_path / "b.json", "--security-hub")
    assert len(hub.get_findings(MaxResults=100)["Findings"]) == len(findings)  # no duplicate


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"body": json.loads(body), "type": self.headers["Content-Type"]})
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Hook]]]:
    _Hook.received = []
    _Hook.answer = 200
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", _Hook
    finally:
        server.shutdown()
        server.server_close()


def test_notify_posts_one_summary(
    zone: tuple[MotoServer, Path], tmp_path: Path, webhook: tuple[str, type[_Hook]]
) -> None:
    url, hook = webhook
    out = tmp_path / "r.json"
    code, report, _ = scan(zone, out, "--notify", url)
    assert code == 1
    (got,) = hook.received
    body = got["body"]
    assert got["type"] == "application/json"
    assert body["gate"] == {"verdict": "failed", "exit_code": 1, "meaning": body["gate"]["meaning"]}
    assert body["counts"]["FAIL"] == report["summary"]["by_status"]["FAIL"]
    assert {f["check_id"] for f in body["findings"]} == {
        r["check_id"] for r in report["results"] if r["status"] == "FAIL" and not r["muted"]
    }
    assert body["reports"] == [str(out)]
    assert body["text"].startswith(":x: *logwarden: gate failed*")


def test_a_failed_notification_makes_a_clean_scan_incomplete(
    zone: tuple[MotoServer, Path], tmp_path: Path, webhook: tuple[str, type[_Hook]]
) -> None:
    url, hook = webhook
    hook.answer = 500
    code, _, out = scan(zone, tmp_path / "r.json", "--checks", "aws.cloudtrail.*", "--notify", url)
    assert code == 3 and "--notify failed: HTTP 500" in out
    code, _, out = scan(zone, tmp_path / "r2.json", "--notify", "ftp://example.com/x")
    assert code == 2 and "is not an http(s) URL" in out
