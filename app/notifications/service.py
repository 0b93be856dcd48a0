"""Notifications: the staff's in-app list, and the worker's use cases (reminders due, e-mails to send).

The worker side is written so that several workers can run at once:

* ``process_reminders`` claims the clocks whose next reminder is due with ``SELECT … FOR UPDATE SKIP LOCKED``
  (PostgreSQL; SQLite has one writer at a time), creates one notification per recipient with a unique
  ``dedupe_key`` (``INSERT … ON CONFLICT DO NOTHING``) and moves the clock on to its next stage;
* ``claim_emails`` takes pending e-mails with one atomic ``UPDATE … RETURNING`` (on PostgreSQL over a
  ``FOR UPDATE SKIP LOCKED`` subquery) that marks them ``sending`` under a lease; ``mark_sent`` / ``mark_failed``
  settle them. A lease that expires (a worker died mid-send) makes the e-mail pending again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from app.auth.permissions import Actor, Role
from app.cases.models import Case, CaseAssignee
from app.clocks.models import Clock, ClockOrigin
from app.clocks.rules import effective_start
from app.clocks.schedule import FALLBACK, Audience, Stage, audiences, stage_due
from app.clocks.service import schedule_reminders
from app.errors import NotFound
from app.i18n import Message, _, text
from app.metrics import database_metric
from app.notifications.deliveries import dialect_insert, email_fields, insert_rows
from app.notifications.models import (
    STAGE_LABELS,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPage,
    NotificationRead,
    WorkerHeartbeat,
)
from app.org.models import RoleAssignment, User
from app.rules.schema import StartEvent
from app.tasks.models import Task
from app.timeutil import to_local

# --- the staff's list ---------------------------------------------------------------------------------------


def _read(n: Notification, refs: dict[int, str]) -> NotificationRead:
    assert n.id is not None
    reference = refs.get(n.case_id) if n.case_id else None
    return NotificationRead(
        id=n.id, kind=n.kind, case_reference=reference, text=n.title, stage=n.stage, title=n.title, body=n.body,
        link=n.link, case=reference, clock_id=n.clock_id, created_at=n.created_at, read_at=n.read_at,
        email_status=n.email_status,
    )  # fmt: skip


def _mine(actor: Actor) -> Any:
    """The actor's in-app notifications (the day's e-mail of a ``daily`` user is not one)."""
    return and_(col(Notification.user_id) == actor.user_id, col(Notification.kind) != NotificationKind.DAILY_EMAIL)


def _refs(session: Session, rows: Sequence[Notification]) -> dict[int, str]:
    ids = {n.case_id for n in rows if n.case_id}
    if not ids:
        return {}
    return {i: r for i, r in session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(ids))).all() if i}


def list_notifications(
    session: Session, *, actor: Actor, unread_only: bool = False, limit: int = 50
) -> NotificationPage:
    query = select(Notification).where(_mine(actor))
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = session.exec(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(limit)
    ).all()
    unread = unread_count(session, actor=actor)
    refs = _refs(session, rows)
    return NotificationPage(items=[_read(n, refs) for n in rows], unread=unread)


def unread_count(session: Session, *, actor: Actor) -> int:
    """How many of the actor's notifications are unread (the header's badge)."""
    count: int = session.exec(select(func.count()).where(_mine(actor), col(Notification.read_at).is_(None))).one()
    return count


def mark_read(session: Session, *, actor: Actor, notification_id: int, now: datetime) -> NotificationRead:
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.user_id or row.kind == NotificationKind.DAILY_EMAIL:
        raise NotFound(_("Không tìm thấy tin nhắn số {id}.", id=notification_id))
    if row.read_at is None:
        row.read_at = now
        session.add(row)
        session.flush()
    return _read(row, _refs(session, [row]))


def mark_all_read(session: Session, *, actor: Actor, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(_mine(actor), col(Notification.read_at).is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- reminders (the worker) ---------------------------------------------------------------------------------


class _Directory:
    """The role lookups of one pass, each asked once (a pass handles many clocks for the same few people)."""

    def __init__(self, session: Session, case_ids: Sequence[int] = ()) -> None:
        self.session = session
        self.cache: dict[tuple[tuple[Role, ...], int | None], list[User]] = {}
        self.assignees: dict[int, list[User]] = {}
        if case_ids:
            for case_id, user in session.exec(
                select(CaseAssignee.case_id, User)
                .join(User, col(User.id) == CaseAssignee.user_id)
                .where(col(CaseAssignee.case_id).in_(list(case_ids)), col(User.active).is_(True))
                .order_by(col(User.id))
            ).all():
                self.assignees.setdefault(case_id, []).append(user)
            self.preloaded = frozenset(case_ids)
        else:
            self.preloaded = frozenset()

    def users_with(self, roles: Sequence[Role], unit_id: int | None = None) -> list[User]:
        key = (tuple(roles), unit_id)
        if key not in self.cache:
            query = (
                select(User)
                .join(RoleAssignment, col(RoleAssignment.user_id) == User.id)
                .where(col(RoleAssignment.role).in_(list(roles)), col(User.active).is_(True))
            )
            if unit_id is not None:
                query = query.where(RoleAssignment.unit_id == unit_id)
            self.cache[key] = list(self.session.exec(query.order_by(col(User.id))).unique().all())
        return self.cache[key]

    def audience(self, audience: Audience, case: Case, unit_id: int | None, task: Task | None) -> list[User]:
        if audience == Audience.ASSIGNEES:
            if task is not None:
                return self.users_with([Role.HANDLER, Role.UNIT_HEAD], task.unit_id)
            if case.id in self.preloaded:
                return self.assignees.get(case.id, [])
            return list(
                self.session.exec(
                    select(User)
                    .join(CaseAssignee, col(CaseAssignee.user_id) == User.id)
                    .where(CaseAssignee.case_id == case.id, col(User.active).is_(True))
                    .order_by(col(User.id))
                ).all()
            )
        if audience == Audience.UNIT_HEADS:
            return self.users_with([Role.UNIT_HEAD], unit_id) if unit_id is not None else []
        role = {Audience.PRESS_OFFICE: Role.PRESS_OFFICER, Audience.SPOKESPERSON: Role.SPOKESPERSON,
                Audience.DIRECTOR: Role.DIRECTOR}[audience]  # fmt: skip
        return self.users_with([role])


def recipients(
    session: Session, *, case: Case, clock: Clock, stage: Stage, directory: _Directory | None = None
) -> list[User]:
    """Who receives a stage's reminder: see ``clocks.schedule.audiences`` (with fallbacks when nobody fits)."""
    people = directory or _Directory(session)
    task = session.get(Task, clock.task_id) if clock.task_id else None
    unit_id = task.unit_id if task else case.lead_unit_id
    found: dict[int, User] = {}
    for audience in audiences(stage, case.severity):
        users = people.audience(audience, case, unit_id, task)
        current: Audience | None = audience
        while not users and current in FALLBACK:
            current = FALLBACK[current]
            users = people.audience(current, case, unit_id, task)
        for user in users:
            assert user.id is not None
            found.setdefault(user.id, user)
    return list(found.values())


