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


# --- log-in throttling and the audit log of failed log-ins (app/auth/throttle.py) ------------------------------


class LoginFailureReason(StrEnum):
    BAD_PASSWORD = "bad_password"  # wrong password, or no such user (not told apart, to the client or here)
    INACTIVE = "inactive"  # the account is deactivated
    DEMO_PASSWORD = "demo_password"  # the demo password outside development
    THROTTLED = "throttled"  # refused before the password was looked at: too many failures


class LoginFailure(SQLModel, table=True):
    """One failed log-in: who was tried, from where, why it failed. Read by admins (``GET /api/v1/login-failures``)."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    username: str = Field(max_length=64, index=True)
    client: str = Field(max_length=64)
    reason: LoginFailureReason = Field(sa_type=StrEnumType(LoginFailureReason))
    channel: str = Field(max_length=10)  # api or form


class LoginThrottle(SQLModel, table=True):
    """Recent failures of one account (``account:<username>``) or one client address (``client:<address>``)."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=120)
    failures: int = 0
    last_failure_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailureRead(SQLModel):
    at: datetime
    username: str
    client: str
    reason: LoginFailureReason
    channel: str


class LoginLockRead(SQLModel):
    username: str
    failures: int
    locked_until: datetime | None
