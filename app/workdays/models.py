"""The admin-edited part of the calendar: extra days off and make-up working days, each with a description.

Public holidays come from the ``holidays`` package (Vietnam, lunar dates included); this table holds what the
government announces each year on top: the swapped days off (nghỉ bù, hoán đổi) and the Saturdays worked instead
(làm bù). A make-up working day wins over a weekend or a holiday on the same date.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, Date, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _
from app.validation import Name
from app.workdays.rules import FIRST_YEAR, LAST_YEAR, DayKind, in_calendar_years


class OverrideKind(StrEnum):
    EXTRA_OFF = "extra_off"
    MAKEUP_WORKDAY = "makeup_workday"


OVERRIDE_KIND_LABELS: dict[OverrideKind, Message] = {
    OverrideKind.EXTRA_OFF: _("Ngày nghỉ thêm (nghỉ bù, hoán đổi)"),
    OverrideKind.MAKEUP_WORKDAY: _("Ngày làm bù"),
}

DAY_KIND_LABELS: dict[DayKind, Message] = {
    DayKind.WORKING: _("Ngày làm việc"),
    DayKind.MAKEUP: _("Ngày làm bù"),
    DayKind.WEEKEND: _("Ngày nghỉ cuối tuần"),
    DayKind.HOLIDAY: _("Ngày nghỉ lễ, tết"),
    DayKind.EXTRA_OFF: _("Ngày nghỉ thêm theo thông báo của Chính phủ"),
}


class CalendarOverride(SQLModel, table=True):
    __tablename__ = "calendar_override"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(sa_column=Column(Date, nullable=False, unique=True, index=True))
    kind: OverrideKind = Field(sa_type=StrEnumType(OverrideKind))
    description: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class OverrideCreate(SQLModel):
    day: date = Field(description=f"A day of the years {FIRST_YEAR}–{LAST_YEAR}")
    kind: OverrideKind
    description: Name

    @field_validator("day")
    @classmethod
    def _in_calendar_years(cls, value: date) -> date:
        if not in_calendar_years(value):
            raise ValueError(_("Ngày phải thuộc các năm từ {first} đến {last}.", first=FIRST_YEAR, last=LAST_YEAR))
        return value


class OverrideRead(SQLModel):
    id: int
    day: date
    kind: OverrideKind
    kind_label: str
    description: str
    created_at: datetime


class CalendarDayRead(SQLModel):
    """A day that is not an ordinary working day, or that an override touches."""

    day: date
    weekday: int  # ISO: 1 Monday … 7 Sunday
    kind: DayKind
    kind_label: str
    working: bool
    holiday: str | None  # the public holiday's name (holidays package)
    override: OverrideRead | None


class CalendarYearRead(SQLModel):
    year: int
    working_days: int
    days_off: int
    days: list[CalendarDayRead]  # every non-ordinary day of the year: weekends, holidays, overrides
    overrides: list[OverrideRead]
