"""Calendar edits that move the clocks: an override added or removed, or the ``holidays`` package upgraded, makes a
new calendar version (``workdays.service.CALENDAR_VERSION``) and judges every running or paused clock counted in days
by it again. They live next to the clocks (the calendar itself knows nothing of clocks)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from app.auth.permissions import Actor, Permission, require
from app.clocks.service import recompute_for_calendar
from app.counters import next_value
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.workdays.models import CalendarOverride, OverrideCreate, OverrideKind
from app.workdays.rules import Calendar, DayKind
from app.workdays.service import CALENDAR_VERSION


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