def _message(case: Case, clock: Clock, stage: Stage, locale: str, base_url: str) -> tuple[str, str, str]:
    due = to_local(clock.due_at).strftime("%H:%M %d/%m/%Y") if clock.due_at else "—"
    name = text(Message(clock.name), locale)
    title = text(_("{stage}: {clock} — {reference}", stage=STAGE_LABELS[stage], clock=name,
                   reference=case.reference), locale)  # fmt: skip
    basis = clock.basis if clock.origin != ClockOrigin.INTERNAL else text(_("Chỉ tiêu nội bộ: {name}",
                                                                                name=clock.basis), locale)  # fmt: skip
    if clock.start_event == StartEvent.CRISIS_DECLARED:  # a crisis clock names its basis itself
        basis = text(Message(clock.basis), locale)
    link = f"{base_url.rstrip('/')}/staff/cases/{case.reference}"
    body = text(
        _("Vụ việc {reference}: {title}\nThời hạn: {clock}\nCăn cứ: {basis}\nHạn: {due} (giờ Việt Nam)\n{link}",
          reference=case.reference, title=case.title, clock=name, basis=basis, due=due, link=link),
        locale,
    )  # fmt: skip
    return title[:300], body, link


def process_reminders(session: Session, *, now: datetime, limit: int, base_url: str, email_enabled: bool) -> int:
    """Send the reminder stage of every clock that is due now (in-app rows, e-mails queued); returns the number
    of clocks handled. Rows are locked (SKIP LOCKED) so that concurrent workers share the work."""
    # Only a running clock has a next reminder (``clocks.service.schedule_reminders``; a CHECK constraint on
    # ``clock`` holds it): no ``state`` condition, so the batch is an ordered index scan of
    # ``ix_clock_next_reminder_at`` that stops at the limit, however many reminders are due (with it, PostgreSQL
    # read and sorted the whole due backlog for every batch).
    clocks = session.exec(
        select(Clock)
        .where(col(Clock.next_reminder_at) <= now)
        .order_by(col(Clock.next_reminder_at), col(Clock.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    case_ids = sorted({c.case_id for c in clocks})
    directory = _Directory(session, case_ids)
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids))).all()}
    rows: list[dict[str, Any]] = []
    for clock in clocks:
        case = cases.get(clock.case_id)
        start = effective_start(clock)
        assert case is not None and clock.id is not None and clock.next_reminder_stage is not None
        assert start is not None and clock.due_at is not None
        stage = stage_due(start, clock.due_at, now=now, pending=Stage(clock.next_reminder_stage))
        for user in recipients(session, case=case, clock=clock, stage=stage, directory=directory):
            title, body, link = _message(case, clock, stage, user.locale, base_url)
            rows.append({
                "user_id": user.id, "case_id": case.id, "clock_id": clock.id, "kind": NotificationKind.CLOCK.value,
                "stage": stage.value, "dedupe_key": f"clock:{clock.id}:v{clock.version}:{stage.value}:user:{user.id}",
                "title": title, "body": body, "link": link, "created_at": now, "email_attempts": 0,
                **email_fields(user, now=now, enabled=email_enabled),
            })  # fmt: skip
        schedule_reminders(clock, now=now, after=stage)
        session.add(clock)
    insert_rows(session, rows)
    session.flush()
    return len(clocks)


