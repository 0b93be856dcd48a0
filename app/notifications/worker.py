"""``crisisdesk worker``: the only process that delivers reminders, escalations and e-mail.

Each pass: write the heartbeat; turn the reminder stages that are due into notifications (in batches, each its own
transaction, rows locked with SKIP LOCKED); run the steps the ``worker`` command gives (the crisis pages unanswered
past their window go to the next person: ``app.crisis.paging.escalate_pages``, the same way); gather the
notifications of users who chose a daily e-mail into one message per user for each local day that has ended
(``deliveries.build_daily_emails``); then claim the pending e-mails, send them over one SMTP connection and mark
each sent (or failed, to retry with a backoff). Database errors (a restart, a dropped connection) are logged and
the pass is retried after a growing pause (1 s, 2 s, 4 s … at most 30 s): the worker survives a restart of the
database. SIGTERM / SIGINT stop it after the current step.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import FrameType
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from app.db import make_engine, utcnow, writer
from app.notifications import deliveries, service
from app.notifications.mailer import Mailer
from app.notifications.models import EmailStatus, Notification
from app.settings import Settings

log = logging.getLogger("crisisdesk.worker")
T = TypeVar("T")

LEASE = timedelta(minutes=5)
MAX_BACKOFF = 30.0
DB_ERRORS = (OperationalError, DBAPIError)


@dataclass(frozen=True)
class JobContext:
    """What a further step of the worker (a job of another domain: webhooks, mailbox …) is given on each pass."""

    engine: Engine  # the writer engine (BEGIN IMMEDIATE on SQLite)
    settings: Settings
    worker_id: str
    clock: Callable[[], datetime]
    should_stop: Callable[[], bool]


Job = Callable[[JobContext], object]


class Worker:
    def __init__(self, settings: Settings, *, engine: Engine | None = None,
                 clock: Callable[[], datetime] = utcnow, worker_id: str | None = None,
                 steps: Sequence[Callable[..., int]] = (), jobs: Sequence[Job] = ()) -> None:  # fmt: skip
        """``steps``: more work for each pass, each called as ``step(session, now=…, limit=…)`` in batches until it
        handles fewer than ``limit`` (the ``worker`` command gives the crisis pages' escalation); ``jobs``: the
        channels' work (webhooks, subscriptions, the mailbox), each called once a pass with a ``JobContext``."""
        self.settings = settings
        self.steps = tuple(steps)
        self.engine = engine or make_engine(settings.database_url, pool_size=2, max_overflow=2)
        self.writer = writer(self.engine)
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]
        self.stopping = False
        self.sent = 0
        self.reminders = 0
        self.daily = 0
        self.escalations = 0
        self.jobs = tuple(jobs)

    # --- running ---

    def stop(self, _signum: int | None = None, _frame: FrameType | None = None) -> None:
        self.stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self, *, once: bool = False, max_db_retries: int | None = None) -> None:
        """Run passes until stopped (or one pass with ``once``), riding out database outages."""
        delay, failures = 1.0, 0
        while not self.stopping:
            try:
                self.run_pass()
                delay, failures = 1.0, 0
                if once:
                    return
            except DB_ERRORS as exc:
                failures += 1
                log.warning("database unavailable (%s); retrying in %.0f s", exc.__class__.__name__, delay)
                self.engine.dispose()
                if max_db_retries is not None and failures > max_db_retries:
                    raise
                self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            self._sleep(self.settings.worker_poll_seconds)

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, max(end - time.monotonic(), 0)))

    def _tx(self, fn: Callable[[Session], T]) -> T:
        with Session(self.writer, expire_on_commit=False) as session:
            result = fn(session)
            session.commit()
            return result

    # --- one pass ---

    def run_pass(self) -> None:
        now = self.clock()
        self._tx(partial(service.heartbeat, worker_id=self.worker_id, now=now))
        batch = self.settings.worker_batch_size
        email_enabled = bool(self.settings.smtp_host)
        step = partial(service.process_reminders, now=now, limit=batch, base_url=self.settings.public_base_url,
                       email_enabled=email_enabled)  # fmt: skip
        while not self.stopping:
            handled = self._tx(step)
            self.reminders += handled
            if handled < batch:
                break
        # Other domains' steps (crisis pages unanswered past their window go to the next person on the roster),
        # given by the entry point so that this package imports none of them.
        for step_of in self.steps:
            escalate = partial(step_of, now=now, limit=batch)
            while not self.stopping:
                handled = self._tx(escalate)
                self.escalations += handled
                if handled < batch:
                    break
        if email_enabled:
            self.daily += self._tx(partial(deliveries.build_daily_emails, now=now,
                                           base_url=self.settings.public_base_url))  # fmt: skip
            self.deliver(now)
        context = JobContext(engine=self.writer, settings=self.settings, worker_id=self.worker_id, clock=self.clock,
                             should_stop=lambda: self.stopping)  # fmt: skip
        for job in self.jobs:
            if self.stopping:
                break
            job(context)

    def deliver(self, now: datetime) -> None:
        batch = self.settings.worker_batch_size
        while not self.stopping:
            ids = self._tx(partial(service.claim_emails, now=now, worker_id=self.worker_id, lease=LEASE, limit=batch))
            if not ids:
                return
            rows = self._tx(partial(service.outgoing, ids=ids))
            with self.writer.connect() as conn:  # one connection records the outcomes of the batch
                try:
                    with Mailer(self.settings) as mailer:
                        for row in rows:
                            assert row.id is not None and row.email_to is not None
                            try:
                                mailer.send(to=row.email_to, subject=row.title, body=self._body(row),
                                            key=row.dedupe_key)  # fmt: skip
                            except smtplib.SMTPRecipientsRefused as exc:
                                self._settle(conn, row.id, error=repr(exc))
                                continue
                            self._settle(conn, row.id)
                            self.sent += 1
                except (smtplib.SMTPException, OSError) as exc:
                    # The server is unreachable or dropped us: what was not marked sent is retried later.
                    log.warning("SMTP error: %s", exc)
                    for row in rows:
                        assert row.id is not None
                        self._settle(conn, row.id, error=repr(exc), only_if_sending=True)
                    return

    def _body(self, row: Notification) -> str:
        """The message: the body, then the link when the body does not hold it (the case events' rows)."""
        link = deliveries.absolute(row.link, self.settings.public_base_url)
        return row.body if not link or link in row.body else f"{row.body}\n\n{link}"

    def _settle(self, conn: Connection, notification_id: int, *, error: str | None = None,
                only_if_sending: bool = False) -> None:  # fmt: skip
        """Record the outcome of a send, in its own short transaction. The message is out: keep trying to record
        it through a database outage (giving up would send it again once the lease expires)."""
        delay = 1.0
        while True:
            try:
                with Session(bind=conn, expire_on_commit=False) as session:
                    _record(session, notification_id=notification_id, worker_id=self.worker_id, now=self.clock(),
                            error=error, max_attempts=self.settings.email_max_attempts,
                            only_if_sending=only_if_sending)  # fmt: skip
                    session.commit()
                return
            except DB_ERRORS as exc:
                log.warning("could not record a send (%s); retrying in %.0f s", exc.__class__.__name__, delay)
                with contextlib.suppress(*DB_ERRORS):
                    conn.rollback()  # an invalidated connection reconnects on its next use
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)


def _record(session: Session, *, notification_id: int, worker_id: str, now: datetime, error: str | None,
            max_attempts: int, only_if_sending: bool) -> None:  # fmt: skip
    if error is None:
        service.mark_sent(session, notification_id=notification_id, worker_id=worker_id, now=now)
        return
    row = session.get(Notification, notification_id)
    if row is None or (only_if_sending and row.email_status != EmailStatus.SENDING):
        return
    service.mark_failed(session, notification_id=notification_id, worker_id=worker_id, now=now, error=error,
                        max_attempts=max_attempts)  # fmt: skip
