"""The access log's direct writer: the same JSON line as the logging path, written in batches."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from app.logs import AccessLog, JsonFormatter, RequestIdFilter, request_id_var

T = TypeVar("T")


class Root:
    """The root logger configured as ours (one JSON stream handler) on a string, while ``ours()`` holds (pytest
    adds its own capturing handlers at the start of each test's body: ``ours()`` takes them away again)."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.handler.addFilter(RequestIdFilter())
        self.root = logging.getLogger()
        self.saved = (self.root.handlers[:], self.root.level)

    def ours(self) -> None:
        self.root.handlers[:] = [self.handler]
        self.root.setLevel(logging.INFO)

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def restore(self) -> None:
        self.root.handlers[:] = self.saved[0]
        self.root.setLevel(self.saved[1])


def in_a_fresh_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a thread with no event loop: another test on this pytest worker (the browser tests' sync
    Playwright) may have left one running in the main thread, and the writer batches only inside a loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


@pytest.fixture
def root() -> Iterator[Root]:
    r = Root()
    yield r
    r.restore()


def test_direct_lines_match_the_formatter(root: Root) -> None:
    root.ours()
    log = AccessLog("crisisdesk.test_access")

    def request() -> None:
        request_id_var.set("req-7")  # the thread's own context: nothing to reset
        log.log(logging.INFO, "GET /notices 200", {"method": "GET", "route": "/notices", "status": 200, "cache": "hit"})
        log.log(logging.DEBUG, "GET /healthz 200", {"route": "/healthz"})  # below the level: nothing

    in_a_fresh_thread(request)
    (line,) = [json.loads(x) for x in root.lines()]
    assert line["level"] == "INFO" and line["logger"] == "crisisdesk.test_access" and line["request_id"] == "req-7"
    assert line["message"] == "GET /notices 200" and line["cache"] == "hit" and line["ts"].endswith("Z")
    via_logging = logging.LogRecord("crisisdesk.test_access", logging.INFO, "x", 0, "GET /notices 200", None, None)
    assert set(json.loads(JsonFormatter().format(via_logging))) <= set(line)


def test_in_the_event_loop_lines_are_batched(root: Root) -> None:
    root.ours()
    log = AccessLog("crisisdesk.test_access", flush_seconds=0.01, max_lines=3)

    async def requests() -> list[int]:
        seen = []
        for i in range(5):
            log.log(logging.INFO, f"GET /x {i}", {"n": i})
            seen.append(len(root.lines()))
        await asyncio.sleep(0.05)
        seen.append(len(root.lines()))
        return seen

    assert in_a_fresh_thread(lambda: asyncio.run(requests())) == [
        0,
        0,
        3,
        3,
        3,
        5,
    ]  # a full batch at once; the rest on the timer
    assert [json.loads(x)["n"] for x in root.lines()] == [0, 1, 2, 3, 4]


def test_other_configurations_go_through_logging(root: Root) -> None:
    root.ours()
    records: list[logging.LogRecord] = []
    extra = logging.Handler()
    extra.emit = records.append  # type: ignore[method-assign,assignment]
    logging.getLogger("crisisdesk").addHandler(extra)  # e.g. a test's capture, or a second destination
    try:
        AccessLog("crisisdesk.test_access").log(logging.INFO, "GET /y 200", {"route": "/y"})
    finally:
        logging.getLogger("crisisdesk").removeHandler(extra)
    assert [r.getMessage() for r in records] == ["GET /y 200"]
    assert records[0].route == "/y"  # type: ignore[attr-defined]
    assert json.loads(root.lines()[0])["route"] == "/y"  # and the root's JSON handler still has its line


@pytest.mark.parametrize(
    ("method", "route", "path", "status", "user_id", "cache"),
    [
        ("GET", "/notices/{key}", "/notices/2026-tb-12", 200, None, "hit"),
        ("HEAD", "/api/public/v1/notices/{key}", "/api/public/v1/notices/12/TB-SGDĐT", 304, None, "hit"),
        ("POST", "/api/v1/cases", '/api/v1/cases/"quoted"\\back\tslash\u2028', 201, 7, None),
        ("BREW", "<unmatched>", "/tệp/ảnh", 405, 123456789, "miss"),
    ],
)
def test_request_lines_match_the_logging_path(
    root: Root, method: str, route: str, path: str, status: int, user_id: int | None, cache: str | None
) -> None:
    """``AccessLog.request``'s f-string line is the JSON the formatter writes for the same fields, key for key
    and in the same order, whatever the path holds (quotes, backslashes, controls, Vietnamese)."""
    root.ours()
    log = AccessLog("crisisdesk.test_access")
    label = method if method in ("GET", "HEAD", "POST") else "OTHER"

    def request() -> None:
        request_id_var.set("req-9")
        log.request(logging.INFO, label, method, route, path, status, 0.012345, user_id, cache)

    in_a_fresh_thread(request)
    direct = json.loads(root.stream.getvalue().split("\n")[0])  # not splitlines(): U+2028 is not a line break here
    records: list[logging.LogRecord] = []
    extra = logging.Handler()
    extra.emit = records.append  # type: ignore[method-assign,assignment]
    logging.getLogger("crisisdesk").addHandler(extra)  # not ours any more: through logging
    try:
        in_a_fresh_thread(request)
    finally:
        logging.getLogger("crisisdesk").removeHandler(extra)
    via_logging = json.loads(JsonFormatter().format(records[0]))
    assert list(direct) == list(via_logging)
    del direct["ts"], via_logging["ts"]
    assert direct == via_logging
    assert direct["message"] == f"{label} {route} {status}" and direct["duration_ms"] == 12.35
    assert direct["path"] == path and direct["request_id"] == "req-9"
    assert ("cache" in direct) is (cache is not None)


@pytest.mark.parametrize(
    "seconds", [0.0, 1e-7, 4.9e-6, 5e-6, 1.5e-5, 0.000125, 0.001, 0.0012345, 0.012345, 0.1, 1.0, 10.0, 123.456789]
)
def test_the_duration_is_written_as_json_writes_it(root: Root, seconds: float) -> None:
    """The direct line's ``duration_ms`` is the text ``json.dumps(round(seconds * 1000, 2))`` gives (the logging
    path's), byte for byte: ``0.0``, ``12.35``, ``1000.0``."""
    root.ours()
    log = AccessLog("crisisdesk.test_access")
    shape = log.shape(logging.INFO, "GET", "GET", "/x", "/x", 200, None, "hit")
    in_a_fresh_thread(lambda: log.write(shape, "req-1", seconds))
    (line,) = root.lines()
    assert f'"duration_ms": {json.dumps(round(seconds * 1000, 2))},' in line


def test_the_timestamp_is_utc_to_the_millisecond(root: Root) -> None:
    log = AccessLog("crisisdesk.test_access")
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = log._timestamp()
    parsed = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert len(stamp) == 24 and stamp.endswith("Z")
    assert before <= parsed <= datetime.now(UTC)
