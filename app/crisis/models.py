"""Crisis mode (product §11.5): a crisis declared on a case, the duty roster, the pages sent until someone answers.

* ``Crisis``: one row per declaration, from declared to stood down; at most one active per case (a partial unique
  index). Its level may change while it lasts. Its ``lessons`` are the after-action review's free text.
* ``DutyShift``: the roster, who is on duty in which role, from when to when, at which position of the fallback
  order.
* ``CrisisPage``: one row per step of a paging ladder (unique by crisis, ladder and step: a step is created once
  however many workers run), with its acknowledgement. Its e-mail goes through the notifications outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.cases.models import EventRead
from app.cases.vocabulary import Severity
from app.clocks.models import ClockRead
from app.crisis.rules import DutyRole, Ladder
from app.db import StrEnumType, UTCDateTime
from app.validation import Note, Timestamp


class Crisis(SQLModel, table=True):
    __table_args__ = (
        Index("uq_crisis_active_case", "case_id", unique=True, sqlite_where=text("stood_down_at IS NULL"),
              postgresql_where=text("stood_down_at IS NULL")),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    level: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    previous_severity: Severity = Field(sa_type=StrEnumType(Severity))
    declared_at: datetime = Field(sa_type=UTCDateTime, index=True)
    declared_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    level_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stood_down_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stood_down_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    stand_down_reason: str | None = Field(default=None, sa_column=Column(Text))
    lessons: str | None = Field(default=None, sa_column=Column(Text))
    lessons_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lessons_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class DutyShift(SQLModel, table=True):
    __tablename__ = "duty_shift"
    __table_args__ = (Index("ix_duty_shift_role_period", "role", "starts_at", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    role: DutyRole = Field(sa_type=StrEnumType(DutyRole))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    position: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)


class CrisisPage(SQLModel, table=True):
    __tablename__ = "crisis_page"
    __table_args__ = (
        UniqueConstraint("crisis_id", "ladder", "step", name="uq_crisis_page_step"),
        Index("ix_crisis_page_open", "acked_at", "escalated_at", "ack_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = Field(
        sa_column=Column(Integer, ForeignKey("crisis.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False))
    ladder: Ladder = Field(sa_type=StrEnumType(Ladder))
    step: int
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False, index=True))
    duty_role: str | None = Field(default=None, max_length=40)  # the role they were on duty in (None: director)
    gap: bool = False  # the role had nobody on duty at position 1: this page went to the fallback
    sent_at: datetime = Field(sa_type=UTCDateTime)
    ack_due_at: datetime = Field(sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acked_via: str | None = Field(default=None, max_length=20)  # app | link | api
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the next step was paged (or none)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the crisis stood down unanswered


# --- schemas ------------------------------------------------------------------------------------------------


class CrisisIn(SQLModel):
    level: int = Field(ge=1, le=3, description="1: close watch; 2: crisis; 3: severe crisis")
    reason: Note


class StandDownIn(SQLModel):
    reason: Note


class UserBrief(SQLModel):
    username: str
    full_name: str


class CrisisRead(SQLModel):
    id: int
    case_reference: str
    level: int
    level_label: str
    reason: str
    active: bool
    declared_at: datetime
    declared_by: UserBrief | None
    level_changed_at: datetime | None
    stood_down_at: datetime | None
    stood_down_by: UserBrief | None
    stand_down_reason: str | None
    previous_severity: Severity


class ShiftIn(SQLModel):
    role: DutyRole
    user: str = Field(min_length=1, max_length=80, description="username")
    starts_at: Timestamp
    ends_at: Timestamp
    position: int = Field(default=1, ge=1, le=9, description="fallback order within the role, 1 first")


class RosterIn(SQLModel):
    items: list[ShiftIn] = Field(max_length=2000)


class ShiftRead(SQLModel):
    id: int
    role: DutyRole
    role_label: str
    user: str
    full_name: str
    starts_at: datetime
    ends_at: datetime
    position: int
    on_duty_now: bool


class GapRead(SQLModel):
    role: DutyRole
    role_label: str
    starts_at: datetime
    ends_at: datetime


class RosterRead(SQLModel):
    items: list[ShiftRead]
    gaps: list[GapRead]  # where a role has nobody at position 1: pages go to the fallback
    on_duty: dict[str, list[UserBrief]]  # now, per role, in fallback order
    may_edit: bool = False  # the caller may change it (admin, director)


class PageRead(SQLModel):
    id: int
    case_reference: str
    case_title: str
    crisis_id: int
    crisis_level: int
    ladder: Ladder
    step: int
    user: str
    full_name: str
    duty_role: str | None
    gap: bool
    sent_at: datetime
    ack_due_at: datetime
    acked_at: datetime | None
    acked_via: str | None
    escalated_at: datetime | None
    closed_at: datetime | None
    state: str  # waiting | acknowledged | escalated | closed


class PageList(SQLModel):
    items: list[PageRead]


class ClockOutcome(SQLModel):
    name: str
    basis: str
    state: str
    state_label: str
    due_at: datetime | None
    met_at: datetime | None
    met: bool | None  # None: still running / not applicable


class Milestone(SQLModel):
    key: str  # declared | first_ack | holding_statement | first_notice
    label: str
    at: datetime | None
    seconds_from_receipt: int | None
    seconds_from_declaration: int | None


class AfterActionRead(SQLModel):
    case_reference: str
    case_title: str
    received_at: datetime
    crisis: CrisisRead
    over: bool
    milestones: list[Milestone]
    clocks: list[ClockRead]
    clocks_met: int
    clocks_missed: int
    clock_outcomes: list[ClockOutcome]
    pages: list[PageRead]
    lessons: str | None
    lessons_at: datetime | None
    may_write_lessons: bool = False  # the caller may write the lessons
    timeline: list[EventRead]


class LessonsIn(SQLModel):
    lessons: str = Field(max_length=20_000)


class YearCrisis(SQLModel):
    case_reference: str
    case_title: str
    level: int
    declared_at: datetime
    stood_down_at: datetime | None
    to_declaration: int | None  # seconds from receipt
    to_first_ack: int | None
    to_holding_statement: int | None
    to_first_notice: int | None
    clocks_met: int
    clocks_missed: int
