"""Writing notifications, with each recipient's choice of e-mail, and the day's single message for ``daily``.

``add_notifications`` is the one writer of rows for every cause (the case events and the clocks' reminders): one
row per recipient, ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING``, so a cause handled twice notifies once. The
e-mail columns follow ``User.email_frequency``:

* ``immediate``: ``pending`` — the worker's outbox sends it (exactly once: see ``service.claim_emails``);
* ``daily``: ``daily`` — it waits for the day's message;
* ``off`` (or no address): ``none``.

``build_daily_emails`` (the worker, each pass) turns the ``daily`` rows of every local day that has ended into
ONE message per user and day: a row of kind ``daily_email`` (never shown in-app) keyed ``daily:<user>:<date>``,
pending in the same outbox; the rows it gathers become ``in_daily``. It takes the rows with ``FOR UPDATE SKIP
LOCKED``, and the key is unique, so two workers never build the same day twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.i18n import _, text
from app.notifications.models import KIND_LABELS, EmailStatus, Notification, NotificationKind
from app.org.models import EmailFrequency, User
from app.timeutil import local_date, local_midnight, to_local


def dialect_insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def email_fields(user: User, *, now: datetime, enabled: bool = True) -> dict[str, Any]:
    """The e-mail columns of a new notification for ``user`` (their choice; ``enabled``: SMTP is configured)."""
    if not enabled or not user.email or user.email_frequency == EmailFrequency.OFF:
        return {"email_to": None, "email_status": EmailStatus.NONE.value, "email_next_attempt_at": None}
    if user.email_frequency == EmailFrequency.DAILY:
        return {"email_to": user.email, "email_status": EmailStatus.DAILY.value, "email_next_attempt_at": None}
    return {"email_to": user.email, "email_status": EmailStatus.PENDING.value, "email_next_attempt_at": now}


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        table = Notification.__table__  # type: ignore[attr-defined]
        stmt = dialect_insert(session)(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
        session.execute(stmt, list(rows))


def add_notifications(
    session: Session,
    *,
    kind: NotificationKind,
    users: Sequence[User],
    case_id: int | None,
    now: datetime,
    dedupe: Callable[[User], str],
    texts: Callable[[str], tuple[str, str]],
    link: str | None,
) -> None:
    """One notification per user, in each user's language (``texts(locale) -> (title, body)``)."""
    rows = []
    for user in users:
        title, body = texts(user.locale)
        rows.append({
            "user_id": user.id, "case_id": case_id, "clock_id": None, "kind": kind.value, "stage": None,
            "dedupe_key": dedupe(user)[:200], "title": title, "body": body, "link": link, "created_at": now,
            "email_attempts": 0, **email_fields(user, now=now),
        })  # fmt: skip
    insert_rows(session, rows)
    session.flush()


def absolute(link: str | None, base_url: str) -> str | None:
    """A stored link as the e-mail shows it (links of the case events are stored relative to the site)."""
    if link and link.startswith("/"):
        return base_url.rstrip("/") + link
    return link


def build_daily_emails(session: Session, *, now: datetime, base_url: str, limit: int = 5000) -> int:
    """Gather the ``daily`` notifications of the local days that have ended into one message per user and day;
    returns how many messages were made."""
    today_starts = local_midnight(local_date(now))
    rows = session.exec(
        select(Notification)
        .where(Notification.email_status == EmailStatus.DAILY, col(Notification.created_at) < today_starts)
        .order_by(col(Notification.user_id), col(Notification.created_at), col(Notification.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0
    groups: dict[tuple[int, date], list[Notification]] = defaultdict(list)
    for row in rows:
        groups[(row.user_id, local_date(row.created_at))].append(row)
    if len(rows) == limit and len(groups) > 1:
        # The last user's day may go on past the limit: it is gathered whole by the next call.
        later = {r.id for r in groups.pop(list(groups)[-1])}
        rows = [r for r in rows if r.id not in later]
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_({k[0] for k in groups}))).all()}
    messages = []
    for (user_id, day), items in groups.items():
        user = users[user_id]
        locale = user.locale
        title = text(_("CrisisDesk: {n} tin nhắn ngày {day}", n=len(items), day=day.strftime("%d/%m/%Y")), locale)
        lines = []
        for item in items:
            at = to_local(item.created_at).strftime("%H:%M")
            lines.append(f"{at} · {text(KIND_LABELS[item.kind], locale)} · {item.title}")
            link = absolute(item.link, base_url)
            if link:
                lines.append(f"      {link}")
        messages.append({
            "user_id": user_id, "case_id": None, "clock_id": None, "kind": NotificationKind.DAILY_EMAIL.value,
            "stage": None, "dedupe_key": f"daily:{user_id}:{day.isoformat()}", "title": title[:300],
            "body": "\n".join(lines), "link": None, "created_at": now, "read_at": now,
            "email_to": items[-1].email_to, "email_status": EmailStatus.PENDING.value, "email_attempts": 0,
            "email_next_attempt_at": now,
        })  # fmt: skip
    insert_rows(session, messages)
    session.execute(
        update(Notification)
        .where(col(Notification.id).in_([r.id for r in rows]))
        .values(email_status=EmailStatus.IN_DAILY)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(messages)
