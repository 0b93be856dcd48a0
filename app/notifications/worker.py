"""``crisisdesk worker``: the only process that delivers reminders, escalations and e-mail.

Each pass: write the heartbeat; turn the reminder stages that are due into notifications (in batches, each its own
transaction, rows locked with SKIP LOCKED); run the jobs marked ``before_mail`` that the ``worker`` command gives
(the crisis pages unanswered past their window go to the next person: ``app.crisis.paging.escalate_pages``, the
same way, through ``batched``); gather the notifications of users who chose a daily e-mail into one message per user
for each local day that has ended (``deliveries.build_daily_emails``); then claim the pending e-mails, send them
over one SMTP connection and mark each sent (or failed, to retry with a backoff); last, the other jobs (the
channels': subscriptions, webhooks, the mailbox, outgoing mail). Database errors (a restart, a dropped connection)
are logged and the pass is retried after a growing pause (1 s, 2 s, 4 s … at most 30 s): the worker survives a
restart of the database. SIGTERM / SIGINT stop it after the current step.

Every piece of work of another domain is a ``Job``: a name, ``run(ctx) -> rows handled`` and whether it must run
before the mail of the pass (what it writes to the outbox then leaves in the same pass: an escalation is never a
pass late). A ``step(session, now=…, limit=…)`` becomes a job through ``batched``.
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
from collections import Counter
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
from app.idempotency import service as idempotency
from app.notifications import deliveries, service
from app.notifications.mailer import Mailer
from app.notifications.models import EmailStatus, Notification
from app.settings import Settings

log = logging.getLogger("crisisdesk.worker")
T = TypeVar("T")

# A claim is short and renewed while its holder works: a worker that dies strands its e-mails for at most LEASE;
# one that lives keeps them however long the SMTP server takes.
LEASE = timedelta(seconds=60)
RENEW_EVERY = 20.0  # seconds
MAX_BACKOFF = 30.0
DB_ERRORS = (OperationalError, DBAPIError)


@dataclass(frozen=True)
class JobContext:
    """What a job is given on each pass."""

    engine: Engine  # the writer engine (BEGIN IMMEDIATE on SQLite)
    settings: Settings
    worker_id: str
    now: datetime  # the time of the pass (the reminders and the batched steps all see this one)
    clock: Callable[[], datetime]  # the time now, for jobs that run long
    should_stop: Callable[[], bool]


@dataclass(frozen=True)
class Job:
    """One piece of work of each pass. ``run`` returns how many rows it handled; ``before_mail`` jobs run before the
    pass sends its e-mail (what they put in the outbox goes out in the same pass), the others after it."""

    name: str
    run: Callable[[JobContext], int]
    before_mail: bool = False


Step = Callable[..., int]  # step(session, *, now, limit) -> rows handled, flushed and not committed


def batched(name: str, step: Step, *, before_mail: bool) -> Job:
    """``step`` as a job: called with the pass's ``now`` and ``limit=worker_batch_size``, each call in its own
    transaction, until it handles fewer than ``limit`` (or the worker stops)."""

    def run(ctx: JobContext) -> int:
        batch, total = ctx.settings.worker_batch_size, 0
        while not ctx.should_stop():
            with Session(ctx.engine, expire_on_commit=False) as session:
                handled = step(session, now=ctx.now, limit=batch)
                session.commit()
            total += handled
            if handled < batch:
                break
        return total

    return Job(name, run, before_mail=before_mail)


REMINDERS = "reminders"


class Worker:
    def __init__(self, settings: Settings, *, engine: Engine | None = None,
                 clock: Callable[[], datetime] = utcnow, worker_id: str | None = None,
                 jobs: Sequence[Job] = ()) -> None:  # fmt: skip
        """``jobs``: the other domains' work, given by the ``worker`` command so that this package imports none of
        them (the crisis pages' escalation before the mail; the channels' webhooks, subscriptions and mailbox
        after it). Each name is counted in ``handled``."""
        self.settings = settings
        reminders = partial(service.process_reminders, base_url=settings.public_base_url,
                            email_enabled=bool(settings.smtp_host))  # fmt: skip
        self.jobs = (batched(REMINDERS, reminders, before_mail=True), *jobs)
        names = [job.name for job in self.jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"the worker's jobs need distinct names: {names}")
        self.engine = engine or make_engine(settings.database_url, pool_size=2, max_overflow=2)
        self.writer = writer(self.engine)
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]
        self.stopping = False
        self.sent = 0
        self.daily = 0
        self.handled: Counter[str] = Counter()

    @property
    def reminders(self) -> int:
        return self.handled[REMINDERS]

    @property
    def escalations(self) -> int:
        """What the given jobs that run before the mail handled (the crisis pages escalated)."""
        return sum(self.handled[job.name] for job in self.jobs if job.before_mail and job.name != REMINDERS)

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
        self._tx(partial(idempotency.purge, now=now))
        context = JobContext(engine=self.writer, settings=self.settings, worker_id=self.worker_id, now=now,
                             clock=self.clock, should_stop=lambda: self.stopping)  # fmt: skip
        self._run([job for job in self.jobs if job.before_mail], context)
        if self.settings.smtp_host:
            self.daily += self._tx(partial(deliveries.build_daily_emails, now=now,
                                           base_url=self.settings.public_base_url))  # fmt: skip
            self.deliver()
        self._run([job for job in self.jobs if not job.before_mail], context)

    def _run(self, jobs: list[Job], context: JobContext) -> None:
        for job in jobs:
            if self.stopping:
                return
            self.handled[job.name] += job.run(context)

    def deliver(self) -> None:
        batch = self.settings.worker_batch_size
        while not self.stopping:
            claim = partial(service.claim_emails, now=self.clock(), worker_id=self.worker_id, lease=LEASE, limit=batch)
            ids = self._tx(claim)
            if not ids:
                return
            rows = self._tx(partial(service.outgoing, ids=ids))
            with self.writer.connect() as conn:  # one connection records the outcomes of the batch
                try:
                    renewed = time.monotonic()
                    with Mailer(self.settings) as mailer:
                        for index, row in enumerate(rows):
                            if time.monotonic() - renewed >= RENEW_EVERY:
                                self._renew(conn, [r.id for r in rows[index:] if r.id is not None])
                                renewed = time.monotonic()
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

    def _renew(self, conn: Connection, ids: list[int]) -> None:
        """Extend the lease on the e-mails not sent yet (a failure here only shortens it: the next try renews)."""
        try:
            with Session(bind=conn, expire_on_commit=False) as session:
                service.renew_claims(session, ids=ids, worker_id=self.worker_id, until=self.clock() + LEASE)
                session.commit()
        except DB_ERRORS as exc:
            log.warning("could not renew the lease (%s)", exc.__class__.__name__)
            with contextlib.suppress(*DB_ERRORS):
                conn.rollback()

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
