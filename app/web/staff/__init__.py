"""The staff web interface under /staff (server-rendered, Jinja2).

``session`` (log-in, log-out, language switch) is open; every other page sits behind the ``get_actor``
dependency (``SIGNED_IN``, given to each of their routers as it is included): a browser without a live session is
sent to the log-in form, and every form post must carry the session's CSRF token. Fine-grained permissions are
checked by the services, as for the JSON API.
"""

from fastapi import APIRouter, Depends, FastAPI

from app.web.deps import get_actor
from app.web.staff import (
    account,
    admin,
    attachments,
    case_list_actions,
    cases,
    channels,
    crisis,
    deadline_admin,
    deadlines,
    home,
    inquiries,
    monitor,
    notifications,
    reports,
    session,
    shortcuts,
    spokespersons,
    statements,
    stories,
    story_photos,
    templates_admin,
)
from app.web.staff.errors import render_staff_error

# The prefix is given where the app includes the router (``create_app``), and the pages behind the log-in are
# included here each with the log-in's dependencies, not through a router of their own: FastAPI (0.165) checks an
# include without a prefix by walking every route below it, which for a router of routers builds the dependants of
# all of them (~0.2 s of CPU at import, again for each app) only to throw them away.
PREFIX = "/staff"
router = APIRouter(include_in_schema=False)
router.include_router(session.router)
router.include_router(crisis.links)  # the e-mail's signed acknowledgement link: no session

SIGNED_IN = [Depends(get_actor), Depends(notifications.load_unread)]
for pages in (
    home.router,
    case_list_actions.router,  # before cases: /cases/bulk, /cases/views
    cases.router,
    deadlines.router,
    inquiries.router,
    statements.router,
    attachments.router,
    templates_admin.router,
    spokespersons.router,
    notifications.router,
    admin.router,
    channels.router,
    story_photos.router,  # before stories: /stories/{id}/{action}
    stories.router,  # before reports: /reports/emulation
    reports.router,
    monitor.router,
    deadline_admin.router,
    account.router,
    shortcuts.router,
    crisis.router,
):
    router.include_router(pages, dependencies=SIGNED_IN)


def install(app: FastAPI) -> None:
    """Errors under /staff become pages (see ``app.web.errors.html_error_hook``)."""
    app.state.html_error_renderer = render_staff_error
