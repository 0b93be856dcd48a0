"""Operations endpoints: liveness, readiness and the Prometheus metrics."""

from __future__ import annotations

import hmac
from datetime import timedelta
from functools import lru_cache, partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import app.reports.metrics  # noqa: F401  (registers the database metrics it defines)
from app import metrics
from app.errors import NotAuthenticated
from app.i18n import _
from app.migrate import database_heads, script_heads
from app.notifications.service import worker_status
from app.web.deps import SettingsDep, bearer_token

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no I/O)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and its schema is at the migrations' head (``checks``; 503 otherwise).

    ``worker`` reports the reminder and e-mail workers apart: ``ok`` when one wrote its heartbeat within
    ``CRISISDESK_WORKER_QUIET_SECONDS``, ``quiet`` when the last heartbeat is older, ``none`` when no worker has ever
    run, ``unknown`` when the database could not be read. It never makes the web process unready: the pages and the
    API work without a worker, and taking the web out of the load balancer would not bring one back.

    ``redis`` is ``off`` without ``CRISISDESK_REDIS_URL``, else ``ok`` or ``unavailable`` (as the process last saw
    it). Unavailable, the process still serves correctly (rate limits per process, the public cache on its polling
    bound), so it does not make it unready either.

    ``replica`` reports the read replica (``CRISISDESK_DATABASE_READ_URL``): ``off`` when none is configured;
    else ``ok`` (reads that may lag go to it), ``lagging`` (beyond ``CRISISDESK_DATABASE_READ_MAX_LAG_SECONDS``),
    ``down``, ``not_standby`` or ``unknown`` — in all of which the primary serves those reads — with the lag and
    the WAL positions. It never makes the process unready either: the primary serves every read."""
    engine = request.app.state.sessions.engine
    settings = request.app.state.settings
    checks: dict[str, str] = {}
    worker: dict[str, Any] = {"status": "unknown"}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            expected = request.app.state.migration_heads
            checks["migrations"] = "ok" if database_heads(engine) == expected else "behind"
        if checks["migrations"] == "ok":
            with request.app.state.sessions(write=False) as session:
                status = worker_status(session, now=request.app.state.clock(),
                                       quiet_after=timedelta(seconds=settings.worker_quiet_seconds))  # fmt: skip
            worker = {
                "status": status.status,
                "last_seen_at": status.last_seen_at.isoformat() if status.last_seen_at else None,
                "seconds_since": status.seconds_since,
                "alive": status.alive,
            }
    except SQLAlchemyError:
        checks.setdefault("database", "unreachable")
    replica = request.app.state.replica
    replica_report: dict[str, Any] = replica.report() if replica is not None else {"status": "off"}
    worker["quiet_after_seconds"] = settings.worker_quiet_seconds
    worker["affects_readiness"] = False
    link = request.app.state.redis
    redis = {"status": "off" if link is None else link.status, "affects_readiness": False}
    ready = all(v == "ok" for v in checks.values()) and "migrations" in checks
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": checks,
            "worker": worker,
            "redis": redis,
            "replica": replica_report,
        },
        status_code=200 if ready else 503,
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
    the service read from the database at scrape time (open cases, clocks overdue, the worker's queue, e-mails
    sent and failed, the age of the last worker heartbeat). When
    ``CRISISDESK_METRICS_TOKEN`` is set, the scraper must send it as a bearer token."""
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if expected is not None:
        sent = bearer_token(request) or ""
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise NotAuthenticated(_("Cần mã truy cập để đọc số liệu giám sát."))
    database = metrics.DatabaseCollector(partial(request.app.state.sessions, write=False), request.app.state.clock)
    body = metrics.render(database, settings.prometheus_multiproc_dir)
    return Response(body, media_type=metrics.CONTENT_TYPE)
