"""Webhooks, their events (the outbox) and the deliveries of each event to each hook.

``webhook_event`` is written in the transaction of the change it reports (a publication, a crisis, a page): a
rolled-back change leaves no event, and a committed one leaves a ``webhook_delivery`` row per subscribed hook that
the worker delivers, however often it restarts. ``ordering_key`` (the case, for notices) keeps deliveries of one
hook in order: a delivery waits while an earlier one with the same key is not delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.db import JSONType, StrEnumType, UTCDateTime
from app.webhooks.events import DeliveryStatus, WebhookEventKind


class Webhook(SQLModel, table=True):
    id: int | None = SQLField(default=None, primary_key=True)
    url: str = SQLField(max_length=500)
    events: list[str] = SQLField(sa_column=Column(JSONType, nullable=False))
    secret: str = SQLField(max_length=200)
    description: str = SQLField(default="", max_length=200)
    owner_id: int | None = SQLField(default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL")))
    active: bool = True
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    failing_since: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    disabled_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    disabled_reason: str | None = SQLField(default=None, max_length=300)
    deleted_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_event"

    id: int | None = SQLField(default=None, primary_key=True)
    event_id: str = SQLField(max_length=40, unique=True)  # a UUID: the receivers' idempotency key
    kind: WebhookEventKind = SQLField(sa_type=StrEnumType(WebhookEventKind))
    ordering_key: str = SQLField(max_length=80)
    payload: dict[str, Any] = SQLField(sa_column=Column(JSONType, nullable=False))
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    available_at: datetime = SQLField(sa_type=UTCDateTime)  # an embargoed notice is announced at its minute


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_pk", name="uq_webhook_delivery_webhook_event"),
        Index("ix_webhook_delivery_queue", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_order", "webhook_id", "ordering_key", "id"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    webhook_id: int = SQLField(sa_column=Column(Integer, ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False))
    event_pk: int = SQLField(
        sa_column=Column(Integer, ForeignKey("webhook_event.id", ondelete="CASCADE"), nullable=False)
    )
    ordering_key: str = SQLField(max_length=80)
    status: DeliveryStatus = SQLField(sa_type=StrEnumType(DeliveryStatus))
    attempts: int = 0
    next_attempt_at: datetime = SQLField(sa_type=UTCDateTime)
    claimed_by: str | None = SQLField(default=None, max_length=100)
    claimed_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = SQLField(default=None, sa_column=Column(Text))
    delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    created_at: datetime = SQLField(sa_type=UTCDateTime)


# --- schemas ------------------------------------------------------------------------------------------------


class WebhookCreate(BaseModel):
    url: HttpUrl
    events: list[WebhookEventKind] = Field(min_length=1, max_length=len(WebhookEventKind))
    secret: str | None = Field(default=None, min_length=16, max_length=200)  # generated when absent
    description: str = Field(default="", max_length=200)


class WebhookRead(BaseModel):
    id: int
    url: str
    events: list[WebhookEventKind]
    description: str
    active: bool
    owner: str | None
    created_at: datetime
    failing_since: datetime | None
    last_success_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    pending: int = 0


class WebhookCreated(WebhookRead):
    secret: str  # shown once, at creation


class WebhookPage(BaseModel):
    items: list[WebhookRead]


class DeliveryRead(BaseModel):
    id: int
    event: WebhookEventKind
    event_id: str
    status: DeliveryStatus
    status_code: int | None
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    error: str | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
