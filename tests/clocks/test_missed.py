"""The clocks missed in a month (the director's overview): each late state is read as a range of its own (issue 17);
the count and the latest ones are those of the one condition the ranges replace."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.cases.models import Case
from app.clocks.models import Clock, ClockState
from app.clocks.queries import missed_clocks
from app.org.models import Unit
from app.web.staff.home import month_bounds
from tests.conftest import FIXED_NOW
from tests.factories import actor, bulk_cases_with_clocks, standard_org

STATES = list(ClockState)  # every state, in turn


@pytest.fixture
def clocks(session: Session) -> tuple[datetime, datetime]:
    """60 clocks of every state, due every 15 hours from five days before the month of ``FIXED_NOW`` (27/11/2026)
    to past its end, the first half on the cases of GDTrH."""
    standard_org(session, FIXED_NOW)
    first, since, until = month_bounds(FIXED_NOW)
    unit = session.exec(select(Unit.id).where(Unit.code == "GDTrH")).one()
    start = since - timedelta(days=5)
    for lead_unit_id, offset in ((unit, 0), (None, 30)):

        def due_at(i: int, offset: int = offset) -> datetime:
            return start + timedelta(hours=15 * (i + offset))

        bulk_cases_with_clocks(session, count=30, received_at=start, now=start, lead_unit_id=lead_unit_id,
                               due_at=due_at)  # fmt: skip
    ids = session.exec(select(Clock.id).order_by(col(Clock.id))).all()
    for n, clock_id in enumerate(ids):
        session.execute(update(Clock).where(col(Clock.id) == clock_id).values(state=STATES[n % len(STATES)]))
    session.flush()
    assert start + timedelta(hours=15 * 59) > until  # some fall after the month
    return since, until


@pytest.mark.parametrize("who", ["director", "head"])
def test_the_late_clocks_of_the_month(session: Session, clocks: tuple[datetime, datetime], who: str) -> None:
    since, until = clocks
    reader = actor(session, who)
    late = [c for c in session.exec(select(Clock)).all()
            if c.due_at is not None and since <= c.due_at < until and (
                c.state in (ClockState.MISSED, ClockState.MET_LATE)
                or (c.state in (ClockState.RUNNING, ClockState.PAUSED) and c.due_at < FIXED_NOW))]  # fmt: skip
    if who == "head":  # the head of GDTrH sees its cases only
        unit = session.exec(select(Unit.id).where(Unit.code == "GDTrH")).one()
        assert unit is not None
        late = [c for c in late if c.case_id in cases_of(session, unit)]
    latest = sorted(late, key=lambda c: (c.due_at or since, c.id or 0), reverse=True)
    for limit in (3, 20):
        total, rows = missed_clocks(session, actor=reader, since=since, until=until, now=FIXED_NOW, locale="vi",
                                    limit=limit)  # fmt: skip
        assert total == len(late)
        assert [r.clock.id for r in rows] == [c.id for c in latest[:limit]]
    assert len(late) > 3 and {c.state for c in late} == {ClockState.MISSED, ClockState.MET_LATE, ClockState.PAUSED,
                                                          ClockState.RUNNING}  # fmt: skip


def cases_of(session: Session, unit_id: int) -> set[int | None]:
    return set(session.exec(select(Case.id).where(Case.lead_unit_id == unit_id)).all())
