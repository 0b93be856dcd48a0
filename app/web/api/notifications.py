"""The caller's in-app notifications: reminders and escalations of the clocks (delivered by the worker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from app.notifications import service
from app.notifications.models import NotificationPage, NotificationRead
from app.validation import MAX_ID
from app.web.deps import ActorDep, NowDep, SessionDep

router = APIRouter(tags=["notifications"])

NotificationId = Annotated[int, Path(ge=1, le=MAX_ID)]


class MarkedRead(BaseModel):
    marked: int


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    session: SessionDep,
    actor: ActorDep,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationPage:
    """The caller's notifications, newest first, with the number still unread."""
    return service.list_notifications(session, actor=actor, unread_only=unread, limit=limit)


@router.post("/notifications/{notification_id}/read", response_model=NotificationRead)
def mark_read(session: SessionDep, actor: ActorDep, now: NowDep, notification_id: NotificationId) -> NotificationRead:
    return service.mark_read(session, actor=actor, notification_id=notification_id, now=now)


@router.post("/notifications/read-all", response_model=MarkedRead)
def mark_all_read(session: SessionDep, actor: ActorDep, now: NowDep) -> MarkedRead:
    return MarkedRead(marked=service.mark_all_read(session, actor=actor, now=now))
