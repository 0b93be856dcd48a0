"""The clocks of a case: statutory (from the rule pack), internal targets, and tasks given to units.

A clock keeps what it was started from (start time, length and unit, extension, paused time) so that its due
time can be recomputed when the calendar changes, and the reminder stage it is at, so that the worker finds the
reminders that are due with one indexed query. "Overdue" is never stored: it is computed from ``due_at``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from app.cases.vocabulary import Severity
from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _
from app.rules.schema import ClockActor, MetBy, StartEvent
from app.validation import Note, OptionalTimestamp
from app.workdays.rules import DayKind, PeriodUnit


class ClockOrigin(StrEnum):
    STATUTORY = "statutory"
    INTERNAL = "internal"
    TASK = "task"
    DOCUMENT = "document"  # issuing a signed document (Decree 30/2020 Art. 18.1): the clerical office's duty


class ClockState(StrEnum):
    PENDING = "pending"  # its start time is not known yet (e.g. the complaint is not concluded)
    RUNNING = "running"
    PAUSED = "paused"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    MISSED = "missed"  # the case was closed unanswered after the due time
    STOPPED = "stopped"  # no longer applies (case closed unanswered in time, trigger changed, …), with a reason


ACTIVE_STATES = frozenset({ClockState.RUNNING, ClockState.PAUSED, ClockState.PENDING})
TICKING_STATES = frozenset({ClockState.RUNNING, ClockState.PAUSED})
MET_STATES = frozenset({ClockState.MET_ON_TIME, ClockState.MET_LATE})

CLOCK_STATE_LABELS: dict[ClockState, Message] = {
    ClockState.PENDING: _("Chưa bắt đầu"),
    ClockState.RUNNING: _("Đang chạy"),
    ClockState.PAUSED: _("Tạm dừng"),
    ClockState.MET_ON_TIME: _("Đúng hạn"),
    ClockState.MET_LATE: _("Trễ hạn"),
    ClockState.MISSED: _("Quá hạn, không thực hiện"),
    ClockState.STOPPED: _("Đã dừng"),
}

CLOCK_ORIGIN_LABELS: dict[ClockOrigin, Message] = {
    ClockOrigin.STATUTORY: _("Thời hạn theo quy định pháp luật"),
    ClockOrigin.INTERNAL: _("Chỉ tiêu nội bộ của Sở"),
    ClockOrigin.TASK: _("Nhiệm vụ cung cấp thông tin"),
    ClockOrigin.DOCUMENT: _("Phát hành văn bản theo quy định pháp luật"),
}


class Clock(SQLModel, table=True):
    __table_args__ = (
        Index("ix_clock_state_due_at", "state", "due_at"),
        # The yearly report reads a period's clocks from this index alone (PostgreSQL; migration 9d4e7f1a2b3c).
        Index(
            "ix_clock_case_report",
            "case_id",
            postgresql_include=[
                "state",
                "met_by",
                "met_at",
                "pack",
                "rule_key",
                "start_at",
                "unit",
                "length",
                "paused_seconds",
                "due_at",
            ],
            info={"dialects": ("postgresql",)},
        ),
        # The dashboard counts the running and paused clocks live (the only part of its buckets that depends on *now*):
        # from this small index alone (PostgreSQL; migration 5e1b7c9d3a2f), not from ~10k rows spread over the table.
        Index(
            "ix_clock_ticking_case",
            "case_id",
            postgresql_include=["origin", "basis", "state", "due_at", "actor", "task_id", "name"],
            postgresql_where=text("state IN ('running', 'paused')"),
            info={"dialects": ("postgresql",)},
        ),
        # Only a running clock has a next reminder (``service.schedule_reminders``): the worker's batch reads
        # ``next_reminder_at <= now`` alone, in index order.
        CheckConstraint("next_reminder_at IS NULL OR state = 'running'", name="reminder_only_running"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    origin: ClockOrigin = Field(sa_type=StrEnumType(ClockOrigin))
    rule_key: str = Field(max_length=80)  # the pack's clock key, "target:<id>" or "task:<id>"
    pack: str | None = Field(default=None, max_length=40)
    target_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("internal_target.id")))
    task_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), index=True)
    )

    name: str = Field(max_length=300)  # Vietnamese; translated when read
    basis: str = Field(max_length=300)  # the legal citation, or the internal target it comes from
    actor: ClockActor = Field(sa_type=StrEnumType(ClockActor))
    met_by: MetBy = Field(sa_type=StrEnumType(MetBy))
    may_pause: bool = False

    start_event: StartEvent = Field(sa_type=StrEnumType(StartEvent))
    started_from: StartEvent | None = Field(default=None, sa_type=StrEnumType(StartEvent))  # a fallback, if used
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    length: int = 0
    unit: PeriodUnit = Field(sa_type=StrEnumType(PeriodUnit))
    fixed_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # tasks
    extension: int = 0  # in the clock's unit (hours for a fixed due time)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_seconds: int = 0

    state: ClockState = Field(sa_type=StrEnumType(ClockState))
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    calendar_version: int | None = None  # the calendar's version the due time was computed with
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_column=Column(Text))  # why it is pending, fell back, stopped, met

    # Reminders: the next stage to send and when (None when nothing is to be sent); bumped by an extension or a
    # recomputation so that the stages are sent again for the new due time.
    version: int = 1
    next_reminder_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_reminder_stage: str | None = Field(default=None, max_length=20)

    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


# --- schemas ------------------------------------------------------------------------------------------------


class ClockRead(SQLModel):
    id: int
    name: str
    basis: str
    origin: ClockOrigin
    pack: str | None
    state: ClockState
    state_label: str
    overdue: bool
    due_at: datetime | None  # local time (+07:00); days end at 24:00, written 00:00 of the next day
    calendar_version: int | None  # the working-day calendar's version the due time was computed with
    start_at: datetime | None
    start_event: StartEvent
    started_from: StartEvent | None
    length: int
    unit: PeriodUnit
    extension: int
    paused_seconds: int
    may_pause: bool
    actor: ClockActor
    met_by: MetBy
    met_at: datetime | None
    note: str | None
    task_id: int | None
    remaining_seconds: int | None  # negative when overdue; None when not ticking


class ClockPage(SQLModel):
    items: list[ClockRead]


class ExtendIn(SQLModel):
    by: int = Field(ge=1, le=1000, description="How much longer, in the clock's unit (hours for a task's time)")
    reason: Note


class MarkMetIn(SQLModel):
    note: Note
    at: OptionalTimestamp = None  # when it was answered; defaults to now


class ExplainDay(SQLModel):
    day: date
    weekday: int
    kind: DayKind
    kind_label: str
    counted: bool
    number: int | None
    label: str | None
    rolled_forward: bool


class ClockExplanation(SQLModel):
    clock: ClockRead
    rule: str  # in words: "24 giờ kể từ …"
    basis: str
    pack: str | None
    start_event: StartEvent
    start_event_label: str
    start_at: datetime | None
    effective_start: datetime | None  # start plus the paused time
    length: int
    extension: int
    unit: PeriodUnit
    paused_seconds: int
    due_at: datetime | None
    calendar_version: int  # the calendar's version now (the clock's own is in ``clock``)
    holidays_version: str  # the ``holidays`` package that gives the statutory holidays
    nominal_last_day: date | None
    counting: str  # the counting rule applied, in words
    days: list[ExplainDay]
    skipped: list[ExplainDay]
    makeup_days: list[ExplainDay]


class ClockAction(StrEnum):
    """What a person may do with a clock (the staff pages offer only these)."""

    EXTEND = "extend"
    MARK_MET = "met"


class CaseClockRead(SQLModel):
    """A clock with the case it belongs to (the home pages' lists across cases)."""

    case_reference: str
    case_title: str
    case_severity: Severity
    clock: ClockRead
