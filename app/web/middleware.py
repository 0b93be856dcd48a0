"""ASGI middleware: a cap on request bodies (413), before any of it is parsed; security headers on every response;
empty query values dropped (a filter form's "all" choice)."""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"error": "PayloadTooLarge", "detail": f"The request body is larger than {self.max_bytes} bytes."}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class EmptyQueryValues:
    """A GET form sends every field, its "Tất cả" / empty choices as ``topic=&kind=``: an empty value means "no
    filter", on every filter form, public and staff, and in the JSON API alike. The query string of a GET or HEAD
    request is passed on without its empty values (``?q=hoc+phi&topic=&kind=`` → ``?q=hoc+phi``), before any route
    (or the public edge's cache) reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query and scope.get("method") in ("GET", "HEAD"):
            parts = query.split(b"&")
            kept = [p for p in parts if p.partition(b"=")[2]]  # the rest is kept byte for byte
            if len(kept) != len(parts):
                scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)
