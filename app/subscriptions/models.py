"""Subscribers and the notices waiting to be mailed to them.

A ``subscription`` is an address with its topics (none: every notice), pending until its owner confirms by the
link mailed to it (double opt-in). A ``subscription_dispatch`` is written in the transaction that issues a notice;
the worker turns it into one queued message per confirmed subscriber, in batches (``last_subscriber_id`` is its
cursor), from the notice's publication time on.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import Column
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.cases.vocabulary import Topic
from app.db import JSONType, StrEnumType, UTCDateTime


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Subscription(SQLModel, table=True):
    id: int | None = SQLField(default=None, primary_key=True)
    email: str = SQLField(max_length=254, unique=True)
    topics: list[str] = SQLField(sa_column=Column(JSONType, nullable=False))  # empty: every notice
    status: SubscriptionStatus = SQLField(sa_type=StrEnumType(SubscriptionStatus))
    locale: str = SQLField(default="vi", max_length=5)
    confirm_token: str = SQLField(max_length=64, unique=True)
    unsubscribe_token: str = SQLField(max_length=64, unique=True)
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_at: datetime = SQLField(sa_type=UTCDateTime)
    confirm_sent_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class SubscriptionDispatch(SQLModel, table=True):
    __tablename__ = "subscription_dispatch"

    id: int | None = SQLField(default=None, primary_key=True)
    notice_slug: str = SQLField(max_length=40, unique=True)
    topic: str = SQLField(max_length=40)
    notice: dict[str, Any] = SQLField(sa_column=Column(JSONType, nullable=False))  # a SharedNotice
    available_at: datetime = SQLField(sa_type=UTCDateTime, index=True)
    last_subscriber_id: int = 0
    done_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    created_at: datetime = SQLField(sa_type=UTCDateTime)


class SubscribeIn(BaseModel):
    email: EmailStr = Field(max_length=254)
    topics: list[Topic] = Field(default=[], max_length=len(Topic))  # empty: every notice


class SubscribeAccepted(BaseModel):
    """The same answer whether the address was new, pending or subscribed already (nothing to learn from it)."""

    status: str = "check_your_email"
