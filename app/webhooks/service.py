"""Use cases of webhooks: register, list, delete; emit an event (inside the caller's transaction); the deliveries
log and "resend"; and the worker's side: claim the deliveries that are due, record each outcome.

Other domains announce their events through ``emit`` (notices) or the two named entry points
``emit_case_crisis`` and ``emit_page_sent`` (crisis mode); none of them knows who listens.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Permission, require
from app.errors import NotFound
from app.i18n import _
from app.org.models import User
from app.outmail import service as outmail
from app.webhooks.events import DISABLE_AFTER, FIRST_RETRY, DeliveryStatus, WebhookEventKind, retry_delay
from app.webhooks.models import (
    DeliveryRead,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookEvent,
    WebhookRead,
)

# --- emitting -----------------------------------------------------------------------------------------------


def emit(session: Session, *, kind: WebhookEventKind, payload: dict[str, Any], ordering_key: str, now: datetime,
         available_at: datetime | None = None) -> WebhookEvent:  # fmt: skip
    """Record an event and one delivery per active hook that listens to ``kind``, in the caller's transaction.
    ``available_at`` (an embargo) holds the deliveries until then."""
    at = max(now, available_at) if available_at else now
    event = WebhookEvent(event_id=str(uuid.uuid4()), kind=kind, ordering_key=ordering_key[:80], payload=payload,
                         created_at=now, available_at=at)  # fmt: skip
    session.add(event)
    session.flush()
    assert event.id is not None
    hooks = session.exec(select(Webhook).where(col(Webhook.deleted_at).is_(None))).all()
    for hook in hooks:
        if kind.value in hook.events:
            assert hook.id is not None
            session.add(WebhookDelivery(webhook_id=hook.id, event_pk=event.id, ordering_key=event.ordering_key,
                                        status=DeliveryStatus.PENDING, next_attempt_at=at, created_at=now))  # fmt: skip
    session.flush()
    return event


def emit_case_crisis(session: Session, *, case_reference: str, level: int | None, reason: str, title: str,
                     now: datetime, standing_down: bool = False) -> WebhookEvent:  # fmt: skip
    """``case.crisis``: a crisis was declared, changed (``level``) or stood down on a case. For crisis mode."""
    payload = {"case_reference": case_reference, "title": title, "level": level, "reason": reason,
               "standing_down": standing_down, "at": now.isoformat()}  # fmt: skip
    return emit(session, kind=WebhookEventKind.CASE_CRISIS, payload=payload, ordering_key=f"case:{case_reference}",
                now=now)  # fmt: skip


def emit_page_sent(session: Session, *, page_id: int, case_reference: str | None, user: str, message: str,
                   now: datetime) -> WebhookEvent:  # fmt: skip
    """``page.sent``: a duty person was paged (the outbound channels of §11.5). For crisis mode."""
    payload = {"page_id": page_id, "case_reference": case_reference, "user": user, "message": message,
               "sent_at": now.isoformat()}  # fmt: skip
    return emit(session, kind=WebhookEventKind.PAGE_SENT, payload=payload, ordering_key=f"page:{page_id}", now=now)


def emit_story_published(session: Session, *, story_id: int, url: str, kind: str, title: str, body: str, unit: str,
                         now: datetime) -> WebhookEvent:  # fmt: skip
    """``story.published``: the press office published a unit's story (product §11.7), with its public fields."""
    payload = {"story": {"id": story_id, "url": url, "kind": kind, "title": title, "body": body, "unit": unit,
                         "published_at": now.isoformat()}}  # fmt: skip
    return emit(session, kind=WebhookEventKind.STORY_PUBLISHED, payload=payload, ordering_key=f"story:{story_id}",
                now=now)  # fmt: skip


# --- managing -----------------------------------------------------------------------------------------------


def _pending_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(WebhookDelivery.webhook_id, func.count())
        .where(col(WebhookDelivery.webhook_id).in_(ids), col(WebhookDelivery.status) != DeliveryStatus.DELIVERED)
        .group_by(col(WebhookDelivery.webhook_id))
    ).all()
    return {hook_id: int(n) for hook_id, n in rows}


