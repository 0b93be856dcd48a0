"""Pages through the real worker and a real SMTP server (aiosmtpd on an ephemeral 127.0.0.1 port): two worker
processes page each step of every ladder exactly once; a worker that restarts in the middle of an escalation
resends nothing already sent and skips no step. These tests commit for real, on a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.crisis.models import CrisisPage
from app.crisis.paging import escalate_pages, worker_step
from app.db import make_engine
from app.notifications.models import EmailStatus, Notification
from app.notifications.worker import Job, Worker, batched
from app.settings import Settings
from tests.conftest import make_settings
from tests.crisis.helpers import case_in_crisis, crisis_org, load_roster, paging
from tests.support.smtp import SmtpSink

CRISISDESK = Path(sys.executable).with_name("crisisdesk")
# Every ladder to its end: the spokesperson's (the two spokespersons, the deputy), the press office's (the press
# officer, the deputy), and the director's, where both end (the director paged once).
EXPECTED = [("spokesperson", 0, "spokesperson"), ("spokesperson", 1, "spokesperson2"), ("spokesperson", 2, "deputy"),
            ("press_officer", 0, "office"), ("press_officer", 1, "deputy"), ("director", 0, "director")]  # fmt: skip


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    yield engine
    engine.dispose()


def escalation(settings: Settings) -> Job:
    """The crisis pages' escalation, as ``crisisdesk worker`` runs it."""
    return batched("crisis pages", worker_step(settings), before_mail=True)


def crisis_declared(engine: Engine, now: datetime, minutes: float) -> str:
    with Session(engine) as session:
        crisis_org(session, now - timedelta(days=1))
        load_roster(session, now - timedelta(hours=2))
        ref = case_in_crisis(session, now=now, page=paging(minutes))
        session.commit()
    return ref


def steps(engine: Engine) -> list[tuple[str, int, str]]:
    from app.org.models import User

    with Session(engine) as session:
        rows = session.exec(select(CrisisPage, User).join(User, col(User.id) == CrisisPage.user_id)).all()
        return sorted((p.ladder.value, p.step, u.username) for p, u in rows)


def test_two_workers_send_each_page_step_exactly_once(db: Engine, isolated_url: str,
                                                      smtp_sink: SmtpSink) -> None:  # fmt: skip
    handler, port = smtp_sink, smtp_sink.port
    crisis_declared(db, datetime.now(UTC), minutes=0.02)  # 1.2 seconds to acknowledge
    env = {**os.environ, "DATABASE_URL": isolated_url, "CRISISDESK_ENVIRONMENT": "test",
           "CRISISDESK_SECRET_KEY": "test-secret-" + "x" * 32, "CRISISDESK_SMTP_HOST": "127.0.0.1",
           "CRISISDESK_SMTP_PORT": str(port), "CRISISDESK_SMTP_SECURITY": "none",
           "CRISISDESK_PAGE_ACK_MINUTES": "0.02", "CRISISDESK_PUBLIC_BASE_URL": "http://crisisdesk.test"}  # fmt: skip
    env.pop("CRISISDESK_DATABASE_URL", None)
    workers = [subprocess.Popen([str(CRISISDESK), "worker", "--poll", "0.2"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(2)]  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while sum(handler.keys().values()) < len(EXPECTED) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # long enough for any second send of a step to show up
    finally:
        for w in workers:
            w.terminate()
        outputs = [w.communicate(timeout=30)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    keys = handler.keys()
    assert len(keys) == len(EXPECTED) and set(keys.values()) == {1}, keys
    assert steps(db) == sorted(EXPECTED)
    recipients = sorted(str(m["To"]) for m in handler.messages)
    assert recipients.count("phogiamdoc@sgddt.example.gov.vn") == 2  # on two ladders
    assert recipients.count("giamdoc@sgddt.example.gov.vn") == 1  # where both ladders end: once
    body = next(m for m in handler.messages if m["To"] == "giamdoc@sgddt.example.gov.vn").get_content()
    assert "http://crisisdesk.test/staff/pages/" in body and "?sig=" in body
    with Session(db) as session:
        states = Counter(n.email_status for n in session.exec(select(Notification)).all())
    assert states == Counter({EmailStatus.SENT: len(EXPECTED)})


def test_a_worker_restarting_mid_escalation_resends_nothing_and_skips_no_step(
    db: Engine, isolated_url: str, smtp_sink: SmtpSink
) -> None:
    handler, port = smtp_sink, smtp_sink.port
    t0 = datetime.now(UTC).replace(microsecond=0)
    crisis_declared(db, t0, minutes=10)
    settings = make_settings(isolated_url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                             secret_key="test-secret-" + "x" * 32, page_ack_minutes=10)  # fmt: skip
    at = {"now": t0}

    def clock() -> datetime:
        return at["now"]

    Worker(settings, engine=db, clock=clock, jobs=[escalation(settings)]).run(once=True)
    assert sum(handler.keys().values()) == 2

    # 11 minutes on, a worker escalates and dies before sending anything: its transaction is committed.
    at["now"] = t0 + timedelta(minutes=11)
    with Session(db) as session:
        assert escalate_pages(session, now=at["now"], paging=paging(10), limit=100) == 2
        session.commit()
    # A new worker takes over: it sends the two new pages, and nothing already sent.
    restarted = Worker(settings, engine=db, clock=clock, jobs=[escalation(settings)])
    restarted.run(once=True)
    assert restarted.escalations == 0 and restarted.sent == 2
    assert sum(handler.keys().values()) == 4 and set(handler.keys().values()) == {1}

    for minutes in (22, 33, 44):  # and carries every ladder to its end
        at["now"] = t0 + timedelta(minutes=minutes)
        Worker(settings, engine=db, clock=clock, jobs=[escalation(settings)]).run(once=True)
    keys = handler.keys()
    assert len(keys) == len(EXPECTED) and set(keys.values()) == {1}, keys
    assert steps(db) == sorted(EXPECTED)
