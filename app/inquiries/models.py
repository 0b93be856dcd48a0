"""A reporter's written inquiry (câu hỏi bằng văn bản của phóng viên) and its schemas.

An inquiry opens a ``new`` case of source kind ``press_inquiry`` (its own case). The press office may link it to
another case asking the same thing; ``case_id`` is then that case, and the inquiry's status and answer follow it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints
from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.cases.models import REFERENCE_PATTERN, UserRef
from app.db import UTCDateTime
from app.inquiries.rules import InquiryStatus
from app.validation import Clean, Name, Note, OneLine, OptionalTimestamp


class Inquiry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    outlet: str = Field(max_length=200)
    reporter_name: str = Field(max_length=200)
    press_card_number: str = Field(max_length=40)
    contact: str = Field(max_length=200)
    question: str = Field(sa_column=Column(Text, nullable=False))
    reporter_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    own_case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id"), nullable=False))
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id"), nullable=False, index=True))
    linked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    linked_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


# --- schemas: public (a test pins their field sets) ---------------------------------------------------------

PressCard = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[0-9A-Za-zĐđ./ -]+$")
]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200), Clean, OneLine]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000), Clean]


class InquiryCreate(SQLModel):
    """A written inquiry, as a reporter sends it."""

    outlet: Name  # the press agency (cơ quan báo chí)
    reporter_name: Name
    press_card_number: PressCard  # số thẻ nhà báo
    contact: Contact  # phone or e-mail where the press office answers
    question: Question
    reporter_deadline: OptionalTimestamp = None  # when the reporter needs the answer (their own deadline)


class InquiryReceipt(SQLModel):
    code: str
    status: InquiryStatus


class InquiryNoticeLink(SQLModel):
    """The published notice that answers the inquiry."""

    number: str
    slug: str
    url: str


class InquiryStatusPublic(SQLModel):
    """An inquiry's public status: nothing else (no case, no unit, no person, no text)."""

    code: str
    status: InquiryStatus
    notice: InquiryNoticeLink | None


# --- schemas: staff -----------------------------------------------------------------------------------------


class InquiryLinkIn(SQLModel):
    # Upper-cased before the pattern is checked ("vv-2026-00042" as typed is VV-2026-00042).
    reference: Annotated[
        str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
        StringConstraints(max_length=30, pattern=REFERENCE_PATTERN),
    ]  # fmt: skip
    note: Note | None = None


class InquiryRead(SQLModel):
    code: str
    outlet: str
    reporter_name: str
    press_card_number: str
    contact: str
    question: str
    reporter_deadline: datetime | None
    received_at: datetime
    case_reference: str  # the case it follows now
    own_case_reference: str  # the case it opened
    linked_at: datetime | None
    linked_by: UserRef | None
    status: InquiryStatus  # what the reporter sees


class InquiryPage(SQLModel):
    items: list[InquiryRead]
