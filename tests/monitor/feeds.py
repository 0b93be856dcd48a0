"""Real HTTP servers on 127.0.0.1 (ephemeral ports) serving fixture feeds and every kind of bad source."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Recorded:
    path: str
    at: float
    headers: dict[str, str]


@dataclass
class FeedServer:
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


@contextmanager
def serve(routes: dict[str, Handler] | None = None) -> Iterator[FeedServer]:
    state = FeedServer(routes=dict(routes or {}))

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            with state.lock:
                state.active += 1
                state.max_active = max(state.max_active, state.active)
                state.requests.append(Recorded(self.path, time.monotonic(), dict(self.headers.items())))
            try:
                handler = state.routes.get(self.path.split("?")[0])
                if handler is None:
                    send(self, 404, b"not found", "text/plain")
                else:
                    handler(self)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with state.lock:
                    state.active -= 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/rss+xml",
         headers: dict[str, str] | None = None) -> None:  # fmt: skip
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def static(body: bytes, content_type: str = "application/rss+xml", etag: str | None = None) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        if etag and h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        send(h, 200, body, content_type, {"ETag": etag} if etag else None)

    return handler


def slow(seconds: float) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send(h, 200, rss("Chậm", []))

    return handler


def status(code: int) -> Handler:
    return lambda h: send(h, code, b"<h1>Internal Server Error</h1>", "text/html")


def huge(megabytes: int) -> Handler:
    """A feed of ``megabytes`` MB sent without a Content-Length (the client must stop reading by itself)."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title>")
        chunk = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->"
        for _ in range(megabytes):
            h.wfile.write(chunk)
        h.close_connection = True

    return handler


def redirect(to: str) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handler


def rss(channel: str, items: list[tuple[str, str, str, str]]) -> bytes:
    """RSS 2.0: items as (guid, link, title, description)."""
    body = "".join(
        f"<item><guid>{escape(g)}</guid><link>{escape(link)}</link><title>{escape(t)}</title>"
        f"<description>{escape(d)}</description><pubDate>Thu, 26 Nov 2026 23:30:00 +0000</pubDate></item>"
        for g, link, t, d in items
    )
    head = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(channel)}</title>'
    return (
        head + f"<link>https://example.vn/</link><description>Giáo dục</description>{body}</channel></rss>"
    ).encode()


def atom(channel: str, items: list[tuple[str, str, str, str]]) -> bytes:
    body = "".join(
        f'<entry><id>{escape(g)}</id><link href="{escape(link)}"/><title>{escape(t)}</title>'
        f"<summary>{escape(d)}</summary><updated>2026-11-27T00:10:00Z</updated></entry>"
        for g, link, t, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(channel)}'
            f"</title><id>urn:x</id><updated>2026-11-27T00:10:00Z</updated>{body}</feed>").encode()  # fmt: skip


LAM_THU_TEXT = (
    "Nhiều phụ huynh Trường THCS Nguyễn Du, phường Bến Thành, phản ánh mỗi học sinh lớp 6 phải nộp hơn 4 triệu "
    "đồng trong tuần đầu năm học. Các khoản gồm tiền máy lạnh, tiền tivi, quỹ ban đại diện cha mẹ học sinh và tiền "
    "đồng phục. Bà Trần Thị Mai, phụ huynh lớp 6A3, cho biết danh sách khoản thu được gửi qua nhóm Zalo mà không có "
    "cuộc họp nào. Hiệu trưởng Lê Văn Thành cho biết trường sẽ rà soát lại các khoản thu thỏa thuận."
)
LAM_THU_EDITED = (
    "Nhiều cha mẹ học sinh Trường THCS Nguyễn Du, phường Bến Thành, phản ảnh mỗi học trò lớp 6 phải nộp hơn 4 triệu "
    "đồng trong tuần đầu năm học. Các khoản gồm tiền máy lạnh, tiền tivi, quỹ ban đại diện và tiền đồng phục. "
    "Hiệu trưởng Lê Văn Thành thông tin trường sẽ rà soát lại các khoản thu thỏa thuận."
)
OLYMPIC_TEXT = (
    "Đội tuyển Toán TP.HCM giành 2 huy chương vàng, 3 huy chương bạc và 3 huy chương đồng tại kỳ thi chọn học sinh "
    "giỏi quốc gia. Em Nguyễn Gia Bảo, lớp 12 Trường Phổ thông Năng khiếu, đạt điểm cao nhất với 38/42 điểm."
)
