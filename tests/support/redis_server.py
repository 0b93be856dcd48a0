"""Redis for the tests: a throwaway ``redis-server`` (Debian's) on a free 127.0.0.1 port that a test may stop (as a
crash: SIGKILL) and start again on the same port; and the shared one on 127.0.0.1:6379, with a key prefix unique to
the test, for tests that only need a Redis.

Nothing is written to disk (no RDB, no AOF); the working directory is a temporary one, removed by ``destroy()``.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.support.net import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SHARED_URL = "redis://127.0.0.1:6379/0"


def unique_prefix() -> str:
    """A key prefix (and so a channel) of the test's own: parallel runs on one Redis never meet."""
    return f"crisisdesk-test-{uuid.uuid4().hex[:12]}:"


def shared_redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(SHARED_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(f"no Redis answers on 127.0.0.1:6379 ({type(exc).__name__}): start redis-server to run this test")
    return client


class RedisServer:
    def __init__(self) -> None:
        if not Path(REDIS_SERVER).exists():
            pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)")
        self.root = Path(tempfile.mkdtemp(prefix="crisisdesk-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.root), "--logfile", str(self.root / "redis.log")]  # fmt: skip
        self.process = subprocess.Popen([REDIS_SERVER, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = self.client()
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except (redis.RedisError, OSError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        """As a crash: SIGKILL, no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """As a hung server: SIGSTOP. Connections stay open and nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def destroy(self) -> None:
        if self.process is not None:
            self.resume()
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
