"""Press monitoring: the sources polled, the watch terms, the items fetched and the clusters they fall into, and
who receives the morning digest by e-mail. Schemas per audience follow the tables."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.cases.vocabulary import Topic
from app.db import JSONType, StrEnumType, UTCDateTime
from app.i18n import Message, _


class SourceKind(StrEnum):
    FEED = "feed"  # RSS 2.0 or Atom
    SITEMAP = "sitemap"  # a (news) sitemap
    PAGE = "page"  # one web page, its main text


SOURCE_KIND_LABELS: dict[SourceKind, Message] = {
    SourceKind.FEED: _("Nguồn tin RSS/Atom"),
    SourceKind.SITEMAP: _("Sơ đồ trang tin (sitemap)"),
    SourceKind.PAGE: _("Trang web"),
}


class MonitorSource(SQLModel, table=True):
    __tablename__ = "monitor_source"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    url: str = Field(max_length=2000, unique=True)
    kind: SourceKind = Field(sa_type=StrEnumType(SourceKind))
    outlet: str = Field(max_length=200)
    poll_minutes: int = 30
    enabled: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Polling state, written only by the fetcher.
    next_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    failures: int = 0  # failed polls in a row
    etag: str | None = Field(default=None, max_length=300)
    last_modified: str | None = Field(default=None, max_length=100)
    items_total: int = 0


class WatchTerm(SQLModel, table=True):
    __tablename__ = "monitor_term"

    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=200)
    folded: str = Field(max_length=200, unique=True)  # the term as matched: no diacritics, lower case
    topic: Topic | None = Field(default=None, sa_type=StrEnumType(Topic))
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("unit.id", ondelete="SET NULL")))
    created_at: datetime = Field(sa_type=UTCDateTime)


class MonitorCluster(SQLModel, table=True):
    """One story, as carried by one or more outlets."""

    __tablename__ = "monitor_cluster"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)  # the first item's title
    topic: Topic | None = Field(default=None, sa_type=StrEnumType(Topic))
    first_seen_at: datetime = Field(sa_type=UTCDateTime, index=True)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    item_count: int = 1
    case_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("case.id", ondelete="SET NULL"), index=True)
    )


class MonitorItem(SQLModel, table=True):
    """An article seen once: unique by its normalised URL and by its feed GUID (two monitors cannot both store it)."""

    __tablename__ = "monitor_item"
    __table_args__ = (Index("ix_monitor_item_seen", "seen_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("monitor_source.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    outlet: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    url_key: str = Field(max_length=64, unique=True)  # sha256 of the normalised URL
    guid_key: str | None = Field(default=None, max_length=64, unique=True)  # sha256 of the feed's GUID
    title: str = Field(max_length=500)
    excerpt: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
    matched_terms: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    matched: bool = Field(default=False, index=True)
    topic: Topic | None = Field(default=None, sa_type=StrEnumType(Topic))
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("unit.id", ondelete="SET NULL")))
    tokens: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))  # for clustering
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    cluster_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("monitor_cluster.id", ondelete="SET NULL"), index=True)
    )
    case_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("case.id", ondelete="SET NULL"), unique=True)
    )


class DigestSubscription(SQLModel, table=True):
    """A staff member who receives the morning digest by e-mail."""

    __tablename__ = "digest_subscription"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True))
    created_at: datetime = Field(sa_type=UTCDateTime)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a monitor process (until ``claimed_until``)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class DigestDelivery(SQLModel, table=True):
    """The digest of one date to one subscriber: made once (unique), sent once (claimed with a guarded UPDATE)."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    day: date
    email_to: str = Field(max_length=254)
    status: DeliveryStatus = Field(sa_type=StrEnumType(DeliveryStatus), index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


# --- schemas ------------------------------------------------------------------------------------------------


class SourceCreate(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=8, max_length=2000)
    kind: SourceKind = SourceKind.FEED
    outlet: str = Field(min_length=1, max_length=200)
    poll_minutes: int = Field(default=30, ge=5, le=24 * 60)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")) or any(c.isspace() for c in value):
            raise ValueError(_("Địa chỉ phải là một URL http:// hoặc https://."))
        return value


class SourceUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, min_length=8, max_length=2000)
    kind: SourceKind | None = None
    outlet: str | None = Field(default=None, min_length=1, max_length=200)
    poll_minutes: int | None = Field(default=None, ge=5, le=24 * 60)
    enabled: bool | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else SourceCreate._http_url(value)


class SourceRead(SQLModel):
    id: int
    name: str
    url: str
    kind: SourceKind
    outlet: str
    poll_minutes: int
    enabled: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    failures: int
    healthy: bool
    next_poll_at: datetime | None
    items_total: int


class SourcePage(SQLModel):
    items: list[SourceRead]


class TermCreate(SQLModel):
    term: str = Field(min_length=2, max_length=200)
    topic: Topic | None = None
    unit: str | None = Field(default=None, max_length=40, description="Unit code")


class TermRead(SQLModel):
    id: int
    term: str
    topic: Topic | None
    unit: str | None


class TermPage(SQLModel):
    items: list[TermRead]


class ItemRead(SQLModel):
    id: int
    source: int
    outlet: str
    url: str
    title: str
    published_at: datetime | None
    seen_at: datetime
    excerpt: str
    matched_terms: list[str]
    topic: Topic | None
    unit: str | None
    cluster_id: int | None
    case_reference: str | None


class ItemPage(SQLModel):
    items: list[ItemRead]
    next_cursor: str | None


class ClusterItem(SQLModel):
    id: int
    outlet: str
    url: str
    title: str
    published_at: datetime | None


class DigestCluster(SQLModel):
    cluster_id: int
    title: str
    topic: Topic | None
    outlets: list[str]
    count: int
    items: list[ClusterItem]
    case_reference: str | None


class DigestCase(SQLModel):
    reference: str
    title: str
    status: str
    at: datetime | None = None


class DigestNotice(SQLModel):
    number: str
    title: str
    published_at: datetime


class EmergingRead(SQLModel):
    topic: Topic | None
    term: str | None = None
    count: int
    baseline: float
    score: float
    window: str = "24h"
    series: list[int] = Field(default_factory=list)


class DigestRead(SQLModel):
    date: date
    since: datetime
    until: datetime
    clusters: list[DigestCluster]
    cases_opened: list[DigestCase]
    notices_published: list[DigestNotice]
    due_today: list[DigestCase]
    emerging: list[EmergingRead]


class SubscriptionRead(SQLModel):
    subscribed: bool
