"""Statements (nội dung phát ngôn): versioned drafts, approvals, comments; and the schemas of the staff API.

Versions are append-only: a version is never changed (an ORM guard refuses it), so the approved text is immutable.
An approval records who approved, in what capacity, under which appointment or authorisation, when, and the SHA-256
of the exact text; a new version after it voids it (the approval row keeps the record, with ``voided_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, StrictBool, StringConstraints, model_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.cases.models import UserRef
from app.cases.vocabulary import Severity
from app.db import JSONType, StrEnumType, UTCDateTime
from app.i18n import _
from app.notices.models import NoticeRef
from app.spokespersons.rules import Capacity, Regime
from app.statements.rules import (
    RefusalGround,
    StatementAction,
    StatementKind,
    StatementStatus,
    normalize_text,
)
from app.validation import MAX_ID, Clean, Note, OptionalTimestamp, ShortText, Title


def _statement_text(value: str) -> str:
    value = normalize_text(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# The text of a statement: exact (no stripping), NFC, "\n" line ends, no control characters.
StatementText = Annotated[str, StringConstraints(min_length=1, max_length=50000), Clean,
                          AfterValidator(_statement_text)]  # fmt: skip


class Statement(SQLModel, table=True):
    # What waits for someone (to submit, returned, to publish) is a status read oldest change first: the index walks
    # it in that order and stops at the queue's limit. "Returned to me" reads the statements I created the same way
    # (migration 5d2f8b3e7a91).
    __table_args__ = (
        Index("ix_statement_status_updated_at", "status", "updated_at", "id"),
        Index("ix_statement_created_by_status", "created_by_id", "status", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: StatementKind = Field(sa_type=StrEnumType(StatementKind))
    status: StatementStatus = Field(sa_type=StrEnumType(StatementStatus), index=True)
    current_version: int = 1
    # A correction names the statement whose notice it corrects (or withdraws).
    corrects_statement_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("statement.id")))
    withdraw: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class StatementVersion(SQLModel, table=True):
    __tablename__ = "statement_version"
    # By author: "returned to me" finds the versions I wrote (none, for most) without reading every returned
    # statement's (migration 5d2f8b3e7a91).
    __table_args__ = (UniqueConstraint("statement_id", "number"), Index("ix_statement_version_author_id", "author_id"))

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("statement.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    title: str = Field(max_length=300)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(max_length=64)
    refusal_ground: RefusalGround | None = Field(default=None, sa_type=StrEnumType(RefusalGround))
    refusal_reason: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    author_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


@event.listens_for(StatementVersion, "before_update")
def _version_is_immutable(_mapper: Any, _connection: Any, target: StatementVersion) -> None:
    raise RuntimeError(f"statement version {target.id} is immutable: add a new version instead")


class StatementApproval(SQLModel, table=True):
    __tablename__ = "statement_approval"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("statement.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("statement_version.id"), nullable=False))
    version_number: int
    text_sha256: str = Field(max_length=64)
    approver_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    approver_name: str = Field(max_length=200)
    approver_title: str = Field(max_length=200)
    capacity: Capacity = Field(sa_type=StrEnumType(Capacity))
    regime: Regime = Field(sa_type=StrEnumType(Regime))
    appointment_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("spokesperson_appointment.id"))
    )
    authorisation_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("spokesperson_authorisation.id"))
    )
    checklist: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    approved_at: datetime = Field(sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    void_reason: str | None = Field(default=None, sa_column=Column(Text))


class StatementComment(SQLModel, table=True):
    __tablename__ = "statement_comment"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("statement.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version_number: int | None = None
    kind: str = Field(max_length=20)  # "comment" | "return"
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    at: datetime = Field(sa_type=UTCDateTime)


# --- schemas: input -----------------------------------------------------------------------------------------


class StatementCreate(SQLModel):
    kind: StatementKind
    text: StatementText | None = None  # or template_id
    # Draft from this answer template, filled for the case.
    template_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    title: Title | None = None  # the trích yếu; defaults to the case's title
    refusal_ground: RefusalGround | None = None  # refusal only
    refusal_reason: Note | None = None  # refusal only
    corrects: ShortText | None = None  # correction only: the number or slug of the notice it corrects
    withdraw: StrictBool = False  # correction only: withdraw that notice instead of correcting it
    note: Note | None = None

    @model_validator(mode="after")
    def _text_or_template(self) -> StatementCreate:
        if (self.text is None) == (self.template_id is None):
            raise ValueError(_("Cần nội dung (text) hoặc mẫu (template_id), và chỉ một trong hai."))
        return self


class VersionCreate(SQLModel):
    text: StatementText
    title: Title | None = None  # defaults to the previous version's
    refusal_ground: RefusalGround | None = None  # defaults to the previous version's
    refusal_reason: Note | None = None  # defaults to the previous version's
    # Optional guard: 409 if the statement moved past it.
    base_version: int | None = Field(default=None, ge=1, le=MAX_ID)
    note: Note | None = None


class SubmitIn(SQLModel):
    note: Note | None = None


class ReturnIn(SQLModel):
    comment: Note  # also accepted as "note"

    @model_validator(mode="before")
    @classmethod
    def _note_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "note" in data and "comment" not in data:
            data = {**data, "comment": data["note"]}
            del data["note"]
        return data


class Checklist(SQLModel):
    """The approver's confirmations, a legal act: only JSON ``true`` confirms (no "on", "1" or "yes")."""

    no_state_secret: StrictBool = False
    no_private_data: StrictBool = False
    no_pending_proceedings: StrictBool = False