def webhook_reads(session: Session, hooks: Sequence[Webhook]) -> list[WebhookRead]:
    owners = {u.id: u.username for u in session.exec(select(User).where(
        col(User.id).in_([h.owner_id for h in hooks if h.owner_id]))).all()}  # fmt: skip
    pending = _pending_counts(session, [h.id for h in hooks if h.id is not None])
    return [
        WebhookRead(
            id=h.id or 0,
            url=h.url,
            events=[WebhookEventKind(e) for e in h.events],
            description=h.description,
            active=h.active,
            owner=owners.get(h.owner_id) if h.owner_id else None,
            created_at=h.created_at,
            failing_since=h.failing_since,
            last_success_at=h.last_success_at,
            disabled_at=h.disabled_at,
            disabled_reason=h.disabled_reason,
            pending=pending.get(h.id or 0, 0),
        )  # fmt: skip
        for h in hooks
    ]


def create_webhook(session: Session, *, actor: Actor, data: WebhookCreate, now: datetime) -> WebhookCreated:
    require(actor, Permission.WEBHOOKS_MANAGE)
    secret = data.secret or secrets.token_urlsafe(32)
    events = sorted({e.value for e in data.events})
    hook = Webhook(url=str(data.url), events=events, secret=secret, description=data.description,
                   owner_id=actor.user_id, created_at=now)  # fmt: skip
    session.add(hook)
    session.flush()
    return WebhookCreated(**webhook_reads(session, [hook])[0].model_dump(), secret=secret)


def list_webhooks(session: Session, *, actor: Actor) -> list[WebhookRead]:
    require(actor, Permission.WEBHOOKS_MANAGE)
    hooks = session.exec(select(Webhook).where(col(Webhook.deleted_at).is_(None)).order_by(col(Webhook.id))).all()
    return webhook_reads(session, hooks)


def get_webhook(session: Session, *, actor: Actor, webhook_id: int) -> Webhook:
    require(actor, Permission.WEBHOOKS_MANAGE)
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.deleted_at is not None:
        raise NotFound(_("Không tìm thấy webhook {id}.", id=webhook_id))
    return hook


def delete_webhook(session: Session, *, actor: Actor, webhook_id: int, now: datetime) -> None:
    """The hook stops receiving; its log stays for the record."""
    hook = get_webhook(session, actor=actor, webhook_id=webhook_id)
    hook.deleted_at, hook.active = now, False
    session.add(hook)
    session.flush()


def enable_webhook(session: Session, *, actor: Actor, webhook_id: int, now: datetime) -> Webhook:
    """Enable a hook again (after it was disabled for failing): its waiting deliveries go out now."""
    hook = get_webhook(session, actor=actor, webhook_id=webhook_id)
    hook.active, hook.disabled_at, hook.disabled_reason, hook.failing_since = True, None, None, None
    session.add(hook)
    session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == webhook_id, col(WebhookDelivery.status) == DeliveryStatus.PENDING)
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return hook


def list_deliveries(session: Session, *, actor: Actor, webhook_id: int, limit: int = 100) -> list[DeliveryRead]:
    """The hook's log, newest first."""
    get_webhook(session, actor=actor, webhook_id=webhook_id)
    rows = session.exec(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_pk))
        .where(col(WebhookDelivery.webhook_id) == webhook_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(max(1, min(limit, 500)))
    ).all()
    return [
        DeliveryRead(
            id=d.id or 0,
            event=e.kind,
            event_id=e.event_id,
            status=d.status,
            status_code=d.last_status_code,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status != DeliveryStatus.DELIVERED else None,
            last_attempt_at=d.last_attempt_at,
            delivered_at=d.delivered_at,
            error=d.last_error,
            created_at=d.created_at,
        )  # fmt: skip
        for d, e in rows
    ]


