"""A case (vụ việc), its links and its history; the schemas each audience reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints, model_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, literal_column, text
from sqlmodel import Field, SQLModel

from app.cases.vocabulary import CaseEventKind, LegalTrigger, Severity, SourceKind, Topic
from app.cases.workflow import Action, CaseStatus, CloseReason
from app.db import JSONType, StrEnumType, UTCDateTime
from app.i18n import _
from app.validation import Code, LongText, Note, OptionalTimestamp, ShortText, Tag, Title, Url, Username

REFERENCE_PATTERN = r"^VV-\d{4}-\d{5,}$"

# The open statuses (``workflow.OPEN_STATUSES``) as the partial index below is written; a query narrowed to some
# of them (``status IN ('new', 'assigned')``) is served by it on PostgreSQL.
OPEN_STATUS_SQL = "status IN ('new', 'assigned', 'in_progress', 'on_hold', 'awaiting_approval', 'approved')"

# The folded text quotes a case reference after its first character (its own reference is its first word): the
# predicate of ``ix_case_search_quotes_trgm``, written the same in the list's query so that PostgreSQL may use it.
QUOTES_REFERENCE_SQL = "strpos(substr(search_text, 2), 'vv-') > 0"


def _open_cases_index(name: str, *columns: str, **dialect_options: Any) -> Index:
    """An index of the open cases only (a few thousand among a million)."""
    return Index(name, *columns, postgresql_where=text(OPEN_STATUS_SQL), sqlite_where=text(OPEN_STATUS_SQL),
                 **dialect_options)  # fmt: skip


class Case(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("ref_year", "ref_seq"),
        Index("ix_case_status_received", "status", "received_at"),
        Index("ix_case_next_due_at", "next_due_at", "id"),
        Index("ix_case_updated_at", "updated_at", "id"),  # the list's sort by last change, a page at a time
        # A unit's cases in order of receipt: a unit-scoped search reads its lead units' part from it, in the
        # list's order (migration 8e1f4a7b2c5d), with the folded text on PostgreSQL (index-only: 8b4d2f6a1e37).
        Index("ix_case_lead_unit_search", "lead_unit_id", "received_at", "id", postgresql_include=["search_text"]),
        # The open cases in order of receipt (a few thousand among a million): the lists of open statuses sorted
        # by receipt read this instead of walking every case since the first one.
        _open_cases_index("ix_case_open_received_at", "received_at", "id"),
        # The open cases by nearest deadline: a unit's worklist (its home), the lists sorted by due time, read in
        # that order (migration 4c8e2a6f1b3d).
        _open_cases_index(
            "ix_case_open_next_due_at", "next_due_at", "id", postgresql_include=["lead_unit_id", "status"]
        ),  # a unit's worklist: index-only (9c5e3a7b2d48)
        # The open cases by severity: the director's home counts them from the index alone (migration 5d2f8b3e7a91).
        _open_cases_index("ix_case_open_severity", "severity"),
        # Free text (``q``): ``search_text LIKE '%word%'`` from a trigram index, not a scan (PostgreSQL only).
        Index(
            "ix_case_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            info={"dialects": ("postgresql",)},
        ),  # fmt: skip
        # A term that quotes a reference (``vv-2021-00101``) is read from these two, not from the trigrams every
        # reference shares (``cases.queries._text_contains``, migration 6d2f8b4a1c93; PostgreSQL only): the texts
        # starting with it (their first word, the case's own reference) and the few texts quoting a reference later.
        Index(
            "ix_case_search_first_word",
            func.split_part(literal_column("search_text"), literal_column("' '"), literal_column("1")).label("word"),
            postgresql_ops={"word": "text_pattern_ops"},
            info={"dialects": ("postgresql",)},
        ),
        Index(
            "ix_case_search_quotes_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            postgresql_where=text(QUOTES_REFERENCE_SQL),
            info={"dialects": ("postgresql",)},
        ),
        # The reports' period scans: index-only on PostgreSQL (migration 7a3b9c1d2e4f).
        Index(
            "ix_case_received_report",
            "received_at",
            "id",
            postgresql_include=[
                "close_reason",
                "source_kind",
                "legal_trigger",
                "topic",
                "severity",
                "lead_unit_id",
                "status",
            ],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, index=True)
    ref_year: int
    ref_seq: int

    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source_kind: SourceKind = Field(sa_type=StrEnumType(SourceKind))
    topic: Topic = Field(sa_type=StrEnumType(Topic))
    severity: Severity = Field(sa_type=StrEnumType(Severity), index=True)
    legal_trigger: LegalTrigger | None = Field(default=None, sa_type=StrEnumType(LegalTrigger))

    outlet: str | None = Field(default=None, max_length=200, index=True)
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_contact: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, max_length=2000)
    source_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    impact_determined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the complaint forwarded by the press was concluded (starts Decree 237/2026 Art. 18.2's clock).
    complaint_concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The due time of the case's nearest running clock (kept by app.clocks.service), for "overdue" and "due
    # within N hours" filters and the sort by due time in SQL.
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    lead_unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("unit.id"), index=True))
    status: CaseStatus = Field(sa_type=StrEnumType(CaseStatus))
    status_changed_at: datetime = Field(sa_type=UTCDateTime)
    close_reason: CloseReason | None = Field(default=None, sa_type=StrEnumType(CloseReason))

    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class CaseSupportingUnit(SQLModel, table=True):
    __tablename__ = "case_supporting_unit"
    # The cases a unit supports in order of receipt: the supported part of a unit-scoped search is a range of it,
    # like the lead part on ``ix_case_lead_unit_search`` (migrations 6d2f8b4a1c93, 8b4d2f6a1e37).
    __table_args__ = (Index("ix_case_supporting_unit_unit_received", "unit_id", "received_at", "case_id"),)

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True))
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), primary_key=True, index=True))
    # The case's ``received_at``, copied: written with the row and when the case's changes (``cases.links``).
    received_at: datetime = Field(sa_type=UTCDateTime)


class CaseAssignee(SQLModel, table=True):
    __tablename__ = "case_assignee"
    # A user's cases in order of receipt (``assignee=``): a range of it, stopped at the page (migration 7e3a9c5d2b14).
    __table_args__ = (Index("ix_case_assignee_user_received", "user_id", "received_at", "case_id"),)

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), primary_key=True, index=True))
    # The case's ``received_at``, copied: written with the row and when the case's changes (``cases.links``).
    received_at: datetime = Field(sa_type=UTCDateTime)


class CaseTag(SQLModel, table=True):
    __tablename__ = "case_tag"
    # A tag's cases in order of receipt (``tag=``): a range of it, stopped at the page (migration 7e3a9c5d2b14).
    __table_args__ = (Index("ix_case_tag_tag_received", "tag", "received_at", "case_id"),)

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True))
    tag: str = Field(sa_column=Column(String(50), primary_key=True, index=True))
    # The case's ``received_at``, copied, as ``case_assignee``'s.
    received_at: datetime = Field(sa_type=UTCDateTime)


class CaseRelation(SQLModel, table=True):
    """A link between two cases, stored once in each direction."""

    __tablename__ = "case_relation"

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True))
    related_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class CaseEvent(SQLModel, table=True):
    """One line of a case's history: who did what, when, from which status to which."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    kind: CaseEventKind = Field(sa_type=StrEnumType(CaseEventKind))
    action: str | None = Field(default=None, max_length=40)
    from_status: CaseStatus | None = Field(default=None, sa_type=StrEnumType(CaseStatus))
    to_status: CaseStatus | None = Field(default=None, sa_type=StrEnumType(CaseStatus))
    note: str | None = Field(default=None, sa_column=Column(Text))
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))


