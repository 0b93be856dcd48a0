"""A file kept for a case (product §11.1): its row, and what the public reads of a published one.

The bytes live in the storage (``storage.py``) under their SHA-256; the row keeps the original file name (as
typed, Vietnamese included), the type judged from the bytes (``rules.py``), the size and the digest. A file may
belong to one of the case's statements: a public one is published with the statement's notice. A story's photo
is a row without a case (``story_id``). Removing it marks
the row (who, when); it is then no longer listed or downloadable, and its record stays in the timeline.

This package sits low (it imports no domain): the notices list their statement's public files from here, and
``app/attachments`` (the use cases) sits above both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class Attachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # A case's document, or (``case_id`` empty) a story's photo (``story_id``, ``app/stories/photos.py``).
    case_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True)
    )
    story_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("story.id", ondelete="CASCADE"), index=True)
    )
    statement_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("statement.id", ondelete="CASCADE"), index=True)
    )
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    storage_key: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_column=Column(Text))
    public: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))  # None: by mail
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class AttachmentPublic(SQLModel):
    """A public attachment of a published notice (a test pins this field set)."""

    filename: str
    url: str  # anonymous download: /api/public/v1/attachments/{id}/content
    size: int
    sha256: str
    content_type: str
