"""The early path: a cached public read answered before the middleware stack, with the stack's own answer.

A read already in the public edge's cache costs little to answer (a dictionary look-up and two ``send`` calls) but
much more to reach: FastAPI's and Starlette's outer layers, then each middleware's wrapper in turn. The application
class (:class:`CrisisDeskApp`) therefore answers such a read itself, when — and only when — it can be certain that
the stack would give the same answer:

* the edge decides (:meth:`PublicEdge.early <app.web.public.edge.PublicEdge.early>`): a ``GET``/``HEAD`` of the
  public API or a cached page, a cache checked within its interval with no version pushed by Redis still to read,
  no cookie but ``lang`` (so no read-after mark of a client who just wrote, no staff session), and the answer in
  the cache, under the key the stack would look up (the query string without its empty values, as
  ``EmptyQueryValues`` gives it to the stack: the same function);
* the same limiter object takes the token from the same bucket (this process's own, taken without a turn of the
  event loop; with Redis, the shared one, awaited), and a refused request gets the edge's own 429;
* the answer is the cached entry's (:meth:`Entry.answer <app.web.public.edge.Entry.answer>`: 200, 304 or a HEAD's
  headers, the one choice, which the edge's ``try_hit`` makes for the stack too);
* the observability is the stack's (``app/web/observability.py``): the same request id (``request_id_of``),
  returned in the same header as :class:`~app.web.observability.Observed` adds it, the same access line with
  ``"cache": "hit"`` and the same latency observation (:func:`~app.web.observability.record_hit`, the line's shape
  and the histogram's labels kept per cached answer); the in-progress gauge while the request may wait (on Redis:
  without it an early hit never gives the event loop a turn, so nothing could see it in progress).

A hit is flat, because it runs for every cached read: one coroutine of ours (the app's ``__call__``, then ``_hit``
for the two sends), no wrapper around ``send``, the body's message made once per cached answer, the clock read as a
float (``time.time`` for the real one) against the cache's interval kept as timestamps, and the request id set in
the context only if the answer fails (nothing else logs during a hit; the server logs the failure in this task's
context). ``bench/public_hit_cost.py`` measures it.

Anything else — a miss, a stale cache, a cookie, a POST, a staff page — goes through the whole stack, unchanged.
If the cache changed while the limiter waited on Redis, the request goes through the stack too, marked as already
admitted (``ADMITTED_KEY``) so that it does not take a second token. ``tests/web/public/test_fastpath.py`` pins the
answers byte for byte against the stack's. A new middleware that must see every public read has to be applied to
this path too (or make :meth:`PublicEdge.early` decline): that test fails otherwise if it changes an answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import utcnow
from app.logs import request_id_var
from app.web.middleware import without_empty_values
from app.web.observability import (
    REQUEST_ID_KEY,
    Observed,
    in_progress_of,
    method_label,
    new_request_id,
    record,
    record_hit,
    request_id_of,
)
from app.web.public.edge import ADMITTED_KEY, LIMITED_ROUTES, READ_METHODS, EarlyHit, Entry, PublicEdge
from app.web.public.ratelimit import LocalLimiter, TokenBuckets

Layer = TypeVar("Layer")


def find_layer(app: Any, kind: type[Layer]) -> Layer | None:
    """The first layer of ``kind`` in a chain of ASGI apps each keeping the next as ``.app``: the public edge in a
    built middleware stack, or our app under the middleware uvicorn puts around it."""
    layer: Any = app
    for _ in range(64):
        if isinstance(layer, kind):
            return layer
        layer = getattr(layer, "app", None)
        if layer is None:
            return None
    return None


def timestamps(clock: Callable[[], Any]) -> Callable[[], float]:
    """The app's clock as POSIX timestamps: ``time.time`` itself for the real clock (what ``utcnow`` reads, without
    making a datetime), else the clock's datetimes converted (the tests' frozen clock)."""
    if clock is utcnow:
        return time.time
    return lambda: float(clock().timestamp())


class CrisisDeskApp(FastAPI):
    """FastAPI, with cached public reads answered before the middleware stack (the module docstring)."""

    public_edge: PublicEdge | None = None
    early_answers = 0  # requests answered by the early path (hits and 429s), for the tests and the benchmarks
    protocol_answers = 0  # of them, hits answered by the HTTP protocol itself (``answer_now``)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        edge = self.public_edge = find_layer(stack, PublicEdge)
        self._now = timestamps(self.state.clock)  # set by create_app before the stack is built
        # The read limiter's buckets when they are this process's own: taken without a turn of the event loop.
        self._own_buckets: TokenBuckets | None = None
        if edge is not None and isinstance(edge.reads, LocalLimiter):
            self._own_buckets = edge.reads.buckets
        return stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        edge = self.public_edge
        if edge is not None and scope["type"] == "http" and not self.root_path:
            if scope["query_string"] and scope["method"] in READ_METHODS:  # as EmptyQueryValues does
                scope["query_string"] = without_empty_values(scope["query_string"])
            now = self._now()
            early = edge.early(scope, now)
            if early is not None:
                # The hit is answered from here (a coroutine layer fewer); a limit that waits on Redis or refuses
                # is answered by the methods below.
                kind, key, entry, if_none_match, address, given_id = early
                request_id = new_request_id() if given_id is None else request_id_of(given_id)
                started = time.perf_counter()
                buckets = self._own_buckets
                answered = True
                if edge.limits and buckets is None:  # the shared buckets (Redis): the request may wait
                    answered = await self._answer_after_waiting(edge, early, request_id, scope, receive, send, now,
                                                                started)  # fmt: skip
                elif edge.limits and buckets is not None and (wait := buckets.take(address, now)):
                    answered = await self._too_many(edge, kind, request_id, scope, receive, send, wait, started)
                else:
                    cache = edge.cache
                    cache.hits += 1
                    cache.entries.move_to_end(key)
                    await self._hit(entry, if_none_match, request_id, scope, send, started)
                if answered:
                    self.early_answers += 1
                    return
        await super().__call__(scope, receive, send)

    def answer_now(
        self,
        scope: Scope,
        writelines: Callable[[list[bytes]], object],
        status_lines: Mapping[int, bytes],
        server_headers: list[tuple[bytes, bytes]],
    ) -> bool:
        """The early hit of ``__call__`` made without the event loop, by the HTTP protocol itself
        (:class:`app.web.public.protocol.EarlyHitProtocol`): the same decision (``PublicEdge.early``), the same
        answer (``Entry.answer``) with the request id in its header, written at once as the server writes an
        answer (its ``status_lines``, then its own ``server_headers``: ``date``, ``server``), and the same access
        line and latency (:func:`record_hit`). Only when nothing needs a wait: no limits, or this process's own
        buckets with a token for the client. False (nothing written) for anything else — a miss, a refusal, a
        shared limiter — which the protocol then hands to uvicorn's ASGI cycle and ``__call__``, as before;
        ``scope`` holds what uvicorn would give the app (method, path, raw path, query string, headers, client),
        empty query values already dropped."""
        edge = self.public_edge
        if edge is None or self.root_path:
            return False
        started = time.perf_counter()
        now = self._now()
        early = edge.early(scope, now)
        if early is None:
            return False
        _kind, key, entry, if_none_match, address, given_id = early
        if edge.limits:
            buckets = self._own_buckets
            if buckets is None or buckets.take(address, now):
                return False  # the shared buckets (a wait), or a refusal: the stack's early path answers it
        cache = edge.cache
        cache.hits += 1
        cache.entries.move_to_end(key)
        request_id = new_request_id() if given_id is None else request_id_of(given_id)
        method: str = scope["method"]
        status, headers, body = entry.answer(method, if_none_match)
        content = [status_lines[status]]
        for name, value in server_headers:
            content += (name, b": ", value, b"\r\n")
        for name, value in headers:
            content += (name, b": ", value, b"\r\n")
        content += (REQUEST_ID_KEY, b": ", request_id.encode(), b"\r\n\r\n")
        self.early_answers += 1  # before the answer leaves: whoever reads it may count
        self.protocol_answers += 1
        payload: bytes = body.get("body", b"")
        # The head and the body as two buffers of one write (uvloop: one ``writev``): the body is not copied.
        writelines([b"".join(content), payload] if payload else [b"".join(content)])
        record_hit(entry.observed, method, entry.route, scope["path"], status, time.perf_counter() - started,
                   request_id)  # fmt: skip
        return True

    @staticmethod
    async def _hit(
        entry: Entry, if_none_match: bytes | None, request_id: str, scope: Scope, send: Send, started: float
    ) -> None:
        """The cached answer (:meth:`Entry.answer`, as the edge's own ``try_hit`` sends it) with the request id in
        its ``X-Request-ID`` header, as :class:`Observed` adds it to the stack's, then its access line and latency
        (:func:`record_hit`). The request id is not set in the context: nothing logs while a hit is sent, but a
        failure (logged by the server, in this task's context) carries it."""
        method: str = scope["method"]
        status, headers, body = entry.answer(method, if_none_match)
        try:
            await send({"type": "http.response.start", "status": status,
                        "headers": [*headers, (REQUEST_ID_KEY, request_id.encode())]})  # fmt: skip
            await send(body)
        except BaseException:
            request_id_var.set(request_id)
            status = 500  # as the stack logs a request whose answer failed
            raise
        finally:
            record_hit(entry.observed, method, entry.route, scope["path"], status, time.perf_counter() - started,
                       request_id)  # fmt: skip

    async def _answer_after_waiting(
        self,
        edge: PublicEdge,
        early: EarlyHit,
        request_id: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        now: float,
        started: float,
    ) -> bool:
        """The limits in Redis: the request waits for its token, in progress meanwhile, with its request id in the
        context (a failure of Redis is logged with it); then the hit, if the answer is still cached and no version
        was pushed meanwhile (the stack checks it first), else the stack (marked as admitted)."""
        kind, key, _entry, if_none_match, address, _given = early
        scope["app"] = self
        request_id_var.set(request_id)
        in_progress = in_progress_of(method_label(scope["method"]))
        in_progress.inc()
        try:
            try:
                wait = await edge.reads.take(address, now)
            except Exception:
                return False
            if wait:
                return await self._too_many(edge, kind, request_id, scope, receive, send, wait, started)
            cache = edge.cache
            entry = cache.get(key) if cache.wanted is None else None
            if entry is None:
                scope[ADMITTED_KEY] = True
                return False
            cache.hits += 1
            await self._hit(entry, if_none_match, request_id, scope, send, started)
            return True
        finally:
            in_progress.dec()

    async def _too_many(
        self,
        edge: PublicEdge,
        kind: str,
        request_id: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        wait: int,
        started: float,
    ) -> bool:
        """The edge's own 429, observed as the stack observes it. False if it failed before it began (nothing sent,
        nothing logged: the stack meets the failure again)."""
        scope["app"] = self
        request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        observed = Observed(send, request_id)
        try:
            await edge.too_many(scope, receive, observed, kind, wait)
            return True
        except Exception:
            if not observed.started:
                return False
            observed.status = 500
            raise
        finally:
            if observed.started:
                record(scope["method"], LIMITED_ROUTES[kind], scope["path"], observed.status,
                       time.perf_counter() - started)  # fmt: skip
