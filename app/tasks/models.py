"""Tasks: the spokesperson requires a unit to supply information by a due time (Decree 244/2026 Art. 4.2).

A case holds several tasks, each with its unit, request, due time and answer. Each task runs a clock
(origin ``task``) that its answer meets.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.cases.models import UnitRef, UserRef
from app.db import UTCDateTime
from app.validation import Code, LongText, Timestamp


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    request: str = Field(sa_column=Column(Text, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class TaskCreate(SQLModel):
    unit: Code
    request: LongText = Field(min_length=1)
    due_at: Timestamp


class TaskAnswer(SQLModel):
    answer: LongText = Field(min_length=1)


class TaskRead(SQLModel):
    id: int
    case: str  # the case reference
    unit: UnitRef
    request: str
    due_at: datetime
    created_at: datetime
    created_by: UserRef | None
    answer: str | None
    answered_at: datetime | None
    answered_by: UserRef | None
    clock_id: int | None
    state: str  # the task clock's state
    overdue: bool


class TaskPage(SQLModel):
    items: list[TaskRead]