# --- schemas ------------------------------------------------------------------------------------------------


class _CaseFields(SQLModel):
    summary: LongText = ""
    outlet: ShortText | None = None
    reporter_name: ShortText | None = None
    reporter_contact: ShortText | None = None
    source_url: Url | None = None
    source_published_at: OptionalTimestamp = None
    occurred_at: OptionalTimestamp = None
    impact_determined_at: OptionalTimestamp = None
    complaint_concluded_at: OptionalTimestamp = None
    legal_trigger: LegalTrigger | None = None
    supporting_units: list[Code] = Field(default_factory=list, max_length=30)
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    related: list[str] = Field(default_factory=list, max_length=30)


class CaseCreate(_CaseFields):
    title: Title
    source_kind: SourceKind
    topic: Topic = Topic.OTHER
    severity: Severity = Severity.ROUTINE
    received_at: OptionalTimestamp = None  # defaults to now
    lead_unit: Code | None = None
    route: bool = Field(
        default=False,
        description="true: route the case to `lead_unit` at once (status `assigned`, one `created` event that names "
        "the unit); false (the default): the case starts `new` with the unit pre-selected",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status" in data:
            raise ValueError(
                _("status: vụ việc mới luôn bắt đầu ở trạng thái new; trạng thái chỉ đổi qua /transitions.")
            )
        return data


class CaseUpdate(SQLModel):
    """Changes to a case's fields. Never its status: that goes through /transitions."""

    title: Title | None = None
    summary: LongText | None = None
    source_kind: SourceKind | None = None
    topic: Topic | None = None
    severity: Severity | None = None
    legal_trigger: LegalTrigger | None = None
    outlet: ShortText | None = None
    reporter_name: ShortText | None = None
    reporter_contact: ShortText | None = None
    source_url: Url | None = None
    source_published_at: OptionalTimestamp = None
    received_at: OptionalTimestamp = None
    occurred_at: OptionalTimestamp = None
    impact_determined_at: OptionalTimestamp = None
    complaint_concluded_at: OptionalTimestamp = None
    lead_unit: Code | None = None
    supporting_units: list[Code] | None = Field(default=None, max_length=30)
    assignees: list[Username] | None = Field(default=None, max_length=30)
    tags: list[Tag] | None = Field(default=None, max_length=30)
    related: list[str] | None = Field(default=None, max_length=30)

    @model_validator(mode="before")
    @classmethod
    def _no_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status" in data:
            raise ValueError(_("status: không đổi được trạng thái bằng cập nhật; dùng POST …/cases/<mã>/transitions."))
        return data


class TransitionIn(SQLModel):
    action: Action
    note: Note | None = None
    lead_unit: Code | None = None  # assign / reassign (also accepted as "unit")
    supporting_units: list[Code] | None = Field(default=None, max_length=30)
    assignees: list[Username] | None = Field(default=None, max_length=30)
    reason: CloseReason | None = None  # close
    duplicate_of: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=30)] | None = Field(
        default=None, description="close with reason `duplicate`: the reference of the case this one duplicates"
    )
    expected_status: CaseStatus | None = None  # optional guard: fail with 409 if the case moved meanwhile

    @model_validator(mode="before")
    @classmethod
    def _unit_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "unit" in data and "lead_unit" not in data:
            data = {**data, "lead_unit": data["unit"]}
            del data["unit"]
        return data