class ApproveIn(SQLModel):
    checklist: Checklist
    version: int | None = Field(default=None, ge=1, le=MAX_ID)  # optional guard: the version the approver read
    note: Note | None = None


class PublishIn(SQLModel):
    at: OptionalTimestamp = None  # embargo: publish at this minute instead of now


class CommentIn(SQLModel):
    text: Note
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


# --- schemas: output ----------------------------------------------------------------------------------------


class RefusalRead(SQLModel):
    ground: RefusalGround
    basis: str
    reason: str


class VersionRead(SQLModel):
    number: int
    title: str
    text: str
    text_sha256: str
    refusal_ground: RefusalGround | None
    refusal_reason: str | None
    note: str | None
    author: UserRef | None
    created_at: datetime


class ApprovalRead(SQLModel):
    id: int
    version: int
    text_sha256: str
    approver: UserRef | None
    approver_name: str
    approver_title: str
    capacity: Capacity
    regime: Regime
    basis: str
    appointment_id: int | None
    authorisation_id: int | None
    checklist: dict[str, Any]
    note: str | None
    approved_at: datetime
    voided_at: datetime | None
    voided_by: UserRef | None
    void_reason: str | None
    valid: bool


class CommentRead(SQLModel):
    id: int
    kind: str
    version: int | None
    text: str
    author: UserRef | None
    at: datetime


class StatementSummary(SQLModel):
    id: int
    case_reference: str
    kind: StatementKind
    main: bool
    status: StatementStatus
    version: int
    title: str
    created_at: datetime
    created_by: UserRef | None
    updated_at: datetime
    approved: bool
    notice: NoticeRef | None


class StatementRead(StatementSummary):
    text: str
    text_sha256: str
    refusal: RefusalRead | None
    corrects: NoticeRef | None
    withdraw: bool
    submitted_at: datetime | None
    submitted_by: UserRef | None
    versions: list[VersionRead]
    approval: ApprovalRead | None  # the approval in force, if any
    approvals: list[ApprovalRead]  # every approval, voided ones included
    comments: list[CommentRead]
    allowed_actions: list[StatementAction]  # what the caller may do now


class StatementPage(SQLModel):
    items: list[StatementSummary]


class CommentPage(SQLModel):
    items: list[CommentRead]


class DiffSegment(SQLModel):
    text: str
    changed: bool


class DiffRow(SQLModel):
    kind: str  # equal | replace | delete | insert
    left_no: int | None
    left: str | None
    right_no: int | None
    right: str | None
    left_segments: list[DiffSegment]
    right_segments: list[DiffSegment]


class DiffRead(SQLModel):
    statement_id: int
    from_version: int
    to_version: int
    unified: str
    rows: list[DiffRow]
    added: int
    removed: int


# --- schemas: the staff pages -------------------------------------------------------------------------------


class DraftingOptions(SQLModel):
    """What the actor may draft on a case now: the kinds, the refusal grounds of the case's regime, and the
    notices a correction may name."""

    kinds: list[StatementKind]
    refusal_grounds: list[RefusalGround]
    correctable: list[NoticeRef]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A statement waiting for a decision, with its case and the time left: what the approval queue shows of it
    (read as columns, not as whole statements and cases). Plain data: every staff page of an approver builds up to
    200 of them (a pydantic model cost 23 µs each, a dataclass 1 µs)."""

    statement_id: int
    kind: StatementKind
    version: int  # the version submitted (the statement's current one)
    case_reference: str
    case_title: str
    case_severity: Severity
    submitted_at: datetime | None
    submitted_by: UserRef | None
    approval_due_at: datetime | None  # the running approval clock (started by the submission), if any
    case_due_at: datetime | None  # the case's nearest running clock
    may_decide: bool  # the reader holds spokesperson authority for the case now
