"""The worker's webhook step: claim the due deliveries, POST each (signed) and record the outcome.

A delivery is claimed with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), sent
outside any transaction, and its outcome recorded at once in a short transaction of its own. A worker killed
mid-way loses nothing: the lease expires and another pass sends it again, with the same event id.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.settings import Settings
from app.webhooks import service
from app.webhooks.events import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookEventKind,
    sign,
)
from app.webhooks.models import WebhookEvent
from app.webhooks.share import SharedNotice, render

log = logging.getLogger("crisisdesk.webhooks")
LEASE = timedelta(minutes=2)
NOTICE_EVENTS = frozenset({WebhookEventKind.NOTICE_PUBLISHED, WebhookEventKind.NOTICE_CORRECTED,
                           WebhookEventKind.NOTICE_WITHDRAWN})  # fmt: skip


def body_of(event: WebhookEvent, base_url: str) -> bytes:
    """The JSON body: ``{"id", "type", "created_at", "data"}``; a notice's data carries its public URL and the
    share-ready texts of each channel."""
    data = dict(event.payload)
    if event.kind in NOTICE_EVENTS and "notice" in data:
        notice = SharedNotice.model_validate(data["notice"])
        data["url"] = notice.url(base_url)
        data["share"] = render(notice, base_url).model_dump()
    document = {"id": event.event_id, "type": event.kind.value, "created_at": event.available_at.isoformat(),
                "data": data}  # fmt: skip
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def deliver(engine: Engine, settings: Settings, *, worker_id: str, clock: Callable[[], datetime],
            should_stop: Callable[[], bool], client: httpx.Client | None = None) -> int:  # fmt: skip
    """Deliver what is due, batch after batch; returns how many deliveries succeeded."""
    delivered = 0
    own = client is None
    http = client or httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False,
                                  headers={"User-Agent": "CrisisDesk-Webhooks/1.0"})  # fmt: skip
    try:
        while not should_stop():
            with Session(engine, expire_on_commit=False) as session:
                ids = service.claim(session, now=clock(), worker_id=worker_id, lease=LEASE,
                                    limit=settings.worker_batch_size)  # fmt: skip
                rows = service.outgoing(session, ids) if ids else []
                session.commit()
            if not rows:
                return delivered
            for delivery, event, hook in rows:
                assert delivery.id is not None
                body = body_of(event, settings.public_base_url)
                timestamp = int(clock().timestamp())
                headers = {
                    "Content-Type": "application/json; charset=utf-8",
                    EVENT_HEADER: event.kind.value,
                    EVENT_ID_HEADER: event.event_id,
                    DELIVERY_HEADER: str(delivery.id),
                    TIMESTAMP_HEADER: str(timestamp),
                    SIGNATURE_HEADER: sign(hook.secret, timestamp, body),
                }
                status_code: int | None = None
                error: str | None = None
                try:
                    response = http.post(hook.url, content=body, headers=headers)
                    status_code = response.status_code
                    if not 200 <= status_code < 300:
                        error = f"HTTP {status_code}: {response.text[:300]}"
                except httpx.HTTPError as exc:
                    error = f"{exc.__class__.__name__}: {exc}"
                if error is None:
                    delivered += 1
                else:
                    log.info("webhook %s delivery %s failed: %s", hook.id, delivery.id, error)
                with Session(engine, expire_on_commit=False) as session:
                    service.record_outcome(session, delivery_id=delivery.id, worker_id=worker_id, now=clock(),
                                           status_code=status_code, error=error, jitter=random.random(),
                                           base_url=settings.public_base_url,
                                           first_retry=timedelta(seconds=settings.webhook_retry_seconds))  # fmt: skip
                    session.commit()
                if should_stop():
                    break
            # The next claim picks up what waited behind the deliveries just made (same notice, later event).
        return delivered
    finally:
        if own:
            http.close()
