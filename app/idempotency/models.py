"""The answers given to creating POSTs that carried an ``Idempotency-Key`` header."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class IdempotencyRecord(SQLModel, table=True):
    """One key of one caller: the request it came with (a fingerprint) and the answer it got.

    Written in the same transaction as the object the request created: either both are saved or neither.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=80)  # "user:12", or "public" for the anonymous API
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    fingerprint: str = Field(max_length=64)  # SHA-256 of the method, the path and the body
    status_code: int | None = None  # None while the first request is still running
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
