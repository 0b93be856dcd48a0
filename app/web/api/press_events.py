"""Press events: the press conferences the Sở holds, the press briefings at which it provides information and the
other bodies' press conferences at which it speaks (the first two indicators of the yearly report)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.press_events import service
from app.press_events.models import (
    PressEventCreate,
    PressEventKind,
    PressEventPage,
    PressEventRead,
    PressEventUpdate,
)
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep

router = APIRouter(tags=["reports"])


@router.get("/press-events", response_model=PressEventPage)
def list_press_events(
    session: SessionDep,
    actor: ActorDep,
    since: Annotated[date | None, Query(description="First local date (inclusive)")] = None,
    until: Annotated[date | None, Query(description="Last local date (inclusive)")] = None,
    kind: PressEventKind | None = None,
) -> PressEventPage:
    """Press events, newest first; ``cases`` lists only the cases the caller may see."""
    return PressEventPage(items=service.list_press_events(session, actor=actor, since=since, until=until, kind=kind))


@router.post("/press-events", response_model=PressEventRead, status_code=201)
def create_press_event(session: SessionDep, actor: ActorDep, now: NowDep, body: PressEventCreate) -> PressEventRead:
    """Log a press event that took place: ``kind`` (``press_conference``: held by the Sở; ``press_briefing``: the
    Sở came to a press briefing to provide information; ``external_press_conference``: its spokesperson spoke at
    another body's press conference), ``held_at``, ``title``, ``spokesperson_name`` (+ ``spokesperson_title``),
    ``organiser``, ``note``, ``cases`` (references of the cases raised). Press office, spokesperson, director."""
    return service.create_press_event(session, actor=actor, data=body, now=now)


@router.get("/press-events/{event_id}", response_model=PressEventRead)
def get_press_event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> PressEventRead:
    return service.get_press_event(session, actor=actor, event_id=event_id)


@router.patch("/press-events/{event_id}", response_model=PressEventRead)
def update_press_event(
    session: SessionDep, actor: ActorDep, now: NowDep, event_id: IdPath, body: PressEventUpdate
) -> PressEventRead:
    """Change an event; ``cases`` replaces the list (each case added or removed gets a line in its history)."""
    return service.update_press_event(session, actor=actor, event_id=event_id, data=body, now=now)


@router.delete("/press-events/{event_id}", status_code=204)
def delete_press_event(session: SessionDep, actor: ActorDep, now: NowDep, event_id: IdPath) -> Response:
    """Remove an event logged by mistake."""
    service.delete_press_event(session, actor=actor, event_id=event_id, now=now)
    return Response(status_code=204)
