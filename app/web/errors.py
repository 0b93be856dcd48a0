"""Turning errors into responses: one JSON shape for the APIs, HTML pages for the staff interface.

JSON: ``{"error": "<ClassName>", "detail": "<message in the caller's language>", ...}``; validation errors also
carry ``fields``, one entry a field. Unexpected errors are logged and answered 500 without internals.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, NotAuthenticated
from app.i18n import _, text
from app.validation import input_message
from app.web.deps import get_locale
from app.web.idempotency import IdempotentReplay

log = logging.getLogger("crisisdesk.web")

HTTP_ERROR_NAMES = {
    400: "BadRequest",
    401: "NotAuthenticated",
    403: "PermissionDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "ValidationFailed",
    429: "RateLimited",
    431: "HeadersTooLarge",
    503: "ServiceUnavailable",
}

# Seconds a client is told to wait when the database is out of reach or saturated.
RETRY_AFTER_SECONDS = 2


class OutageLog:
    """One log line per outage, not a traceback per request: the first failure is logged, later ones are counted
    and summed up in one line every ``every`` seconds while they go on."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self.lock = threading.Lock()
        self.last = 0.0
        self.suppressed = 0

    def record(self, kind: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last < self.every:
                self.suppressed += 1
                return
            suppressed, self.suppressed, self.last = self.suppressed, 0, now
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        more = f" ({suppressed} more since the last line)" if suppressed else ""
        first = reason[0][:200] if reason else ""
        log.warning("database %s (%s: %s); answering 503%s", kind, type(exc).__name__, first, more)


outage_log = OutageLog()


HTML_PREFIXES = ("/staff", "/notices", "/spokespersons", "/lang/", "/inquiries")


def _is_html(request: Request) -> bool:
    """Pages (staff and public) answer errors with HTML pages; everything else (the APIs) with JSON."""
    path = request.url.path
    return (path == "/" or path.startswith(HTML_PREFIXES)) and not path.startswith("/staff/api")


def json_error(
    request: Request,
    status_code: int,
    error: str,
    detail: Any,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    locale = get_locale(request)
    body: dict[str, Any] = {"error": error, "detail": text(detail, locale)}
    body.update({k: text(v, locale) if isinstance(v, str) else v for k, v in (extra or {}).items()
                 if v is not None and k not in body})  # fmt: skip
    return JSONResponse(body, status_code=status_code, headers=headers)


def error_response(request: Request, exc: DomainError) -> JSONResponse:
    """A domain error answered by a route instead of raised (when the unit of work must still commit)."""
    headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
    if isinstance(exc, NotAuthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    return json_error(request, exc.status_code, type(exc).__name__, exc.message, headers, exc.extra)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_fields(exc: RequestValidationError, locale: str) -> list[dict[str, str]]:
    """One entry per error: the field, a message in the caller's language, and pydantic's error type."""
    fields = []
    for err in exc.errors():
        kind = str(err.get("type", ""))
        name = "body" if kind == "json_invalid" else _field_name(tuple(err.get("loc", ())))
        fields.append({"field": name, "message": text(input_message(err, name), locale), "type": kind})
    return fields


async def html_error_hook(request: Request, status: int, message: str) -> Response | None:
    """Replaced by the staff interface to render its error pages; None means answer JSON."""
    renderer = getattr(request.app.state, "html_error_renderer", None)
    if renderer is None:
        return None
    result: Response | None = await renderer(request, status, message)
    return result


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
        if "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        if _is_html(request):
            page = await html_error_hook(request, exc.status_code, text(exc.message, get_locale(request)))
            if page is not None:
                return page
        return json_error(request, exc.status_code, type(exc).__name__, exc.message, headers, exc.extra)

    @app.exception_handler(IdempotentReplay)
    async def _replay(request: Request, exc: IdempotentReplay) -> Response:
        # The first answer given to this Idempotency-Key: nothing was created again (the unit of work rolled back).
        return Response(exc.replay.body, status_code=exc.replay.status_code, media_type="application/json",
                        headers={"Idempotent-Replayed": "true"})  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields = _validation_fields(exc, get_locale(request))
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        if _is_html(request):
            page = await html_error_hook(request, 422, summary)
            if page is not None:
                return page
        first = fields[0]["field"] if fields else None  # like a service's ValidationFailed: the first field
        return json_error(request, 422, "ValidationFailed", summary, extra={"field": first, "fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        name = HTTP_ERROR_NAMES.get(exc.status_code, "Error")
        detail: Any = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = _("Không tìm thấy trang hoặc tài nguyên này.")
        elif exc.status_code == 405:
            detail = _("Phương thức HTTP không được hỗ trợ ở địa chỉ này.")
        if _is_html(request):
            page = await html_error_hook(request, exc.status_code, text(detail, get_locale(request)))
            if page is not None:
                return page
        return json_error(request, exc.status_code, name, detail, dict(exc.headers or {}) or None)

    async def _page_or_json(request: Request, status: int, error: str, detail: Any) -> Response:
        if _is_html(request):
            page = await html_error_hook(request, status, text(detail, get_locale(request)))
            if page is not None:
                return page
        return json_error(request, status, error, detail)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # A constraint the services did not foresee (usually a race between two writers): nothing was saved.
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = _("Dữ liệu vừa bị thay đổi đồng thời; không có gì được lưu. Hãy thử lại.")
        return await _page_or_json(request, 409, "Conflict", detail)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        log.warning("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return await _page_or_json(request, 422, "ValidationFailed", _("Giá trị không hợp lệ cho cơ sở dữ liệu."))

    async def _unavailable(request: Request, kind: str, exc: Exception) -> Response:
        outage_log.record(kind, exc)
        detail = _("Hệ thống đang quá tải hoặc tạm mất kết nối cơ sở dữ liệu. Vui lòng thử lại sau ít giây.")
        response = await _page_or_json(request, 503, "ServiceUnavailable", detail)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> Response:
        # Every pooled connection stayed busy for CRISISDESK_DB_POOL_TIMEOUT_SECONDS: shed the load, never hang.
        return await _unavailable(request, "saturated", exc)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        # The database is down or restarting, a lock wait passed CRISISDESK_DB_LOCK_TIMEOUT_SECONDS, or SQLite's
        # write lock stayed taken: nothing was saved (the unit of work rolled back); the client may retry.
        return await _unavailable(request, "unavailable", exc)

    @app.exception_handler(InterfaceError)
    async def _interface(request: Request, exc: InterfaceError) -> Response:
        return await _unavailable(request, "unavailable", exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = await _page_or_json(request, 500, "InternalError", _("Lỗi hệ thống. Vui lòng thử lại sau."))
        # Answered outside the request middleware: give the client the id that the log line carries.
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response
