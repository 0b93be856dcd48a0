"""Cached public reads answered by the HTTP protocol itself, below ASGI (``crisisdesk serve``).

The early path (``app/web/public/fastpath.py``) answers a cached read before the middleware stack, but still as an
ASGI application: uvicorn makes a task, a request cycle, two ``send`` messages and their checks for every request,
and that alone cost more CPU than a cached answer may add to uvicorn's own work (issue 17: ≥ 90 % of a bare ASGI
callable's throughput; bench/README.md). :class:`EarlyHitProtocol` is uvicorn's httptools protocol with one
change: once a request's headers are parsed it offers the request to the app's :meth:`CrisisDeskApp.answer_now
<app.web.public.fastpath.CrisisDeskApp.answer_now>` — the early path's own decision, answer and observability —
which writes the cached answer at once (one write of two buffers, the body not copied), as uvicorn would have
written it (its status line, its ``date`` and ``server`` headers). Only a request that can be answered at once, on
a connection with nothing in flight and a client that reads its answers (the transport's writing not paused), is
offered: a ``GET``/``HEAD`` over HTTP/1.1 that keeps the connection alive, no upgrade, no concurrency limit set.
Everything else, and everything ``answer_now`` declines (a miss, a stale cache, a cookie, a refused or shared rate
limit), goes to uvicorn's ASGI cycle unchanged. ``tests/web/public/test_protocol.py`` runs a real server and pins
each answer byte for byte against the ASGI path's.

It depends on uvicorn's ``HttpToolsProtocol`` (its parser, ``cycle``, ``on_response_complete``): the tests start
the real server, so an upgrade of uvicorn that changes them fails there, not in production.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.web.middleware import without_empty_values
from app.web.public.fastpath import CrisisDeskApp, find_layer


class _Answered:
    """The request cycle of a request the protocol answered itself: complete, so that uvicorn's callbacks for the
    rest of the request (a body, its end, a lost connection, a shutdown) leave it alone — each reads
    ``response_complete`` first; a lost connection also sets ``message_event``."""

    response_complete = True

    def __init__(self) -> None:
        self.message_event = asyncio.Event()


# Paths with %-escapes (a notice's number: ``1333%2FTB-SGD%C4%90T``) as uvicorn decodes them, by raw path:
# ``urllib.parse.unquote`` costs ~3 µs, as much as the rest of a hit's decision. At most ``_UNQUOTED_KEPT``.
_UNQUOTED: dict[bytes, str] = {}
_UNQUOTED_KEPT = 4096


def _unquoted(raw_path: bytes, path: str) -> str:
    found = _UNQUOTED.get(raw_path)
    if found is None:
        if len(_UNQUOTED) >= _UNQUOTED_KEPT:
            _UNQUOTED.clear()
        found = _UNQUOTED[raw_path] = urllib.parse.unquote(path)
    return found


class EarlyHitProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering cached public reads itself (the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crisisdesk = find_layer(self.app, CrisisDeskApp)  # under uvicorn's middleware, if any
        self._answered = _Answered()

    def on_headers_complete(self) -> None:
        if not self._answer_now():
            super().on_headers_complete()

    def _answer_now(self) -> bool:
        app = self._crisisdesk
        cycle = self.cycle
        if app is None or (cycle is not None and not cycle.response_complete) or self.limit_concurrency is not None:
            return False
        if self.flow.write_paused:  # the client does not read what it asked: the ASGI cycle waits for it to drain
            return False
        parser = self.parser
        method = parser.get_method()
        if method != b"GET" and method != b"HEAD":
            return False
        if parser.get_http_version() != "1.1" or not parser.should_keep_alive() or parser.should_upgrade():
            return False
        # The scope as uvicorn completes it (``on_headers_complete``); it does it again if the app declines.
        url = httptools.parse_url(self.url)
        raw_path: bytes = url.path
        path = raw_path.decode("ascii")
        if "%" in path:
            path = _unquoted(raw_path, path)
        scope: Any = self.scope
        scope["method"] = "GET" if method == b"GET" else "HEAD"
        scope["path"] = self.root_path + path
        scope["raw_path"] = self.root_path.encode("ascii") + raw_path
        query: bytes = url.query or b""
        scope["query_string"] = without_empty_values(query) if query else query
        if not app.answer_now(scope, self.transport.writelines, STATUS_LINE, self.server_state.default_headers):
            return False
        self.cycle = self._answered  # type: ignore[assignment]
        self.on_response_complete()
        return True
