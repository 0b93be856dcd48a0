"""Cached public reads answered by the HTTP protocol itself (app/web/public/protocol.py), through real uvicorn
servers: byte for byte the ASGI early path's answer (but the ``date`` uvicorn writes), the same request id, access
line and limits; what it cannot answer at once goes to uvicorn's ASGI cycle, in order on a kept-alive connection.

Two servers serve the same app (the test's database and clock, one cache): one with :class:`EarlyHitProtocol`, as
``crisisdesk serve`` runs, and one with uvicorn's own httptools protocol (the ASGI path, early path included).
``app.protocol_answers`` tells which answered.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.web.public.fastpath import CrisisDeskApp
from app.web.public.protocol import EarlyHitProtocol
from tests.support.net import free_port
from tests.web.public.conftest import NOTICES
from tests.web.public.test_fastpath import JsonRoot

Answer = tuple[int, list[tuple[str, str]], bytes]


@contextmanager
def serving(app: FastAPI, protocol: type[HttpToolsProtocol]) -> Iterator[int]:
    """``app`` served by uvicorn with ``protocol`` in a thread of its own (no lifespan: the test's client ran it);
    its port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, lifespan="off", log_config=None,
                            access_log=False, loop="asyncio")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def servers(app: FastAPI, anon: TestClient) -> Iterator[tuple[int, int]]:
    """(the protocol's port, the ASGI path's port), on the app ``anon`` started."""
    with serving(app, EarlyHitProtocol) as fast, serving(app, HttpToolsProtocol) as asgi:
        yield fast, asgi


