"""The demo's crisis mode: a roster for the demo users, and one case in crisis with its pages acknowledged."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.crisis.models import Crisis, CrisisPage, DutyShift
from app.demo import CRISIS_CASE
from tests.conftest import FIXED_NOW
from tests.factories import actor


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """These tests read the demo: the database that has it, loaded once per test process (each test rolls back)."""
    return demo_engine


def test_the_demo_has_a_roster_and_a_case_in_crisis(session: Session) -> None:
    from app.crisis import queries

    assert len(session.exec(select(DutyShift)).all()) == 3
    crisis = session.exec(select(Crisis)).one()
    assert crisis.level == 2 and crisis.stood_down_at is None
    pages = session.exec(select(CrisisPage)).all()
    assert len(pages) == 2 and all(p.acked_at is not None for p in pages)
    room = queries.war_room(session, actor=actor(session, "director"), reference=_ref(session, crisis),
                            now=FIXED_NOW, locale="vi")  # fmt: skip
    assert room.case.title == CRISIS_CASE
    assert [u.username for u in room.on_duty["press_officer"]] == ["office", "office2"]
    assert any(c.start_event.value == "crisis_declared" for c in room.clocks)


def _ref(session: Session, crisis: Crisis) -> str:
    from app.cases.models import Case

    case = session.get(Case, crisis.case_id)
    assert case is not None
    return case.reference