def resend(session: Session, *, actor: Actor, webhook_id: int, delivery_id: int, now: datetime) -> None:
    """Send this delivery again now (the same event id: a receiver that keeps ids ignores a repeat)."""
    get_webhook(session, actor=actor, webhook_id=webhook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != webhook_id:
        raise NotFound(_("Không tìm thấy lần gửi {id}.", id=delivery_id))
    delivery.status, delivery.next_attempt_at, delivery.claimed_until = DeliveryStatus.PENDING, now, None
    delivery.delivered_at = None
    session.add(delivery)
    session.flush()


# --- the worker's side ----------------------------------------------------------------------------------------


def claim(session: Session, *, now: datetime, worker_id: str, lease: timedelta, limit: int) -> list[int]:
    """Claim up to ``limit`` due deliveries of active hooks, at most the first undelivered one of each (hook,
    ordering key): a later event of a notice never overtakes an earlier one."""
    earlier = aliased(WebhookDelivery)
    ready = or_(
        and_(col(WebhookDelivery.status) == DeliveryStatus.PENDING, col(WebhookDelivery.next_attempt_at) <= now),
        and_(col(WebhookDelivery.status) == DeliveryStatus.SENDING, col(WebhookDelivery.claimed_until) < now),
    )
    blocked = exists().where(
        col(earlier.webhook_id) == col(WebhookDelivery.webhook_id),
        col(earlier.ordering_key) == col(WebhookDelivery.ordering_key),
        col(earlier.id) < col(WebhookDelivery.id),
        col(earlier.status) != DeliveryStatus.DELIVERED,
    )
    active = exists().where(col(Webhook.id) == col(WebhookDelivery.webhook_id), col(Webhook.active).is_(True))
    candidates = (
        select(WebhookDelivery.id)
        .where(ready, active, ~blocked)
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_(candidates.scalar_subquery()), ready)
        .values(status=DeliveryStatus.SENDING, claimed_by=worker_id, claimed_until=now + lease)
        .returning(col(WebhookDelivery.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(int(row[0]) for row in result.all())


def outgoing(session: Session, ids: Sequence[int]) -> list[tuple[WebhookDelivery, WebhookEvent, Webhook]]:
    rows = session.exec(
        select(WebhookDelivery, WebhookEvent, Webhook)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_pk))
        .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
        .where(col(WebhookDelivery.id).in_(list(ids)))
        .order_by(col(WebhookDelivery.id))
    ).all()
    return [(d, e, h) for d, e, h in rows]


def record_outcome(session: Session, *, delivery_id: int, worker_id: str, now: datetime, status_code: int | None,
                   error: str | None, jitter: float, base_url: str,
                   first_retry: timedelta = FIRST_RETRY) -> None:  # fmt: skip
    """Mark a delivery delivered, or schedule its retry; disable a hook failing for 24 hours and tell its owner."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.claimed_by != worker_id or delivery.status != DeliveryStatus.SENDING:
        return
    hook = session.get(Webhook, delivery.webhook_id)
    assert hook is not None
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.last_status_code, delivery.claimed_until = now, status_code, None
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, now, None
        hook.failing_since, hook.last_success_at = None, now
    else:
        delivery.status, delivery.last_error = DeliveryStatus.PENDING, error[:2000]
        delivery.next_attempt_at = now + retry_delay(delivery.attempts, jitter, first_retry)
        if hook.failing_since is None:
            hook.failing_since = now
        elif hook.active and now - hook.failing_since >= DISABLE_AFTER:
            _disable(session, hook, now=now, base_url=base_url)
    session.add(delivery)
    session.add(hook)
    session.flush()


def _disable(session: Session, hook: Webhook, *, now: datetime, base_url: str) -> None:
    hook.active, hook.disabled_at = False, now
    hook.disabled_reason = _("Gửi không thành công liên tục trong 24 giờ.").localize("vi")
    owner = session.get(User, hook.owner_id) if hook.owner_id else None
    if owner is not None and owner.email:
        locale = owner.locale if owner.locale in ("vi", "en") else "vi"
        subject = _("Webhook {url} đã bị tạm dừng", url=hook.url).localize(locale)
        body = _(
            "Webhook {url} không nhận được sự kiện nào trong 24 giờ qua nên đã bị tạm dừng. Các sự kiện chưa gửi "
            "vẫn được giữ lại. Kiểm tra địa chỉ nhận rồi bật lại tại {link}.",
            url=hook.url,
            link=f"{base_url}/staff/admin/webhooks/{hook.id}",
        ).localize(locale)
        outmail.enqueue(session, key=f"webhook-disabled:{hook.id}:{now.isoformat()}", purpose="webhook_disabled",
                        to=owner.email, subject=subject, body=body, now=now)  # fmt: skip
