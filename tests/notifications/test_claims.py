"""A worker claims at most its batch, even on PostgreSQL, and holds its claim only while it lives (issue 16).
These tests commit for real, on a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import make_engine, writer
from app.notifications import service
from app.notifications.models import EmailStatus, Notification
from tests.notifications.test_worker import load_due_reminders

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    load_due_reminders(engine, 60, NOW)
    with Session(engine) as session:
        service.process_reminders(session, now=NOW, limit=1000, base_url="http://t", email_enabled=True)
        session.commit()
    yield engine
    engine.dispose()


def _pending(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Notification.id).where(Notification.email_status == EmailStatus.PENDING)).all())


def test_a_claim_is_at_most_the_batch(db: Engine) -> None:
    assert _pending(db) >= 60
    with Session(db) as session:
        ids = service.claim_emails(session, now=NOW, worker_id="w1", lease=LEASE, limit=20)
        session.commit()
    assert len(ids) == 20
    with Session(db) as session:
        claimed = session.exec(select(Notification.id).where(Notification.email_claimed_by == "w1")).all()
    assert sorted(i for i in claimed if i is not None) == ids


def test_two_workers_at_once_claim_disjoint_batches(db: Engine) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite writers queue: there are never two claims at once")
    with Session(writer(db)) as one, Session(writer(db)) as two:
        first = service.claim_emails(one, now=NOW, worker_id="w1", lease=LEASE, limit=20)
        second = service.claim_emails(two, now=NOW, worker_id="w2", lease=LEASE, limit=20)  # skips w1's locks
        one.commit()
        two.commit()
    assert len(first) == len(second) == 20 and not set(first) & set(second)


def test_a_renewed_lease_is_kept_a_dead_workers_lapses(db: Engine) -> None:
    with Session(db) as session:
        alive = service.claim_emails(session, now=NOW, worker_id="alive", lease=LEASE, limit=10)
        dead = service.claim_emails(session, now=NOW, worker_id="dead", lease=LEASE, limit=10)
        session.commit()
    later = NOW + timedelta(seconds=40)
    with Session(db) as session:
        assert service.renew_claims(session, ids=alive, worker_id="alive", until=later + LEASE) == 10
        assert service.renew_claims(session, ids=alive, worker_id="intruder", until=later + LEASE) == 0
        session.commit()
    after_first_lease = NOW + timedelta(seconds=61)
    with Session(db) as session:
        taken = service.claim_emails(session, now=after_first_lease, worker_id="next", lease=LEASE, limit=100)
        session.commit()
    assert set(dead) <= set(taken) and not set(alive) & set(taken)
    with Session(db) as session:
        still = session.exec(select(Notification.id).where(col(Notification.email_claimed_by) == "alive")).all()
    assert sorted(i for i in still if i is not None) == alive
