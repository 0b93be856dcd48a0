"""Calendar edits that move the clocks: an override added or removed, or the ``holidays`` package upgraded, makes a
new calendar version (``workdays.service.CALENDAR_VERSION``) and judges every running or paused clock counted in days
by it again. They live next to the clocks (the calendar itself knows nothing of clocks)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.cases.events import record_event
from app.cases.models import Case
from app.cases.vocabulary import CaseEventKind
from app.clocks.models import TICKING_STATES, Clock, ClockState
from app.clocks.rules import CALENDAR_UNITS, compute_due
from app.clocks.schedule import Stage, sent_before
from app.clocks.service import _iso, refresh_next_due, schedule_reminders
from app.counters import next_value
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.workdays.models import CalendarOverride, OverrideCreate, OverrideKind
from app.workdays.rules import FIRST_YEAR, LAST_YEAR, Calendar, DayKind, in_calendar_years
from app.workdays.service import CALENDAR_VERSION, load_calendar


def add_override(session: Session, *, actor: Actor, data: OverrideCreate, now: datetime) -> CalendarOverride:
    require(actor, Permission.CALENDAR_MANAGE)
    if session.exec(select(CalendarOverride.id).where(CalendarOverride.day == data.day)).first() is not None:
        raise Conflict(_("Ngày {day} đã có trong lịch điều chỉnh.", day=data.day.strftime("%d/%m/%Y")), field="day")
    plain = Calendar().kind(data.day)
    if data.kind == OverrideKind.EXTRA_OFF and plain in (DayKind.WEEKEND, DayKind.HOLIDAY):
        raise ValidationFailed(_("Ngày {day} đã là ngày nghỉ.", day=data.day.strftime("%d/%m/%Y")), field="day")
    if data.kind == OverrideKind.MAKEUP_WORKDAY and plain == DayKind.WORKING:
        raise ValidationFailed(_("Ngày {day} đã là ngày làm việc.", day=data.day.strftime("%d/%m/%Y")), field="day")
    row = CalendarOverride(
        day=data.day, kind=data.kind, description=data.description, created_at=now, created_by_id=actor.user_id
    )
    session.add(row)
    session.flush()
    _recompute(session, now=now)
    return row


def remove_override(session: Session, *, actor: Actor, day: date, now: datetime) -> None:
    require(actor, Permission.CALENDAR_MANAGE)
    if not in_calendar_years(day):
        raise ValidationFailed(_("Ngày phải thuộc các năm từ {first} đến {last}.", first=FIRST_YEAR, last=LAST_YEAR),
                               field="day")  # fmt: skip
    row = session.exec(select(CalendarOverride).where(CalendarOverride.day == day)).first()
    if row is None:
        raise NotFound(_("Ngày {day} không có trong lịch điều chỉnh.", day=day.strftime("%d/%m/%Y")))
    session.delete(row)
    session.flush()
    _recompute(session, now=now)


def _recompute(session: Session, *, now: datetime) -> int:
    next_value(session, scope=CALENDAR_VERSION, year=0)
    return recompute_for_calendar(session, now=now)


def recompute_after_holidays_change(session: Session, *, now: datetime) -> int:
    """After an upgrade of the ``holidays`` package (its statutory holidays may have changed): a new calendar
    version, every running or paused clock counted in days judged by it again; returns how many moved."""
    return _recompute(session, now=now)


# --- the calendar changed -----------------------------------------------------------------------------------


def recompute_for_calendar(session: Session, *, now: datetime) -> int:
    """Recompute the running and paused clocks counted in days or working days; log and return the changes."""
    cal = load_calendar(session)
    clocks = session.exec(
        select(Clock).where(
            col(Clock.state).in_(list(TICKING_STATES)),
            col(Clock.unit).in_(CALENDAR_UNITS),
        )
    ).all()
    changed: dict[int, list[Clock]] = {}
    olds: dict[int, datetime | None] = {}
    for clock in clocks:
        due = compute_due(clock, cal)
        if due == clock.due_at:
            continue
        assert clock.id is not None
        olds[clock.id] = clock.due_at
        clock.due_at = due
        clock.updated_at = now
        # Same schedule version: the stages already sent are not sent again, the next ones follow the new due time.
        pending = Stage(clock.next_reminder_stage) if clock.next_reminder_stage else None
        if clock.state == ClockState.RUNNING:
            schedule_reminders(clock, now=now, after=sent_before(pending))
        session.add(clock)
        changed.setdefault(clock.case_id, []).append(clock)
    session.flush()
    # Every clock the calendar can move was judged again by this version, moved or not (one statement).
    session.execute(
        update(Clock)
        .where(
            col(Clock.state).in_(list(TICKING_STATES)),
            col(Clock.unit).in_(CALENDAR_UNITS),
            col(Clock.due_at).is_not(None),
        )
        .values(calendar_version=cal.version),
        execution_options={"synchronize_session": "evaluate"},
    )
    for case_id, case_clocks in changed.items():
        case = session.get(Case, case_id)
        assert case is not None
        for clock in case_clocks:
            assert clock.id is not None
            record_event(session, case=case, actor_id=None, now=now, kind=CaseEventKind.CLOCK, action="recomputed",
                         data={"clock_id": clock.id, "name": clock.name, "basis": clock.basis,
                               "state": clock.state.value, "due_at": _iso(clock.due_at),
                               "old_due_at": _iso(olds[clock.id]), "reason": "calendar_changed",
                               "calendar_version": cal.version})  # fmt: skip
        refresh_next_due(session, case)
    return sum(len(v) for v in changed.values())
