"""My messages (in-app notifications, "Tin nhắn của tôi"): the list, marking one or all as read; and what every page
shows in its header (``load_unread``, a router-level dependency): the unread count and what waits for the user
(``notifications.queue``), which the home page shows first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.notifications import queue, service
from app.statements import queries as statement_queries
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep
from app.web.staff.forms import FormDep, form_values
from app.web.staff.session import safe_next
from app.web.templating import render

router = APIRouter()


def load_unread(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> None:
    """The header's counts, as plain data (error pages render after the unit of work has closed): unread messages,
    and what waits for the user (kept for the home page, which lists it). The approval queue is read once for both:
    its rows (None when the user may approve nothing) are kept for the home's approval panel too."""
    request.state.unread_notifications = service.unread_count(session, actor=actor)
    submitted = statement_queries.approval_rows(session, actor=actor, now=now, limit=queue.LIMIT)
    request.state.submitted = submitted
    request.state.my_queue = queue.my_queue(session, actor=actor, now=now, submitted=submitted or [])


@router.get("/notifications")
def notifications(request: Request, session: SessionDep, actor: ActorDep, unread: bool = False) -> Response:
    page = service.list_notifications(session, actor=actor, unread_only=unread, limit=100)
    return render(request, "staff/notifications.html", {"page": page, "unread_only": unread})


@router.post("/notifications/{notification_id}/read")
def mark_read(session: SessionDep, actor: ActorDep, now: NowDep, notification_id: IdPath, form: FormDep) -> Response:
    """Mark one as read, then go where it leads (its case) or back to the list."""
    read = service.mark_read(session, actor=actor, notification_id=notification_id, now=now)
    target = f"/staff/cases/{read.case}" if read.case else "/staff/notifications"
    return RedirectResponse(safe_next(form_values(form).get("next") or target), status_code=303)


@router.post("/notifications/read-all")
def mark_all_read(session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    service.mark_all_read(session, actor=actor, now=now)
    return RedirectResponse("/staff/notifications?done=all_read", status_code=303)
