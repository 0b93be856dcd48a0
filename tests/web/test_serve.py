"""`crisisdesk serve` for real: metrics add up across worker processes, every log line is JSON, and a burst of
writes larger than the pool and the thread pool is answered."""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from threading import Barrier
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, func, select

from app.cases.models import Case
from app.db import make_engine, writer
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, standard_org
from tests.support.serve import serve

pytestmark = pytest.mark.isolated_db


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


@contextmanager
def _server(url: str, tmp_path: Path, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[int]:
    """``crisisdesk serve`` in a process of its own (tests/support/serve.py) until the block ends; its port."""
    environment = {**os.environ, "DATABASE_URL": url, "CRISISDESK_ENVIRONMENT": "test", **(env or {})}
    web = serve("web", environment, tmp_path / "stderr.log", "--workers", str(workers))
    try:
        web.wait_up()
        yield web.port
    finally:
        web.stop()


def test_two_workers_share_their_metrics(isolated_url: str, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "CRISISDESK_LOG_LEVEL": "INFO"}
    with _server(isolated_url, tmp_path, workers=2, env=env) as port:

        def hit(i: int) -> int:
            return _get(port, "/api/v1/cases", {"X-Request-ID": f"req-{i}"})[0]  # a new connection each time

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(hit, range(40)))
        assert statuses == [401] * 40

        # Each worker adds its latency observations to the shared files at most every 0.2 s (app/metrics.py,
        # HistogramBatch): past that, whichever worker answers the scrape reports all of them.
        time.sleep(0.5)
        for _ in range(6):
            status, scraped = _get(port, "/metrics")
            assert status == 200
            assert _count(scraped, "/api/v1/cases") == 40
            assert "crisisdesk_database_up 1.0" in scraped
        assert list(metrics_dir.glob("histogram_*.db"))

    stderr_path = tmp_path / "stderr.log"
    lines = [line for line in stderr_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON, uvicorn's own included
    access = [e for e in entries if e["logger"] == "crisisdesk.http" and e.get("route") == "/api/v1/cases"]
    assert sorted(e["request_id"] for e in access) == sorted(f"req-{i}" for i in range(40))
    assert {e["status"] for e in access} == {401}
    assert any(e["logger"].startswith("uvicorn") for e in entries)


def test_a_burst_of_intakes_beyond_the_pool_and_the_threads_is_answered(isolated_url: str, tmp_path: Path) -> None:
    """48 intakes at once on a pool of 2 connections (more than the 40 request threads): each waits its turn for a
    connection on the event loop, holding no thread, so the one that holds the year's counter always gets the thread
    it needs to answer and commit. (Before, the waiters took every thread, the holder waited for one until the
    pool's time-out, and the burst ended in 503s after it.)"""
    engine = make_engine(isolated_url)
    with Session(writer(engine)) as session:
        standard_org(session, FIXED_NOW)
        session.commit()
    env = {"CRISISDESK_DB_POOL_SIZE": "2", "CRISISDESK_DB_MAX_OVERFLOW": "0", "CRISISDESK_DB_POOL_TIMEOUT_SECONDS":
           "60", "CRISISDESK_RATE_LIMIT_ENABLED": "false"}  # fmt: skip
    with _server(isolated_url, tmp_path, env=env) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/api/v1/auth/token", body=urlencode({"username": "office", "password": PASSWORD}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        bearer = json.loads(connection.getresponse().read())["access_token"]
        connection.close()
        barrier = Barrier(48)

        def intake(i: int) -> tuple[int, str]:
            body = json.dumps({"title": f"Phản ánh số {i}", "source_kind": "social_media"})
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
            try:
                barrier.wait()
                conn.request("POST", "/api/v1/cases", body=body, headers={
                    "Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})  # fmt: skip
                response = conn.getresponse()
                return response.status, response.read().decode()
            finally:
                conn.close()

        with ThreadPoolExecutor(max_workers=48) as pool:
            answers = list(pool.map(intake, range(48)))
    assert [status for status, _ in answers] == [201] * 48, [a for a in answers if a[0] != 201][:2]
    references = sorted(json.loads(text)["reference"] for _, text in answers)
    year = references[0].split("-")[1]  # the server runs on the real clock
    assert references == [f"VV-{year}-{i:05d}" for i in range(1, 49)]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 48
    engine.dispose()
