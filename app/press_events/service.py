"""Use cases of press events: log, change, remove, list. The press office (``press_events:manage``) writes; whoever
may read reports (``reports:view``) reads. Linking or unlinking a case writes a line in that case's history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, can, require
from app.cases.events import record_event
from app.cases.models import Case, UserRef
from app.cases.scope import visibility_clause, visible_cases
from app.cases.vocabulary import CaseEventKind
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.org.models import User
from app.press_events.models import (
    CaseLink,
    PressEvent,
    PressEventCase,
    PressEventCreate,
    PressEventKind,
    PressEventRead,
    PressEventUpdate,
)
from app.timeutil import local_midnight, to_local

CLOCK_SKEW = timedelta(minutes=5)


def _require_reader(actor: Actor) -> None:
    if not (can(actor, Permission.REPORTS_VIEW) or can(actor, Permission.PRESS_EVENTS_MANAGE)):
        require(actor, Permission.REPORTS_VIEW)


def _check_time(held_at: datetime, now: datetime) -> None:
    if held_at > now + CLOCK_SKEW:
        raise ValidationFailed(_("Chỉ ghi nhận họp báo, giao ban đã diễn ra: thời điểm không thể ở tương lai."),
                               field="held_at")  # fmt: skip


def _cases(session: Session, actor: Actor, references: Sequence[str]) -> list[Case]:
    found = []
    for ref in dict.fromkeys(r.strip().upper() for r in references if r.strip()):
        case = session.exec(visible_cases(actor).where(col(Case.reference) == ref)).first()
        if case is None:
            raise ValidationFailed(_("Không tìm thấy vụ việc {reference}.", reference=ref), field="cases")
        found.append(case)
    return found


def _event_data(event: PressEvent) -> dict[str, Any]:
    return {"press_event_id": event.id, "press_event_kind": event.kind.value, "title": event.title,
            "held_at": to_local(event.held_at).isoformat()}  # fmt: skip


def _link(session: Session, event: PressEvent, cases: Sequence[Case], *, actor: Actor, now: datetime) -> None:
    assert event.id is not None
    for case in cases:
        assert case.id is not None
        session.add(PressEventCase(press_event_id=event.id, case_id=case.id))
    session.flush()
    for case in cases:
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.PRESS_EVENT_LINKED,
                     note=event.title, data=_event_data(event))  # fmt: skip


def _unlink(session: Session, event: PressEvent, cases: Sequence[Case], *, actor: Actor, now: datetime) -> None:
    ids = [c.id for c in cases]
    for row in session.exec(
        select(PressEventCase).where(PressEventCase.press_event_id == event.id, col(PressEventCase.case_id).in_(ids))
    ).all():
        session.delete(row)
    session.flush()
    for case in cases:
        record_event(session, case=case, actor_id=actor.user_id, now=now, kind=CaseEventKind.PRESS_EVENT_UNLINKED,
                     note=event.title, data=_event_data(event))  # fmt: skip


def _linked_cases(session: Session, event: PressEvent) -> list[Case]:
    return list(
        session.exec(
            select(Case)
            .join(PressEventCase, col(PressEventCase.case_id) == col(Case.id))
            .where(PressEventCase.press_event_id == event.id)
            .order_by(col(Case.reference))
        ).all()
    )


def create_press_event(session: Session, *, actor: Actor, data: PressEventCreate, now: datetime) -> PressEventRead:
    require(actor, Permission.PRESS_EVENTS_MANAGE)
    _check_time(data.held_at, now)
    cases = _cases(session, actor, data.cases)
    event = PressEvent(
        kind=data.kind, held_at=data.held_at, title=data.title, spokesperson_name=data.spokesperson_name,
        spokesperson_title=data.spokesperson_title, organiser=data.organiser or None, note=data.note,
        created_at=now, created_by_id=actor.user_id, updated_at=now,
    )  # fmt: skip
    session.add(event)
    session.flush()
    _link(session, event, cases, actor=actor, now=now)
    return press_event_reads(session, actor=actor, events=[event])[0]


def _get(session: Session, event_id: int) -> PressEvent:
    event = session.get(PressEvent, event_id)
    if event is None:
        raise NotFound(_("Không tìm thấy họp báo, giao ban số {id}.", id=event_id))
    return event


def get_press_event(session: Session, *, actor: Actor, event_id: int) -> PressEventRead:
    _require_reader(actor)
    return press_event_reads(session, actor=actor, events=[_get(session, event_id)])[0]


def update_press_event(session: Session, *, actor: Actor, event_id: int, data: PressEventUpdate,
                       now: datetime) -> PressEventRead:  # fmt: skip
    require(actor, Permission.PRESS_EVENTS_MANAGE)
    event = _get(session, event_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind", "held_at", "title", "spokesperson_name"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(_("Trường {field} không được để trống.", field=name), field=name)
    if changes.get("held_at") is not None:
        _check_time(changes["held_at"], now)
    if "cases" in changes:
        wanted = _cases(session, actor, changes.pop("cases") or [])
        current = _linked_cases(session, event)
        current_ids = {c.id for c in current}
        wanted_ids = {c.id for c in wanted}
        _unlink(session, event, [c for c in current if c.id not in wanted_ids], actor=actor, now=now)
        _link(session, event, [c for c in wanted if c.id not in current_ids], actor=actor, now=now)
    for name, value in changes.items():
        if name == "spokesperson_title" and value is None:
            value = ""
        if name == "organiser" and value == "":
            value = None
        setattr(event, name, value)
    event.updated_at = now
    session.add(event)
    session.flush()
    return press_event_reads(session, actor=actor, events=[event])[0]


def delete_press_event(session: Session, *, actor: Actor, event_id: int, now: datetime) -> None:
    """Remove an event logged by mistake; the cases it named keep a line saying so."""
    require(actor, Permission.PRESS_EVENTS_MANAGE)
    event = _get(session, event_id)
    _unlink(session, event, _linked_cases(session, event), actor=actor, now=now)
    session.delete(event)
    session.flush()


def list_press_events(session: Session, *, actor: Actor, since: date | None = None, until: date | None = None,
                      kind: PressEventKind | None = None) -> list[PressEventRead]:  # fmt: skip
    """Events held between two local dates (inclusive), newest first."""
    _require_reader(actor)
    if since and until and since > until:
        raise ValidationFailed(_("Ngày bắt đầu phải trước ngày kết thúc."), field="since")
    query = select(PressEvent)
    if since:
        query = query.where(col(PressEvent.held_at) >= local_midnight(since))
    if until:
        query = query.where(col(PressEvent.held_at) < local_midnight(until + timedelta(days=1)))
    if kind:
        query = query.where(col(PressEvent.kind) == kind)
    events = list(session.exec(query.order_by(col(PressEvent.held_at).desc(), col(PressEvent.id).desc())).all())
    return press_event_reads(session, actor=actor, events=events)


def press_event_reads(session: Session, *, actor: Actor, events: Sequence[PressEvent]) -> list[PressEventRead]:
    """Read schemas with a fixed number of queries; the linked cases the actor may not see are left out."""
    ids = [e.id for e in events if e.id is not None]
    cases: dict[int, list[CaseLink]] = defaultdict(list)
    if ids:
        query = (
            select(PressEventCase.press_event_id, Case.reference, Case.title)
            .join(Case, col(Case.id) == col(PressEventCase.case_id))
            .where(col(PressEventCase.press_event_id).in_(ids))
            .order_by(col(Case.reference))
        )
        clause = visibility_clause(actor)
        if clause is not None:
            query = query.where(clause)
        for event_id, reference, title in session.exec(query).all():
            cases[event_id].append(CaseLink(reference=reference, title=title))
    creator_ids = {e.created_by_id for e in events if e.created_by_id}
    creators = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(creator_ids))).all()} if creator_ids else {}
    )
    reads = []
    for event in events:
        assert event.id is not None
        creator = creators.get(event.created_by_id) if event.created_by_id else None
        reads.append(
            PressEventRead(
                id=event.id, kind=event.kind, held_at=to_local(event.held_at), title=event.title,
                spokesperson_name=event.spokesperson_name, spokesperson_title=event.spokesperson_title,
                organiser=event.organiser, note=event.note, cases=cases[event.id], created_at=event.created_at,
                created_by=UserRef(username=creator.username, full_name=creator.full_name) if creator else None,
                updated_at=event.updated_at,
            )
        )  # fmt: skip
    return reads


def can_manage(actor: Actor) -> bool:
    return can(actor, Permission.PRESS_EVENTS_MANAGE)
