"""Use cases of subscriptions: subscribe (mail a confirmation link), confirm, unsubscribe in one click; queue a
notice for the subscribers (inside the notice's transaction); and the worker's fan-out into the mail outbox.

Nothing here shows an address back: ``subscribe`` answers the same for every address, and the links carry random
tokens, never the address. A confirmation is mailed to one address at most once per
``subscription_confirm_interval_seconds`` (the public edge limits each client as well).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.i18n import _
from app.outmail import service as outmail
from app.subscriptions.models import SubscribeIn, Subscription, SubscriptionDispatch, SubscriptionStatus
from app.webhooks.share import SharedNotice

ONE_CLICK = "List-Unsubscribe=One-Click"


def _token() -> str:
    return secrets.token_urlsafe(32)


def subscribe(session: Session, *, data: SubscribeIn, locale: str, now: datetime, base_url: str,
              interval: timedelta) -> None:  # fmt: skip
    """Record the wish and mail the confirmation link. A confirmed address is left as it is (its topics change
    only by unsubscribing and subscribing again, so nobody else can change them)."""
    email = str(data.email).strip().lower()
    topics = sorted({t.value for t in data.topics})
    sub = session.exec(select(Subscription).where(Subscription.email == email)).first()
    if sub is not None and sub.status == SubscriptionStatus.CONFIRMED:
        return
    if sub is None:
        sub = Subscription(email=email, topics=topics, status=SubscriptionStatus.PENDING, locale=locale,
                           confirm_token=_token(), unsubscribe_token=_token(), created_at=now,
                           updated_at=now)  # fmt: skip
    else:
        sub.topics, sub.status, sub.locale, sub.updated_at = topics, SubscriptionStatus.PENDING, locale, now
        if sub.confirm_sent_at is not None and now - sub.confirm_sent_at < interval:
            session.add(sub)
            session.flush()
            return  # a confirmation went out a moment ago: do not flood the address
        sub.confirm_token = _token()
    sub.confirm_sent_at = now
    session.add(sub)
    session.flush()
    link = f"{base_url}/subscriptions/confirm?token={sub.confirm_token}"
    subject = _("Xác nhận đăng ký nhận thông cáo báo chí của Sở").localize(locale)
    body = _(
        "Có người (có thể là bạn) đã đăng ký địa chỉ này để nhận thông cáo báo chí của Sở Giáo dục và Đào tạo qua "
        "e-mail. Để xác nhận, mở liên kết sau:\n\n{link}\n\nNếu bạn không đăng ký, hãy bỏ qua thư này: bạn sẽ không "
        "nhận thêm thư nào.",
        link=link,
    ).localize(locale)
    outmail.enqueue(session, key=f"subscription-confirm:{sub.id}:{sub.confirm_token[:16]}",
                    purpose="subscription_confirm", to=email, subject=subject, body=body, now=now)  # fmt: skip


def _by_token(session: Session, column: str, token: str) -> Subscription:
    if not token or len(token) > 64:
        raise NotFound(_("Liên kết không hợp lệ hoặc đã hết hiệu lực."))
    sub = session.exec(select(Subscription).where(col(getattr(Subscription, column)) == token)).first()
    if sub is None:
        raise NotFound(_("Liên kết không hợp lệ hoặc đã hết hiệu lực."))
    return sub


def confirm(session: Session, *, token: str, now: datetime) -> Subscription:
    sub = _by_token(session, "confirm_token", token)
    if sub.status != SubscriptionStatus.CONFIRMED:
        sub.status, sub.confirmed_at, sub.unsubscribed_at, sub.updated_at = SubscriptionStatus.CONFIRMED, now, None, now
        session.add(sub)
        session.flush()
    return sub


def check_unsubscribe_token(session: Session, *, token: str) -> Subscription:
    return _by_token(session, "unsubscribe_token", token)


def unsubscribe(session: Session, *, token: str, now: datetime) -> None:
    """One click, no questions (RFC 8058): idempotent."""
    sub = _by_token(session, "unsubscribe_token", token)
    if sub.status != SubscriptionStatus.UNSUBSCRIBED:
        sub.status, sub.unsubscribed_at, sub.updated_at = SubscriptionStatus.UNSUBSCRIBED, now, now
        session.add(sub)
        session.flush()


# --- notices to subscribers -----------------------------------------------------------------------------------


def queue_notice(session: Session, *, notice: SharedNotice, now: datetime) -> None:
    """In the notice's transaction: mail it to the subscribers from its publication time on."""
    session.add(SubscriptionDispatch(notice_slug=notice.slug, topic=notice.topic, notice=notice.model_dump(mode="json"),
                                     available_at=max(now, notice.published_at), created_at=now))  # fmt: skip
    session.flush()


def _notice_mail(notice: SharedNotice, sub: Subscription, base_url: str) -> tuple[str, str, dict[str, str]]:
    unsubscribe_url = f"{base_url}/subscriptions/unsubscribe?token={sub.unsubscribe_token}"
    subject = f"[{notice.number}] {notice.title}"
    body = _(
        "{number} — {title}\n\n{text}\n\n{signer}\n\nToàn văn: {url}\n\n--\nBạn nhận thư này vì đã đăng ký nhận "
        "thông cáo của Sở. Hủy đăng ký: {unsubscribe}",
        number=notice.number,
        title=notice.title,
        text=notice.text,
        signer=f"{notice.spokesperson_title} {notice.spokesperson_name}",
        url=notice.url(base_url),
        unsubscribe=unsubscribe_url,
    ).localize(sub.locale)
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}
    return subject, body, headers


def fan_out_step(session: Session, *, now: datetime, base_url: str, batch: int) -> int:
    """Queue the next batch of one due dispatch; returns how many subscribers it covered (0: nothing due)."""
    dispatch = session.exec(
        select(SubscriptionDispatch)
        .where(col(SubscriptionDispatch.done_at).is_(None), col(SubscriptionDispatch.available_at) <= now)
        .order_by(col(SubscriptionDispatch.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if dispatch is None:
        return 0
    notice = SharedNotice.model_validate(dispatch.notice)
    subs = session.exec(
        select(Subscription)
        .where(col(Subscription.id) > dispatch.last_subscriber_id, Subscription.status == SubscriptionStatus.CONFIRMED)
        .order_by(col(Subscription.id))
        .limit(batch)
    ).all()
    for sub in subs:
        if sub.topics and notice.topic not in sub.topics:
            continue
        subject, body, headers = _notice_mail(notice, sub, base_url)
        outmail.enqueue(session, key=f"notice:{notice.slug}:subscriber:{sub.id}", purpose="subscription_notice",
                        to=sub.email, subject=subject, body=body, headers=headers, now=now)  # fmt: skip
    if subs:
        dispatch.last_subscriber_id = subs[-1].id or dispatch.last_subscriber_id
    if len(subs) < batch:
        dispatch.done_at = now
    session.add(dispatch)
    session.flush()
    return max(len(subs), 1)
