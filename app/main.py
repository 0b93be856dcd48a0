"""The application factory: routers, error handlers, static files. Nothing else."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from app.db import Admission, SessionFactory, make_engine, utcnow
from app.files.storage import storage_from_settings
from app.redis_link import RedisLink
from app.replica import ReadReplica
from app.settings import Settings, get_settings
from app.web import api, api_docs, openapi, ops, public, staff
from app.web.errors import install_error_handlers
from app.web.middleware import BodySizeLimit, EmptyQueryValues, SecurityHeaders
from app.web.observability import RequestObservability
from app.web.public.fastpath import CrisisDeskApp
from app.web.read_after import ReadYourWrites, cookie_lifetime

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

PUBLIC_DESCRIPTION = """For journalists and newsroom developers: **no account, no key**.

Published notices (thông cáo, thông báo) of the Sở, exactly as the spokesperson approved them, with their numbers
(`12/TC-SGDĐT`), slugs (`2026-tc-12`) and history of corrections and withdrawals; an Atom feed (also per topic);
the spokespersons' official contacts; and written inquiries with a tracking code.

* Every `GET` answer carries an `ETag`: send it back as `If-None-Match` and get `304 Not Modified` while nothing
  changed. `Cache-Control: public, max-age=10, stale-while-revalidate=10` (the defaults): a new publication or a
  withdrawal shows within about 1 second at the source, 10–20 more through caches.
* Reads are limited per client (by default a burst of 120, then 10 a second), inquiries more strictly (5, then 20
  an hour): beyond, `429` with `Retry-After` (seconds).
* CORS: any origin may read (`GET`, `HEAD`); inquiries are posted from your server or our form, not from other
  sites' scripts.
* Errors: `{"error": "<Kind>", "detail": "<message>"}` in Vietnamese, or English with `Accept-Language: en`.

Guide with examples: `docs/public-api.md`.
"""

DESCRIPTION = """
CrisisDesk is the case tracker of the press office of a Vietnamese Department of Education and Training.

* **Public API** (`/api/public/v1/…`, tag *public*): published notices, their Atom feed, the spokespersons and
  reporters' written inquiries, with no account. For journalists and newsroom developers: see the *public*
  section below and `docs/public-api.md`.
* **Staff API** (`/api/v1/…`): bearer token from `POST /api/v1/auth/token` (OAuth2 password form) or an API token
  issued by an admin. Errors are `{"error": "<Kind>", "detail": "<message>"}`; messages follow `Accept-Language`
  (Vietnamese by default, English).
"""


GIL_SWITCH_SECONDS = 0.001  # CPython's default is 5 ms


def read_replica(settings: Settings, primary: Engine) -> ReadReplica | None:
    """The read replica of ``CRISISDESK_DATABASE_READ_URL`` (None when unset): its own pool, the same limits."""
    if settings.database_read_url is None:
        return None
    engine = make_engine(
        settings.database_read_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
    return ReadReplica(primary, engine, max_lag=settings.database_read_max_lag_seconds,
                       check_every=settings.database_read_check_seconds)  # fmt: skip


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or get_settings()
    # The event loop (health checks, cached public reads, the admission queue) shares the GIL with the request
    # threads; at the default 5 ms a loop wake-up can wait behind 20 busy threads for 100 ms. At 1 ms it waits less.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    engine = engine or make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        lock_timeout=settings.db_lock_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
    app = CrisisDeskApp(  # FastAPI, with cached public reads answered before the middleware (fastpath.py)
        docs_url=None,  # served by app.web.api_docs from our own files (no CDN)
        redoc_url=None,
        title="CrisisDesk",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=public.lifespan,  # with Redis: the push of publications to this process's public cache
        openapi_tags=[
            {"name": "public", "description": PUBLIC_DESCRIPTION},
            {"name": "auth", "description": "Log-in and API tokens"},
            {"name": "cases", "description": "Cases (vụ việc): intake, routing, lifecycle, timeline"},
            {"name": "organisation", "description": "Units, users and roles"},
            {"name": "statements", "description": "Statements, their approval and the notices they become"},
            {"name": "attachments", "description": "Documents on cases and statements (product §11.1)"},
            {"name": "templates", "description": "Answer templates: lines to take, filled for a case (§11.3)"},
            {"name": "spokespersons", "description": "Spokesperson authority: appointments, authorisations, registry"},
            {"name": "deadlines", "description": "Clocks, tasks, the working-day calendar, rule packs, targets"},
            {"name": "notifications", "description": "Reminders and escalations (in-app)"},
            {"name": "reports", "description": "Yearly report (Decree 244/2026 Art. 10), dashboard, scorecards"},
            {"name": "operations", "description": "Health, readiness and Prometheus metrics"},
        ],
    )
    app.state.settings = settings
    app.state.sessions = SessionFactory(engine)
    app.state.admission = Admission(settings.db_pool_size + settings.db_max_overflow, settings.db_pool_timeout_seconds)
    app.state.replica = read_replica(settings, engine)
    app.state.clock = clock
    app.state.migration_heads = ops.expected_heads()
    app.state.storage = storage_from_settings(settings)
    app.state.redis = RedisLink.from_settings(settings)  # None without CRISISDESK_REDIS_URL

    install_error_handlers(app)
    staff.install(app)
    public.install(app, settings)  # before the middleware: it creates the cache the edge uses
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, max_header_bytes=settings.max_header_bytes,
                       idle_seconds=settings.request_body_idle_seconds,
                       total_seconds=settings.request_body_total_seconds,
                       upload_bytes=settings.max_upload_bytes)  # fmt: skip
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)  # on every response
    # The public edge sits outside the security headers, so a cached response keeps the ones it was made with.
    app.add_middleware(public.PublicEdge, settings=settings, cache=app.state.public_cache, redis=app.state.redis)
    if app.state.replica is not None:  # outside the edge: it reads the client's read-after mark
        lifetime = cookie_lifetime(settings.database_read_max_lag_seconds, settings.database_read_check_seconds)
        app.add_middleware(ReadYourWrites, secret=settings.secret_key.get_secret_value(), max_age=lifetime,
                           secure=settings.secure_cookies)  # fmt: skip
    app.add_middleware(EmptyQueryValues)  # outside the edge: its cache and every route see no empty filter
    app.add_middleware(RequestObservability)  # added last, so outermost: it sees every request, even a 413
    app.include_router(ops.router)
    api_docs.install(app)
    app.include_router(api.router, prefix=api.PREFIX)
    app.include_router(staff.router, prefix=staff.PREFIX)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    openapi.install(app)  # the real error shapes and the errors each operation gives
    return app
