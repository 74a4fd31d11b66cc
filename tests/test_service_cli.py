"""The service as an administrator sees it from the command line: ``check`` and
``providers list`` print each row's webhook URLs; ``serve`` starts a real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from click.testing import CliRunner

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

PUBLIC = "https://sms.example.org"


@pytest.fixture
def env(site: SiteDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SiteDb:
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    return site


def test_providers_list_and_check_print_each_rows_webhook_urls(env: SiteDb) -> None:
    env.execute("UPDATE civicrm_sms_provider SET api_params = CONCAT(api_params, "
                "'\\nwebhook_token=tok-secret-1') WHERE id = 2")
    result = CliRunner().invoke(main, ["providers", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows[2]["webhooks"] == {
        "status": f"{PUBLIC}/webhooks/2/status?civisms_token=********",
        "inbound": f"{PUBLIC}/webhooks/2/inbound?civisms_token=********"}
    assert rows[3]["webhooks"]["status"] == f"{PUBLIC}/webhooks/3/status"
    assert "tok-secret-1" not in result.output
    text = CliRunner().invoke(main, ["check"]).stdout
    assert f"receipts: {PUBLIC}/webhooks/3/status" in text
    assert "tok-secret-1" not in text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_health_receipts_and_metrics_then_stops(env: SiteDb, workers: int) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "civisms", "serve", "--port", str(port), "--workers",
         str(workers), "--log-level", "warning"], env=dict(os.environ),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert requests.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
        answer = requests.post(f"{base}/webhooks/2/inbound", timeout=5, json={
            "type": "inbound", "id": "srv-1", "from": "+33612345678", "text": "Hello"})
        assert answer.status_code == 200
        assert env.scalar("SELECT COUNT(*) FROM civicrm_activity WHERE result = 'srv-1'") == 1
        metrics = requests.get(f"{base}/metrics", timeout=5).text
        assert 'civisms_webhooks_total{kind="inbound",outcome="ok",provider="2"} 1.0' in metrics
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
    assert "Traceback" not in output
