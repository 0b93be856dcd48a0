"""`crisisdesk serve --workers 2` for real: metrics add up across worker processes, and every log line is JSON."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.isolated_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _count(metrics_text: str, route: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == "crisisdesk_http_request_duration_seconds_count" and sample.labels["route"] == route:
                total += sample.value
    return total


def test_two_workers_share_their_metrics(isolated_url: str, tmp_path: Path) -> None:
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        "DATABASE_URL": isolated_url,
        "CRISISDESK_ENVIRONMENT": "test",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "CRISISDESK_LOG_LEVEL": "INFO",
    }
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(stderr_path.read_text())

        def hit(i: int) -> int:
            return _get(port, "/api/v1/cases", {"X-Request-ID": f"req-{i}"})[0]  # a new connection each time

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(hit, range(40)))
        assert statuses == [401] * 40

        for _ in range(6):  # whichever worker answers the scrape, it reports all of them
            status, scraped = _get(port, "/metrics")
            assert status == 200
            assert _count(scraped, "/api/v1/cases") == 40
            assert "crisisdesk_database_up 1.0" in scraped
        assert list(metrics_dir.glob("histogram_*.db"))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    lines = [line for line in stderr_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON, uvicorn's own included
    access = [e for e in entries if e["logger"] == "crisisdesk.http" and e.get("route") == "/api/v1/cases"]
    assert sorted(e["request_id"] for e in access) == sorted(f"req-{i}" for i in range(40))
    assert {e["status"] for e in access} == {401}
    assert any(e["logger"].startswith("uvicorn") for e in entries)
