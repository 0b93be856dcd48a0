"""Queue a message (inside the caller's transaction) and, in the worker, claim, send and settle them.

``enqueue`` never sends: the message leaves only if the caller's transaction commits, and exactly once per
``dedupe_key`` (a second enqueue with the same key is ignored). The worker (``outmail/worker.py``) claims a batch
with ``FOR UPDATE SKIP LOCKED`` and a lease, sends it over one SMTP connection and settles each message: sent, or
retried with a growing pause up to ``email_max_attempts``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.outmail.models import MailStatus, OutgoingMail
from app.settings import Settings


class Sender(Protocol):
    def send(self, *, to: str, subject: str, body: str, key: str, headers: dict[str, str] | None = None) -> None: ...


# The SMTP mailer of the notifications (``Mailer(settings)``), given by the worker that runs this step.
MailerFactory = Callable[[Settings], AbstractContextManager[Sender]]
LEASE = timedelta(minutes=5)


def enqueue(session: Session, *, key: str, purpose: str, to: str, subject: str, body: str, now: datetime,
            headers: dict[str, str] | None = None, not_before: datetime | None = None) -> bool:  # fmt: skip
    """Queue one message; False if a message with this key exists already."""
    exists = session.exec(select(OutgoingMail.id).where(OutgoingMail.dedupe_key == key)).first()
    if exists is not None:
        return False
    session.add(
        OutgoingMail(
            dedupe_key=key[:200],
            purpose=purpose,
            to_address=to,
            subject=subject[:300],
            body=body,
            headers=headers or {},
            status=MailStatus.PENDING,
            next_attempt_at=max(now, not_before) if not_before else now,
            created_at=now,
        )
    )
    session.flush()
    return True


def claim(session: Session, *, now: datetime, worker_id: str, limit: int) -> list[int]:
    ready = or_(
        and_(col(OutgoingMail.status) == MailStatus.PENDING, col(OutgoingMail.next_attempt_at) <= now),
        and_(col(OutgoingMail.status) == MailStatus.SENDING, col(OutgoingMail.claimed_until) < now),
    )
    candidates = (
        select(OutgoingMail.id)
        .where(ready)
        .order_by(col(OutgoingMail.next_attempt_at), col(OutgoingMail.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = session.execute(
        update(OutgoingMail)
        .where(col(OutgoingMail.id).in_(candidates.scalar_subquery()), ready)
        .values(status=MailStatus.SENDING, claimed_by=worker_id, claimed_until=now + LEASE)
        .returning(col(OutgoingMail.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(int(row[0]) for row in result.all())


def settle(session: Session, *, mail_id: int, worker_id: str, now: datetime, error: str | None,
            max_attempts: int) -> None:  # fmt: skip
    row = session.get(OutgoingMail, mail_id)
    if row is None or row.claimed_by != worker_id or row.status != MailStatus.SENDING:
        return
    if error is None:
        row.status, row.sent_at, row.claimed_until, row.error = MailStatus.SENT, now, None, None
    else:
        row.attempts += 1
        row.error = error[:500]
        row.claimed_until = None
        if row.attempts >= max_attempts:
            row.status = MailStatus.FAILED
        else:
            row.status = MailStatus.PENDING
            row.next_attempt_at = now + timedelta(minutes=min(2**row.attempts, 60))
    session.add(row)
    session.flush()
