"""The staff JSON API under /api/v1: the same use cases as the staff pages, for tools and integrations."""

from fastapi import APIRouter

from app.web.api import (
    attachments,
    auth,
    calendar,
    cases,
    channels,
    clocks,
    crisis,
    exports,
    inquiries,
    monitor,
    notifications,
    org,
    press_events,
    reports,
    saved_views,
    spokespersons,
    statements,
    stories,
    story_photos,
    tasks,
    templates,
)

router = APIRouter(prefix="/api/v1")
router.include_router(auth.router)
router.include_router(exports.router)  # before cases: /cases/export.csv is not a reference
router.include_router(cases.router)
router.include_router(org.router)
router.include_router(inquiries.router)
router.include_router(statements.router)
router.include_router(spokespersons.router)
router.include_router(clocks.router)
router.include_router(tasks.router)
router.include_router(calendar.router)
router.include_router(notifications.router)
router.include_router(reports.router)
router.include_router(press_events.router)
router.include_router(monitor.router)
router.include_router(attachments.router)
router.include_router(templates.router)
router.include_router(saved_views.router)
router.include_router(crisis.router)
router.include_router(channels.router)
router.include_router(stories.router)
router.include_router(story_photos.router)
