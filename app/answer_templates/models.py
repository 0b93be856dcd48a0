"""Answer templates (lines to take): a library of texts by statement kind and topic, filled for a case when a
statement is drafted from one (``POST /api/v1/cases/{reference}/statements`` with ``template_id``).

A template is never deleted: it is retired (no longer offered), so the statements drafted from it keep a meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator
from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.answer_templates.rules import placeholders_in
from app.cases.vocabulary import Topic
from app.db import StrEnumType, UTCDateTime
from app.statements.models import StatementText
from app.statements.rules import StatementKind
from app.validation import Title


def _known_placeholders(value: str) -> str:
    placeholders_in(value)  # raises ValueError with the user's message
    return value


TemplateText = Annotated[StatementText, AfterValidator(_known_placeholders)]


class AnswerTemplate(SQLModel, table=True):
    __tablename__ = "answer_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    kind: StatementKind = Field(sa_type=StrEnumType(StatementKind), index=True)
    topic: Topic | None = Field(default=None, sa_type=StrEnumType(Topic))
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retired_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


# --- schemas ------------------------------------------------------------------------------------------------


class TemplateCreate(SQLModel):
    name: Title
    kind: StatementKind
    topic: Topic | None = None  # None: any topic
    text: TemplateText


class TemplateUpdate(SQLModel):
    name: Title | None = None
    kind: StatementKind | None = None
    topic: Topic | None = None
    text: TemplateText | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("name", "kind", "text"):
                if key in data and data[key] is None:
                    raise ValueError(f"{key}: must not be null")
        return data


class TemplateRead(SQLModel):
    id: int
    name: str
    kind: StatementKind
    topic: Topic | None
    text: str
    placeholders: list[str]
    retired: bool
    created_at: datetime
    updated_at: datetime


class TemplatePage(SQLModel):
    items: list[TemplateRead]


class TemplateFilled(SQLModel):
    """A template filled for one case (what a draft from it starts with)."""

    template_id: int
    case_reference: str
    kind: StatementKind
    text: str
