"""A case's history: the event kinds (with their labels), ``record_event`` — the one way in — and the one entry
point by which another domain reacts to a case event (``listen``): the clocks listen, the cases do not call them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.cases.models import (
    Case,
    CaseEvent,
    EventRead,
    UserRef,
)
from app.cases.vocabulary import CaseEventKind
from app.cases.workflow import CaseStatus
from app.org.models import User


class CaseEventListener(Protocol):
    """A domain that reacts to a line of a case's history, in the same transaction (the clocks: ``on_event``)."""

    def __call__(self, session: Session, *, case: Case, event: CaseEvent) -> None: ...


_listeners: list[CaseEventListener] = []


def listen(listener: CaseEventListener) -> None:
    """Have ``listener`` called after every ``record_event`` (once, however often it is registered). The clocks
    register themselves in ``app/clocks/__init__.py``: importing any part of the clocks wires them."""
    if listener not in _listeners:
        _listeners.append(listener)


def record_event(
    session: Session,
    *,
    case: Case,
    actor_id: int | None,
    now: datetime,
    kind: CaseEventKind,
    note: str | None = None,
    action: str | None = None,
    from_status: CaseStatus | None = None,
    to_status: CaseStatus | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add a line to the case's history. Every domain that acts on a case records through here."""
    assert case.id is not None
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor_id=actor_id,
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    session.add(event)
    session.flush()
    for listener in _listeners:  # the clock engine reacts to the kinds it knows
        listener(session, case=case, event=event)
    return event


def list_events(session: Session, *, case: Case) -> list[EventRead]:
    rows = session.exec(
        select(CaseEvent, User)
        .join(User, col(User.id) == CaseEvent.actor_id, isouter=True)
        .where(CaseEvent.case_id == case.id)
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all()
    items = []
    for event, user in rows:
        assert event.id is not None
        items.append(
            EventRead(
                id=event.id,
                at=event.at,
                actor=UserRef(username=user.username, full_name=user.full_name) if user else None,
                kind=event.kind,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data=event.data,
            )
        )
    return items
