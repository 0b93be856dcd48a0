"""Stories (a unit's news item or exemplary story), their versions and history; each unit's communications contact
(designated from a date, history kept); the school year's communications plan and its per-unit targets. Tables and
the schemas of the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, StringConstraints
from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.cases.vocabulary import Topic
from app.db import JSONType, StrEnumType, UTCDateTime
from app.files.models import AttachmentPublic
from app.stories.workflow import StoryAction, StoryKind, StoryStatus
from app.validation import Clean, Code, Name, Note, Phone, ShortText, Title

StoryBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50000), Clean]


class Story(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    kind: StoryKind = Field(sa_type=StrEnumType(StoryKind))
    status: StoryStatus = Field(sa_type=StrEnumType(StoryStatus), index=True)
    theme: Topic | None = Field(default=None, sa_type=StrEnumType(Topic))
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    current_version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The first submission counts for the scorecard; a return and a new submission do not count twice.
    first_submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    published_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class StoryVersion(SQLModel, table=True):
    __tablename__ = "story_version"
    __table_args__ = (UniqueConstraint("story_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(sa_column=Column(Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False))
    number: int
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))


class StoryEvent(SQLModel, table=True):
    __tablename__ = "story_event"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    action: StoryAction = Field(sa_type=StrEnumType(StoryAction))
    from_status: StoryStatus | None = Field(default=None, sa_type=StrEnumType(StoryStatus))
    to_status: StoryStatus = Field(sa_type=StrEnumType(StoryStatus))
    version: int
    comment: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))


class CommsContact(SQLModel, table=True):
    """A unit's communications contact (đầu mối truyền thông) from ``starts_on``; the next designation ends it."""

    __tablename__ = "comms_contact"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    starts_on: date
    ends_on: date | None = None  # the day the next contact took over (exclusive); None while current
    designated_at: datetime = Field(sa_type=UTCDateTime)
    designated_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))


class CommsPlan(SQLModel, table=True):
    """The school year's communications plan: its themes and the default target of each unit."""

    __tablename__ = "comms_plan"

    id: int | None = Field(default=None, primary_key=True)
    school_year: str = Field(max_length=9, unique=True)
    themes: list[str] = Field(default_factory=list, sa_type=JSONType)
    stories_per_semester: int = 0
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))


class CommsTarget(SQLModel, table=True):
    """A unit's own target for a plan (overrides the plan's default)."""

    __tablename__ = "comms_target"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=Column(Integer, ForeignKey("comms_plan.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False))
    stories_per_semester: int


# --- schemas ------------------------------------------------------------------------------------------------


class StoryCreate(SQLModel):
    kind: StoryKind
    title: Title
    body: StoryBody
    unit: Code | None = None  # default: the author's own unit
    theme: Topic | None = None


class StoryUpdate(SQLModel):
    title: Title | None = None
    body: StoryBody | None = None
    kind: StoryKind | None = None
    theme: Topic | None = None


class ReturnIn(SQLModel):
    comment: Note


class Ref(BaseModel):
    code: str
    name: str


class PersonRef(BaseModel):
    username: str
    full_name: str


class StoryVersionRead(BaseModel):
    number: int
    title: str
    body: str
    created_at: datetime
    created_by: PersonRef


class StoryEventRead(BaseModel):
    action: StoryAction
    from_status: StoryStatus | None
    to_status: StoryStatus
    version: int
    comment: str | None
    at: datetime
    actor: PersonRef


class StorySummary(BaseModel):
    id: int
    kind: StoryKind
    status: StoryStatus
    theme: Topic | None
    title: str
    unit: Ref
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None


class StoryPhotoRead(BaseModel):
    """A story's photo as the staff see it (``url``: the download for whoever may see the story)."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str | None
    created_at: datetime
    url: str


class StoryPhotoPage(BaseModel):
    items: list[StoryPhotoRead]


class StoryRead(StorySummary):
    body: str
    actions: list[StoryAction]  # what the caller may do now
    return_comment: str | None  # the last return's comment, while the story is back with the unit
    versions: list[StoryVersionRead]
    events: list[StoryEventRead]
    photos: list[StoryPhotoRead]
    may_change_photos: bool


class StoryPage(BaseModel):
    items: list[StorySummary]


class StoryDiffRow(BaseModel):
    kind: str
    left_no: int | None
    left: str | None
    right_no: int | None
    right: str | None


class StoryDiffRead(BaseModel):
    story_id: int
    from_version: int
    to_version: int
    unified: str
    rows: list[StoryDiffRow]


class StoryPublic(BaseModel):
    """What the public sees of a published story (pinned by a test: no draft data, no staff names)."""

    id: int
    url: str
    kind: StoryKind
    theme: Topic | None
    title: str
    body: str
    unit: str  # the unit's name
    published_at: datetime
    photos: list[AttachmentPublic]  # url: the anonymous download, /api/public/v1/attachments/{id}/content


class StoryPublicPage(BaseModel):
    items: list[StoryPublic]


# --- contacts and the plan ----------------------------------------------------------------------------------


class ContactIn(SQLModel):
    username: str | None = Field(default=None, max_length=64)  # an account, if the contact has one
    name: Name | None = None  # required without an account
    title: ShortText = ""
    phone: Phone | None = None
    email: EmailStr | None = Field(default=None, max_length=254)
    starts_on: date


class ContactRead(BaseModel):
    name: str
    title: str
    phone: str | None
    email: str | None
    username: str | None
    starts_on: date
    ends_on: date | None
    designated_at: datetime
    designated_by: PersonRef


class UnitContactRead(BaseModel):
    unit: Ref
    kind: str
    contact: ContactRead | None  # None: the unit has not designated one (flagged)
    history: list[ContactRead]


class UnitContactPage(BaseModel):
    items: list[UnitContactRead]
    without_contact: int


class TargetIn(SQLModel):
    unit: Code
    stories_per_semester: int = Field(ge=0, le=1000)


class PlanIn(SQLModel):
    themes: list[Topic] = Field(default_factory=list, max_length=8)
    stories_per_semester: int = Field(default=0, ge=0, le=1000)
    targets: list[TargetIn] = Field(default_factory=list, max_length=2000)


class TargetRead(BaseModel):
    unit: Ref
    stories_per_semester: int


class PlanRead(BaseModel):
    school_year: str
    themes: list[Topic]
    stories_per_semester: int
    targets: list[TargetRead]
    updated_at: datetime


class ProgressRead(BaseModel):
    unit: Ref
    school_year: str
    semester: int | None
    target_per_semester: int
    target_year: int
    submitted_semester: int
    published_semester: int
    submitted_year: int
    published_year: int
    contact_designated: bool
