"""The tests' one SMTP server: aiosmtpd on 127.0.0.1 and a port the system chose, keeping every message it
receives (the worker, the digests, the channels and the deployment test all send through it).

    with SmtpSink() as sink:          # or the ``smtp_sink`` fixture of tests/conftest.py
        settings = make_settings(url, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none")
        ...
        assert set(sink.keys().values()) == {1}   # each notification sent once
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


class _EphemeralController(Controller):
    """aiosmtpd's controller on port 0: the port the system chose is read back before its own first connection."""

    def _trigger_server(self) -> None:
        server: Any = self.server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpSink:
    """A local SMTP server that keeps what it receives. ``delay`` holds each message that long (in the server's
    loop, so sends queue up: two workers' batches overlap)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = delay
        self.controller = _EphemeralController(self, hostname="127.0.0.1", port=0)
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            time.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> SmtpSink:
        self.controller.start()
        self.port = self.controller.port
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def keys(self) -> Counter[str]:
        """How many times each notification was sent (by its ``X-CrisisDesk-Notification`` header)."""
        with self.lock:
            return Counter(str(m["X-CrisisDesk-Notification"]) for m in self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to ``address`` (exactly that address, among the recipients in To)."""
        with self.lock:
            return [m for m in self.messages if address in {a.addr_spec for a in m["To"].addresses}]
