"""Credentials other than passwords: browser sessions, bearer access tokens and long-lived API tokens.

All three are random strings shown once and stored only as their SHA-256 hash, so a leaked database holds
nothing that logs in. Each can be revoked.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.db import StrEnumType, UTCDateTime
from app.validation import Name


class TokenKind(StrEnum):
    SESSION = "session"  # browser cookie
    ACCESS = "access"  # POST /api/v1/auth/token
    API = "api"  # issued by an admin for an integration


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: TokenKind = Field(sa_type=StrEnumType(TokenKind))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    csrf_token: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None


class ApiTokenCreate(SQLModel):
    username: str = Field(max_length=64)
    name: Name
    expires_at: datetime | None = None


class ApiTokenRead(SQLModel):
    id: int
    username: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenIssued(ApiTokenRead):
    token: str
