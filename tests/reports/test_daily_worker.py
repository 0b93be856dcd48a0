"""The worker refreshes the dashboard's per-day aggregates: ``crisisdesk worker``'s "report aggregates" job, a
batch of days a transaction, until no day is stale. This test commits for real, on a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import make_engine
from app.notifications.worker import Worker, batched
from app.reports import daily
from app.reports.models import ReportClockDay, ReportDirty, ReportVolumeDay
from tests.conftest import make_settings
from tests.factories import bulk_cases_with_clocks, standard_org

NOW = datetime(2026, 7, 20, 3, tzinfo=UTC)


@pytest.fixture
def db(isolated_url: str) -> Iterator[Engine]:
    engine = make_engine(isolated_url)
    yield engine
    engine.dispose()


def _count(session: Session, table: type) -> int:
    return int(session.execute(sa_select(func.count()).select_from(table)).scalar_one())


def test_the_worker_refreshes_every_stale_day(db: Engine, isolated_url: str) -> None:
    with Session(db) as session:
        standard_org(session, NOW - timedelta(days=30))
        for day in range(5):  # five days of receipt, each marked stale by the triggers
            bulk_cases_with_clocks(session, count=3, received_at=NOW - timedelta(days=day + 1),
                                   due_at=lambda _i: NOW + timedelta(days=1), now=NOW)  # fmt: skip
        session.commit()
        assert len(set(session.execute(sa_select(col(ReportDirty.day))).scalars())) == 5
    settings = make_settings(isolated_url, worker_batch_size=2)  # two days a transaction: three of them
    job = batched("report aggregates", daily.refresh, before_mail=False)
    Worker(settings, engine=db, clock=lambda: NOW, jobs=[job]).run(once=True)
    with Session(db) as session:
        assert _count(session, ReportDirty) == 0
        assert _count(session, ReportVolumeDay) > 0
        assert _count(session, ReportClockDay) == 0  # the clocks are all running: counted live, never stored