class NoteIn(SQLModel):
    text: Note


class UnitRef(SQLModel):
    code: str
    name: str


class UserRef(SQLModel):
    username: str
    full_name: str


class CaseRead(SQLModel):
    reference: str
    status: CaseStatus
    title: str
    summary: str
    source_kind: SourceKind
    topic: Topic
    severity: Severity
    legal_trigger: LegalTrigger | None
    outlet: str | None
    reporter_name: str | None
    reporter_contact: str | None
    source_url: str | None
    source_published_at: datetime | None
    received_at: datetime
    occurred_at: datetime | None
    impact_determined_at: datetime | None
    complaint_concluded_at: datetime | None
    next_due_at: datetime | None  # the nearest running clock's due time
    overdue: bool | None  # that due time has passed (None only when read without a clock)
    lead_unit: UnitRef | None
    supporting_units: list[UnitRef]
    assignees: list[UserRef]
    tags: list[str]
    related: list[str]
    close_reason: CloseReason | None
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    allowed_actions: list[Action]


class CasePage(SQLModel):
    items: list[CaseRead]
    next_cursor: str | None


class EventRead(SQLModel):
    id: int
    at: datetime
    actor: UserRef | None
    kind: CaseEventKind
    action: str | None
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    note: str | None
    data: dict[str, Any] | None


class EventPage(SQLModel):
    items: list[EventRead]
