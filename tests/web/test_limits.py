"""What a client may send: header and body sizes, slow bodies, X-Forwarded-For (issue 16, "smaller")."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from app.web.middleware import BodySizeLimit
from tests.support.net import free_port
from tests.web.test_serve import _get


def test_a_100_kb_header_is_refused(client: TestClient) -> None:
    response = client.get("/api/public/v1/notices", headers={"X-Padding": "a" * 100_000})
    assert response.status_code == 431 and response.json()["error"] == "HeadersTooLarge"


def test_a_10_mb_chunked_body_is_a_413_not_a_400(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(160):
            yield b"x" * 65536

    response = client.post("/api/v1/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "PayloadTooLarge"


def test_a_declared_body_too_large_is_a_413(client: TestClient) -> None:
    response = client.post("/api/v1/cases", content=b"{}", headers={"Content-Length": str(50 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.mark.engine_independent
def test_an_answer_streams_longer_than_the_body_limits() -> None:
    """The body limits end with the body: a streamed answer (the yearly report's every line as CSV at a million
    cases) runs past ``idle_seconds`` and ``total_seconds`` while the app listens for the client's disconnect."""

    async def slow(_request: Request) -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            for n in range(4):
                await asyncio.sleep(0.15)
                yield f"line {n}\n".encode()

        return StreamingResponse(lines(), media_type="text/csv")

    app = BodySizeLimit(Starlette(routes=[Route("/lines", slow)]), max_bytes=1024, idle_seconds=0.1,
                        total_seconds=0.3)  # fmt: skip
    with TestClient(app) as http:
        response = http.get("/lines")
    assert response.status_code == 200 and response.text == "".join(f"line {n}\n" for n in range(4))


@pytest.fixture
def server(isolated_url: str, tmp_path: Path) -> Iterator[int]:
    """``crisisdesk serve`` (one worker, no trusted proxies) with short body timeouts and a tight read limit."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": isolated_url,
        "CRISISDESK_ENVIRONMENT": "test",
        "CRISISDESK_REQUEST_BODY_IDLE_SECONDS": "1",
        "CRISISDESK_REQUEST_BODY_TOTAL_SECONDS": "3",
        "CRISISDESK_RATE_LIMIT_READ_BURST": "5",
        "CRISISDESK_RATE_LIMIT_READ_PER_SECOND": "0.1",
        "CRISISDESK_TRUSTED_PROXIES": "",
    }
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "serve", "--port",
                                    str(port)], env=env, stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(log.read_text())
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.isolated_db
def test_a_stalled_body_is_a_408_and_the_connection_closes(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=15) as sock:
        sock.sendall(b"POST /api/public/v1/inquiries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{}")  # fmt: skip
        started = time.monotonic()
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break  # the server closed the connection
            received += chunk
        assert time.monotonic() - started < 5
    assert received.startswith(b"HTTP/1.1 408")


@pytest.mark.isolated_db
def test_x_forwarded_for_from_localhost_is_not_believed_without_trusted_proxies(server: int) -> None:
    statuses = []
    with httpx.Client(base_url=f"http://127.0.0.1:{server}", timeout=10) as http:
        for i in range(10):
            statuses.append(
                http.get("/api/public/v1/spokespersons", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            )
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
