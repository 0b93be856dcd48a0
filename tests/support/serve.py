"""Real `crisisdesk serve` processes for the multi-process tests and benchmarks: a free port, the log on a file,
ready when /healthz answers, stopped with SIGINT (then SIGKILL after 20 s)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.net import free_port


@dataclass
class Web:
    """One `crisisdesk serve` process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, client: str | None = None) -> httpx.Response:
        """As the reader at ``client`` (sent as X-Forwarded-For: set CRISISDESK_TRUSTED_PROXIES=127.0.0.1)."""
        headers = {"X-Forwarded-For": client} if client else {}
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines of its log (CRISISDESK_LOG_FORMAT=json)."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_up(self, timeout: float = 120.0) -> None:  # importing the app takes long on a loaded machine
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_all([self])


def stop_all(webs: list[Web] | tuple[Web, ...]) -> None:
    """SIGINT to every one at once (each takes a few seconds to exit), then SIGKILL to any still there after 20 s."""
    for web in webs:
        if web.process.poll() is None:
            web.process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 20
    for web in webs:
        try:
            web.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            web.process.kill()
            web.process.wait()


def serve(name: str, env: dict[str, str], log: Path, *args: str, cwd: Path | None = None) -> Web:
    """Start `crisisdesk serve` on a free port with ``env`` (not waiting: call ``wait_up``); ``cwd``: the tree whose
    app to serve (a benchmark's "before")."""
    port = free_port()
    command = [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port), *args]
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, cwd=cwd)
    return Web(name, port, process, log)
