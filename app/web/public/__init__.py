"""The journalists' side (product §6): public pages under /notices and /spokespersons, the written inquiry's form
and status under /inquiries, the JSON API and Atom feed under /api/public/v1, and the edge in front of them (rate
limits, CORS, ETag/304, the response cache)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app import public_version
from app.redis_link import RedisLink
from app.settings import Settings
from app.web.public import api, channels, files, inquiry_pages, pages
from app.web.public.edge import PublicCache, PublicEdge

__all__ = ["api", "channels", "files", "inquiry_pages", "pages", "install", "lifespan", "PublicEdge"]


def install(app: FastAPI, settings: Settings) -> None:
    """Error pages for the public pages (the staff's stay the staff's), the routers, and the response cache the
    edge middleware uses (``app.state.public_cache``; the middleware itself is added by ``create_app``)."""
    staff_renderer = getattr(app.state, "html_error_renderer", None)

    async def renderer(request: Request, status: int, message: str) -> Response | None:
        page = await pages.public_error_renderer(request, status, message)
        if page is not None:
            return page
        if staff_renderer is None:
            return None
        result: Response | None = await staff_renderer(request, status, message)
        return result

    app.state.html_error_renderer = renderer
    app.state.public_cache = PublicCache(
        max_entries=settings.public_cache_entries,
        check_interval=timedelta(seconds=settings.public_cache_check_seconds),
        max_bytes=settings.public_cache_megabytes * 1024 * 1024,
    )
    app.include_router(api.router)
    app.include_router(channels.api)
    app.include_router(channels.pages)
    app.include_router(files.router)
    app.include_router(pages.router)
    app.include_router(inquiry_pages.router)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """With Redis (``app.state.redis``): while the app runs, this process listens for publications pushed by any
    process (each expires its public cache) and announces its own commits that bumped the public version. Without
    Redis: nothing (the cache keeps its polling bound)."""
    link: RedisLink | None = app.state.redis
    if link is None:
        yield
        return
    link.start(app.state.public_cache.expire)
    public_version.listen(link.announce)
    try:
        yield
    finally:
        public_version.unlisten(link.announce)
        await link.stop()
