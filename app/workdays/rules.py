"""The working-day calendar and the counting rules of the Civil Code (Art. 147–148). Pure: no I/O.

* A period in **hours** runs on the wall clock from the triggering moment, through nights, weekends and holidays
  (Art. 147.1).
* A period in **days** starts the day after the triggering event (Art. 147.2); it ends at 24:00 local time of its
  last day (Art. 148.6); when that day is not a working day, it ends at the end of the next working day (Art. 148.5).
* A period in **working days** counts only working days, from the day after the event: weekends, public holidays
  and the year's official extra days off are skipped, the official make-up working days count.

Working days: Monday to Friday, unless a public holiday (the ``holidays`` package's Vietnam calendar, lunar
holidays included) or an extra day off announced for the year; plus the announced make-up working days (which
win over everything else: the government declared them working days). Times are stored in UTC and counted in
Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib.metadata import version

from app.timeutil import end_of_local_day, local_date

ONE_DAY = timedelta(days=1)

# The years the calendar knows: the year view, the API and the overrides (typed, sent or imported) all keep to them,
# so no override can be dated where it could be neither seen nor found (1900, 0001, 9999 are typing mistakes).
FIRST_YEAR = 2000
LAST_YEAR = 2100


def in_calendar_years(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


# A guard against endless loops on a corrupt calendar (a year of days off in a row).
MAX_SCAN_DAYS = 3660


class PeriodUnit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    FIXED = "fixed"  # an absolute due time set by a person (a task); extensions are in hours


class DayKind(StrEnum):
    WORKING = "working"
    MAKEUP = "makeup"  # a Saturday or Sunday declared a working day (làm bù)
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    EXTRA_OFF = "extra_off"  # an extra official day off for the year (nghỉ bù, hoán đổi)


HOLIDAYS_VERSION: str = version("holidays")  # the statutory holidays' source, shown where a due time is explained

OFF_KINDS = frozenset({DayKind.WEEKEND, DayKind.HOLIDAY, DayKind.EXTRA_OFF})


@cache
def public_holidays(year: int, language: str = "vi") -> Mapping[date, str]:
    """Vietnam's public holidays of a year (Labour Code Art. 112, with the lunar dates), from ``holidays``."""
    # ``holidays`` (with its lunar calendars) is imported on the first call, not at the top: importing it cost every
    # process about 0.05 s of CPU at start-up, and the answers are cached per year.
    import holidays

    lang = "en_US" if language == "en" else "vi"
    return dict(holidays.country_holidays("VN", years=year, language=lang))


@dataclass(frozen=True)
class Calendar:
    """The statutory calendar plus the admin's overrides of the year(s): extra days off and make-up days."""

    extra_off: frozenset[date] = frozenset()
    makeup: frozenset[date] = frozenset()
    descriptions: Mapping[date, str] = field(default_factory=dict, compare=False, hash=False)
    version: int = field(default=0, compare=False)  # bumped by every change of the overrides (audit of due times)

    def kind(self, day: date) -> DayKind:
        if day in self.makeup:
            return DayKind.MAKEUP if day.weekday() >= 5 or day in public_holidays(day.year) else DayKind.WORKING
        if day in self.extra_off:
            return DayKind.EXTRA_OFF
        if day in public_holidays(day.year):
            return DayKind.HOLIDAY
        if day.weekday() >= 5:
            return DayKind.WEEKEND
        return DayKind.WORKING

    def is_working_day(self, day: date) -> bool:
        return self.kind(day) not in OFF_KINDS

    def label(self, day: date, language: str = "vi") -> str | None:
        """The holiday's name or the override's description, if the day has one."""
        if day in self.descriptions:
            return self.descriptions[day]
        return public_holidays(day.year, language).get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(MAX_SCAN_DAYS):
            day += ONE_DAY
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within ten years")


# --- the counting rules -----------------------------------------------------------------------------------


def last_day_of_days(start: date, days: int, cal: Calendar) -> date:
    """The last day of a period of ``days`` days triggered on ``start`` (Art. 147.2 and 148.5)."""
    last = start + timedelta(days=days)
    return last if cal.is_working_day(last) else cal.next_working_day(last)


def last_working_day(start: date, working_days: int, cal: Calendar) -> date:
    """The ``working_days``-th working day after ``start`` (the day of the event itself is not counted)."""
    day = start
    for _ in range(working_days):
        day = cal.next_working_day(day)
    return day


def due_at(
    start: datetime,
    length: int,
    unit: PeriodUnit,
    cal: Calendar,
    *,
    fixed: datetime | None = None,
) -> datetime:
    """When a period ends (UTC). Days and working days end at 24:00 local time of their last day."""
    if unit == PeriodUnit.HOURS:
        return start + timedelta(hours=length)
    if unit == PeriodUnit.FIXED:
        if fixed is None:
            raise ValueError("a fixed period needs its due time")
        return fixed + timedelta(hours=length)
    if length < 1:
        raise ValueError("a period in days lasts at least one day")
    if unit == PeriodUnit.DAYS:
        return end_of_local_day(last_day_of_days(local_date(start), length, cal))
    return end_of_local_day(last_working_day(local_date(start), length, cal))


# --- explaining a computation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLine:
    """One local day of a period: whether it counted, and why not."""

    day: date
    kind: DayKind
    counted: bool
    number: int | None  # the day's rank in the period, when it counted
    label: str | None  # holiday name or override description
    rolled_forward: bool = False  # a day added because the last day was not a working day (Art. 148.5)


@dataclass(frozen=True)
class Computation:
    start: datetime
    length: int
    unit: PeriodUnit
    due_at: datetime
    days: tuple[DayLine, ...]
    nominal_last_day: date | None  # for days: the last day before rolling forward


def explain(
    start: datetime,
    length: int,
    unit: PeriodUnit,
    cal: Calendar,
    *,
    fixed: datetime | None = None,
    language: str = "vi",
) -> Computation:
    """The day-by-day account of ``due_at``: every day of the period, counted or skipped, and why."""
    due = due_at(start, length, unit, cal, fixed=fixed)
    first = local_date(start)
    lines: list[DayLine] = []
    nominal: date | None = None
    if unit in (PeriodUnit.HOURS, PeriodUnit.FIXED):
        # Wall clock: every day between start and due counts, whatever it is.
        day, last = first, local_date(due - timedelta(microseconds=1))
        while day <= last and len(lines) < MAX_SCAN_DAYS:
            lines.append(DayLine(day, cal.kind(day), True, None, cal.label(day, language)))
            day += ONE_DAY
    elif unit == PeriodUnit.DAYS:
        nominal = first + timedelta(days=length)
        day = first
        for n in range(1, length + 1):
            day = first + timedelta(days=n)
            lines.append(DayLine(day, cal.kind(day), True, n, cal.label(day, language)))
        while not cal.is_working_day(day):
            day += ONE_DAY
            lines.append(DayLine(day, cal.kind(day), cal.is_working_day(day), None, cal.label(day, language),
                                 rolled_forward=True))  # fmt: skip
    else:
        day, counted = first, 0
        while counted < length and len(lines) < MAX_SCAN_DAYS:
            day += ONE_DAY
            works = cal.is_working_day(day)
            counted += works
            lines.append(DayLine(day, cal.kind(day), works, counted if works else None, cal.label(day, language)))
    return Computation(start=start, length=length, unit=unit, due_at=due, days=tuple(lines), nominal_last_day=nominal)
