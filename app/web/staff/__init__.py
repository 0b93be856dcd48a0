"""The staff web interface under /staff (server-rendered, Jinja2).

``session`` (log-in, log-out, language switch) is open; every other page sits behind the router-level
``get_actor`` dependency: a browser without a live session is sent to the log-in form, and every form post must
carry the session's CSRF token. Fine-grained permissions are checked by the services, as for the JSON API.
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

router = APIRouter(prefix="/staff", include_in_schema=False)
router.include_router(session.router)
router.include_router(crisis.links)  # the e-mail's signed acknowledgement link: no session

signed_in = APIRouter(dependencies=[Depends(get_actor), Depends(notifications.load_unread)])
signed_in.include_router(home.router)
signed_in.include_router(case_list_actions.router)  # before cases: /cases/bulk, /cases/views
signed_in.include_router(cases.router)
signed_in.include_router(deadlines.router)
signed_in.include_router(inquiries.router)
signed_in.include_router(statements.router)
signed_in.include_router(attachments.router)
signed_in.include_router(templates_admin.router)
signed_in.include_router(spokespersons.router)
signed_in.include_router(notifications.router)
signed_in.include_router(admin.router)
signed_in.include_router(channels.router)
signed_in.include_router(story_photos.router)  # before stories: /stories/{id}/{action}
signed_in.include_router(stories.router)  # before reports: /reports/emulation
signed_in.include_router(reports.router)
signed_in.include_router(monitor.router)
signed_in.include_router(deadline_admin.router)
signed_in.include_router(account.router)
signed_in.include_router(shortcuts.router)
signed_in.include_router(crisis.router)
router.include_router(signed_in)


def install(app: FastAPI) -> None:
    """Errors under /staff become pages (see ``app.web.errors.html_error_hook``)."""
    app.state.html_error_renderer = render_staff_error
