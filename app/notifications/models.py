"""Notifications ("tin nhắn" in the interface, never "thông báo", which is a kind of notice): what happened that
a user must know, in-app and by e-mail, and the worker's heartbeat.

Each row is unique by ``dedupe_key``. The causes (``NotificationKind``): a case routed to your unit, assigned to
you, a draft submitted to those who may approve it, approved (press office), returned (the drafter), published
(everyone who worked the case), an ``@username`` mention in a note (made in the transaction of their cause by
``notifications.events``), and the clocks' reminders and escalations (one row per clock, schedule version, stage
and recipient, made by the worker). E-mail follows the recipient's ``User.email_frequency``: ``immediate`` (the
row is queued for the worker's outbox), ``daily`` (the row waits for the day's single message, itself a row of
kind ``daily_email`` that the in-app list never shows) or ``off``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from app.clocks.schedule import Stage
from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _
from app.org.models import EmailFrequency

__all__ = ["EmailFrequency"]

STAGE_LABELS: dict[Stage, Message] = {
    Stage.HALF: _("Đã qua một nửa thời hạn"),
    Stage.LATE: _("Sắp đến hạn"),
    Stage.DUE: _("Đến hạn"),
    Stage.OVERDUE: _("Quá hạn"),
    Stage.PAGE: _("Báo động khủng hoảng"),
}


class NotificationKind(StrEnum):
    ROUTED = "routed"  # a case routed to your unit
    ASSIGNED = "assigned"  # a case assigned to you
    SUBMITTED = "submitted"  # a draft submitted for approval (to everyone who may approve it)
    APPROVED = "approved"  # a statement approved (to the press office, who publishes it)
    RETURNED = "returned"  # a statement returned (to its drafter, with the comment)
    PUBLISHED = "published"  # a notice published (to everyone who worked the case)
    MENTIONED = "mentioned"  # an @username in a note
    CLOCK = "clock"  # a clock's reminder or escalation (its ``stage`` says which)
    PAGE = "page"  # a crisis page (app/crisis; e-mailed at once whatever the user's choice)
    DAILY_EMAIL = "daily_email"  # the day's e-mail of a user who chose ``daily`` (not shown in-app)


KIND_LABELS: dict[NotificationKind, Message] = {
    NotificationKind.ROUTED: _("Chuyển đến đơn vị"),
    NotificationKind.ASSIGNED: _("Giao cho bạn"),
    NotificationKind.SUBMITTED: _("Trình duyệt"),
    NotificationKind.APPROVED: _("Đã duyệt"),
    NotificationKind.RETURNED: _("Bị trả lại"),
    NotificationKind.PUBLISHED: _("Đã công bố"),
    NotificationKind.MENTIONED: _("Nhắc đến bạn"),
    NotificationKind.CLOCK: _("Thời hạn"),
    NotificationKind.PAGE: _("Báo động khủng hoảng"),
    NotificationKind.DAILY_EMAIL: _("Thư tổng hợp trong ngày"),
}


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker (until ``email_claimed_until``)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    NONE = "none"  # no address, e-mail is not configured, or the user chose ``off``
    DAILY = "daily"  # waits for the day's single message (the user chose ``daily``)
    IN_DAILY = "in_daily"  # went into the day's message (a ``daily_email`` row)


class Notification(SQLModel, table=True):
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_kind", "user_id", "kind"),
        Index("ix_notification_email_status", "email_status"),  # the worker's queue depth, read at every scrape
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    case_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE")))
    clock_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("clock.id", ondelete="CASCADE"), index=True)
    )
    kind: NotificationKind = Field(default=NotificationKind.CLOCK, sa_type=StrEnumType(NotificationKind))
    stage: Stage | None = Field(default=None, sa_type=StrEnumType(Stage))  # clock notifications only
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
    kind: NotificationKind
    case_reference: str | None
    text: str  # the one line that says what happened (the title)
    stage: Stage | None
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


# --- what waits for me (computed by ``notifications.queue``, never stored) -----------------------------------


class QueueKind(StrEnum):
    TO_ROUTE = "to_route"  # press office: a new case to route to a unit
    TO_ACCEPT = "to_accept"  # unit head: a case routed to the unit, to accept
    TO_DRAFT = "to_draft"  # assignee: a case in progress with no answer drafted yet
    TO_SUBMIT = "to_submit"  # unit head: a draft ready to submit
    TO_APPROVE = "to_approve"  # a holder of spokesperson authority for the case: a submitted statement
    RETURNED = "returned"  # the drafter: a statement returned with a comment
    TO_PUBLISH = "to_publish"  # press office: an approved statement to publish
    MENTIONED = "mentioned"  # someone mentioned you in a note (until you read the notification)


QUEUE_KIND_LABELS: dict[QueueKind, Message] = {
    QueueKind.TO_ROUTE: _("Cần chuyển đơn vị"),
    QueueKind.TO_ACCEPT: _("Cần nhận xử lý"),
    QueueKind.TO_DRAFT: _("Cần soạn nội dung trả lời"),
    QueueKind.TO_SUBMIT: _("Dự thảo chờ trình duyệt"),
    QueueKind.TO_APPROVE: _("Chờ bạn duyệt"),
    QueueKind.RETURNED: _("Bị trả lại, cần sửa"),
    QueueKind.TO_PUBLISH: _("Đã duyệt, chờ công bố"),
    QueueKind.MENTIONED: _("Có người nhắc đến bạn"),
}


class QueueItem(SQLModel):
    kind: QueueKind
    case_reference: str
    case_title: str
    statement_id: int | None = None
    notification_id: int | None = None  # mentioned: the notification to open
    since: datetime  # since when it waits
    due_at: datetime | None = None  # the clock that applies (the approval clock, else the case's nearest)


class QueuePage(SQLModel):
    items: list[QueueItem]
    counts: dict[QueueKind, int]
