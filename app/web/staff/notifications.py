"""My messages (in-app notifications, "Tin nhắn của tôi"): the list, marking one or all as read; and what every page
shows in its header (``load_unread``, a router-level dependency): the unread count and what waits for the user
(``notifications.queue``), which the home page shows first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

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
    and how many things wait for the user. The approval queue is read once for both: its rows (None when the user
    may approve nothing) are kept for the home's approval panel too. A page that lists the queue itself
    (``shows_my_queue``: the home) gets the whole queue, read once; every other page only its count
    (``queue.queue_count``, one statement)."""
    request.state.unread_notifications = service.unread_count(session, actor=actor)
    submitted = statement_queries.approval_rows(session, actor=actor, now=now, limit=queue.LIMIT)
    request.state.submitted = submitted
    if getattr(request.scope.get("endpoint"), SHOWS_MY_QUEUE, False):
        mine = request.state.my_queue = queue.my_queue(session, actor=actor, now=now, submitted=submitted or [])
        request.state.waiting = len(mine.items)
    else:
        request.state.waiting = queue.queue_count(session, actor=actor, now=now, submitted=submitted or [])


SHOWS_MY_QUEUE = "crisisdesk_shows_my_queue"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def shows_my_queue(endpoint: Endpoint) -> Endpoint:
    """Marks a page that lists what waits for the user (``request.state.my_queue``, read by ``load_unread``)."""
    setattr(endpoint, SHOWS_MY_QUEUE, True)
    return endpoint


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
