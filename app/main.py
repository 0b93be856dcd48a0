"""The application factory: routers, error handlers, static files. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from app.db import SessionFactory, make_engine, utcnow
from app.settings import Settings, get_settings
from app.web import api, ops, staff
from app.web.errors import install_error_handlers
from app.web.middleware import BodySizeLimit, SecurityHeaders
from app.web.observability import RequestObservability

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

DESCRIPTION = """
CrisisDesk is the case tracker of the press office of a Vietnamese Department of Education and Training.

* **Staff API** (`/api/v1/…`): bearer token from `POST /api/v1/auth/token` (OAuth2 password form) or an API token
  issued by an admin. Errors are `{"error": "<Kind>", "detail": "<message>"}`; messages follow `Accept-Language`
  (Vietnamese by default, English).
"""


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    app = FastAPI(
        title="CrisisDesk",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "auth", "description": "Log-in and API tokens"},
            {"name": "cases", "description": "Cases (vụ việc): intake, routing, lifecycle, timeline"},
            {"name": "organisation", "description": "Units, users and roles"},
            {"name": "statements", "description": "Statements, their approval and the notices they become"},
            {"name": "spokespersons", "description": "Spokesperson authority: appointments, authorisations, registry"},
            {"name": "deadlines", "description": "Clocks, tasks, the working-day calendar, rule packs, targets"},
            {"name": "notifications", "description": "Reminders and escalations (in-app)"},
            {"name": "reports", "description": "Yearly report (Decree 244/2026 Art. 10), dashboard, scorecards"},
            {"name": "operations", "description": "Health, readiness and Prometheus metrics"},
        ],
    )
    app.state.settings = settings
    app.state.sessions = SessionFactory(engine)
    app.state.clock = clock
    app.state.migration_heads = ops.expected_heads()

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)  # on every response
    app.add_middleware(RequestObservability)  # added last, so outermost: it sees every request, even a 413
    install_error_handlers(app)
    staff.install(app)
    app.include_router(ops.router)
    app.include_router(api.router)
    app.include_router(staff.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