# --- e-mails (the worker) -----------------------------------------------------------------------------------


def claim_emails(session: Session, *, now: datetime, worker_id: str, lease: timedelta, limit: int) -> list[int]:
    """Atomically mark at most ``limit`` e-mails as being sent by this worker; returns their ids.

    Two statements, not ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)``: PostgreSQL may run
    such a subquery more than once for one UPDATE, and each run locks the next ``n`` rows (claims of 340 rows
    were seen with a batch of 20). The ids are chosen and locked once, then those rows alone are claimed."""
    ready = or_(
        and_(col(Notification.email_status) == EmailStatus.PENDING, col(Notification.email_next_attempt_at) <= now),
        and_(col(Notification.email_status) == EmailStatus.SENDING, col(Notification.email_claimed_until) < now),
    )
    chosen = list(
        session.execute(
            select(Notification.id)
            .where(ready)
            .order_by(col(Notification.email_next_attempt_at), col(Notification.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not chosen:
        return []
    result = session.execute(
        update(Notification)
        .where(col(Notification.id).in_(chosen), ready)
        .values(email_status=EmailStatus.SENDING, email_claimed_by=worker_id, email_claimed_until=now + lease)
        .returning(col(Notification.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(int(row[0]) for row in result.all())


def renew_claims(session: Session, *, ids: Sequence[int], worker_id: str, until: datetime) -> int:
    """Extend this worker's lease on the e-mails it still holds (it is alive and working through them)."""
    if not ids:
        return 0
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.id).in_(list(ids)),
            col(Notification.email_claimed_by) == worker_id,
            col(Notification.email_status) == EmailStatus.SENDING,
        )
        .values(email_claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def outgoing(session: Session, *, ids: Sequence[int]) -> list[Notification]:
    return list(session.exec(select(Notification).where(col(Notification.id).in_(list(ids)))).all())


def mark_sent(session: Session, *, notification_id: int, worker_id: str, now: datetime) -> None:
    session.execute(
        update(Notification)
        .where(col(Notification.id) == notification_id, col(Notification.email_claimed_by) == worker_id)
        .values(email_status=EmailStatus.SENT, email_sent_at=now, email_claimed_until=None, email_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, *, notification_id: int, worker_id: str, now: datetime, error: str,
                max_attempts: int) -> None:  # fmt: skip
    """Retry later with an exponential backoff (1, 2, 4 … minutes, at most 2 hours); give up after the last try."""
    row = session.get(Notification, notification_id)
    if row is None or row.email_claimed_by != worker_id:
        return
    row.email_attempts += 1
    row.email_error = error[:500]
    row.email_claimed_until = None
    if row.email_attempts >= max_attempts:
        row.email_status = EmailStatus.FAILED
        row.email_next_attempt_at = None
    else:
        row.email_status = EmailStatus.PENDING
        row.email_next_attempt_at = now + min(timedelta(minutes=2 ** (row.email_attempts - 1)), timedelta(hours=2))
    session.add(row)
    session.flush()


def heartbeat(session: Session, *, worker_id: str, now: datetime) -> None:
    insert = dialect_insert(session)
    stmt = insert(WorkerHeartbeat.__table__).values(worker_id=worker_id, started_at=now, seen_at=now, passes=1)  # type: ignore[attr-defined]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["worker_id"],
            set_={"seen_at": now, "passes": WorkerHeartbeat.__table__.c.passes + 1},  # type: ignore[attr-defined]
        )
    )


# --- the worker's health: metrics (read at scrape time; see app/metrics.py) and /readyz ---------------------------


@database_metric(
    "crisisdesk_worker_queue_depth",
    "Work waiting for the worker: e-mails pending or being sent (queue=email), running clocks whose next reminder "
    "is due (queue=reminders).",
    ("queue",),
)
def worker_queue_depth(session: Session, now: datetime) -> list[tuple[tuple[str], float]]:
    emails = session.execute(
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.email_status).in_([EmailStatus.PENDING, EmailStatus.SENDING]))
    ).scalar_one()
    # Only a running clock has a next reminder (``clocks.service.schedule_reminders``): the one condition lets
    # SQLite read the ``next_reminder_at`` index instead of every running clock.
    reminders = session.execute(
        select(func.count()).select_from(Clock).where(col(Clock.next_reminder_at) <= now)
    ).scalar_one()
    return [(("email",), float(emails)), (("reminders",), float(reminders))]


@database_metric(
    "crisisdesk_emails_total",
    "E-mails of notifications by outcome: sent, or failed (given up after the last attempt).",
    ("status",),
    kind="counter",
)
def email_outcomes(session: Session, _now: datetime) -> list[tuple[tuple[str], float]]:
    rows = dict(
        session.execute(
            select(Notification.email_status, func.count())
            .where(col(Notification.email_status).in_([EmailStatus.SENT, EmailStatus.FAILED]))
            .group_by(col(Notification.email_status))
        ).all()
    )
    return [((status.value,), float(rows.get(status, 0))) for status in (EmailStatus.SENT, EmailStatus.FAILED)]


@database_metric(
    "crisisdesk_worker_heartbeat_age_seconds",
    "Seconds since the most recent heartbeat of any worker (no sample when no worker has ever run).",
)
def heartbeat_age(session: Session, now: datetime) -> list[tuple[tuple[()], float]]:
    last = session.execute(select(func.max(WorkerHeartbeat.seen_at))).scalar_one()
    if last is None:
        return []
    return [((), max((now - _aware(last)).total_seconds(), 0.0))]


def _aware(value: datetime | str) -> datetime:
    """``max()`` loses the column type on SQLite: re-attach UTC as ``UTCDateTime`` does."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class WorkerStatus:
    """What ``/readyz`` says about the workers: ``ok`` (a heartbeat within ``quiet_after``), ``quiet`` (the last
    one is older) or ``none`` (no worker has ever run against this database)."""

    status: str
    last_seen_at: datetime | None
    seconds_since: float | None
    alive: int  # workers seen within ``quiet_after``
    quiet_after_seconds: float


def worker_status(session: Session, *, now: datetime, quiet_after: timedelta) -> WorkerStatus:
    last_raw, alive = session.execute(
        select(
            func.max(WorkerHeartbeat.seen_at),
            func.count().filter(col(WorkerHeartbeat.seen_at) >= now - quiet_after),
        )
    ).one()
    if last_raw is None:
        return WorkerStatus("none", None, None, 0, quiet_after.total_seconds())
    last = _aware(last_raw)
    since = max((now - last).total_seconds(), 0.0)
    status = "ok" if since <= quiet_after.total_seconds() else "quiet"
    return WorkerStatus(status, last, round(since, 1), int(alive or 0), quiet_after.total_seconds())
