"""The calendar: loading the overrides into a ``Calendar``, the year view, and the admin's edits.

Adding or removing an override bumps the calendar's version and recomputes the running clocks counted in days or
working days (hours are wall clock and stay as they are); each clock keeps the version its due time was computed
with.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.counters import current_value
from app.errors import ValidationFailed
from app.i18n import _, text
from app.workdays.models import (
    DAY_KIND_LABELS,
    OVERRIDE_KIND_LABELS,
    CalendarDayRead,
    CalendarOverride,
    CalendarYearRead,
    OverrideKind,
    OverrideRead,
)
from app.workdays.rules import FIRST_YEAR, LAST_YEAR, OFF_KINDS, Calendar, DayKind, public_holidays

CALENDAR_VERSION = "calendar"  # the sequence counter (scope, year 0) of the overrides' version


def load_calendar(session: Session) -> Calendar:
    """Every override (a few a year), as the pure rules want them, with the calendar's version."""
    rows = session.exec(select(CalendarOverride)).all()
    return Calendar(
        extra_off=frozenset(r.day for r in rows if r.kind == OverrideKind.EXTRA_OFF),
        makeup=frozenset(r.day for r in rows if r.kind == OverrideKind.MAKEUP_WORKDAY),
        descriptions={r.day: r.description for r in rows},
        version=current_value(session, scope=CALENDAR_VERSION, year=0),
    )


def override_read(row: CalendarOverride, locale: str) -> OverrideRead:
    assert row.id is not None
    return OverrideRead(
        id=row.id,
        day=row.day,
        kind=row.kind,
        kind_label=text(OVERRIDE_KIND_LABELS[row.kind], locale),
        description=row.description,
        created_at=row.created_at,
    )


def calendar_year(session: Session, *, actor: Actor, year: int, locale: str) -> CalendarYearRead:
    """The year's public holidays and overrides, with the count of working days."""
    require(actor, Permission.CASE_VIEW)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_("Năm phải từ 2000 đến 2100."), field="year")
    cal = load_calendar(session)
    rows = session.exec(
        select(CalendarOverride)
        .where(col(CalendarOverride.day) >= date(year, 1, 1), col(CalendarOverride.day) <= date(year, 12, 31))
        .order_by(col(CalendarOverride.day))
    ).all()
    by_day = {r.day: r for r in rows}
    holidays = public_holidays(year, locale)
    days: list[CalendarDayRead] = []
    working = 0
    day = date(year, 1, 1)
    while day.year == year:
        kind = cal.kind(day)
        working += kind not in OFF_KINDS
        if day in by_day or day in holidays:
            days.append(
                CalendarDayRead(
                    day=day,
                    weekday=day.isoweekday(),
                    kind=kind,
                    kind_label=text(DAY_KIND_LABELS[kind], locale),
                    working=kind not in OFF_KINDS,
                    holiday=holidays.get(day),
                    override=override_read(by_day[day], locale) if day in by_day else None,
                )
            )
        day += timedelta(days=1)
    total = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return CalendarYearRead(
        year=year,
        working_days=working,
        days_off=total - working,
        days=days,
        overrides=[override_read(r, locale) for r in rows],
    )


def day_kinds(session: Session, *, actor: Actor, year: int) -> dict[date, DayKind]:
    """The kind of every day of the year (working, make-up, weekend, holiday, extra day off): the year view's grid."""
    require(actor, Permission.CASE_VIEW)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_("Năm phải từ 2000 đến 2100."), field="year")
    cal = load_calendar(session)
    day, kinds = date(year, 1, 1), {}
    while day.year == year:
        kinds[day] = cal.kind(day)
        day += timedelta(days=1)
    return kinds
