"""What waits for the caller and their notifications (product §11.2): ``/me/queue``, ``/me/notifications``, marking
one or all as read, and the caller's e-mail choice. The older ``/notifications`` paths remain as aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from app.notifications import queue, service
from app.notifications.models import NotificationPage, NotificationRead, QueuePage
from app.org import service as org
from app.org.models import EmailFrequency, OwnSettings
from app.validation import MAX_ID
from app.web.deps import ActorDep, NowDep, SessionDep

router = APIRouter(tags=["notifications"])

NotificationId = Annotated[int, Path(ge=1, le=MAX_ID)]


class MarkedRead(BaseModel):
    marked: int


class MySettings(BaseModel):
    locale: str
    email_frequency: EmailFrequency


@router.get("/me/queue", response_model=QueuePage)
def my_queue(session: SessionDep, actor: ActorDep, now: NowDep) -> QueuePage:
    """What waits for the caller now, by role and authority, nearest deadline first: ``to_route``, ``to_accept``,
    ``to_draft``, ``to_submit``, ``to_approve``, ``returned``, ``to_publish``, ``mentioned``. Computed at each
    call (nothing is stored); ``counts`` gives the number of each kind present."""
    return queue.my_queue(session, actor=actor, now=now)


@router.get("/me/notifications", response_model=NotificationPage)
@router.get("/notifications", response_model=NotificationPage, include_in_schema=False)
def list_notifications(
    session: SessionDep,
    actor: ActorDep,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationPage:
    """The caller's notifications, newest first, with the number still unread."""
    return service.list_notifications(session, actor=actor, unread_only=unread, limit=limit)


@router.post("/me/notifications/read-all", response_model=MarkedRead)
@router.post("/notifications/read-all", response_model=MarkedRead, include_in_schema=False)
def mark_all_read(session: SessionDep, actor: ActorDep, now: NowDep) -> MarkedRead:
    return MarkedRead(marked=service.mark_all_read(session, actor=actor, now=now))


@router.post("/me/notifications/{notification_id}/read", response_model=NotificationRead)
@router.post("/notifications/{notification_id}/read", response_model=NotificationRead, include_in_schema=False)
def mark_read(session: SessionDep, actor: ActorDep, now: NowDep, notification_id: NotificationId) -> NotificationRead:
    return service.mark_read(session, actor=actor, notification_id=notification_id, now=now)


@router.get("/me/settings", response_model=MySettings)
def my_settings(session: SessionDep, actor: ActorDep) -> MySettings:
    user = org.own_user(session, actor=actor)
    return MySettings(locale=user.locale, email_frequency=user.email_frequency)


@router.patch("/me/settings", response_model=MySettings)
def change_my_settings(session: SessionDep, actor: ActorDep, data: OwnSettings) -> MySettings:
    """The caller's language and e-mail choice: ``immediate`` (each notification), ``daily`` (one message a day)
    or ``off``."""
    user = org.update_own_settings(session, actor=actor, data=data)
    return MySettings(locale=user.locale, email_frequency=user.email_frequency)
