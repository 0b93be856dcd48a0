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

# The prefix is given where the app includes the router (``create_app``), not on the router: FastAPI (0.165) checks
# an include without a prefix by walking every route below it, which builds the dependants of every route of the
# routers included here (~0.2 s of CPU for each app) only to throw them away.
PREFIX = "/api/v1"
router = APIRouter()
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