def ask(port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None,
        http_10: bool = False) -> Answer:  # fmt: skip
    """Status, every header in order but ``date`` (written by each server at its second), body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    if http_10:
        connection._http_vsn, connection._http_vsn_str = 10, "HTTP/1.0"  # type: ignore[attr-defined]
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, [(k, v) for k, v in response.getheaders() if k.lower() != "date"], body
    finally:
        connection.close()


def answered(app: FastAPI) -> int:
    assert isinstance(app, CrisisDeskApp)
    return app.protocol_answers


def test_each_read_is_the_asgi_paths_byte_for_byte(
    app: FastAPI, servers: tuple[int, int], reads: dict[str, str]
) -> None:
    fast, asgi = servers
    for name, path in reads.items():
        assert ask(asgi, path)[0] == 200, name  # a miss: rendered through the stack, kept
        etag = dict(ask(asgi, path)[1])["etag"]
        requests: list[tuple[str, dict[str, str]]] = [
            ("GET", {"X-Request-ID": "same-id"}),
            ("HEAD", {"X-Request-ID": "same-head"}),
            ("GET", {"X-Request-ID": "same-304", "If-None-Match": etag}),
        ]
        for method, headers in requests:
            before = answered(app)
            mine, theirs = ask(fast, path, method, headers), ask(asgi, path, method, headers)
            assert answered(app) == before + 1, f"{name} {method}: not answered by the protocol"
            assert mine == theirs, f"{name} {method} {headers}"
            assert dict(mine[1])["x-request-id"] == headers["X-Request-ID"]
        status, headers_, _body = ask(fast, path, "GET", {"If-None-Match": etag})
        assert status == 304 and len(dict(headers_)["x-request-id"]) == 32  # a request id of its own


def test_english_pages_by_their_cookie(app: FastAPI, servers: tuple[int, int], reads: dict[str, str]) -> None:
    fast, asgi = servers
    path = reads["html notice"]
    headers = {"Cookie": "lang=en", "X-Request-ID": "en"}
    assert ask(asgi, path, headers=headers)[0] == 200  # the English page: a miss, kept
    before = answered(app)
    mine = ask(fast, path, headers=headers)
    assert answered(app) == before + 1 and mine == ask(asgi, path, headers=headers)
    assert b'lang="en"' in mine[2]


def test_what_the_protocol_leaves_to_the_asgi_cycle(
    app: FastAPI, servers: tuple[int, int], reads: dict[str, str]
) -> None:
    """A miss, another cookie, HTTP/1.0, a connection to close, a POST: answered as before, not by the protocol."""
    fast, _asgi = servers
    path = reads["list"]
    assert ask(fast, path)[0] == 200  # the miss
    before = answered(app)
    assert ask(fast, path + "?limit=3")[0] == 200  # another query string: a miss too
    assert ask(fast, path, headers={"Cookie": "session=x"})[0] == 200
    assert ask(fast, path, http_10=True)[0] == 200
    assert ask(fast, path, headers={"Connection": "close"})[0] == 200
    assert ask(fast, "/api/v1/auth/token", "POST")[0] == 422
    assert answered(app) == before
    assert ask(fast, path)[0] == 200 and answered(app) == before + 1


def _responses(sock: socket.socket, count: int) -> list[bytes]:
    """``count`` whole responses (each with a Content-Length) read from ``sock``, in the order they came."""
    data, found = b"", list[bytes]()
    deadline = time.monotonic() + 10
    while len(found) < count:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
            if len(rest) >= length:
                found.append(head + sep + rest[:length])
                data = rest[length:]
                continue
        assert time.monotonic() < deadline, f"{len(found)} of {count} responses"
        data += sock.recv(65536)
    return found


def test_a_kept_alive_connection_and_pipelined_requests_in_order(
    app: FastAPI, servers: tuple[int, int], reads: dict[str, str]
) -> None:
    """Hits and misses pipelined on one connection come back in the order asked: a hit asked behind a miss waits
    for it (the ASGI cycle answers both), a hit behind a hit is answered at once."""
    fast, _asgi = servers
    hit, also_hit, miss = reads["notice"], reads["atom"], NOTICES + "?limit=2"
    for path in (hit, also_hit):
        assert ask(fast, path)[0] == 200

    def request(path: str, rid: str) -> bytes:
        return f"GET {path} HTTP/1.1\r\nHost: testserver\r\nX-Request-ID: {rid}\r\n\r\n".encode()

    with socket.create_connection(("127.0.0.1", fast), timeout=10) as sock:
        before = answered(app)
        sock.sendall(request(hit, "one") + request(also_hit, "two") + request(miss, "three") + request(hit, "four"))
        got = _responses(sock, 4)
        assert [r.split(b"x-request-id: ")[1].split(b"\r\n")[0] for r in got] == [b"one", b"two", b"three", b"four"]
        assert all(r.startswith(b"HTTP/1.1 200 OK\r\n") for r in got)
        assert answered(app) == before + 2  # the last one waited behind the miss: the ASGI cycle answered it
        sock.sendall(request(hit, "five"))  # the same connection, kept alive
        assert b"x-request-id: five" in _responses(sock, 1)[0] and answered(app) == before + 3


def test_hits_have_their_access_line(app: FastAPI, servers: tuple[int, int], reads: dict[str, str]) -> None:
    fast, asgi = servers
    path = reads["search hit"]
    ask(asgi, path)
    root = JsonRoot()
    try:
        ask(fast, path, headers={"X-Request-ID": "trace-a"})
        ask(asgi, path, headers={"X-Request-ID": "trace-a"})
        deadline = time.monotonic() + 5
        lines: list[dict[str, Any]] = []
        while len(lines) < 2 and time.monotonic() < deadline:  # each written once its answer has left
            time.sleep(0.01)
            lines = [line for line in root.access_lines() if line.get("request_id") == "trace-a"]
    finally:
        root.restore()
    assert len(lines) == 2
    mine, theirs = lines
    assert list(mine) == list(theirs)  # key for key, in the same order
    assert {**mine, "ts": "", "duration_ms": 0} == {**theirs, "ts": "", "duration_ms": 0}
    assert mine["cache"] == "hit" and mine["request_id"] == "trace-a"


def test_a_refused_read_is_the_asgi_paths_429(make_app: Callable[..., FastAPI],
                                              publish: Callable[..., dict[str, Any]]) -> None:  # fmt: skip
    publish("Nội dung.")
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=3, rate_limit_read_per_second=0.001)
    with TestClient(app, base_url="https://testserver"), serving(app, EarlyHitProtocol) as fast:
        assert ask(fast, NOTICES)[0] == 200  # the miss: a token
        assert [ask(fast, NOTICES)[0] for _ in range(3)] == [200, 200, 429]
        assert answered(app) == 2
        refused = ask(fast, NOTICES, headers={"Accept-Language": "en"})
        assert refused[0] == 429 and "retry-after" in dict(refused[1]) and answered(app) == 2


def test_a_client_that_does_not_read_gets_every_answer_in_order(app: FastAPI, servers: tuple[int, int],
                                                                 reads: dict[str, str]) -> None:  # fmt: skip
    """Hits pipelined by a client that reads nothing: the protocol stops answering once the transport's writing is
    paused (the rest wait in uvicorn's pipeline, which holds its reads), and every answer comes, in order."""
    fast, _asgi = servers
    path = reads["html list"]
    assert ask(fast, path)[0] == 200
    count = 2000  # ~20 MB of answers: more than the kernel's socket buffers hold (a few MB on loopback)
    requests = b"".join(f"GET {path} HTTP/1.1\r\nHost: t\r\nX-Request-ID: r{n}\r\n\r\n".encode() for n in range(count))
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window, set before connecting
        sock.settimeout(30)
        sock.connect(("127.0.0.1", fast))
        before = answered(app)
        sock.sendall(requests)
        time.sleep(0.5)
        assert answered(app) - before < count  # writing paused: the rest were left to the ASGI cycle
        got = _responses(sock, count)
    assert [r.split(b"x-request-id: ")[1].split(b"\r\n")[0] for r in got] == [f"r{n}".encode() for n in range(count)]
