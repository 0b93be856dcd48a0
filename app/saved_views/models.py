"""A person's own saved views of the case list: a name and the list's query string (filters and sort)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime
from app.validation import Clean, OneLine

ViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Clean, OneLine]


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=80)
    query: str = Field(max_length=2000)  # the list's query string, without "?" and without a cursor
    created_at: datetime = Field(sa_type=UTCDateTime)


class SavedViewCreate(SQLModel):
    name: ViewName
    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class SavedViewRead(SQLModel):
    id: int
    name: str
    query: str
    url: str  # the list page with this view's filters
