"""Notifications: reminders and escalations of clocks, in-app and by e-mail, and the worker's heartbeat.

One row per (clock, schedule version, stage, recipient), unique by ``dedupe_key``: the worker creates it when
the stage is due and sends its e-mail; a second worker can neither create it twice nor send it twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from app.clocks.schedule import Stage
from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _

STAGE_LABELS: dict[Stage, Message] = {
    Stage.HALF: _("Đã qua một nửa thời hạn"),
    Stage.LATE: _("Sắp đến hạn"),
    Stage.DUE: _("Đến hạn"),
    Stage.OVERDUE: _("Quá hạn"),
    Stage.PAGE: _("Báo động khủng hoảng"),
}


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker (until ``email_claimed_until``)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    NONE = "none"  # no address, or e-mail is not configured


class Notification(SQLModel, table=True):
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_email_status", "email_status"),  # the worker's queue depth, read at every scrape
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    case_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE")))
    clock_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("clock.id", ondelete="CASCADE"), index=True)
    )
    stage: Stage = Field(sa_type=StrEnumType(Stage))
    dedupe_key: str = Field(max_length=200, unique=True)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    email_to: str | None = Field(default=None, max_length=254)
    email_status: EmailStatus = Field(sa_type=StrEnumType(EmailStatus))
    email_attempts: int = 0
    email_next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    email_claimed_by: str | None = Field(default=None, max_length=100)
    email_claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_error: str | None = Field(default=None, max_length=500)


class WorkerHeartbeat(SQLModel, table=True):
    """One row per running worker, refreshed on every pass (``/readyz`` may report stale workers)."""

    __tablename__ = "worker_heartbeat"

    worker_id: str = Field(primary_key=True, max_length=100)
    started_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
    passes: int = 0


class NotificationRead(SQLModel):
    id: int
    stage: Stage
    title: str
    body: str
    link: str | None
    case: str | None  # reference
    clock_id: int | None
    created_at: datetime
    read_at: datetime | None
    email_status: EmailStatus


class NotificationPage(SQLModel):
    items: list[NotificationRead]
    unread: int
