"""The early path of cached public reads (app/web/public/fastpath.py): the same answer as the whole stack, byte for
byte, and the same limits, request id, access line and metrics; anything it cannot be sure of goes to the stack.

Each comparison asks the same app twice with the same request: through the application (``anon``: a cached read
is answered before the middleware) and through FastAPI's own ``__call__`` (``stack``: the middleware stack, with
the public edge answering from the same cache). ``app.early_answers`` tells which path answered.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from starlette.types import Receive, Scope, Send

from app.db import utcnow
from app.logs import JsonFormatter, RequestIdFilter, request_id_var
from app.main import create_app
from app.settings import Settings
from app.web.observability import access_log
from app.web.public.fastpath import CrisisDeskApp, timestamps
from tests.conftest import Clock, JoinedSessions
from tests.shared_routes import share_routes
from tests.support.redis_server import SHARED_URL, shared_redis_or_skip, unique_prefix
from tests.web.public.conftest import BOUND, NOTICES


def whole_stack(app: FastAPI) -> Callable[[Scope, Receive, Send], Any]:
    """The app without its early path: FastAPI's ``__call__``, the middleware stack and the routes."""

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(app, scope, receive, send)

    return call


@pytest.fixture
def stack(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(whole_stack(app), base_url="https://testserver") as c:
        yield c


def early(app: FastAPI) -> int:
    assert isinstance(app, CrisisDeskApp)
    return app.early_answers


def same(a: Response, b: Response) -> None:
    """Status, every header in order, body: byte for byte."""
    assert (a.status_code, a.headers.raw, a.content) == (b.status_code, b.headers.raw, b.content)


def test_each_read_is_the_stacks_byte_for_byte(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    for name, path in reads.items():
        first = anon.get(path)  # a miss: rendered through the stack, kept
        assert first.status_code == 200, name
        before = early(app)
        headers = {"X-Request-ID": f"same-{len(name)}"}
        fast, slow = anon.get(path, headers=headers), stack.get(path, headers=headers)
        assert early(app) == before + 1, f"{name}: not answered early"
        same(fast, slow)
        assert fast.headers["x-request-id"] == headers["X-Request-ID"]
        if name == "search hit":
            assert fast.json()["items"]
        if name == "search miss":
            assert fast.json()["items"] == []


def test_304_and_head(app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]) -> None:
    for path in (reads["notice"], reads["html list"]):
        etag = anon.get(path).headers["etag"]
        before = early(app)
        headers = {"X-Request-ID": "r-304", "If-None-Match": f'"other", W/{etag}'}
        fast, slow = anon.get(path, headers=headers), stack.get(path, headers=headers)
        assert fast.status_code == 304 and fast.content == b""
        same(fast, slow)
        head = {"X-Request-ID": "r-head"}
        fast, slow = anon.head(path, headers=head), stack.head(path, headers=head)
        assert fast.status_code == 200 and fast.content == b"" and fast.headers["etag"] == etag
        same(fast, slow)
        assert early(app) == before + 2


def test_english_pages_and_the_lang_cookie(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    path = reads["html notice"]
    vi = anon.get(path)
    en_first = anon.get(path, headers={"Cookie": "lang=en"})
    assert 'lang="en"' in en_first.text and en_first.headers["etag"] != vi.headers["etag"]
    before = early(app)
    headers = {"Cookie": "lang=en", "X-Request-ID": "r-en"}
    fast, slow = anon.get(path, headers=headers), stack.get(path, headers=headers)
    assert early(app) == before + 1
    same(fast, slow)
    assert fast.content == en_first.content


def test_the_first_request_id_header_counts_as_on_the_stack(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    anon.get(reads["list"])
    before = early(app)
    for given in (["first-1", "second-2"], ["bad id!", "second-2"]):
        headers = [("X-Request-ID", value) for value in given]
        fast, slow = anon.get(reads["list"], headers=headers), stack.get(reads["list"], headers=headers)
        assert fast.status_code == slow.status_code == 200
        if given[0] == "first-1":
            assert fast.headers["x-request-id"] == slow.headers["x-request-id"] == "first-1"
        else:  # not sane: a new one each, not the second header's
            assert "second-2" not in (fast.headers["x-request-id"], slow.headers["x-request-id"])
    assert early(app) == before + 2


def test_a_lang_cookie_on_the_api_is_answered_early(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    """The API's answers do not depend on the language cookie: kept under one key, answered early with it."""
    anon.get(reads["list"])
    before = early(app)
    headers = {"Cookie": "lang=en", "X-Request-ID": "r-api-en"}
    fast, slow = anon.get(reads["list"], headers=headers), stack.get(reads["list"], headers=headers)
    assert early(app) == before + 1
    same(fast, slow)


def test_with_the_real_clock_too(
    settings: Settings, engine: Any, connection: Any, publish: Callable[..., dict[str, Any]]
) -> None:
    """The tests' clock is frozen; the real one is read as ``time.time`` (no datetime made a request), and the
    cache's interval is kept against it the same way."""
    publish("Nội dung.")
    assert timestamps(utcnow) is time.time
    app = share_routes(create_app(settings, engine=engine, clock=utcnow))
    app.state.sessions = JoinedSessions(connection, engine)
    with TestClient(app, base_url="https://testserver") as anon:
        first = anon.get(NOTICES)
        assert first.status_code == 200 and early(app) == 0
        again = anon.get(NOTICES)
        assert early(app) == 1 and again.content == first.content


def test_the_frozen_clock_as_timestamps(clock: Clock) -> None:
    now = timestamps(clock)
    assert now() == clock().timestamp()
    clock.advance(seconds=1.5)
    assert now() == clock().timestamp()


def test_empty_filters_are_dropped_as_the_stack_drops_them(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    anon.get(reads["search hit"])
    path = f"{reads['search hit']}&topic=&kind="
    before = early(app)
    fast, slow = anon.get(path, headers={"X-Request-ID": "r-q"}), stack.get(path, headers={"X-Request-ID": "r-q"})
    assert early(app) == before + 1
    same(fast, slow)


@pytest.mark.parametrize(
    "cookie",
    ["crisisdesk_read_after=123.abc", "crisisdesk_session=x", "lang=en; crisisdesk_read_after=1.a", "other=1"],
)
def test_any_other_cookie_goes_through_the_stack(
    app: FastAPI, anon: TestClient, reads: dict[str, str], cookie: str
) -> None:
    anon.get(reads["list"])
    before = early(app)
    response = anon.get(reads["list"], headers={"Cookie": cookie})
    assert response.status_code == 200 and early(app) == before


def test_what_the_early_path_leaves_to_the_stack(
    app: FastAPI, anon: TestClient, reads: dict[str, str], clock: Clock
) -> None:
    anon.get(reads["list"])
    before = early(app)
    anon.get(f"{NOTICES}?q=never-asked")  # a miss
    anon.options(NOTICES, headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    anon.get("/api/public/v1/spokespersons")  # not cached yet
    anon.get("/healthz")
    clock.advance(**BOUND)  # the cache is due for its version check: the stack makes it
    anon.get(reads["list"])
    assert early(app) == before
    anon.get(reads["list"])  # checked: early again
    assert early(app) == before + 1


def test_a_publication_is_seen_through_the_early_path_once_the_version_is_checked(
    app: FastAPI, anon: TestClient, reads: dict[str, str], publish: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    old = anon.get(reads["list"])
    anon.get(reads["list"])
    notice = publish("Thông báo mới về học phí.")
    clock.advance(**BOUND)
    assert notice["number"] in anon.get(reads["list"]).text  # the stack: checked, emptied, rendered
    before = early(app)
    again = anon.get(reads["list"], headers={"If-None-Match": old.headers["etag"]})
    assert early(app) == before + 1
    assert again.status_code == 200 and notice["number"] in again.text


def test_a_pushed_version_not_yet_read_goes_through_the_stack(
    app: FastAPI, anon: TestClient, reads: dict[str, str]
) -> None:
    anon.get(reads["list"])
    cache = app.state.public_cache
    cache.wanted = (cache.version or 0) + 1  # as a push from Redis leaves it until a check reads that version
    before = early(app)
    anon.get(reads["list"])
    assert early(app) == before


def test_the_burst_is_shared_and_429_is_the_stacks(
    make_app: Callable[..., FastAPI], publish: Callable[..., dict[str, Any]]
) -> None:
    notice = publish("Nội dung.")
    app = make_app(rate_limit_enabled=True, rate_limit_read_burst=6, rate_limit_read_per_second=0.001)
    paths = [NOTICES, f"/notices/{notice['slug']}"]
    with TestClient(app, base_url="https://testserver") as anon, \
            TestClient(whole_stack(app), base_url="https://testserver") as stack:  # fmt: skip
        for path in paths:
            assert anon.get(path).status_code == 200  # misses: 2 tokens
        # 4 tokens left, taken alternately by each path (a hit either way)
        turns = [(anon, paths[0]), (stack, paths[1]), (anon, paths[1]), (stack, paths[0]), (anon, paths[0]),
                 (stack, paths[0])]  # fmt: skip
        assert [client.get(path).status_code for client, path in turns] == [200, 200, 200, 200, 429, 429]
        assert early(app) == 3  # two hits and one 429 answered early
        for path in paths:  # JSON and HTML 429s
            headers = {"X-Request-ID": "r-429", "Accept-Language": "en"}
            fast, slow = anon.get(path, headers=headers), stack.get(path, headers=headers)
            assert fast.status_code == 429 and "retry-after" in fast.headers
            same(fast, slow)
        assert early(app) == 5


def test_with_redis_the_early_path_takes_from_the_shared_bucket(make_app: Callable[..., FastAPI]) -> None:
    client = shared_redis_or_skip()
    prefix = unique_prefix()
    try:
        settings = {"rate_limit_enabled": True, "rate_limit_read_burst": 5, "rate_limit_read_per_second": 0.001,
                    "redis_url": SHARED_URL, "redis_key_prefix": prefix}  # fmt: skip
        one, two = make_app(**settings), make_app(**settings)
        with TestClient(one, base_url="https://testserver") as a, \
                TestClient(whole_stack(two), base_url="https://testserver") as b:  # fmt: skip
            for app in (one, two):
                deadline = time.monotonic() + 5
                while app.state.redis.status != "ok":
                    assert time.monotonic() < deadline, "Redis link not up"
                    time.sleep(0.02)
            assert a.get(NOTICES).status_code == 200  # a miss on one
            assert b.get(NOTICES).status_code == 200  # a miss on two
            assert [c.get(NOTICES).status_code for c in (a, b, a, b)] == [200, 200, 200, 429]
            assert early(one) == 2
            refused = a.get(NOTICES, headers={"X-Request-ID": "r", "Accept-Language": "en"})
            also = b.get(NOTICES, headers={"X-Request-ID": "r", "Accept-Language": "en"})
            assert refused.status_code == 429 and early(one) == 3
            same(refused, also)
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


class JsonRoot:
    """The root logger configured as production's (one JSON stream handler: the access log's direct writer)."""

    def __init__(self) -> None:
        access_log.flush()  # lines of earlier tests still in the batch go where they were meant to
        self.stream = io.StringIO()
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        self.root = logging.getLogger()
        self.saved = (self.root.handlers[:], self.root.level)
        self.root.handlers[:] = [handler]
        self.root.setLevel(logging.INFO)

    def access_lines(self) -> list[dict[str, Any]]:
        access_log.flush()
        lines = [json.loads(x) for x in self.stream.getvalue().splitlines()]
        return [line for line in lines if line["logger"] == "crisisdesk.http"]

    def restore(self) -> None:
        self.root.handlers[:], level = self.saved
        self.root.setLevel(level)


def test_hits_have_their_request_id_access_line_and_latency(
    app: FastAPI, anon: TestClient, reads: dict[str, str]
) -> None:
    path = reads["html notice"]
    anon.get(path)
    root = JsonRoot()
    try:
        before = early(app)
        given = anon.get(path, headers={"X-Request-ID": "trace-hit"})
        assert given.headers["x-request-id"] == "trace-hit"
        made = anon.get(path)
        assert early(app) == before + 2
        lines = root.access_lines()
    finally:
        root.restore()
    generated = made.headers["x-request-id"]
    assert len(generated) == 32 and all(c in "0123456789abcdef" for c in generated)
    assert generated != anon.get(path).headers["x-request-id"]
    assert [line["request_id"] for line in lines] == ["trace-hit", generated]
    line = lines[0]
    assert line == {"ts": line["ts"], "level": "INFO", "logger": "crisisdesk.http",
                    "message": "GET /notices/{key} 200", "request_id": "trace-hit", "method": "GET",
                    "route": "/notices/{key}", "path": path, "status": 200, "duration_ms": line["duration_ms"],
                    "user_id": None, "cache": "hit"}  # fmt: skip
    assert line["ts"].endswith("Z") and isinstance(line["duration_ms"], float)
    metrics = anon.get("/metrics").text
    sample = 'crisisdesk_http_request_duration_seconds_count{method="GET",route="/notices/{key}",status_class="2xx"}'
    assert sample in metrics
    assert float(metrics.split(sample)[1].split()[0]) >= 3


@pytest.mark.parametrize("read", ["search hit", "html notice"])
def test_the_line_of_a_hit_is_the_stacks(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str], read: str
) -> None:
    """Key for key and in the same order, for a 200, a 304 and a HEAD, with a given and a generated request id
    (the one in the response)."""
    path = reads[read]
    etag = anon.get(path).headers["etag"]
    root = JsonRoot()
    asks: list[tuple[str, dict[str, str]]] = [
        ("GET", {"X-Request-ID": "line-1"}),
        ("GET", {}),
        ("GET", {"If-None-Match": etag}),
        ("HEAD", {"X-Request-ID": "h-1"}),
    ]
    try:
        before = early(app)
        ids = []
        for method, headers in asks:
            for client in (anon, stack):
                ids.append(client.request(method, path, headers=headers).headers["x-request-id"])
        assert early(app) == before + len(asks)
        lines = root.access_lines()
    finally:
        root.restore()
    assert [line["request_id"] for line in lines] == ids
    assert [line["status"] for line in lines] == [200, 200, 200, 200, 304, 304, 200, 200]
    for fast, slow in zip(lines[::2], lines[1::2], strict=True):
        assert list(fast) == list(slow)
        assert isinstance(fast["duration_ms"], float) and fast["ts"].endswith("Z")
        for line in (fast, slow):
            del line["ts"], line["duration_ms"], line["request_id"]
        assert fast == slow and fast["cache"] == "hit" and fast["path"] == path.partition("?")[0]


def test_a_hit_whose_answer_fails_is_logged_as_the_stack_logs_it(
    app: FastAPI, anon: TestClient, reads: dict[str, str]
) -> None:
    """A ``send`` that fails (the client gone): the line says 500, and the request id is in the context, where
    the server logs the failure."""
    anon.get(reads["list"])
    scope = {"type": "http", "method": "GET", "path": NOTICES, "raw_path": NOTICES.encode(), "query_string": b"",
             "headers": [(b"x-request-id", b"gone-1")], "client": ("127.0.0.1", 1), "root_path": ""}  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: MutableMapping[str, Any]) -> None:
        raise OSError("gone")

    async def ask() -> str | None:
        with pytest.raises(OSError):
            await app(scope, receive, send)
        return request_id_var.get()

    root = JsonRoot()
    try:
        before = early(app)
        assert asyncio.run(ask()) == "gone-1"
        lines = root.access_lines()
    finally:
        root.restore()
    assert early(app) == before
    assert [(line["request_id"], line["status"], line["cache"]) for line in lines] == [("gone-1", 500, "hit")]


def test_empty_filters_keep_the_route_in_the_access_line(
    app: FastAPI, anon: TestClient, stack: TestClient, reads: dict[str, str]
) -> None:
    """The query string without its empty values reaches the routes; the access line still names the route that
    answered (it was ``<unmatched>`` while the middleware passed a copy of the scope on)."""
    path = f"{reads['search hit']}&topic="
    anon.get(path)
    root = JsonRoot()
    try:
        anon.get(path, headers={"X-Request-ID": "e-1"})
        stack.get(path, headers={"X-Request-ID": "e-2"})
        stack.get("/api/v1/cases?status=", headers={"X-Request-ID": "e-3"})
        lines = {line["request_id"]: line for line in root.access_lines()}
    finally:
        root.restore()
    assert lines["e-1"]["route"] == lines["e-2"]["route"] == NOTICES
    assert lines["e-1"]["cache"] == lines["e-2"]["cache"] == "hit"
    assert lines["e-3"]["route"] == "/api/v1/cases" and lines["e-3"]["status"] == 401
