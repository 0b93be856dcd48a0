"""The worker delivers reminders by e-mail through a real SMTP server (aiosmtpd), exactly once, and rides out a
database that goes away. These tests commit for real, on a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.cases.models import CaseCreate
from app.cases.service import open_case
from app.cases.vocabulary import LegalTrigger, SourceKind
from app.db import make_engine
from app.notifications.models import EmailStatus, Notification, WorkerHeartbeat
from app.notifications.worker import Job, JobContext, Worker, batched
from app.org.models import User
from tests.conftest import make_settings
from tests.factories import actor, bulk_cases_with_clocks, standard_org
from tests.support.net import free_port
from tests.support.smtp import SmtpSink

CRISISDESK = Path(sys.executable).with_name("crisisdesk")


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """The SMTP sink, a little slow (2 ms a message), as a real server is."""
    with SmtpSink(delay=0.002) as handler:
        yield handler


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    yield engine
    engine.dispose()


def smtp_settings(url: str, port: int, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "public_base_url": "http://crisisdesk.test",
        **overrides,
    }
    return make_settings(url, **values)


def load_due_reminders(engine: Engine, count: int, now: datetime) -> None:
    """``count`` cases with a 24-hour clock started 13 hours ago: each owes the press office its 50 % reminder."""
    with Session(engine) as session:
        standard_org(session, now)
        office = session.exec(select(User).where(User.username == "office")).one()
        office.email = "office@sgddt.example.gov.vn"
        session.add(office)
        session.flush()
        received = now - timedelta(hours=13)
        if count <= 10:  # the real path: intake through the service, the clock started by its event
            by = actor(session, "office")
            for i in range(count):
                data = CaseCreate(title=f"Vụ việc số {i}", source_kind=SourceKind.PRESS_ARTICLE,
                                  legal_trigger=LegalTrigger.MAJOR_EVENT, received_at=received)  # fmt: skip
                open_case(session, actor=by, now=received, data=data)
        else:  # the same rows, inserted in bulk
            bulk_cases_with_clocks(session, count=count, received_at=received, now=received,
                                   due_at=lambda _i: received + timedelta(hours=24),
                                   reminder_at=lambda _i: received + timedelta(hours=12))  # fmt: skip
        session.commit()


def email_states(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(select(Notification.email_status, func.count()).group_by(col(Notification.email_status)))
        return Counter({str(status): n for status, n in rows.all()})


def test_the_worker_sends_each_reminder_by_e_mail_once(db: Engine, isolated_url: str, sink: SmtpSink) -> None:
    now = datetime.now(UTC)
    load_due_reminders(db, 5, now)
    worker = Worker(smtp_settings(isolated_url, sink.port), engine=db)
    worker.run(once=True)
    assert worker.sent == 5
    assert set(sink.keys().values()) == {1} and len(sink.keys()) == 5
    message = sink.messages[0]
    assert message["To"] == "office@sgddt.example.gov.vn"
    assert message["Subject"].startswith("Đã qua một nửa thời hạn")
    assert "http://crisisdesk.test/staff/cases/VV-" in message.get_content()
    worker.run(once=True)
    assert len(sink.messages) == 5
    assert email_states(db) == Counter({"sent": 5})
    with Session(db) as session:
        beat = session.exec(select(WorkerHeartbeat)).one()
        assert (beat.worker_id, beat.passes) == (worker.worker_id, 2)


def test_a_failed_send_is_retried_later(db: Engine, isolated_url: str) -> None:
    now = datetime.now(UTC)
    load_due_reminders(db, 2, now)
    unreachable = smtp_settings(isolated_url, free_port())  # nothing listens there
    Worker(unreachable, engine=db).run(once=True)
    with Session(db) as session:
        rows = session.exec(select(Notification)).all()
        assert {(r.email_status, r.email_attempts) for r in rows} == {(EmailStatus.PENDING, 1)}
        assert all(r.email_next_attempt_at and r.email_next_attempt_at > now for r in rows)
        assert all(r.email_error for r in rows)


def test_a_pass_runs_the_jobs_before_the_mail_then_the_mail_then_the_others(
    db: Engine, isolated_url: str, sink: SmtpSink
) -> None:
    """Whatever order they are given in: the reminders, the ``before_mail`` jobs (an escalation goes out in the
    pass that made it), the mail, the other jobs. What the jobs before the mail handle counts as escalations."""
    now = datetime.now(UTC)
    load_due_reminders(db, 1, now)
    settings = smtp_settings(isolated_url, sink.port)
    seen: list[tuple[str, int, int]] = []

    def escalate(session: Session, *, now: datetime, limit: int) -> int:
        pending = session.exec(select(func.count()).select_from(Notification)).one()
        seen.append(("escalate", pending, len(sink.messages)))
        return 3  # fewer than a batch: called once

    def after(ctx: JobContext) -> int:
        seen.append(("after", 0, len(sink.messages)))
        return 7

    worker = Worker(settings, engine=db, clock=lambda: now,
                    jobs=[Job("after", after), batched("escalate", escalate, before_mail=True)])  # fmt: skip
    worker.run(once=True)
    assert seen == [("escalate", 1, 0), ("after", 0, 1)]  # the reminder made before it, the e-mail sent after it
    assert (worker.reminders, worker.escalations, worker.sent) == (1, 3, 1)
    assert worker.handled == Counter({"reminders": 1, "escalate": 3, "after": 7})


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks need PostgreSQL")
def test_two_worker_processes_send_500_reminders_exactly_once(db: Engine, isolated_url: str, sink: SmtpSink) -> None:
    load_due_reminders(db, 500, datetime.now(UTC))
    env = {
        **os.environ,
        "DATABASE_URL": isolated_url,
        "CRISISDESK_ENVIRONMENT": "test",
        "CRISISDESK_SMTP_HOST": "127.0.0.1",
        "CRISISDESK_SMTP_PORT": str(sink.port),
        "CRISISDESK_SMTP_SECURITY": "none",
        "CRISISDESK_WORKER_BATCH_SIZE": "25",
    }
    env.pop("CRISISDESK_DATABASE_URL", None)
    workers = [
        subprocess.Popen(
            [str(CRISISDESK), "worker", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    keys = sink.keys()
    assert len(keys) == 500
    assert set(keys.values()) == {1}, [k for k, n in keys.items() if n > 1][:5]
    assert email_states(db) == Counter({"sent": 500})
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(WorkerHeartbeat)).one() == 2
        senders = session.exec(select(Notification.email_claimed_by).distinct()).all()
    assert 1 <= len(senders) <= 2  # both usually share the work; never a third claimant


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="terminates PostgreSQL backends")
def test_the_worker_survives_losing_its_database_connections(db: Engine, isolated_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": isolated_url, "CRISISDESK_ENVIRONMENT": "test"}
    env.pop("CRISISDESK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(CRISISDESK), "worker", "--poll", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    name = isolated_url.rsplit("/", 1)[-1]

    def passes() -> int:
        with Session(db) as session:
            return int(session.exec(select(func.coalesce(func.max(WorkerHeartbeat.passes), 0))).one())

    try:
        deadline = time.monotonic() + 30
        while passes() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        before = passes()
        assert before >= 2
        with db.connect() as conn:  # what a database restart does to the worker: every connection dropped
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        deadline = time.monotonic() + 30
        while passes() < before + 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert passes() >= before + 3
        assert proc.poll() is None
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
