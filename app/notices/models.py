"""Published notices (thông cáo, thông báo): the exact approved text with its official number, never changed.

A notice row is written once, when an approved statement is published, and copies everything it shows (text,
hash, spokesperson, case facts), so later changes elsewhere never alter what was published. A correction or a
withdrawal is a new notice that links to the earlier one (``corrects_id``; ``withdraws``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.cases.models import UserRef
from app.cases.vocabulary import Topic
from app.db import StrEnumType, UTCDateTime
from app.files.models import AttachmentPublic
from app.notices.rules import NoticeType
from app.spokespersons.rules import Capacity
from app.statements.rules import RefusalGround, StatementKind


class Notice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("year", "notice_type", "seq"),
        # The public search (``q``) from a trigram index on PostgreSQL, as the case list's.
        Index(
            "ix_notice_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            info={"dialects": ("postgresql",)},
        ),  # fmt: skip
        # The reports read a period's notices from here (index-only on PostgreSQL: migration 7a3b9c1d2e4f).
        Index("ix_notice_case_published", "case_id", "published_at", postgresql_include=["kind"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(sa_column=Column(Integer, ForeignKey("statement.id"), nullable=False, unique=True))
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id"), nullable=False, index=True))
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("statement_version.id"), nullable=False))
    approval_id: int = Field(sa_column=Column(Integer, ForeignKey("statement_approval.id"), nullable=False))

    notice_type: NoticeType = Field(sa_type=StrEnumType(NoticeType))
    year: int
    seq: int
    number: str = Field(max_length=60)
    slug: str = Field(max_length=40, unique=True, index=True)

    kind: StatementKind = Field(sa_type=StrEnumType(StatementKind))
    title: str = Field(max_length=300)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(max_length=64)

    published_at: datetime = Field(sa_type=UTCDateTime, index=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    issued_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))

    spokesperson_name: str = Field(max_length=200)
    spokesperson_title: str = Field(max_length=200)
    spokesperson_capacity: Capacity = Field(sa_type=StrEnumType(Capacity))
    authorisation_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("spokesperson_authorisation.id"))
    )

    case_reference: str = Field(max_length=20)
    topic: Topic = Field(sa_type=StrEnumType(Topic), index=True)
    outlet: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, max_length=2000)
    source_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    refusal_ground: RefusalGround | None = Field(default=None, sa_type=StrEnumType(RefusalGround))
    refusal_basis: str | None = Field(default=None, sa_column=Column(Text))
    refusal_reason: str | None = Field(default=None, sa_column=Column(Text))

    corrects_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("notice.id"), index=True))
    withdraws: bool = False

    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


@event.listens_for(Notice, "before_update")
def _notice_is_never_changed(_mapper: Any, _connection: Any, target: Notice) -> None:
    raise RuntimeError(f"notice {target.id} is published: it is never changed")


@event.listens_for(Notice, "before_delete")
def _notice_is_never_deleted(_mapper: Any, _connection: Any, target: Notice) -> None:
    raise RuntimeError(f"notice {target.id} is published: it is never deleted")


# --- schemas: public (a test pins their field sets) ---------------------------------------------------------


class NoticeRef(SQLModel):
    number: str
    slug: str
    kind: StatementKind
    published_at: datetime


class SpokespersonOnNotice(SQLModel):
    name: str
    title: str
    capacity: Capacity


class PressItem(SQLModel):
    """The press item the notice answers."""

    outlet: str | None
    url: str | None
    published_at: datetime | None


class RefusalPublic(SQLModel):
    ground: RefusalGround
    basis: str
    reason: str


class NoticePublic(SQLModel):
    """A published notice as anyone may read it: only what was approved and published, nothing internal."""

    number: str
    slug: str
    notice_type: NoticeType
    year: int
    kind: StatementKind
    title: str
    text: str
    text_sha256: str
    published_at: datetime
    spokesperson: SpokespersonOnNotice
    case_reference: str
    topic: Topic
    answers: PressItem | None
    refusal: RefusalPublic | None
    corrects: NoticeRef | None  # the earlier notice this one corrects or withdraws
    withdraws: bool  # this notice withdraws ``corrects``
    withdrawn: bool  # a later published notice withdrew this one
    withdrawn_by: NoticeRef | None
    corrected_by: list[NoticeRef]  # later published notices correcting this one
    history: list[NoticeRef]  # every published notice of its chain of corrections, oldest first, itself included
    attachments: list[AttachmentPublic] = []  # the statement's public attachments (the signed dispatch, figures…)


class NoticePublicPage(SQLModel):
    items: list[NoticePublic]
    next_cursor: str | None


class NoticeRead(NoticePublic):
    """The staff's view: the public one plus where it came from."""

    statement_id: int
    approval_id: int
    issued_at: datetime
    issued_by: UserRef | None
    scheduled: bool  # published_at is still in the future (embargo)
