"""The worker's outgoing-mail step: claim a batch, send it over one SMTP connection, settle each message."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.outmail.models import OutgoingMail
from app.outmail.service import MailerFactory, claim, settle
from app.settings import Settings

log = logging.getLogger("crisisdesk.outmail")


def deliver(engine: Engine, settings: Settings, *, mailer: MailerFactory, worker_id: str,
            clock: Callable[[], datetime], should_stop: Callable[[], bool]) -> int:  # fmt: skip
    """Send what is due, batch after batch; returns how many were sent."""
    sent = 0
    batch = settings.worker_batch_size
    while not should_stop():
        with Session(engine, expire_on_commit=False) as session:
            ids = claim(session, now=clock(), worker_id=worker_id, limit=batch)
            rows: Sequence[OutgoingMail] = (
                session.exec(select(OutgoingMail).where(col(OutgoingMail.id).in_(ids))).all() if ids else []
            )
            session.commit()
        if not rows:
            return sent
        outcomes: dict[int, str | None] = {}
        try:
            with mailer(settings) as smtp:
                for row in rows:
                    assert row.id is not None
                    try:
                        smtp.send(to=row.to_address, subject=row.subject, body=row.body, key=row.dedupe_key,
                                    headers=row.headers)  # fmt: skip
                        outcomes[row.id] = None
                        sent += 1
                    except smtplib.SMTPRecipientsRefused as exc:
                        outcomes[row.id] = repr(exc)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("SMTP error: %s", exc)
            for row in rows:
                assert row.id is not None
                outcomes.setdefault(row.id, repr(exc))
        with Session(engine, expire_on_commit=False) as session:
            for mail_id, error in outcomes.items():
                settle(session, mail_id=mail_id, worker_id=worker_id, now=clock(), error=error,
                        max_attempts=settings.email_max_attempts)  # fmt: skip
            session.commit()
        if len(rows) < batch:
            return sent
    return sent
