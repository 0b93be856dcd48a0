"""ASGI middleware: a cap on request bodies (413), before any of it is parsed; security headers on every response."""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _, negotiate, text

# Our pages load nothing but our own files: no inline script or style, no frames, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive API docs (/docs, /redoc) load Swagger UI / ReDoc from a CDN with an inline bootstrap script.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
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
    """413 for a body larger than ``max_bytes`` (``upload_bytes`` for a file upload): at once when the declared
    length says so, else as soon as the bytes received pass it, so an endless body is never read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.upload_bytes is not None and is_upload(scope):
            limit, upload = self.upload_bytes + UPLOAD_OVERHEAD, True
        else:
            limit, upload = self.max_bytes, False
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._reject(scope, send, upload)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        answered = False

        async def guarded_send(message: Message) -> None:
            # A body cut off inside the framework's parsing comes back as its own error (FastAPI: 400 "error
            # parsing the body"): past the limit, the answer is always ours, 413.
            nonlocal answered
            if too_large:
                if not answered:
                    answered = True
                    await self._reject(scope, send, upload)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not answered:
                await self._reject(scope, send, upload)

    async def _reject(self, scope: Scope, send: Send, upload: bool) -> None:
        if upload and self.upload_bytes is not None:
            accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
            message = _("Tệp lớn hơn giới hạn {mb} MB.", mb=self.upload_bytes // (1024 * 1024))
            detail = text(message, negotiate(accept or None))
        else:
            detail = f"The request body is larger than {self.max_bytes} bytes."
        body = json.dumps({"error": "PayloadTooLarge", "detail": detail}, ensure_ascii=False).encode()
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
