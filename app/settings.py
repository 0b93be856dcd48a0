"""Typed settings: the only place that reads the environment.

Every variable takes the ``CRISISDESK_`` prefix; ``DATABASE_URL`` is also read plain, as hosting platforms set it.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

DEFAULT_DATABASE_URL = "sqlite:///./var/crisisdesk.db"
_DEV_SECRET = "development-only-secret-do-not-use-in-production"
# A random 32-character secret has ~25 different characters; 32 × "a" or "abab…" has 1 or 2.
MIN_DISTINCT_SECRET_CHARS = 12


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRISISDESK_", env_file=".env", extra="ignore")

    environment: Environment = "development"
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("CRISISDESK_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    secret_key: SecretStr = SecretStr(_DEV_SECRET)
    default_locale: Literal["vi", "en"] = "vi"

    # The issuing body, as it appears on notices (Decree 30/2020 style numbers: 12/TC-SGDĐT).
    org_name: str = "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh"
    org_name_en: str = "Ho Chi Minh City Department of Education and Training"
    org_abbreviation: str = "SGDĐT"
    public_base_url: str = "http://127.0.0.1:8000"

    # Sessions and tokens.
    session_cookie_name: str = "crisisdesk_session"
    session_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    access_token_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    cookie_secure: bool | None = None  # None: secure everywhere but development over plain http

    # Database pool (PostgreSQL).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    # The longest a request waits for a pooled connection, for a row lock (PostgreSQL) and to connect; past it the
    # request is answered 503 with Retry-After instead of waiting on (docs/operations.md, "Under load").
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    db_lock_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    db_connect_timeout_seconds: int = Field(default=3, ge=1, le=60)
    # A PostgreSQL streaming replica for the reads that tolerate a bounded lag (the public side, reports, exports;
    # docs/operations.md, "A read replica"). Unset: every read goes to the primary. PostgreSQL only.
    database_read_url: str | None = None
    # A replica more than this many seconds behind the primary (or unreachable) is not read: the primary is.
    database_read_max_lag_seconds: float = Field(default=5.0, gt=0, le=3600)
    # How often each process measures the replica's lag (the primary's WAL position against the replica's).
    database_read_check_seconds: float = Field(default=1.0, gt=0, le=60)

    # Public side (docs/public-api.md). Per-client limits: a token bucket per client address, in each web process
    # (or shared by all of them through Redis: redis_url below).
    rate_limit_enabled: bool = True
    rate_limit_read_burst: int = Field(default=120, ge=1, le=100_000)  # reads a client may make at once
    rate_limit_read_per_second: float = Field(default=10.0, gt=0, le=100_000)  # then this many a second
    rate_limit_inquiry_burst: int = Field(default=5, ge=1, le=1000)  # written inquiries at once
    rate_limit_inquiry_per_hour: float = Field(default=20.0, gt=0, le=100_000)  # then this many an hour
    # The proxies (load balancer, CDN) whose X-Forwarded-For is believed: addresses or networks (CIDR), comma
    # separated. Empty: the peer address is the client, X-Forwarded-For is ignored.
    trusted_proxies: str = ""
    # How often each process checks whether what the public sees changed (a publication, a correction, a
    # withdrawal, a spokesperson change, an embargo's minute), in seconds: the bound of its response cache.
    public_cache_check_seconds: float = Field(default=1.0, gt=0, le=60)
    public_cache_entries: int = Field(default=2000, ge=0, le=1_000_000)  # rendered responses kept (LRU)
    public_cache_megabytes: int = Field(default=64, ge=1, le=65536)  # and at most this many MiB of them
    # What proxies, CDNs and browsers are told: Cache-Control: public, max-age=N, stale-while-revalidate=M.
    public_max_age_seconds: int = Field(default=10, ge=0, le=3600)
    public_stale_seconds: int = Field(default=10, ge=0, le=3600)

    # Several processes and hosts (product §11.8, docs/operations.md "Redis"). When set, the public rate limits are
    # shared by every process through Redis, and each publication is pushed to every process's public cache by
    # pub/sub. Unset: limits per process, the cache bound above; nothing else changes.
    # redis://[:password@]host:port/db, rediss:// (TLS) or unix:///path/to/socket.
    redis_url: SecretStr | None = None
    # Every key and the channel start with this: several deployments (or test runs) may share one Redis.
    redis_key_prefix: str = Field(default="crisisdesk:", min_length=1, max_length=100)
    # The longest a request waits for Redis (to connect, or for an answer) before it falls back to its own
    # process's limits; the same bound for the announcement of a publication after its commit.
    redis_timeout_seconds: float = Field(default=0.5, gt=0, le=30)
    # While Redis is unavailable, each process tries to reconnect this often; while it is up, it checks it as often.
    redis_retry_seconds: float = Field(default=2.0, gt=0, le=600)

    # Password hashing cost (argon2). The test environment lowers it to keep the suite fast.
    argon2_time_cost: int = Field(default=3, ge=1, le=10)
    argon2_memory_cost: int = Field(default=65536, ge=1024)

    # Largest request body accepted, in bytes (413), and largest request headers, all together (431).
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    # A request body that stops coming is answered 408 (and its connection closed) after this many seconds without
    # a byte, or after the second number in all: a slow or stalled client cannot hold a worker.
    request_body_idle_seconds: float = Field(default=10.0, gt=0, le=600)
    request_body_total_seconds: float = Field(default=60.0, gt=0, le=3600)

    # Documents on cases (docs/attachments.md): where their bytes live, and the largest file accepted (413 beyond).
    # file://<folder> (relative to the working directory) or s3://bucket/prefix for any S3-compatible store; the
    # S3 settings below fall back to boto3's own (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …) when unset.
    storage_url: str = "file://./var/files"
    max_upload_mb: int = Field(default=25, ge=1, le=2048)
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    # Outgoing e-mail: reminders and escalations, sent only by `crisisdesk worker` (never by the web process).
    # Without a host, notifications are in-app only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"  # tls: implicit TLS (port 465)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "CrisisDesk <no-reply@sgddt.example.gov.vn>"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    # The worker: how often it looks for due reminders, how much it takes at a time, how often it retries a send.
    worker_poll_seconds: float = Field(default=30.0, gt=0, le=3600)
    worker_batch_size: int = Field(default=100, ge=1, le=5000)
    email_max_attempts: int = Field(default=8, ge=1, le=100)
    # Crisis pages (docs/crisis.md): a page not acknowledged within this many minutes goes to the next person on
    # the duty roster, and finally to the director. Fractions are allowed (tests use a few seconds).
    page_ack_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    # /readyz reports the workers "quiet" when no heartbeat came for this long (keep it above the poll interval).
    # A quiet worker never fails the web's readiness: it is reported beside the checks.
    worker_quiet_seconds: float = Field(default=120.0, gt=0, le=7 * 24 * 3600)

    # Channels (docs/channels.md): outbound webhooks, e-mail subscriptions, the inbound mailbox.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # The first retry's wait (before jitter); each next one doubles, up to an hour. Tests shorten it.
    webhook_retry_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Confirmation e-mails to one address: at most one per this many seconds (a form cannot be used to flood it).
    subscription_confirm_interval_seconds: int = Field(default=600, ge=0, le=7 * 24 * 3600)
    # imap://host:143 (with imap_starttls: upgraded by STARTTLS) or imaps://host:993; unset: no mailbox.
    imap_url: str | None = None
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_starttls: bool = False
    # A message larger than this is not downloaded whole: a case (or note) is made from its headers and text part.
    imap_max_message_mb: int = Field(default=50, ge=1, le=500)

    # Operations: logs (JSON lines on stderr, or plain text for a developer's terminal) and metrics.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    # Press monitoring (`crisisdesk monitor`, docs/monitoring.md): how it fetches, and when the digest goes out.
    monitor_user_agent: str = "CrisisDesk/0.1 (theo doi bao chi; Van phong So GD&DT; +https://sgddt.example.gov.vn)"
    monitor_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    monitor_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024**3)  # a bigger answer is refused
    monitor_max_redirects: int = Field(default=5, ge=0, le=20)
    monitor_host_interval_seconds: float = Field(default=2.0, ge=0, le=600)  # between two requests to one host
    monitor_concurrency: int = Field(default=8, ge=1, le=64)  # hosts fetched at once (one request per host)
    monitor_loop_seconds: float = Field(default=60.0, gt=0, le=3600)  # the long-running monitor's pause
    digest_time: str = Field(default="07:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")  # local time

    # When set, GET /metrics requires "Authorization: Bearer <token>"; when unset it is open (see docs/operations.md).
    metrics_token: SecretStr | None = None
    # prometheus-client's own variable: set (by `crisisdesk serve --workers N`) when several processes serve.
    prometheus_multiproc_dir: str | None = Field(
        default=None, validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "metrics_token",
        "prometheus_multiproc_dir",
        "database_read_url",
        "s3_endpoint_url",
        "s3_region",
        "s3_access_key_id",
        "s3_secret_access_key",
        "redis_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _enforce_real_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        weak = secret == _DEV_SECRET or len(secret) < 32 or len(set(secret)) < MIN_DISTINCT_SECRET_CHARS
        if self.environment == "production" and weak:
            raise ValueError(
                "CRISISDESK_SECRET_KEY must be set to a random string of at least 32 characters in production "
                f"(with at least {MIN_DISTINCT_SECRET_CHARS} different characters: not 'aaaa…'; "
                "make one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if self.environment == "test" and secret == _DEV_SECRET:
            self.secret_key = SecretStr(secrets.token_urlsafe(32))
        return self

    @model_validator(mode="after")
    def _replica_needs_postgresql(self) -> Settings:
        read_url = self.database_read_url
        if read_url is not None and (self.is_sqlite or not read_url.startswith(("postgres://", "postgresql"))):
            raise ValueError(
                "CRISISDESK_DATABASE_READ_URL is a PostgreSQL streaming replica of CRISISDESK_DATABASE_URL: both "
                "must be postgresql:// URLs (the embedded SQLite database has no replica); unset it to read from "
                "the one database"
            )
        return self

    @field_validator("storage_url")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if not value.startswith(("file://", "s3://")):
            raise ValueError("CRISISDESK_STORAGE_URL must start with file:// or s3://")
        if value.startswith("s3://") and not value[len("s3://") :].split("/", 1)[0]:
            raise ValueError("CRISISDESK_STORAGE_URL s3://bucket/prefix needs a bucket name")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("CRISISDESK_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def demo_passwords_allowed(self) -> bool:
        return self.environment == "development"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment != "development"

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split("///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


@lru_cache
def get_settings() -> Settings:
    return Settings()
