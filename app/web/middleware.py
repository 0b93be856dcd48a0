"""ASGI middleware: limits on what a client sends (431, 413, 408); security headers on every response; empty query
values dropped (a filter form's "all" choice)."""

from __future__ import annotations

import asyncio
import json
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _, negotiate, text

# Our pages load nothing but our own files: no inline script or style, no frames, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs (/docs, app/web/api_docs.py) load Swagger UI from our own files; Swagger UI sets inline
# styles and shows the schema's images from data: URLs. No other host.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds the browser security headers to every HTTP response (unless a route set them itself).

    CSP without inline scripts or styles, no framing, no MIME sniffing, no cross-origin referrer; HSTS when the
    app is served with secure cookies (i.e. behind HTTPS); authenticated staff pages are never stored in caches.
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CONTENT_SECURITY_POLICY if path.startswith(DOCS_PATHS) else CONTENT_SECURITY_POLICY
        staff = path == "/staff" or path.startswith("/staff/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if staff:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Multipart framing and the form's other fields (description, CSRF token) around an uploaded file.
UPLOAD_OVERHEAD = 1024 * 1024


def is_upload(scope: Scope) -> bool:
    """A file upload (``POST …/attachments``: API and staff pages), allowed up to CRISISDESK_MAX_UPLOAD_MB."""
    return scope.get("method") == "POST" and str(scope.get("path", "")).rstrip("/").endswith("/attachments")


class BodySizeLimit:
    """Limits on what a client may send, answered before the app spends anything on it.

    * Headers over ``max_header_bytes`` in all → 431.
    * A body over ``max_bytes`` (``upload_bytes`` for a file upload) → 413, whether declared (Content-Length) or
      not (chunked): the app may catch the error while parsing and answer 400, so the answer is replaced on its
      way out.
    * A body that stops coming (a Content-Length of 100 and 2 bytes sent) → 408 after ``idle_seconds`` without a
      byte, or ``total_seconds`` in all, and the connection is closed: a slow client cannot hold a worker. Once
      the body is in, the limits end: an answer may stream for longer (the app then only waits for a disconnect).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_header_bytes: int = 16 * 1024,
        idle_seconds: float = 10.0,
        total_seconds: float = 60.0,
        upload_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.max_header_bytes = max_header_bytes
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.max_header_bytes:
            await _reject(
                send, 431, "HeadersTooLarge", f"The request headers are larger than {self.max_header_bytes} bytes."
            )
            return
        upload = self.upload_bytes is not None and is_upload(scope)
        limit = (self.upload_bytes or 0) + UPLOAD_OVERHEAD if upload else self.max_bytes
        declared = dict(headers).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(scope, send, upload)
            return
        received = 0
        refused: int | None = None  # the status to answer instead of whatever the app says
        started = False
        body_done = False
        deadline = time.monotonic() + self.total_seconds

        async def limited_receive() -> Message:
            nonlocal received, refused, body_done
            if body_done:
                # The body is in: what the app waits for now is the client leaving (a streamed answer, such as a
                # yearly report's every line as CSV, listens for it all along), not a slow body — no time limit.
                return await receive()
            wait = min(self.idle_seconds, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                refused = 408
                raise _Refused from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = 413
                    raise _Refused
                body_done = not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused is not None:
                if not started:
                    started = True
                    await self._refuse(scope, send, refused, upload)
                return  # the app's own answer (a 400 for a body it could not read) is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _Refused:
            if not started:
                await self._refuse(scope, send, refused or 413, upload)

    async def _refuse(self, scope: Scope, send: Send, status: int, upload: bool) -> None:
        if status == 408:
            await _reject(send, 408, "RequestTimeout", "The request body did not arrive in time.", close=True)
        else:
            await self._too_large(scope, send, upload)

    async def _too_large(self, scope: Scope, send: Send, upload: bool) -> None:
        if upload and self.upload_bytes is not None:
            accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
            message = _("Tệp lớn hơn giới hạn {mb} MB.", mb=self.upload_bytes // (1024 * 1024))
            detail = text(message, negotiate(accept or None))
        else:
            detail = f"The request body is larger than {self.max_bytes} bytes."
        await _reject(send, 413, "PayloadTooLarge", detail)


async def _reject(send: Send, status: int, error: str, detail: str, *, close: bool = False) -> None:
    body = json.dumps({"error": error, "detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Refused(Exception):
    pass


def without_empty_values(query: bytes) -> bytes:
    """``q=hoc+phi&topic=&kind=`` → ``q=hoc+phi``: the pairs with an empty value dropped, the rest kept byte for
    byte (the same object when nothing is dropped)."""
    parts = query.split(b"&")
    kept = [p for p in parts if p.partition(b"=")[2]]
    return query if len(kept) == len(parts) else b"&".join(kept)


class EmptyQueryValues:
    """A GET form sends every field, its "Tất cả" / empty choices as ``topic=&kind=``: an empty value means "no
    filter", on every filter form, public and staff, and in the JSON API alike. The query string of a GET or HEAD
    request is passed on without its empty values (``?q=hoc+phi&topic=&kind=`` → ``?q=hoc+phi``), before any route
    (or the public edge's cache) reads it. The early path of cached public reads applies the same function
    (``app/web/public/fastpath.py``). The scope is changed in place, not copied: what the routes and the edge
    leave on it (the route, ``cache``) is read by the access log outside (a copy logged ``<unmatched>``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query and scope.get("method") in ("GET", "HEAD"):
            scope["query_string"] = without_empty_values(query)
        await self.app(scope, receive, send)
