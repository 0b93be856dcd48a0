"""Operations endpoints: liveness, readiness and the Prometheus metrics."""

from __future__ import annotations

import hmac
from functools import lru_cache, partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import app.reports.service  # noqa: F401  (registers the database metrics it defines)
from app import metrics
from app.errors import NotAuthenticated
from app.i18n import _
from app.migrate import database_heads, script_heads
from app.web.deps import SettingsDep, bearer_token

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no I/O)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the migrations' head."""
    engine = request.app.state.sessions.engine
    checks: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        expected = request.app.state.migration_heads
        checks["migrations"] = "ok" if database_heads(engine) == expected else "behind"
    except SQLAlchemyError:
        checks.setdefault("database", "unreachable")
    ready = all(v == "ok" for v in checks.values()) and "migrations" in checks
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


@lru_cache
def expected_heads() -> frozenset[str]:
    return frozenset(script_heads())


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition format"}},
)
def prometheus_metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics: request latency and requests in progress (of every worker process), and the state of
    the service read from the database at scrape time (open cases by severity and status, …). When
    ``CRISISDESK_METRICS_TOKEN`` is set, the scraper must send it as a bearer token."""
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if expected is not None:
        sent = bearer_token(request) or ""
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise NotAuthenticated(_("Cần mã truy cập để đọc số liệu giám sát."))
    database = metrics.DatabaseCollector(partial(request.app.state.sessions, write=False), request.app.state.clock)
    body = metrics.render(database, settings.prometheus_multiproc_dir)
    return Response(body, media_type=metrics.CONTENT_TYPE)
