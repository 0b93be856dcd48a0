"""ASGI middleware: the request id, the access log (one JSON line a request) and the request metrics.

The request id is the client's ``X-Request-ID`` when it is sane (1–128 characters of letters, digits and
``._:-+=/``), otherwise a new random one; it is returned in the ``X-Request-ID`` response header, kept in
``request.state.request_id`` and in a context variable that the log formatter reads (``app/logs.py``).

The route is the template that matched (``/api/v1/cases/{reference}``), never the raw path, so the metrics keep a
small, fixed set of label values; a request that matched no route counts as ``<unmatched>``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import AccessLog, request_id_var
from app.metrics import REQUEST_LATENCY, REQUESTS_IN_PROGRESS

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode()
_SANE_ID = re.compile(r"^[A-Za-z0-9._:+=/-]{1,128}$")
UNMATCHED = "<unmatched>"
# Any token is a valid HTTP method: others are counted together, to keep the label set small.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes come every few seconds: their lines are DEBUG, not INFO, unless they fail.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

access_log = AccessLog("crisisdesk.http")
# prometheus-client's labels() validates and locks on every call: the labelled children are kept here instead.
_in_progress: dict[str, Any] = {}
_latency: dict[tuple[str, str, str], Any] = {}


def _in_progress_of(method: str) -> Any:
    child = _in_progress.get(method)
    if child is None:
        child = _in_progress[method] = REQUESTS_IN_PROGRESS.labels(method)
    return child


def _latency_of(method: str, route: str, status_class: str) -> Any:
    key = (method, route, status_class)
    child = _latency.get(key)
    if child is None:
        child = _latency[key] = REQUEST_LATENCY.labels(method, route, status_class)
    return child


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for key, value in headers:
        if key == _HEADER_KEY:
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                break
            if _SANE_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


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
        method: str = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        root_path: str = scope.get("root_path", "")
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER_KEY]
                headers.append((_HEADER_KEY, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        in_progress = _in_progress_of(method)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            status = 500  # the error handler answers 500 (with the id: app/web/errors.py) after we re-raise
            raise
        finally:
            in_progress.dec()
            duration = time.perf_counter() - started
            route = route_template(scope, root_path)
            _latency_of(method, route, f"{status // 100}xx").observe(duration)
            actor = scope.get("state", {}).get("actor")
            level = logging.DEBUG if route in QUIET_ROUTES and status < 400 else logging.INFO
            fields = {
                "method": scope["method"],
                "route": route,
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "user_id": getattr(actor, "user_id", None),
            }
            cache = scope.get("crisisdesk.cache")
            if cache is not None:
                fields["cache"] = cache  # the public edge: served from its cache (hit) or rendered (miss)
            access_log.log(level, f"{method} {route} {status}", fields)
