"""The webhook vocabulary and its arithmetic: event kinds, the signature, the retry schedule. Pure.

Signature: ``X-CrisisDesk-Signature: sha256=<hex>`` where ``hex = HMAC-SHA256(secret, f"{timestamp}." + body)``
and ``timestamp`` is the ``X-CrisisDesk-Timestamp`` header (Unix seconds). A receiver recomputes it over the raw
body and refuses a timestamp more than five minutes away from its clock (a replay).

Retries: attempt n (n = 1 after the first failure) waits ``min(30 s · 2^(n-1), 1 h)`` scaled by a jitter in
[0.5, 1]: the first retry comes within 15–30 s, the fifth after 4–8 min, and from the eighth on about hourly. A hook
that has failed without a single success for 24 hours is disabled and its owner told; its pending deliveries wait
(nothing is dropped) until an admin enables it again.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from enum import StrEnum

from app.i18n import Message, _


class WebhookEventKind(StrEnum):
    NOTICE_PUBLISHED = "notice.published"
    NOTICE_CORRECTED = "notice.corrected"
    NOTICE_WITHDRAWN = "notice.withdrawn"
    CASE_CRISIS = "case.crisis"
    PAGE_SENT = "page.sent"
    STORY_PUBLISHED = "story.published"


EVENT_LABELS: dict[WebhookEventKind, Message] = {
    WebhookEventKind.NOTICE_PUBLISHED: _("Thông cáo được công bố"),
    WebhookEventKind.NOTICE_CORRECTED: _("Thông cáo được đính chính"),
    WebhookEventKind.NOTICE_WITHDRAWN: _("Thông cáo bị thu hồi"),
    WebhookEventKind.CASE_CRISIS: _("Vụ việc chuyển sang khủng hoảng"),
    WebhookEventKind.PAGE_SENT: _("Đã gửi tin báo trực"),
    WebhookEventKind.STORY_PUBLISHED: _("Tin bài của đơn vị được đăng"),
}


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or for an earlier event of the same notice)
    SENDING = "sending"  # claimed by a worker until ``claimed_until``
    DELIVERED = "delivered"


DELIVERY_STATUS_LABELS: dict[DeliveryStatus, Message] = {
    DeliveryStatus.PENDING: _("Đang chờ gửi"),
    DeliveryStatus.SENDING: _("Đang gửi"),
    DeliveryStatus.DELIVERED: _("Đã gửi"),
}

SIGNATURE_HEADER = "X-CrisisDesk-Signature"
TIMESTAMP_HEADER = "X-CrisisDesk-Timestamp"
EVENT_HEADER = "X-CrisisDesk-Event"
EVENT_ID_HEADER = "X-CrisisDesk-Event-Id"
DELIVERY_HEADER = "X-CrisisDesk-Delivery"

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
DISABLE_AFTER = timedelta(hours=24)
REPLAY_WINDOW = timedelta(minutes=5)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: int, body: bytes, signature: str, *, now: int) -> bool:
    """What a receiver does: the signature matches and the timestamp is within five minutes of ``now``."""
    if abs(now - timestamp) > REPLAY_WINDOW.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def retry_delay(attempts: int, jitter: float, first: timedelta = FIRST_RETRY) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1 = the first); ``jitter`` in [0, 1]."""
    base: timedelta = min(first * (2 ** min(max(attempts - 1, 0), 20)), MAX_RETRY)
    scaled: timedelta = base * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))
    return scaled
