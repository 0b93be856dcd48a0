"""Ports on 127.0.0.1 for the servers the tests start."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    """A port free now on 127.0.0.1, for a server that cannot bind port 0 itself (each test process takes its own,
    so parallel runs do not clash)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """Returns once something accepts connections on ``host:port``; TimeoutError after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")
