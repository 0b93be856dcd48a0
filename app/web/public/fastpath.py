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
* the same limiter object takes the token from the same bucket (with Redis, the shared one, awaited), and a refused
  request gets the edge's own 429;
* the edge answers it (:meth:`PublicEdge.try_hit <app.web.public.edge.PublicEdge.try_hit>`, the one implementation
  of a hit, which the middleware calls too);
* the observability is the stack's (``app/web/observability.py``): the same request id, returned in the same
  header (:class:`~app.web.observability.Observed`), the same access line with ``"cache": "hit"`` and the same
  latency observation (:func:`~app.web.observability.record`); the in-progress gauge while the request may wait
  (on Redis: without it an early hit never gives the event loop a turn, so nothing could see it in progress).

Anything else — a miss, a stale cache, a cookie, a POST, a staff page — goes through the whole stack, unchanged.
If the cache changed while the limiter waited on Redis, the request goes through the stack too, marked as already
admitted (``ADMITTED_KEY``) so that it does not take a second token. ``tests/web/public/test_fastpath.py`` pins the
answers byte for byte against the stack's. A new middleware that must see every public read has to be applied to
this path too (or make :meth:`PublicEdge.early` decline): that test fails otherwise if it changes an answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.logs import request_id_var
from app.web.middleware import without_empty_values
from app.web.observability import Observed, in_progress_of, method_label, record, request_id_from
from app.web.public.edge import ADMITTED_KEY, LIMITED_ROUTES, READ_METHODS, ROUTE_KEY, EarlyHit, PublicEdge
from app.web.public.ratelimit import LocalLimiter


def find_edge(app: ASGIApp) -> PublicEdge | None:
    """The public edge in a built middleware stack (each layer keeps the next as ``.app``)."""
    layer: Any = app
    for _ in range(64):
        if isinstance(layer, PublicEdge):
            return layer
        layer = getattr(layer, "app", None)
        if layer is None:
            return None
    return None


class CrisisDeskApp(FastAPI):
    """FastAPI, with cached public reads answered before the middleware stack (the module docstring)."""

    public_edge: PublicEdge | None = None
    early_answers = 0  # requests answered by the early path (hits and 429s), for the tests and the benchmarks

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        self.public_edge = find_edge(stack)
        self._clock: Callable[[], datetime] = self.state.clock  # set by create_app before the stack is built
        return stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        edge = self.public_edge
        if edge is not None and scope["type"] == "http" and not self.root_path:
            if scope["query_string"] and scope["method"] in READ_METHODS:  # as EmptyQueryValues does
                scope["query_string"] = without_empty_values(scope["query_string"])
            now = self._clock()
            early = edge.early(scope, now)
            if early is not None:
                scope["app"] = self
                if await self._answer_early(edge, early, scope, receive, send, now.timestamp()):
                    self.early_answers += 1
                    return
        await super().__call__(scope, receive, send)

    async def _answer_early(
        self, edge: PublicEdge, early: EarlyHit, scope: Scope, receive: Receive, send: Send, now: float
    ) -> bool:
        """Answer an early hit as the stack would (limits, the hit, the observability). False when nothing was sent
        (nothing logged either): the entry left the cache, or a version was pushed, while the limiter waited on
        Redis (the request is then marked as admitted), or something failed before the answer began (not marked:
        the stack meets the failure again and reports it as it reports any)."""
        request_id = request_id_from(scope["headers"])
        request_id_var.set(request_id)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        method: str = scope["method"]
        observed = Observed(send, request_id)
        started = time.perf_counter()
        # In progress: only where the request may wait (on Redis). With this process's own buckets an early hit
        # runs to its end without giving the event loop a turn: no scrape could see it in progress.
        in_progress = None if isinstance(edge.reads, LocalLimiter) else in_progress_of(method_label(method))
        if in_progress is not None:
            in_progress.inc()
        entry = None
        try:
            if edge.limits:
                wait = await edge.reads.take(early.address, now)
                if wait:
                    await edge.too_many(scope, receive, observed, early.kind, wait)
                    return True
            # A version pushed meanwhile (while Redis answered the limiter): the stack checks it first.
            if edge.cache.wanted is None:
                entry = await edge.try_hit(scope, early.key, early.if_none_match, observed)
            if entry is None:
                scope[ADMITTED_KEY] = True
                return False
            return True
        except Exception:
            if not observed.started:
                return False
            observed.status = 500
            raise
        finally:
            if in_progress is not None:
                in_progress.dec()
            if observed.started:
                duration = time.perf_counter() - started
                if entry is not None:
                    record(method, entry.route, scope["path"], observed.status, duration, cache="hit")
                else:
                    route = scope.get(ROUTE_KEY) or LIMITED_ROUTES[early.kind]
                    record(method, route, scope["path"], observed.status, duration)
