"""Press events: the press conferences the Sở holds, the press briefings at which it comes to provide information,
and the press conferences of other bodies at which its spokesperson speaks (Decree 244/2026 Art. 5.1, 5.5, 6.3.b).

The press office logs them (what, when, who spoke, which cases were raised) after they happen. They feed the first
two indicators of the yearly report (Art. 10) and tell the report that a case was spoken about.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.cases.models import UserRef
from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _
from app.validation import Name, Note, ShortText, Timestamp, Title


class PressEventKind(StrEnum):
    PRESS_CONFERENCE = "press_conference"  # a press conference the Sở held (Art. 5.1): indicator 1
    PRESS_BRIEFING = "press_briefing"  # the Sở came to a press briefing to provide information (Art. 5.5): indicator 2
    EXTERNAL_PRESS_CONFERENCE = "external_press_conference"  # spoke at another body's press conference (Art. 6.3.b)


PRESS_EVENT_KIND_LABELS: dict[PressEventKind, Message] = {
    PressEventKind.PRESS_CONFERENCE: _("Họp báo do Sở tổ chức"),
    PressEventKind.PRESS_BRIEFING: _("Chủ động cung cấp thông tin tại giao ban báo chí"),
    PressEventKind.EXTERNAL_PRESS_CONFERENCE: _("Phát ngôn tại họp báo của cơ quan khác"),
}


class PressEvent(SQLModel, table=True):
    __tablename__ = "press_event"

    id: int | None = Field(default=None, primary_key=True)
    kind: PressEventKind = Field(sa_type=StrEnumType(PressEventKind), index=True)
    held_at: datetime = Field(sa_type=UTCDateTime, index=True)
    title: str = Field(max_length=300)
    spokesperson_name: str = Field(max_length=200)
    spokesperson_title: str = Field(default="", max_length=200)
    organiser: str | None = Field(default=None, max_length=200)  # who ran it (a briefing, another body's conference)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    updated_at: datetime = Field(sa_type=UTCDateTime)


class PressEventCase(SQLModel, table=True):
    """A case raised at a press event."""

    __tablename__ = "press_event_case"

    press_event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("press_event.id", ondelete="CASCADE"), primary_key=True)
    )
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


# --- schemas ------------------------------------------------------------------------------------------------


class PressEventCreate(SQLModel):
    kind: PressEventKind
    held_at: Timestamp
    title: Title
    spokesperson_name: Name
    spokesperson_title: ShortText = ""
    organiser: ShortText | None = None
    note: Note | None = None
    cases: list[str] = Field(default_factory=list, max_length=50)  # case references


class PressEventUpdate(SQLModel):
    kind: PressEventKind | None = None
    held_at: Timestamp | None = None
    title: Title | None = None
    spokesperson_name: Name | None = None
    spokesperson_title: ShortText | None = None
    organiser: ShortText | None = None
    note: Note | None = None
    cases: list[str] | None = Field(default=None, max_length=50)


class CaseLink(SQLModel):
    reference: str
    title: str


class PressEventRead(SQLModel):
    id: int
    kind: PressEventKind
    held_at: datetime  # local time (+07:00)
    title: str
    spokesperson_name: str
    spokesperson_title: str
    organiser: str | None
    note: str | None
    cases: list[CaseLink]  # those the reader may see
    created_at: datetime
    created_by: UserRef | None
    updated_at: datetime


class PressEventPage(SQLModel):
    items: list[PressEventRead]
