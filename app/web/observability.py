"""ASGI middleware: the request id, the access log (one JSON line a request) and the request metrics.

The request id is the client's ``X-Request-ID`` when it is sane (1–128 characters of letters, digits and
``._:-+=/``), otherwise a new one: 32 hex digits, a random prefix drawn once per process and a counter
(``3f9c0a…`` + ``…0000002a``), unique without an ``os.urandom`` call a request. It is returned in the
``X-Request-ID`` response header, kept in ``request.state.request_id`` and in a context variable that the log
formatter reads (``app/logs.py``).

The route is the template that matched (``/api/v1/cases/{reference}``), never the raw path, so the metrics keep a
small, fixed set of label values; a request that matched no route counts as ``<unmatched>``.

Two request paths share these functions: the middleware below (every request that goes through the stack) and the
early answer of a cached public read (``app/web/public/fastpath.py``), which takes the same id, sends the same
header (:class:`Observed`) and writes the same line and the same observation (:func:`record`).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import AccessLog, request_id_var
from app.metrics import REQUEST_LATENCY_BATCH, REQUESTS_IN_PROGRESS

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
_SANE_ID = re.compile(r"^[A-Za-z0-9._:+=/-]{1,128}$")
UNMATCHED = "<unmatched>"
# Any token is a valid HTTP method: others are counted together, to keep the label set small.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes come every few seconds: their lines are DEBUG, not INFO, unless they fail.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
STATUS_CLASSES = {n: f"{n}xx" for n in range(1, 6)}

access_log = AccessLog("crisisdesk.http")
# prometheus-client's labels() validates and locks on every call: the labelled children are kept here instead.
_in_progress: dict[str, Any] = {}


def in_progress_of(method: str) -> Any:
    child = _in_progress.get(method)
    if child is None:
        child = _in_progress[method] = REQUESTS_IN_PROGRESS.labels(method)
    return child


class _RequestIds:
    """New request ids: 16 random hex digits drawn once per process (again in a forked child), then a counter."""

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)
        self.format = self.prefix + "%016x"  # the prefix, then the counter's 16 hex digits

    def new(self) -> str:
        return self.format % (next(self.counter) & 0xFFFF_FFFF_FFFF_FFFF)


_ids = _RequestIds()
os.register_at_fork(after_in_child=_ids.reseed)
new_request_id = _ids.new  # the bound method (a call fewer a request); a forked child reseeds the same object


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for key, value in headers:
        if key == REQUEST_ID_KEY:
            return request_id_of(value)
    return new_request_id()


def request_id_of(given: bytes | None) -> str:
    """The id of a request whose (first) ``X-Request-ID`` header is ``given`` (None: it has none)."""
    if given is None:
        return new_request_id()
    try:
        candidate = given.decode("ascii")
    except UnicodeDecodeError:
        return new_request_id()
    return candidate if _SANE_ID.match(candidate) else new_request_id()


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "OTHER"


class IdFreeHeaders(list[tuple[bytes, bytes]]):
    """Response headers known to hold no ``X-Request-ID`` (the public edge's cached answers: it drops the header
    when it keeps a response), so that :class:`Observed` appends the id without looking for one to replace."""


class Observed:
    """The ``send`` of an observed request: remembers the status and returns the request id in its header
    (replacing any the app set). One per request, on both request paths."""

    __slots__ = ("send", "header", "status", "started")

    def __init__(self, send: Send, request_id: str) -> None:
        self.send = send
        self.header = request_id.encode()
        self.status = 500
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.started = True
            given = message.get("headers", ())
            if type(given) is IdFreeHeaders:
                headers = [*given, (REQUEST_ID_KEY, self.header)]
            else:
                headers = [(k, v) for k, v in given if k.lower() != REQUEST_ID_KEY]
                headers.append((REQUEST_ID_KEY, self.header))
            message = {**message, "headers": headers}
        await self.send(message)


def status_class(status: int) -> str:
    return STATUS_CLASSES.get(status // 100) or f"{status // 100}xx"


def record(
    method: str,
    route: str,
    path: str,
    status: int,
    duration: float,
    *,
    user_id: int | None = None,
    cache: str | None = None,
) -> None:
    """A request's latency observation and access line (``method``: the request's own)."""
    label = method if method in KNOWN_METHODS else "OTHER"
    REQUEST_LATENCY_BATCH.observe((label, route, status_class(status)), duration)
    level = logging.DEBUG if status < 400 and route in QUIET_ROUTES else logging.INFO
    access_log.request(level, label, method, route, path, status, duration, user_id, cache)


def record_hit(
    kept: dict[tuple[str, int], Any], method: str, route: str, path: str, status: int, duration: float, request_id: str
) -> None:
    """:func:`record` of an answer from the public cache on the early path (``cache="hit"``, no user), with its
    request id: what does not change from one hit to the next (the access line's shape, the histogram's labels) is
    made once and kept in ``kept``, the cached answer's own dictionary, by method and status."""
    found = kept.get((method, status))
    if found is None:
        label = method_label(method)
        level = logging.DEBUG if status < 400 and route in QUIET_ROUTES else logging.INFO
        shape = access_log.shape(level, label, method, route, path, status, None, "hit")
        found = kept[(method, status)] = (shape, (label, route, status_class(status)))
    REQUEST_LATENCY_BATCH.observe(found[1], duration)
    access_log.write(found[0], request_id, duration)


def route_template(scope: Scope, root_path: str = "") -> str:
    """The full template of the route that served the request (``/api/v1/cases/{reference}``).

    FastAPI ≥ 0.150 no longer copies included routes into the app: ``scope["route"]`` is then the route as its own
    router declared it (``/cases/{reference}``) and the full template is on the "effective route context" FastAPI
    keeps in ``scope["fastapi"]``. Older versions put the full route in ``scope["route"]``. A mounted app (the
    static files) leaves only its prefix, added to ``root_path``. A test pins the results.
    """
    cached = scope.get("crisisdesk.route")  # a public response served from the edge's cache (no routing ran)
    if isinstance(cached, str):
        return cached
    fastapi_scope = scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    for candidate in (context, scope.get("route")):
        template = getattr(candidate, "path_format", None)
        if isinstance(template, str) and template:
            return template
    mounted: str = scope.get("root_path", "")
    if mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return UNMATCHED


class RequestObservability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope["headers"])
        request_id_var.set(request_id)  # the request's own task: it does not leak into other requests
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        method: str = scope["method"]
        root_path: str = scope.get("root_path", "")
        observed = Observed(send, request_id)
        started = time.perf_counter()
        in_progress = in_progress_of(method_label(method))
        in_progress.inc()
        try:
            await self.app(scope, receive, observed)
        except BaseException:
            observed.status = 500  # the error handler answers 500 (with the id: app/web/errors.py) after we re-raise
            raise
        finally:
            in_progress.dec()
            actor = scope.get("state", {}).get("actor")
            # The public edge's answer (hit or miss: ``cache``) names its route on the scope it was given.
            record(method, route_template(scope, root_path), scope.get("path", ""), observed.status,
                   time.perf_counter() - started, user_id=getattr(actor, "user_id", None),
                   cache=scope.get("crisisdesk.cache"))  # fmt: skip
