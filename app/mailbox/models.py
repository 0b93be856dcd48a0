"""Messages taken from the mailbox (one row per Message-ID: the guarantee that each is taken once) and the press
outlets whose mail domains make a message a press inquiry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _


class MailOutcome(StrEnum):
    CASE_OPENED = "case_opened"
    NOTE_ADDED = "note_added"
    IGNORED = "ignored"  # an automatic reply, a bounce, our own mail


OUTCOME_LABELS: dict[MailOutcome, Message] = {
    MailOutcome.CASE_OPENED: _("Mở vụ việc mới"),
    MailOutcome.NOTE_ADDED: _("Thêm ghi chú vào vụ việc"),
    MailOutcome.IGNORED: _("Bỏ qua (thư tự động)"),
}


class MailboxMessage(SQLModel, table=True):
    __tablename__ = "mailbox_message"

    id: int | None = SQLField(default=None, primary_key=True)
    message_id: str = SQLField(max_length=500, unique=True)
    sender: str = SQLField(max_length=254)
    subject: str = SQLField(max_length=500)
    size: int = 0
    outcome: MailOutcome = SQLField(sa_type=StrEnumType(MailOutcome))
    case_id: int | None = SQLField(default=None, sa_column=Column(Integer, ForeignKey("case.id"), index=True))
    detail: str = SQLField(default="", max_length=1000)
    taken_at: datetime = SQLField(sa_type=UTCDateTime)


class PressOutlet(SQLModel, table=True):
    """A press outlet known by its mail domain (``tuoitre.vn`` also covers ``mail.tuoitre.vn``)."""

    __tablename__ = "press_outlet"

    id: int | None = SQLField(default=None, primary_key=True)
    name: str = SQLField(max_length=200)
    domain: str = SQLField(max_length=200, unique=True)
    created_at: datetime = SQLField(sa_type=UTCDateTime)


class PressOutletIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(min_length=3, max_length=200, pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


class PressOutletRead(BaseModel):
    id: int
    name: str
    domain: str


class PressOutletPage(BaseModel):
    items: list[PressOutletRead]


class MailboxMessageRead(BaseModel):
    id: int
    message_id: str
    subject: str
    outcome: MailOutcome
    case_reference: str | None
    detail: str
    taken_at: datetime


class MailboxMessagePage(BaseModel):
    items: list[MailboxMessageRead]


class AttachmentRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
