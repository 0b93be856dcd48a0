"""Operations endpoints: liveness and readiness."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.migrate import database_heads, script_heads

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
